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

    /** The slot key of a scheduler-triggered run: one execution per job and scheduled instant, ever. */
    public static String slotKey(JobId job, Instant scheduledFor) {
        return job + "@" + scheduledFor;
    }
}
