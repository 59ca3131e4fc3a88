package dev.almanac.execution;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.job.JobId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** What schedule health reads of a job's history: every query is bounded by one job's recent runs or by a time. */
@Component
public class HealthReadings {

    /** A run as the failure streak counts it. */
    private record Ended(UUID id, String status, UUID retryOf) {}

    /*
     * Status is compared as an expression in these reads, so only a job's own index can serve them: planned on
     * statistics from a smaller table, PostgreSQL read every succeeded run through the status index and kept the
     * job's (75 ms a statement in a 20 000-run drain, half the database's time).
     */
    static final String RECENT_SUCCESSES = """
            SELECT id, duration_ms FROM executions
             WHERE job_id = ? AND status || '' = 'succeeded' AND dry_run = FALSE AND duration_ms IS NOT NULL
             ORDER BY created_at DESC, id DESC
             LIMIT ?
            """;

    /** {@link #RECENT_SUCCESSES} of one job, as a branch of a statement that reads several. */
    private static final String RECENT_SUCCESSES_BRANCH = """
            (SELECT job_id, id, created_at, duration_ms FROM executions
              WHERE job_id = ? AND status || '' = 'succeeded' AND dry_run = FALSE AND duration_ms IS NOT NULL
              ORDER BY created_at DESC, id DESC
              LIMIT ?)""";

    /** How many jobs one statement of {@link #recentSuccesses} reads. */
    private static final int JOBS_PER_STATEMENT = 100;

    static final String RECENT_ENDED = """
            SELECT id, status, retry_of FROM executions
             WHERE job_id = ? AND dry_run = FALSE AND status || '' IN ('succeeded', 'failed', 'timed_out')
             ORDER BY created_at DESC, id DESC
             LIMIT ?
            """;

    private static final String MISSED_SINCE = """
            SELECT job_id, COUNT(*) FROM executions
             WHERE created_at >= ? AND status = 'skipped' AND reason = 'missed'
             GROUP BY job_id
            """;

    /** A run under way, as the slow-run check reads it. */
    public record Running(ExecutionId id, JobId job, Instant startedAt) {}

    // running runs are few (bounded by the nodes' workers), and a partial index of them finds them
    private static final String RUNNING_STARTED_BEFORE = """
            SELECT id, job_id, started_at FROM executions
             WHERE status = 'running' AND dry_run = FALSE AND started_at < ?
             ORDER BY started_at, id
             LIMIT ?
            """;

    private final JdbcClient jdbc;

    HealthReadings(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The durations, in milliseconds, of the job's last {@code limit} successful runs other than {@code except}. */
    public List<Long> recentDurations(JobId job, ExecutionId except, int limit) {
        return jdbc
                .sql(RECENT_SUCCESSES)
                .params(job.value(), limit + 1)
                .query((rs, n) -> except != null && except.value().equals(rs.getObject("id", UUID.class))
                        ? null
                        : rs.getLong("duration_ms"))
                .list()
                .stream()
                .filter(Objects::nonNull)
                .limit(limit)
                .toList();
    }

    /** A successful run's duration, in milliseconds. */
    public record Success(ExecutionId id, long durationMs) {}

    /**
     * The last successful runs of each job, newest first, up to the job's limit: one statement for many jobs, each
     * job's branch bounded by its own limit. Every job asked about has an entry (empty: none).
     */
    public Map<JobId, List<Success>> recentSuccesses(Map<JobId, Integer> limits) {
        Map<JobId, List<Success>> recent = new HashMap<>();
        List<Map.Entry<JobId, Integer>> jobs = new ArrayList<>(limits.entrySet());
        for (int from = 0; from < jobs.size(); from += JOBS_PER_STATEMENT) {
            List<Map.Entry<JobId, Integer>> chunk =
                    jobs.subList(from, Math.min(jobs.size(), from + JOBS_PER_STATEMENT));
            List<Object> params = new ArrayList<>(chunk.size() * 2);
            for (Map.Entry<JobId, Integer> job : chunk) {
                recent.put(job.getKey(), new ArrayList<>());
                params.add(job.getKey().value());
                params.add(job.getValue());
            }
            jdbc.sql(recentSuccessesOf(chunk.size())).params(params).query(rs -> {
                recent.get(new JobId(rs.getObject("job_id", UUID.class)))
                        .add(new Success(new ExecutionId(rs.getObject("id", UUID.class)), rs.getLong("duration_ms")));
            });
        }
        return recent;
    }

    /** The statement of {@link #recentSuccesses} for this many jobs: each job's id and limit, in turn. */
    static String recentSuccessesOf(int jobs) {
        return "SELECT job_id, id, duration_ms FROM ("
                + String.join(" UNION ALL ", Collections.nCopies(jobs, RECENT_SUCCESSES_BRANCH))
                + ") r ORDER BY job_id, created_at DESC, id DESC";
    }

    /**
     * How many of the job's last runs in a row ended in a final failure (a failed attempt that was retried does not
     * count), looking at its last {@code window} ended runs.
     */
    public int failureStreak(JobId job, int window) {
        List<Ended> runs = jdbc.sql(RECENT_ENDED)
                .params(job.value(), window)
                .query((rs, n) -> new Ended(
                        rs.getObject("id", UUID.class), rs.getString("status"), rs.getObject("retry_of", UUID.class)))
                .list();
        Set<UUID> retried = new HashSet<>();
        runs.forEach(run -> {
            if (run.retryOf() != null) {
                retried.add(run.retryOf());
            }
        });
        int streak = 0;
        for (Ended run : runs) {
            if (run.status().equals("succeeded")) {
                break;
            }
            if (!retried.contains(run.id())) {
                streak++;
            }
        }
        return streak;
    }

    /** The runs under way that started before {@code before}, oldest first, at most {@code limit}. */
    public List<Running> runningStartedBefore(Instant before, int limit) {
        return jdbc.sql(RUNNING_STARTED_BEFORE)
                .params(utc(before), limit)
                .query((rs, n) -> new Running(
                        new ExecutionId(rs.getObject("id", UUID.class)),
                        new JobId(rs.getObject("job_id", UUID.class)),
                        instant(rs, "started_at")))
                .list();
    }

    /** How many slots each job missed (skipped with reason {@code missed}) recorded since {@code since}. */
    public Map<JobId, Long> missedSince(Instant since) {
        Map<JobId, Long> missed = new HashMap<>();
        jdbc.sql(MISSED_SINCE)
                .param(utc(since))
                .query((rs, n) -> Map.entry(new JobId(rs.getObject(1, UUID.class)), rs.getLong(2)))
                .list()
                .forEach(e -> missed.put(e.getKey(), e.getValue()));
        return missed;
    }
}
