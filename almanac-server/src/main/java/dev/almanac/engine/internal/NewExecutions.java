package dev.almanac.engine.internal;

import dev.almanac.calendar.TimeBlock;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.SkipReason;
import dev.almanac.job.Job;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/** The executions the engine writes: queued runs and skipped slots, each a snapshot of its job's definition. */
final class NewExecutions {

    static final String SCHEDULER = "scheduler";
    static final String RETRY = "retry";

    private NewExecutions() {}

    /** A run of a scheduled slot; {@code slot} null for runs no schedule asked for (manual, dependency). */
    static Execution queued(
            Job job,
            Instant slot,
            Instant runAfter,
            String triggeredBy,
            Map<String, Object> parameters,
            boolean dryRun,
            Instant now) {
        return new Execution(
                ExecutionId.generate(),
                job.id(),
                job.version(),
                job.name(),
                job.definition().templateType(),
                ExecutionStatus.QUEUED,
                null,
                1,
                null,
                slot == null ? null : Execution.slotKey(job.id(), slot),
                slot,
                runAfter,
                stored(now),
                null,
                null,
                null,
                dryRun,
                parameters,
                null,
                null,
                triggeredBy,
                null,
                null,
                false,
                job.definition().timeoutSeconds());
    }

    /**
     * A backfill's run of a past slot: due now, with the slot as its scheduled time but no slot key, so it neither
     * collides with the slot's scheduled run nor is held back by the job's slot watermark.
     */
    static Execution backfill(Job job, Instant slot, String triggeredBy, Instant now) {
        Execution run = queued(job, null, now, triggeredBy, job.definition().parameters(), false, now);
        return new Execution(
                run.id(),
                run.jobId(),
                run.jobVersion(),
                run.jobName(),
                run.templateType(),
                run.status(),
                run.reason(),
                run.attempt(),
                run.retryOf(),
                null,
                slot,
                run.runAfter(),
                run.createdAt(),
                run.startedAt(),
                run.completedAt(),
                run.durationMs(),
                run.dryRun(),
                run.parameters(),
                run.result(),
                run.error(),
                run.triggeredBy(),
                run.executionHost(),
                run.heartbeatAt(),
                run.cancelRequested(),
                run.timeoutSeconds());
    }

    /**
     * A backfill's slot that a calendar or a freeze blocks as it is released: skipped with the reason, under the
     * backfill's name and without a slot key, like the backfill's runs.
     */
    static Execution backfillBlocked(Job job, Instant slot, TimeBlock block, String triggeredBy, Instant now) {
        return skipped(job, slot, null, now, TimeBlocks.reasonOf(block), block.asResult(), triggeredBy, now);
    }

    static Execution scheduled(Job job, Instant slot, Instant now) {
        return queued(job, slot, slot, SCHEDULER, job.definition().parameters(), false, now);
    }

    /** A slot recorded without running because a calendar, a freeze or a pause blocks it: the result says which. */
    static Execution blocked(Job job, Instant slot, SkipReason reason, Map<String, Object> result, Instant now) {
        return blocked(job, slot, reason, result, SCHEDULER, now);
    }

    /** A run {@code triggeredBy} would start, recorded without running because something blocks it now. */
    static Execution blocked(
            Job job, Instant slot, SkipReason reason, Map<String, Object> result, String triggeredBy, Instant now) {
        return skipped(job, slot, reason, result, triggeredBy, now);
    }

    /** A slot (or a trigger) recorded without running, so history shows it was not silently dropped. */
    static Execution skipped(Job job, Instant slot, SkipReason reason, String triggeredBy, Instant now) {
        return skipped(job, slot, reason, null, triggeredBy, now);
    }

    private static Execution skipped(
            Job job, Instant slot, SkipReason reason, Map<String, Object> result, String triggeredBy, Instant now) {
        return skipped(
                job,
                slot,
                slot == null ? null : Execution.slotKey(job.id(), slot),
                slot == null ? now : slot,
                reason,
                result,
                triggeredBy,
                now);
    }

    private static Execution skipped(
            Job job,
            Instant slot,
            String slotKey,
            Instant runAfter,
            SkipReason reason,
            Map<String, Object> result,
            String triggeredBy,
            Instant now) {
        return new Execution(
                ExecutionId.generate(),
                job.id(),
                job.version(),
                job.name(),
                job.definition().templateType(),
                ExecutionStatus.SKIPPED,
                reason.json(),
                1,
                null,
                slotKey,
                slot,
                runAfter,
                stored(now),
                null,
                stored(now),
                0L,
                false,
                job.definition().parameters(),
                result,
                null,
                triggeredBy,
                null,
                null,
                false,
                job.definition().timeoutSeconds());
    }

    /** The next attempt of a failed run, due after {@code runAfter}. */
    static Execution retryOf(Execution failed, Instant runAfter, Instant now) {
        return new Execution(
                ExecutionId.generate(),
                failed.jobId(),
                failed.jobVersion(),
                failed.jobName(),
                failed.templateType(),
                ExecutionStatus.QUEUED,
                null,
                failed.attempt() + 1,
                failed.id(),
                null,
                failed.scheduledFor(),
                runAfter,
                stored(now),
                null,
                null,
                null,
                failed.dryRun(),
                failed.parameters(),
                null,
                null,
                RETRY,
                null,
                null,
                false,
                failed.timeoutSeconds());
    }

    /**
     * A creation time as the database keeps it, to the microsecond: rounded there, an instant could end up after the
     * run's start, which is truncated to the microsecond before it is stored.
     */
    private static Instant stored(Instant now) {
        return now.truncatedTo(ChronoUnit.MICROS);
    }
}
