package dev.almanac.job;

import dev.almanac.common.Ids;
import dev.almanac.common.NotFoundException;
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

    /** The job a page's path names: a 404, not a 400, for an id that is no UUID, as for one that is not stored. */
    public static JobId fromPath(String text) {
        return parse(text).orElseThrow(() -> new NotFoundException("no job with id " + text));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
