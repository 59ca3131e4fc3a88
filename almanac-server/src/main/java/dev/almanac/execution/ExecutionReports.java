package dev.almanac.execution;

import dev.almanac.common.JdbcTime;
import dev.almanac.job.JobId;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Read-only figures over the execution history, for the features that report on runs without owning them (the daily
 * summary, the job activity report, artifact downloads). Dry runs are left out of the summaries, as people expect.
 */
@Component
public class ExecutionReports {

    /** How many runs of one job a list counts (failures, missed runs). */
    public record JobCount(String jobName, long count) {}

    /** The runs of one job that ended with a duration: how many, the longest and the mean. */
    public record JobDurations(String jobName, long runs, long longestMs, double meanMs) {}

    /** One ended run, as the activity report reads it; {@code durationMs} is null when none was recorded. */
    public record EndedRun(String jobName, String templateType, String status, Long durationMs) {}

    /** The runs of jobs in {@code :namespace}, or every run when it is null. */
    private static final String IN_NAMESPACE = """
               AND (CAST(:namespace AS VARCHAR(63)) IS NULL
                    OR job_id IN (SELECT id FROM jobs WHERE namespace = :namespace))
            """;

    private static final String OUTCOMES_BETWEEN = """
            SELECT CASE WHEN status = 'skipped' THEN COALESCE(reason, 'skipped') ELSE status END AS outcome,
                   COUNT(*) AS n
              FROM executions
             WHERE completed_at >= :from AND completed_at < :to AND dry_run = FALSE
            """ + IN_NAMESPACE + """
             GROUP BY CASE WHEN status = 'skipped' THEN COALESCE(reason, 'skipped') ELSE status END
            """;

    private static final String MOST_FAILING_JOBS = """
            SELECT job_name, COUNT(*) AS failures, MAX(completed_at) AS last_at
              FROM executions
             WHERE completed_at >= :from AND completed_at < :to AND dry_run = FALSE
               AND status IN ('failed', 'timed_out')
            """ + IN_NAMESPACE + """
             GROUP BY job_name ORDER BY COUNT(*) DESC, job_name LIMIT :top
            """;

    private static final String SLOWEST_JOBS = """
            SELECT job_name, COUNT(*) AS runs, MAX(duration_ms) AS longest, AVG(duration_ms) AS mean
              FROM executions
             WHERE completed_at >= :from AND completed_at < :to AND dry_run = FALSE
               AND status IN ('succeeded', 'failed', 'timed_out') AND duration_ms IS NOT NULL
            """ + IN_NAMESPACE + """
             GROUP BY job_name ORDER BY MAX(duration_ms) DESC, job_name LIMIT :top
            """;

    private static final String MOST_MISSED_JOBS = """
            SELECT job_name, COUNT(*) AS missed
              FROM executions
             WHERE completed_at >= :from AND completed_at < :to AND status = 'skipped' AND reason = 'missed'
            """ + IN_NAMESPACE + """
             GROUP BY job_name ORDER BY COUNT(*) DESC, job_name LIMIT :top
            """;

    private static final String ENDED_CREATED_BETWEEN = """
            SELECT job_name, template_type, status, duration_ms FROM executions
             WHERE created_at >= :from AND created_at < :to AND status IN ('succeeded', 'failed', 'timed_out', 'cancelled')
            """ + IN_NAMESPACE;

    private static final String LAST_SUCCESS_OF = """
            SELECT job_id, MAX(completed_at) AS last_success FROM executions
             WHERE job_id IN (:ids) AND status = 'succeeded' AND dry_run = FALSE
             GROUP BY job_id
            """;

    private static final String EXISTS = "SELECT COUNT(*) FROM executions WHERE id = ?";

    private final JdbcClient jdbc;

    ExecutionReports(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public boolean exists(UUID id) {
        return jdbc.sql(EXISTS).param(id).query(Long.class).single() > 0;
    }

    /**
     * Runs completed in [from, to) by outcome: their status, or for a skipped run the reason it was skipped. Here and
     * below, {@code namespace} confines the answer to the runs of its jobs; null: every run.
     */
    public Map<String, Long> outcomesBetween(Instant from, Instant to, String namespace) {
        Map<String, Long> byOutcome = new TreeMap<>();
        between(OUTCOMES_BETWEEN, from, to, namespace).query(rs -> {
            byOutcome.put(rs.getString("outcome"), rs.getLong("n"));
        });
        return byOutcome;
    }

    public List<JobCount> mostFailingJobs(Instant from, Instant to, int top, String namespace) {
        return between(MOST_FAILING_JOBS, from, to, namespace)
                .param("top", top)
                .query((rs, n) -> new JobCount(rs.getString("job_name"), rs.getLong("failures")))
                .list();
    }

    public List<JobDurations> slowestJobs(Instant from, Instant to, int top, String namespace) {
        return between(SLOWEST_JOBS, from, to, namespace)
                .param("top", top)
                .query((rs, n) -> new JobDurations(
                        rs.getString("job_name"), rs.getLong("runs"), rs.getLong("longest"), rs.getDouble("mean")))
                .list();
    }

    public List<JobCount> mostMissedJobs(Instant from, Instant to, int top, String namespace) {
        return between(MOST_MISSED_JOBS, from, to, namespace)
                .param("top", top)
                .query((rs, n) -> new JobCount(rs.getString("job_name"), rs.getLong("missed")))
                .list();
    }

    /** Each run created in [from, to) that has ended (not skipped), streamed, in no particular order. */
    public void forEachEndedCreatedBetween(Instant from, Instant to, String namespace, Consumer<EndedRun> each) {
        between(ENDED_CREATED_BETWEEN, from, to, namespace).query(rs -> {
            long duration = rs.getLong("duration_ms");
            Long durationMs = rs.wasNull() ? null : duration;
            each.accept(new EndedRun(
                    rs.getString("job_name"), rs.getString("template_type"), rs.getString("status"), durationMs));
        });
    }

    /** When each of these jobs last succeeded (dry runs aside); a job that never did is left out. */
    public Map<JobId, Instant> lastSuccessOf(Collection<JobId> jobs) {
        Map<JobId, Instant> last = new HashMap<>();
        List<UUID> all = jobs.stream().map(JobId::value).distinct().toList();
        for (int from = 0; from < all.size(); from += 500) {
            jdbc.sql(LAST_SUCCESS_OF)
                    .param("ids", all.subList(from, Math.min(all.size(), from + 500)))
                    .query(rs -> {
                        Instant at = JdbcTime.instant(rs, "last_success");
                        if (at != null) {
                            last.put(new JobId(rs.getObject("job_id", UUID.class)), at);
                        }
                    });
        }
        return last;
    }

    private JdbcClient.StatementSpec between(String sql, Instant from, Instant to, String namespace) {
        return jdbc.sql(sql).param("from", utc(from)).param("to", utc(to)).param("namespace", namespace);
    }

    private static Object utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
