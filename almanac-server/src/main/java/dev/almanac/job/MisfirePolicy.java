package dev.almanac.job;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What happens to slots that fell due while no node was running. */
public enum MisfirePolicy {
    /** One catch-up run; the other missed slots are recorded as skipped ({@code missed}). */
    RUN_ONCE,
    /** No catch-up run; every missed slot is recorded as skipped ({@code missed}). */
    SKIP,
    /** A run for every missed slot inside the catch-up window; older ones are recorded as skipped. */
    RUN_ALL;

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<MisfirePolicy> fromJson(String text) {
        return Arrays.stream(values()).filter(p -> p.json().equals(text)).findFirst();
    }
}
