package dev.almanac.job;

import java.time.Instant;

/** A stored job: its definition plus what the registry and the engine keep about it. */
public record Job(
        JobId id,
        JobDefinition definition,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        Instant lastRunAt,
        String lastStatus,
        Instant nextRunAt,
        long version,
        JobPause pause) {

    /** A job that was never paused. */
    public Job(
            JobId id,
            JobDefinition definition,
            String createdBy,
            Instant createdAt,
            Instant updatedAt,
            Instant lastRunAt,
            String lastStatus,
            Instant nextRunAt,
            long version) {
        this(id, definition, createdBy, createdAt, updatedAt, lastRunAt, lastStatus, nextRunAt, version, null);
    }

    /** The pause in force at {@code now}, if any: one whose time has passed no longer holds the job. */
    public JobPause pauseAt(Instant now) {
        return pause != null && pause.holdsAt(now) ? pause : null;
    }

    public String name() {
        return definition.name();
    }
}
