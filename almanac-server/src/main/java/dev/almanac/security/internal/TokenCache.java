package dev.almanac.security.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Verified API tokens with their owners, keyed by the token's SHA-256 (never the token), so a known token costs no
 * database round trip. An entry lives {@code almanac.security.token-cache-ttl}; revocations and user changes evict at
 * once, here and through {@link TokenSignals} on the other nodes. While those signals are not heard, an entry lives
 * at most {@link #DEAF_TTL}, so a revocation on another node is never later than that.
 */
@Component
class TokenCache {

    static final Duration DEAF_TTL = Duration.ofSeconds(1);

    private record Entry(ApiTokenRepository.Owned owned, Instant cachedAt) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    // bumped by every eviction: a lookup that began before one must not cache what it read
    private final AtomicLong evictions = new AtomicLong();
    private final Duration ttl;
    private final int maxSize;
    private volatile boolean deaf;

    TokenCache(SecurityProperties properties) {
        this.ttl = properties.tokenCacheTtl();
        this.maxSize = properties.tokenCacheSize();
    }

    Optional<ApiTokenRepository.Owned> get(String hash, Instant now) {
        Entry entry = entries.get(hash);
        if (entry == null) {
            return Optional.empty();
        }
        Duration lifetime = deaf && DEAF_TTL.compareTo(ttl) < 0 ? DEAF_TTL : ttl;
        if (!entry.cachedAt().plus(lifetime).isAfter(now) || entry.cachedAt().isAfter(now)) {
            entries.remove(hash, entry);
            return Optional.empty();
        }
        return Optional.of(entry.owned());
    }

    /** A stamp to pass to {@link #put}, taken before reading the token from the database. */
    long stamp() {
        return evictions.get();
    }

    /** Caches a token read since {@code stamp}, unless something was evicted meanwhile. */
    void put(String hash, ApiTokenRepository.Owned owned, Instant now, long stamp) {
        if (maxSize <= 0 || ttl.isZero()) {
            return;
        }
        if (entries.size() >= maxSize) {
            entries.clear();
        }
        // a bearer token never needs its owner's password hash: the cache does not keep one in memory
        entries.put(
                hash,
                new Entry(
                        new ApiTokenRepository.Owned(owned.token(), owned.user().withoutPasswordHash()), now));
        if (evictions.get() != stamp) {
            entries.remove(hash);
        }
    }

    void evict(String hash) {
        evictions.incrementAndGet();
        entries.remove(hash);
    }

    void evictToken(UUID tokenId) {
        evictions.incrementAndGet();
        entries.values().removeIf(entry -> entry.owned().token().id().equals(tokenId));
    }

    void evictUser(UUID userId) {
        evictions.incrementAndGet();
        entries.values().removeIf(entry -> entry.owned().user().id().equals(userId));
    }

    void clear() {
        evictions.incrementAndGet();
        entries.clear();
    }

    /** Whether evictions from other nodes can be missed (their signal is not being heard). */
    void deaf(boolean deaf) {
        this.deaf = deaf;
    }

    boolean hearsOtherNodes() {
        return !deaf;
    }

    int size() {
        return entries.size();
    }
}
