package dev.almanac.job;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What happens when a job's slot falls due while an earlier run of the same job is still going. */
public enum ConcurrencyPolicy {
    /** Start the new run next to the old one. */
    ALLOW,
    /** Record the new slot as skipped with the reason {@code overlap}. */
    FORBID,
    /** Cancel the running one and start the new run. */
    REPLACE;

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ConcurrencyPolicy> fromJson(String text) {
        return Arrays.stream(values()).filter(p -> p.json().equals(text)).findFirst();
    }
}
