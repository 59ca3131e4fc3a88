package dev.almanac.job;

import dev.almanac.common.Ids;
import java.util.Optional;
import java.util.UUID;

/** A job's identity: a UUID, stable across renames. */
public record JobId(UUID value) {

    public JobId {
        if (value == null) {
            throw new IllegalArgumentException("a job id has a value");
        }
    }

    public static JobId generate() {
        return new JobId(Ids.timeOrdered());
    }

    /** Parses a client-supplied id; anything that is not a UUID names no job. */
    public static Optional<JobId> parse(String text) {
        return Ids.parse(text).map(JobId::new);
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
