package dev.almanac.job;

import static dev.almanac.common.JdbcTime.utc;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * How many enabled jobs start in each minute around a time, read from the registry's next fire times: what the
 * wizard's schedule step shows to spread jobs out. One range read on {@code ix_jobs_due (enabled, next_run_at)}, so
 * its cost follows the jobs inside the window, not the size of the registry.
 */
@Repository
public class StartLoad {

    private static final String STARTS_PER_MINUTE = """
            SELECT FLOOR(EXTRACT(EPOCH FROM next_run_at) / 60) AS start_minute, COUNT(*) AS n
              FROM jobs
             WHERE enabled = TRUE AND next_run_at >= :from AND next_run_at < :to AND id <> :except
             GROUP BY 1
            """;

    private static final java.util.UUID NONE = new java.util.UUID(0, 0);

    private final JdbcClient jdbc;

    StartLoad(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Enabled jobs whose next run falls in each minute from {@code from} (included) to {@code to} (excluded), keyed
     * by the minute's start; minutes with none are absent. {@code except} (null: none) is left out: the job being
     * edited.
     */
    public Map<Instant, Long> startsPerMinute(Instant from, Instant to, JobId except) {
        Map<Instant, Long> starts = new TreeMap<>();
        jdbc.sql(STARTS_PER_MINUTE)
                .param("from", utc(from))
                .param("to", utc(to))
                .param("except", except == null ? NONE : except.value())
                .query(rs -> {
                    starts.put(Instant.ofEpochSecond(rs.getLong("start_minute") * 60), rs.getLong("n"));
                });
        return starts;
    }
}
