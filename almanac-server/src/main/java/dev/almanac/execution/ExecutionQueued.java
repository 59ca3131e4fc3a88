package dev.almanac.execution;

/** Work was queued outside the engine's own loops (a manual run, say); the engine wakes up for it. */
public record ExecutionQueued(ExecutionId id) {}
