package dev.almanac.notify.internal;

import java.util.Locale;

/** What a notification is about. */
public enum Event {
    /** A run succeeded. */
    SUCCESS,
    /** A run failed for good, after its retries: the first failure of an incident. */
    FAILURE,
    /** A failed attempt is retried. */
    RETRY,
    /** The job succeeded after an incident (failures, or a missed-run alert). */
    RECOVERED,
    /** The job has not succeeded within its alert window. */
    MISSED_RUN,
    /** The job failed too often in a row and was disabled. */
    AUTO_PAUSED,
    /** A schedule health problem opened (late, missed slots, never fired, slow, failing). */
    UNHEALTHY;

    String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
