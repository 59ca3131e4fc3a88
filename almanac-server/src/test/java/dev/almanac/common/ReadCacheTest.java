package dev.almanac.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a read cache keeps, for how long, and what it refuses to keep: a read that raced a write. */
class ReadCacheTest {

    private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    private final ReadCache<String, String> cache = new ReadCache<>(Duration.ofSeconds(10), Duration.ofSeconds(1), 3);

    @Test
    void aValueLivesItsLifetimeAndNoLonger() {
        cache.put("a", "A", T0, cache.stamp());

        assertThat(cache.get("a", T0.plusSeconds(9))).contains("A");
        assertThat(cache.get("a", T0.plusSeconds(10))).isEmpty();
        assertThat(cache.size()).isZero();
    }

    @Test
    void aValueFromTheFutureIsNotTrusted() {
        cache.put("a", "A", T0, cache.stamp());

        assertThat(cache.get("a", T0.minusSeconds(1))).isEmpty();
    }

    @Test
    void aReadThatRacedAnEvictionIsNotKept() {
        long stamp = cache.stamp();
        cache.evict("other"); // a write, anywhere, between the stamp and the put

        cache.put("a", "A (read before the write)", T0, stamp);

        assertThat(cache.get("a", T0)).isEmpty();
    }

    @Test
    void evictionsRemoveByKeyByValueOrAll() {
        long stamp = cache.stamp();
        cache.put("a", "A", T0, stamp);
        cache.put("b", "B", T0, stamp);
        cache.put("c", "C", T0, stamp);

        cache.evictAll(List.of("a"));
        assertThat(cache.get("a", T0)).isEmpty();
        cache.evictIf("B"::equals);
        assertThat(cache.get("b", T0)).isEmpty();
        assertThat(cache.get("c", T0)).contains("C");
        cache.clear();
        assertThat(cache.get("c", T0)).isEmpty();
    }

    @Test
    void whileDeafAValueLivesTheShorterLifetime() {
        cache.put("a", "A", T0, cache.stamp());
        cache.deaf(true);

        assertThat(cache.hearsOtherNodes()).isFalse();
        assertThat(cache.get("a", T0.plusSeconds(1))).isEmpty();
    }

    @Test
    void aFullCacheStartsAfresh() {
        for (String key : List.of("a", "b", "c", "d")) {
            cache.put(key, key.toUpperCase(), T0, cache.stamp());
        }

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.get("d", T0)).contains("D");
    }

    @Test
    void aZeroLifetimeKeepsNothing() {
        ReadCache<String, String> off = new ReadCache<>(Duration.ZERO, Duration.ofSeconds(1), 10);

        off.put("a", "A", T0, off.stamp());

        assertThat(off.enabled()).isFalse();
        assertThat(off.size()).isZero();
    }
}
