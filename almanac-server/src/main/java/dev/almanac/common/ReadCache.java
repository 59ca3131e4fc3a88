package dev.almanac.common;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Values read from the database, kept on this node for a while so that reading a known key again costs no round trip.
 * An entry lives {@code ttl}, and at most {@code deafTtl} while this node cannot hear the other nodes' evictions
 * ({@link #deaf}). A value read while something was evicted is not kept: take a {@link #stamp} before the read and
 * pass it to {@link #put}, so a read that raced a write never outlives it. When full, the cache starts afresh.
 */
public final class ReadCache<K, V> {

    private record Entry<V>(V value, Instant cachedAt) {}

    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
    // bumped by every eviction: a read that began before one must not keep what it read
    private final AtomicLong evictions = new AtomicLong();
    private final Duration ttl;
    private final Duration deafTtl;
    private final int maxSize;
    private volatile boolean deaf;

    public ReadCache(Duration ttl, Duration deafTtl, int maxSize) {
        this.ttl = ttl;
        this.deafTtl = deafTtl;
        this.maxSize = maxSize;
    }

    /** Whether anything is kept at all (a zero lifetime or size turns the cache off). */
    public boolean enabled() {
        return maxSize > 0 && !ttl.isZero() && !ttl.isNegative();
    }

    public Optional<V> get(K key, Instant now) {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (!entry.cachedAt().plus(ttl).isAfter(now) || entry.cachedAt().isAfter(now)) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        // too old while deaf, but kept: it may still serve a caller that accepts what is known (see kept)
        if (deaf
                && deafTtl.compareTo(ttl) < 0
                && !entry.cachedAt().plus(deafTtl).isAfter(now)) {
            return Optional.empty();
        }
        return Optional.of(entry.value());
    }

    /**
     * The value kept for {@code key} whatever its age, for a caller that would rather have what was last known than
     * nothing (the database being away). Evictions still count: an evicted value is gone.
     */
    public Optional<V> kept(K key) {
        return Optional.ofNullable(entries.get(key)).map(Entry::value);
    }

    /** A stamp to pass to {@link #put}, taken before reading the value from the database. */
    public long stamp() {
        return evictions.get();
    }

    /**
     * Keeps a value read since {@code stamp}, unless something was evicted meanwhile. An eviction counts before it
     * removes: a value put before it counted is removed by it, and one put after is refused here or taken back.
     */
    public void put(K key, V value, Instant now, long stamp) {
        if (!enabled() || evictions.get() != stamp) {
            return;
        }
        if (entries.size() >= maxSize) {
            entries.clear();
        }
        Entry<V> entry = new Entry<>(value, now);
        entries.compute(key, (k, kept) -> evictions.get() == stamp ? entry : kept);
        // an eviction by value or of all may have passed this key before the entry was there
        if (evictions.get() != stamp) {
            entries.remove(key, entry);
        }
    }

    public void evict(K key) {
        evictions.incrementAndGet();
        entries.remove(key);
    }

    public void evictAll(Iterable<? extends K> keys) {
        evictions.incrementAndGet();
        keys.forEach(entries::remove);
    }

    public void evictIf(Predicate<? super V> which) {
        evictions.incrementAndGet();
        entries.values().removeIf(entry -> which.test(entry.value()));
    }

    public void clear() {
        evictions.incrementAndGet();
        entries.clear();
    }

    /** Whether evictions from other nodes can be missed (their signal is not being heard). */
    public void deaf(boolean deaf) {
        this.deaf = deaf;
    }

    public boolean hearsOtherNodes() {
        return !deaf;
    }

    public int size() {
        return entries.size();
    }
}
