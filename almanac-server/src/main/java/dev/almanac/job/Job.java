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
        long version) {

    public String name() {
        return definition.name();
    }
}
