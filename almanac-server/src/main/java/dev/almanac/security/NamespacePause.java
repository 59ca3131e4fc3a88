package dev.almanac.security;

import java.time.Instant;

/**
 * A namespace held from running its jobs' slots since {@code since}, until {@code until} (null: until someone resumes
 * it), with a reason.
 */
public record NamespacePause(String namespace, Instant since, Instant until, String reason) {

    /** Whether a slot at {@code at} falls while the namespace is paused. */
    public boolean holdsAt(Instant at) {
        return until == null || at.isBefore(until);
    }
}
