package dev.almanac.execution;

import dev.almanac.job.JobId;
import java.time.Instant;
import java.util.Map;

/** One run of a job, or one slot recorded as skipped: what ran, when, where, and how it ended. */
public record Execution(
        ExecutionId id,
        JobId jobId,
        long jobVersion,
        String jobName,
        String templateType,
        ExecutionStatus status,
        String reason,
        int attempt,
        ExecutionId retryOf,
        String slotKey,
        Instant scheduledFor,
        Instant runAfter,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt,
        Long durationMs,
        boolean dryRun,
        Map<String, Object> parameters,
        Map<String, Object> result,
        String error,
        String triggeredBy,
        String executionHost,
        Instant heartbeatAt,
        boolean cancelRequested,
        Integer timeoutSeconds) {

    /** This queued run as a claim leaves it: running on {@code node} since {@code at}, with its heartbeat then. */
    public Execution startedOn(String node, Instant at) {
        return new Execution(
                id,
                jobId,
                jobVersion,
                jobName,
                templateType,
                ExecutionStatus.RUNNING,
                reason,
                attempt,
                retryOf,
                slotKey,
                scheduledFor,
                runAfter,
                createdAt,
                at,
                completedAt,
                durationMs,
                dryRun,
                parameters,
                result,
                error,
                triggeredBy,
                node,
                at,
                cancelRequested,
                timeoutSeconds);
    }

    /** The slot key of a scheduler-triggered run: one execution per job and scheduled instant, ever. */
    public static String slotKey(JobId job, Instant scheduledFor) {
        return job + "@" + scheduledFor;
    }

    /** When this run was due, for its lateness: see {@link #dueAt(String, Instant, Instant)}. */
    public Instant dueAt() {
        return dueAt(slotKey, scheduledFor, runAfter);
    }

    /**
     * When a run was due, for its lateness: its slot when the schedule asked for it (it holds the slot's key), else
     * when it was queued to run: a backfill's run of a past slot from its release, a retry from its backoff's end.
     */
    public static Instant dueAt(String slotKey, Instant scheduledFor, Instant runAfter) {
        return slotKey != null && scheduledFor != null ? scheduledFor : runAfter;
    }
}
