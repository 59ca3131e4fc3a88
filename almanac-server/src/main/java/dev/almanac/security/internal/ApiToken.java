package dev.almanac.security.internal;

import java.time.Instant;
import java.util.UUID;

/** A personal API token as stored: only its hash, and a prefix a person can recognise it by. */
public record ApiToken(
        UUID id,
        UUID userId,
        String name,
        String prefix,
        boolean readOnly,
        Instant createdAt,
        Instant expiresAt,
        Instant lastUsedAt,
        Instant revokedAt) {

    String statusAt(Instant now) {
        if (revokedAt != null) {
            return "revoked";
        }
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            return "expired";
        }
        return "active";
    }
}
