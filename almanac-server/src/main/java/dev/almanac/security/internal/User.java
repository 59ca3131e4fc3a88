package dev.almanac.security.internal;

import java.time.Instant;
import java.util.UUID;

/**
 * A person (or script) who can log in. The password is only ever held as an adaptive hash; the e-mail address, when
 * given, is where Almanac tells them what is addressed to their role (the daily summary to super admins).
 */
public record User(
        UUID id,
        String username,
        String passwordHash,
        Role role,
        boolean enabled,
        Instant createdAt,
        Instant updatedAt,
        Instant lastLoginAt,
        int failedLoginCount,
        Instant lockedUntil,
        String email) {

    /** The same person without the password hash, for what never needs it (a bearer token's owner). */
    User withoutPasswordHash() {
        return new User(
                id,
                username,
                null,
                role,
                enabled,
                createdAt,
                updatedAt,
                lastLoginAt,
                failedLoginCount,
                lockedUntil,
                email);
    }

    boolean lockedAt(Instant now) {
        return lockedUntil != null && lockedUntil.isAfter(now);
    }
}
