package dev.almanac.template;

import java.util.Objects;

/**
 * Thrown by {@link JobContext#checkCancelled()} when a run must stop: someone cancelled it or it passed its
 * deadline. Templates let it propagate (after cleaning up) rather than catch it; the engine records the run
 * as cancelled or timed out.
 */
public class JobCancelledException extends RuntimeException {

    /** Why the run has to stop. */
    public enum Reason {
        /** A user, an API client or the engine asked the run to stop. */
        CANCELLED,
        /** The run's deadline (its timeout) has passed. */
        DEADLINE_PASSED
    }

    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param reason why the run has to stop
     * @param message a human-readable explanation for the execution log
     */
    public JobCancelledException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Tells why the run has to stop.
     *
     * @return the reason, never {@code null}
     */
    public Reason reason() {
        return reason;
    }
}
