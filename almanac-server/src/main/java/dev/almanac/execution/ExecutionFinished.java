package dev.almanac.execution;

/**
 * An execution reached a final state (published after it is stored). {@code last} is false when a retry follows,
 * so notifications can report only the final outcome.
 */
public record ExecutionFinished(Execution execution, ExecutionStatus status, boolean last) {}
