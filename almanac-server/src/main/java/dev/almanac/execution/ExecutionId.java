package dev.almanac.execution;

import dev.almanac.common.Ids;
import java.util.Optional;
import java.util.UUID;

/** An execution's identity: a time-ordered UUID. */
public record ExecutionId(UUID value) {

    public ExecutionId {
        if (value == null) {
            throw new IllegalArgumentException("an execution id has a value");
        }
    }

    public static ExecutionId generate() {
        return new ExecutionId(Ids.timeOrdered());
    }

    /** Parses a client-supplied id; anything that is not a UUID names no execution. */
    public static Optional<ExecutionId> parse(String text) {
        return Ids.parse(text).map(ExecutionId::new);
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
