package dev.almanac.common;

import java.time.Duration;
import java.util.Optional;

/**
 * The limits of one run as the services it uses (target connections, HTTP calls) see them: how much time is left,
 * whether it must stop, and a way to be told at once when it is stopped, so a blocking call can be aborted.
 */
public interface RunControl {

    /** Undoes an {@link #onStop(Runnable)} registration. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /** Time left before the run's deadline; empty when it has none. Zero or negative once it has passed. */
    Optional<Duration> remaining();

    /** Throws the template SPI's {@code JobCancelledException} when the run was stopped or passed its deadline. */
    void checkStop();

    /**
     * Runs {@code action} when the run is stopped (cancelled, timed out, lease lost, shutdown); at once when it
     * already was. The action must be quick and must not throw.
     */
    Registration onStop(Runnable action);

    /** No deadline and never stopped: for work outside a run. */
    static RunControl unlimited() {
        return new RunControl() {
            @Override
            public Optional<Duration> remaining() {
                return Optional.empty();
            }

            @Override
            public void checkStop() {}

            @Override
            public Registration onStop(Runnable action) {
                return () -> {};
            }
        };
    }
}
