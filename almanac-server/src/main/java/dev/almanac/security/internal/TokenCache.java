package dev.almanac.security.internal;

import dev.almanac.common.ReadCache;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Verified API tokens with their owners, keyed by the token's SHA-256 (never the token), so a known token costs no
 * database round trip. An entry lives {@code almanac.security.token-cache-ttl}; revocations and user changes evict at
 * once, here and through {@link TokenSignals} on the other nodes. While those signals are not heard, an entry lives
 * at most {@link #DEAF_TTL}, so a revocation on another node is never later than that. While the database is away,
 * a read may take an entry {@link #kept} whatever its age (ApiTokenService says when).
 */
@Component
class TokenCache {

    static final Duration DEAF_TTL = Duration.ofSeconds(1);

    private final ReadCache<String, ApiTokenRepository.Owned> entries;

    TokenCache(SecurityProperties properties) {
        this.entries = new ReadCache<>(properties.tokenCacheTtl(), DEAF_TTL, properties.tokenCacheSize());
    }

    Optional<ApiTokenRepository.Owned> get(String hash, Instant now) {
        return entries.get(hash, now);
    }

    /** The entry kept for {@code hash} whatever its age; an evicted one (revoked, user changed) is gone. */
    Optional<ApiTokenRepository.Owned> kept(String hash) {
        return entries.kept(hash);
    }

    /** A stamp to pass to {@link #put}, taken before reading the token from the database. */
    long stamp() {
        return entries.stamp();
    }

    /** Caches a token read since {@code stamp}, unless something was evicted meanwhile. */
    void put(String hash, ApiTokenRepository.Owned owned, Instant now, long stamp) {
        // a bearer token never needs its owner's password hash: the cache does not keep one in memory
        entries.put(
                hash, new ApiTokenRepository.Owned(owned.token(), owned.user().withoutPasswordHash()), now, stamp);
    }

    void evict(String hash) {
        entries.evict(hash);
    }

    void evictToken(UUID tokenId) {
        entries.evictIf(owned -> owned.token().id().equals(tokenId));
    }

    void evictUser(UUID userId) {
        entries.evictIf(owned -> owned.user().id().equals(userId));
    }

    void clear() {
        entries.clear();
    }

    /** Whether evictions from other nodes can be missed (their signal is not being heard). */
    void deaf(boolean deaf) {
        entries.deaf(deaf);
    }

    boolean hearsOtherNodes() {
        return entries.hearsOtherNodes();
    }

    int size() {
        return entries.size();
    }
}
