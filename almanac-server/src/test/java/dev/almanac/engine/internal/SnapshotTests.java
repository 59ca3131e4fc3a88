package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SnapshotTests {

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final AtomicLong generation = new AtomicLong();
    private final AtomicInteger reads = new AtomicInteger();

    private Snapshot<Integer> snapshot(Supplier<Integer> read) {
        return new Snapshot<>(read, generation::get, Duration.ofSeconds(1), nanos::get);
    }

    @Test
    void readsAtMostOncePerSecond() {
        Snapshot<Integer> snapshot = snapshot(reads::incrementAndGet);

        assertThat(snapshot.get()).isEqualTo(1);
        nanos.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(snapshot.get()).isEqualTo(1);
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(snapshot.get()).isEqualTo(2);
    }

    @Test
    void readsAfreshAfterALocalWrite() {
        Snapshot<Integer> snapshot = snapshot(reads::incrementAndGet);

        assertThat(snapshot.get()).isEqualTo(1);
        generation.incrementAndGet();
        assertThat(snapshot.get()).isEqualTo(2);
        assertThat(snapshot.get()).isEqualTo(2);
    }

    @Test
    void aWriteDuringTheReadMakesItStale() {
        Snapshot<Integer> snapshot = snapshot(() -> {
            generation.incrementAndGet();
            return reads.incrementAndGet();
        });

        assertThat(snapshot.get()).isEqualTo(1);
        assertThat(snapshot.get()).isEqualTo(2);
    }

    @Test
    void concurrentCallersShareOneRead() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Snapshot<Integer> snapshot = snapshot(() -> {
            reading.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return reads.incrementAndGet();
        });
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            Future<Integer> first = callers.submit(snapshot::get);
            assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Integer> second = callers.submit(snapshot::get);
            Future<Integer> third = callers.submit(snapshot::get);
            release.countDown();

            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(third.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(reads).hasValue(1);
        } finally {
            callers.shutdownNow();
        }
    }
}
