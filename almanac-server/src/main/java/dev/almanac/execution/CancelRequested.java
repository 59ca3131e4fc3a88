package dev.almanac.execution;

/** Someone asked to stop a running execution; the node that runs it interrupts it. */
public record CancelRequested(ExecutionId id) {}
