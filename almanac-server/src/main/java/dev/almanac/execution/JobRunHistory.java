package dev.almanac.execution;

import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.job.JobId;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * One job's history as backfills, the job page's strip and its duration hints read it: each query stays inside the
 * job's rows from a start time on ({@code ix_executions_job_created}), so its cost follows the window, not the history.
 */
@Repository
public class JobRunHistory {

    /** At most this many rows per read; a window holding more is read in part. */
    public static final int MAX_ROWS = 20_000;

    private static final String RUNS_OF_SLOTS = "SELECT " + ExecutionRows.COLUMNS + """
             FROM executions
            WHERE job_id = :job AND created_at >= :from AND scheduled_for >= :from AND scheduled_for <= :to
              AND dry_run = FALSE
            ORDER BY created_at, id
            LIMIT :limit
            """;

    private static final String RETRY_OF = "SELECT " + ExecutionRows.COLUMNS + """
             FROM executions
            WHERE job_id = :job AND created_at >= :created AND retry_of = :id
            """;

    /** {@code :offset}: the job's zone offset in seconds, so a day is the job's local day. */
    // by quarter hour, which every zone's offset today is a multiple of: the caller turns each into its local day with
    // that instant's own offset, so a week that changes to or from daylight saving time counts its days right
    private static final String QUARTER_HOUR_COUNTS = """
            SELECT FLOOR(EXTRACT(EPOCH FROM COALESCE(scheduled_for, created_at)) / 900) AS quarter_hour,
                   status, COUNT(*) AS n
              FROM executions
             WHERE job_id = :job AND created_at >= :from AND dry_run = FALSE
             GROUP BY 1, 2
            """;

    private static final String RECENT_DURATIONS = """
            SELECT duration_ms FROM executions
             WHERE job_id = :job AND created_at >= :since AND status = 'succeeded' AND dry_run = FALSE
               AND duration_ms IS NOT NULL
             ORDER BY created_at DESC
             LIMIT :limit
            """;

    /** Runs of one job in one quarter hour (from {@link #start()}) that ended (or stand) so. */
    public record QuarterHourCount(long quarterHour, ExecutionStatus status, long count) {

        public Instant start() {
            return Instant.ofEpochSecond(quarterHour * 900);
        }
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    JobRunHistory(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * The latest run (not a dry run) of each slot of {@code job} from {@code from} to {@code to}, both included: a
     * scheduled run, a backfill run or a retry of either.
     */
    public Map<Instant, Execution> latestRunOfSlots(JobId job, Instant from, Instant to) {
        Map<Instant, Execution> latest = new LinkedHashMap<>();
        jdbc.sql(RUNS_OF_SLOTS)
                .param("job", job.value())
                .param("from", utc(from))
                .param("to", utc(to))
                .param("limit", MAX_ROWS)
                .query(ExecutionRows.mapper(json))
                .list()
                .forEach(e -> latest.put(e.scheduledFor(), e));
        return latest;
    }

    /**
     * How many runs of {@code job} each quarter hour holds (by slot, or by creation for runs no schedule asked for),
     * for runs created since {@code from}.
     */
    public List<QuarterHourCount> quarterHourCounts(JobId job, Instant from) {
        return jdbc.sql(QUARTER_HOUR_COUNTS)
                .param("job", job.value())
                .param("from", utc(from))
                .query((rs, n) -> new QuarterHourCount(
                        rs.getLong("quarter_hour"),
                        ExecutionStatus.fromJson(rs.getString("status")).orElseThrow(),
                        rs.getLong("n")))
                .list();
    }

    /** How long the latest successful runs (not dry runs) of {@code job} since {@code since} took, newest first. */
    public List<Long> recentDurations(JobId job, Instant since, int limit) {
        return jdbc.sql(RECENT_DURATIONS)
                .param("job", job.value())
                .param("since", utc(since))
                .param("limit", limit)
                .query(Long.class)
                .list();
    }

    /** The retry that followed {@code failed}, if one was queued. */
    public Optional<Execution> retryOf(Execution failed) {
        List<Execution> retries = jdbc.sql(RETRY_OF)
                .param("job", failed.jobId().value())
                .param("created", utc(failed.createdAt()))
                .param("id", failed.id().value())
                .query(ExecutionRows.mapper(json))
                .list();
        return retries.stream().findFirst();
    }
}
