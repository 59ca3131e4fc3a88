package dev.almanac.notify;

import dev.almanac.job.JobChanged;
import dev.almanac.job.JobId;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Keeps the record of notification attempts bounded. An attempt about a run goes with its execution (the foreign
 * key cascades, so history retention and deleting an execution remove it); an alert that has no execution (the
 * missed-run alert, a schedule health problem and its end) goes with its job when the job is deleted, and, older
 * than the history retention, when the retention system job calls {@link #deleteAlertsBefore} (and
 * {@link #deleteAlertsOfJobBefore} for a job that keeps its history longer or shorter).
 */
@Component
public class NotificationHistory {

    /** The attempts of jobs in {@code :namespace}, or of every job (deleted ones too) when it is null. */
    private static final String IN_NAMESPACE = " AND (CAST(:namespace AS VARCHAR(63)) IS NULL"
            + " OR job_id IN (SELECT id FROM jobs WHERE namespace = :namespace))";

    private static final String ALERTS_BEFORE =
            "SELECT id FROM notification_attempts WHERE execution_id IS NULL AND attempted_at < :cutoff";

    private final JdbcClient jdbc;

    NotificationHistory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Deletes at most {@code limit} alerts (attempts without an execution) made before {@code cutoff}, oldest first,
     * leaving out those of the jobs {@code kept} (which keep their history by their own limit): of the jobs in
     * {@code namespace}, or of every job, deleted ones included, when it is null. Returns how many it deleted; call
     * again until that is less than {@code limit}.
     */
    public int deleteAlertsBefore(Instant cutoff, Collection<JobId> kept, String namespace, int limit) {
        String select = ALERTS_BEFORE + (kept.isEmpty() ? "" : " AND job_id NOT IN (:kept)") + IN_NAMESPACE
                + " ORDER BY attempted_at LIMIT :limit";
        var sql = jdbc.sql(select);
        if (!kept.isEmpty()) {
            sql = sql.param("kept", ids(kept));
        }
        List<UUID> ids = sql.param("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                .param("namespace", namespace)
                .param("limit", Math.max(1, limit))
                .query(UUID.class)
                .list();
        return delete(ids);
    }

    /** Deletes at most {@code limit} alerts of one job made before {@code cutoff}, oldest first; how many it did. */
    public int deleteAlertsOfJobBefore(JobId job, Instant cutoff, int limit) {
        List<UUID> ids = jdbc.sql(ALERTS_BEFORE + " AND job_id = :job ORDER BY attempted_at LIMIT :limit")
                .param("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                .param("job", job.value())
                .param("limit", Math.max(1, limit))
                .query(UUID.class)
                .list();
        return delete(ids);
    }

    /**
     * A deleted job's alerts go with it, in its deletion's transaction: nothing shows them any more. The attempts
     * about its runs stay with those runs, which the job's deletion keeps, until history retention removes them.
     */
    @EventListener
    void jobChanged(JobChanged changed) {
        if (changed.kind() == JobChanged.Kind.DELETED) {
            jdbc.sql("DELETE FROM notification_attempts WHERE job_id = ? AND execution_id IS NULL")
                    .param(changed.jobId().value())
                    .update();
        }
    }

    private int delete(List<UUID> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        return jdbc.sql("DELETE FROM notification_attempts WHERE id IN (:ids)")
                .param("ids", ids)
                .update();
    }

    private static List<UUID> ids(Collection<JobId> jobs) {
        return jobs.stream().map(JobId::value).distinct().toList();
    }
}
