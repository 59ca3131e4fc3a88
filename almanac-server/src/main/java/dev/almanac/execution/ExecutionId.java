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

    public static Optional<ExecutionId> parse(String text) {
        if (text == null || text.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ExecutionId(UUID.fromString(text)));
        } catch (IllegalArgumentException notAUuid) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
