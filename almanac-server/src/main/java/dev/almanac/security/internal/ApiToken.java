package dev.almanac.security.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * A personal API token as stored: only its hash, and a prefix a person can recognise it by. {@code namespaces}, when
 * not null, limits the token to those namespaces (its user's reach there, nothing elsewhere).
 */
public record ApiToken(
        UUID id,
        UUID userId,
        String name,
        String prefix,
        boolean readOnly,
        Instant createdAt,
        Instant expiresAt,
        Instant lastUsedAt,
        Instant revokedAt,
        Set<String> namespaces) {

    /** Whether the token is limited to some namespaces. */
    boolean limited() {
        return namespaces != null;
    }

    /** As the column holds it: the names joined by commas, or null for no limit. */
    String namespacesColumn() {
        return namespaces == null ? null : String.join(",", new TreeSet<>(namespaces));
    }

    static Set<String> namespacesOf(String column) {
        if (column == null) {
            return null;
        }
        return Set.copyOf(
                Arrays.stream(column.split(",")).filter(n -> !n.isEmpty()).toList());
    }

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
