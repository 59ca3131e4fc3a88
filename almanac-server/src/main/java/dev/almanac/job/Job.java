package dev.almanac.job;

import java.time.Instant;

/**
 * A stored job: its definition plus what the registry and the engine keep about it. {@code templateVersion} is the
 * version of the template its parameters were last validated against; {@code invalidReason} says why they no longer
 * validate against the installed template, {@code null} while they do.
 */
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
        String templateVersion,
        String invalidReason,
        JobPause pause) {

    /** A job never paused and not yet checked against its template's version. */
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
        this(
                id,
                definition,
                createdBy,
                createdAt,
                updatedAt,
                lastRunAt,
                lastStatus,
                nextRunAt,
                version,
                null,
                null,
                null);
    }

    /** The pause in force at {@code now}, if any: one whose time has passed no longer holds the job. */
    public JobPause pauseAt(Instant now) {
        return pause != null && pause.holdsAt(now) ? pause : null;
    }

    public String name() {
        return definition.name();
    }

    /** Whether the job's parameters no longer validate against the installed template: its runs are skipped. */
    public boolean invalid() {
        return invalidReason != null;
    }

    /** The same job with another definition. */
    public Job withDefinition(JobDefinition definition) {
        return new Job(
                id,
                definition,
                createdBy,
                createdAt,
                updatedAt,
                lastRunAt,
                lastStatus,
                nextRunAt,
                version,
                templateVersion,
                invalidReason,
                pause);
    }

    /** The same job, validated against {@code templateVersion} of its template just now. */
    public Job validatedAgainst(String templateVersion) {
        return new Job(
                id,
                definition,
                createdBy,
                createdAt,
                updatedAt,
                lastRunAt,
                lastStatus,
                nextRunAt,
                version,
                templateVersion,
                null,
                pause);
    }
}
