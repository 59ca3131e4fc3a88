package dev.almanac.notify.internal;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.execution.ExecutionId;
import dev.almanac.job.JobId;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Open incidents, one per job and kind ({@code failure}, {@code missed_run}): what makes one incident send one
 * message. Each statement commits on its own, and the primary key decides, across a cluster, which node opened an
 * incident and so tells about it.
 */
@Repository
public class Incidents {

    public static final String FAILURE = "failure";
    public static final String MISSED_RUN = "missed_run";

    /** An incident as it stands after a failure was counted; {@code opened} when this failure opened it. */
    record Counted(boolean opened, Instant openedAt, UUID openedBy, int failures) {}

    /** An incident that a success closed. */
    record Closed(String kind, Instant openedAt, int failures) {}

    private final JdbcClient jdbc;

    Incidents(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Opens the job's incident of this kind, or counts one more failure in the one already open. */
    Counted openOrCount(JobId job, String kind, ExecutionId by, Instant now) {
        for (int tries = 0; ; tries++) {
            if (open(job, kind, by, now)) {
                return new Counted(true, now, by == null ? null : by.value(), 1);
            }
            int counted = jdbc.sql("UPDATE notification_incidents SET failures = failures + 1, last_at = ?"
                            + " WHERE job_id = ? AND kind = ?")
                    .params(utc(now), job.value(), kind)
                    .update();
            if (counted == 1 || tries > 3) {
                return find(job, kind).orElse(new Counted(false, now, null, 1));
            }
            // closed between the insert and the update: open it again
        }
    }

    /** Opens the incident; false when one of this kind is open already. */
    boolean open(JobId job, String kind, ExecutionId by, Instant now) {
        try {
            jdbc.sql("INSERT INTO notification_incidents (job_id, kind, opened_at, opened_by, failures, last_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)")
                    .params(
                            job.value(),
                            kind,
                            utc(now),
                            by == null ? null : by.value(),
                            FAILURE.equals(kind) ? 1 : 0,
                            utc(now))
                    .update();
            return true;
        } catch (DuplicateKeyException alreadyOpen) {
            return false;
        }
    }

    /** Closes the job's incident of this kind; empty when none was open (or another node closed it first). */
    Optional<Closed> close(JobId job, String kind) {
        Optional<Counted> open = find(job, kind);
        if (open.isEmpty()) {
            return Optional.empty();
        }
        int deleted = jdbc.sql("DELETE FROM notification_incidents WHERE job_id = ? AND kind = ?")
                .params(job.value(), kind)
                .update();
        return deleted == 1
                ? Optional.of(new Closed(kind, open.get().openedAt(), open.get().failures()))
                : Optional.empty();
    }

    Optional<Counted> find(JobId job, String kind) {
        return jdbc.sql(
                        "SELECT opened_at, opened_by, failures FROM notification_incidents WHERE job_id = ? AND kind = ?")
                .params(job.value(), kind)
                .query((rs, n) -> new Counted(
                        false, instant(rs, "opened_at"), rs.getObject("opened_by", UUID.class), rs.getInt("failures")))
                .optional();
    }
}
