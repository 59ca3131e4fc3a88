package dev.almanac.execution;

import java.time.Instant;

/**
 * An execution reached a final state (published after it is stored). {@code execution} is the run as it was claimed;
 * {@code last} is false when a retry follows, so notifications can report only the final outcome.
 */
public record ExecutionFinished(
        Execution execution, ExecutionStatus status, String error, Instant completedAt, long durationMs, boolean last) {

    /**
     * A queued run cancelled before it started (someone cancelled it, or a newer run of its job replaced it): no retry
     * follows it, so when it was itself a retry, the failure it was to retry is final.
     */
    public static ExecutionFinished cancelledWhileQueued(Execution queued, Instant at) {
        return new ExecutionFinished(queued, ExecutionStatus.CANCELLED, null, at, 0, true);
    }

    /** Whether this is a retry that ended cancelled, so that the failure it was to retry has no retry after it. */
    public boolean abandonsARetry() {
        return status == ExecutionStatus.CANCELLED && execution.retryOf() != null && !execution.dryRun();
    }
}
