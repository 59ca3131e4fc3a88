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
}
