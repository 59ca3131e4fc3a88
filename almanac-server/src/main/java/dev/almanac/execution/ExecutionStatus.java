package dev.almanac.execution;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where an execution stands. The one transition table below is the whole lifecycle: {@code queued → running →
 * succeeded | failed | timed_out | cancelled}, {@code skipped} recorded as history, and a running execution handed
 * back to the queue when its node shuts down.
 */
public enum ExecutionStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELLED,
    SKIPPED;

    private static final Map<ExecutionStatus, Set<ExecutionStatus>> ALLOWED = Map.of(
            QUEUED, EnumSet.of(RUNNING, CANCELLED, SKIPPED),
            RUNNING, EnumSet.of(SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, QUEUED),
            SUCCEEDED, EnumSet.noneOf(ExecutionStatus.class),
            FAILED, EnumSet.noneOf(ExecutionStatus.class),
            TIMED_OUT, EnumSet.noneOf(ExecutionStatus.class),
            CANCELLED, EnumSet.noneOf(ExecutionStatus.class),
            SKIPPED, EnumSet.noneOf(ExecutionStatus.class));

    public boolean canMoveTo(ExecutionStatus next) {
        return ALLOWED.get(this).contains(next);
    }

    /** Checks a transition; an illegal one is a bug, never a silent write. */
    public ExecutionStatus moveTo(ExecutionStatus next) {
        if (!canMoveTo(next)) {
            throw new IllegalTransitionException(this, next);
        }
        return next;
    }

    public boolean isFinal() {
        return ALLOWED.get(this).isEmpty();
    }

    /** Whether a retry may follow an execution that ended so. */
    public boolean isRetryable() {
        return this == FAILED || this == TIMED_OUT;
    }

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ExecutionStatus> fromJson(String text) {
        return Arrays.stream(values()).filter(s -> s.json().equals(text)).findFirst();
    }

    /** An execution asked to move where the lifecycle does not go. */
    public static final class IllegalTransitionException extends IllegalStateException {

        public IllegalTransitionException(ExecutionStatus from, ExecutionStatus to) {
            super("an execution cannot go from " + from.json() + " to " + to.json());
        }
    }
}
