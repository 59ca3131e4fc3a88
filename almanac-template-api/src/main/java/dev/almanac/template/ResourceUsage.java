package dev.almanac.template;

/** A rough estimate of how much CPU, memory, I/O or remote load one run of a template takes. */
public enum ResourceUsage {
    /** Barely noticeable: a log line, one small query, one HTTP call. */
    LOW,
    /** Noticeable on the target while it runs: scans, exports of moderate size. */
    MEDIUM,
    /** Heavy: large exports, backups, bulk deletes; schedule outside busy hours. */
    HIGH
}
