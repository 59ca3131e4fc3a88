package dev.almanac.execution;

import java.time.Instant;

/**
 * An execution reached a final state (published after it is stored). {@code execution} is the run as it was claimed;
 * {@code last} is false when a retry follows, so notifications can report only the final outcome.
 */
public record ExecutionFinished(
        Execution execution,
        ExecutionStatus status,
        String error,
        Instant completedAt,
        long durationMs,
        boolean last) {}
