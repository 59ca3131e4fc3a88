package dev.almanac.execution;

import dev.almanac.job.JobId;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Deletes ended runs from the history, for the retention system job; queued and running runs are never touched. The
 * caller deletes their artifacts first and holds the transaction.
 */
@Component
public class HistoryPurge {

    private static final String ENDED = "status IN ('succeeded', 'failed', 'timed_out', 'cancelled', 'skipped')";

    /** The runs of jobs in {@code :namespace}, or every run when it is null. */
    private static final String IN_NAMESPACE = " AND (CAST(:namespace AS VARCHAR(63)) IS NULL"
            + " OR job_id IN (SELECT id FROM jobs WHERE namespace = :namespace))";

    private static final String COUNT_ENDED_BEFORE = "SELECT COUNT(*) FROM executions WHERE " + ENDED
            + " AND COALESCE(completed_at, created_at) < :cutoff" + IN_NAMESPACE;

    private static final String ENDED_BEFORE = "SELECT id FROM executions WHERE " + ENDED
            + " AND COALESCE(completed_at, created_at) < :cutoff" + IN_NAMESPACE + """

             ORDER BY COALESCE(completed_at, created_at)
             LIMIT :limit
            """;

    private static final String DELETE = "DELETE FROM executions WHERE id = ?";

    private static final String ENDED_BEFORE_EXCEPT = "SELECT id FROM executions WHERE " + ENDED
            + " AND COALESCE(completed_at, created_at) < :cutoff AND job_id NOT IN (:kept)" + IN_NAMESPACE + """

             ORDER BY COALESCE(completed_at, created_at)
             LIMIT :limit
            """;

    private static final String COUNT_ENDED_BEFORE_EXCEPT = "SELECT COUNT(*) FROM executions WHERE " + ENDED
            + " AND COALESCE(completed_at, created_at) < :cutoff AND job_id NOT IN (:kept)" + IN_NAMESPACE;

    private static final String OF_JOB_ENDED_BEFORE = "SELECT id FROM executions WHERE job_id = ? AND " + ENDED + """
             AND COALESCE(completed_at, created_at) < ?
             ORDER BY created_at, id
             LIMIT ?
            """;

    /** The job's ended runs after its newest {@code keep}, newest first (ix_executions_job_created). */
    private static final String OF_JOB_BEYOND_NEWEST = "SELECT id FROM executions WHERE job_id = ? AND " + ENDED + """
             ORDER BY created_at DESC, id DESC
             OFFSET ? ROWS FETCH FIRST ? ROWS ONLY
            """;

    private static final String COUNT_OF_JOB = "SELECT COUNT(*) FROM executions WHERE job_id = ? AND " + ENDED;

    private static final String COUNT_OF_JOB_SINCE = "SELECT COUNT(*) FROM executions WHERE job_id = ? AND " + ENDED
            + " AND COALESCE(completed_at, created_at) >= ?";

    private final JdbcClient jdbc;

    HistoryPurge(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * How many runs ended before the cut-off, leaving out the runs of the jobs {@code kept} (which keep theirs longer):
     * of the jobs in {@code namespace}, or of every job when it is null.
     */
    public long countEndedBefore(Instant cutoff, Collection<JobId> kept, String namespace) {
        var sql = kept.isEmpty()
                ? jdbc.sql(COUNT_ENDED_BEFORE)
                : jdbc.sql(COUNT_ENDED_BEFORE_EXCEPT).param("kept", ids(kept));
        return sql.param("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                .param("namespace", namespace)
                .query(Long.class)
                .single();
    }

    /** The ids of the oldest of the runs {@link #countEndedBefore} counts, at most {@code limit}. */
    public List<UUID> endedBefore(Instant cutoff, Collection<JobId> kept, String namespace, int limit) {
        var sql = kept.isEmpty()
                ? jdbc.sql(ENDED_BEFORE)
                : jdbc.sql(ENDED_BEFORE_EXCEPT).param("kept", ids(kept));
        return sql.param("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                .param("namespace", namespace)
                .param("limit", limit)
                .query(UUID.class)
                .list();
    }

    /**
     * The ids of the job's oldest runs that go: those that ended before {@code cutoff} (none when null) and those after
     * its newest {@code keepRuns} (none when null), at most {@code limit}.
     */
    public List<UUID> ofJobBeyond(JobId job, Instant cutoff, Integer keepRuns, int limit) {
        Set<UUID> ids = new LinkedHashSet<>();
        if (cutoff != null) {
            ids.addAll(jdbc.sql(OF_JOB_ENDED_BEFORE)
                    .params(job.value(), cutoff.atOffset(ZoneOffset.UTC), limit)
                    .query(UUID.class)
                    .list());
        }
        if (keepRuns != null && ids.size() < limit) {
            ids.addAll(jdbc.sql(OF_JOB_BEYOND_NEWEST)
                    .params(job.value(), keepRuns, limit - ids.size())
                    .query(UUID.class)
                    .list());
        }
        return List.copyOf(ids);
    }

    /** How many of the job's ended runs {@link #ofJobBeyond} would take, over all batches. */
    public long countOfJobBeyond(JobId job, Instant cutoff, Integer keepRuns) {
        long ended = jdbc.sql(COUNT_OF_JOB).param(job.value()).query(Long.class).single();
        long young = cutoff == null
                ? ended
                : jdbc.sql(COUNT_OF_JOB_SINCE)
                        .params(job.value(), cutoff.atOffset(ZoneOffset.UTC))
                        .query(Long.class)
                        .single();
        long kept = keepRuns == null ? young : Math.min(keepRuns, young);
        return ended - kept;
    }

    private static List<UUID> ids(Collection<JobId> jobs) {
        return jobs.stream().map(JobId::value).toList();
    }

    /** Deletes these runs (their logs go with them); returns how many were still there. */
    public int delete(List<UUID> ids) {
        int count = 0;
        for (UUID id : ids) {
            count += jdbc.sql(DELETE).param(id).update();
        }
        return count;
    }
}
