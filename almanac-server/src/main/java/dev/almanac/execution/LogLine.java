package dev.almanac.execution;

import java.time.Instant;

/** One line a template logged during an execution; {@code seq} orders the lines of one execution. */
public record LogLine(int seq, Instant timestamp, String level, String message) {}
