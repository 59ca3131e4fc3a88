package dev.almanac.engine.internal;

import static dev.almanac.execution.ExecutionStatus.QUEUED;
import static dev.almanac.execution.ExecutionStatus.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.almanac.execution.ExecutionStatus;
import dev.almanac.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The count behind the cluster's queue gauges, with the database stood in by a count the test controls: counted when
 * read and kept for an interval, never holding a read while a count hangs, unknown (NaN) rather than stale.
 */
class ClusterCountsTests {

    private static final Duration INTERVAL = Duration.ofSeconds(5);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T05:00:00Z"));
    private final AtomicInteger counted = new AtomicInteger();
    private volatile Map<ExecutionStatus, Long> queue = Map.of(QUEUED, 2L);
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private volatile boolean failing;

    private Map<ExecutionStatus, Long> count() {
        counted.incrementAndGet();
        try {
            hold.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failing) {
            throw new IllegalStateException("the database refused");
        }
        return queue;
    }

    private ClusterCounts counts(boolean databaseDown) {
        return new ClusterCounts(this::count, clock, INTERVAL, () -> databaseDown);
    }

    @Test
    void aReadCountsAndTheCountIsKeptForAnInterval() {
        ClusterCounts cluster = counts(false);

        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.of(QUEUED) == 2.0);
        assertThat(cluster.of(RUNNING)).isZero();
        assertThat(counted).hasValue(1);

        queue = Map.of(QUEUED, 3L, RUNNING, 1L);
        clock.advance(INTERVAL.minusSeconds(1));
        assertThat(cluster.of(QUEUED)).isEqualTo(2.0);
        assertThat(counted).hasValue(1);

        clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.of(QUEUED) == 3.0);
        assertThat(cluster.of(RUNNING)).isEqualTo(1.0);
        assertThat(counted).hasValue(2);
    }

    @Test
    void aCountThatHangsHoldsNoReadAndStartsNoOther() throws Exception {
        hold = new CountDownLatch(1);
        ClusterCounts cluster = counts(false);

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(cluster.of(QUEUED)).isNaN();
            clock.advance(INTERVAL.multipliedBy(2));
            assertThat(cluster.of(QUEUED)).isNaN();
            assertThat(cluster.of(RUNNING)).isNaN();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> counted.get() == 1);

        hold.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.of(QUEUED) == 2.0);
    }

    /** Scrapes further apart than three intervals, a count slower than a read waits: the last count, not NaN. */
    @Test
    void aSlowCountOnAHealthyDatabaseShowsTheLastCountUntilItHasRunAnInterval() throws Exception {
        ClusterCounts cluster = counts(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.of(QUEUED) == 2.0);

        hold = new CountDownLatch(1);
        queue = Map.of(QUEUED, 5L);
        clock.advance(INTERVAL.multipliedBy(ClusterCounts.UNKNOWN_AFTER + 1));
        assertThat(cluster.of(QUEUED)).isEqualTo(2.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> counted.get() == 2);

        clock.advance(INTERVAL.plusSeconds(1));
        assertThat(cluster.of(QUEUED)).isNaN();

        hold.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.of(QUEUED) == 5.0);
    }

    @Test
    void aCountThatFailsKeepsTheLastOneUntilItIsTooOldThenShowsUnknown() {
        ClusterCounts cluster = counts(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.of(QUEUED) == 2.0);

        failing = true;
        clock.advance(INTERVAL);
        assertThat(cluster.of(QUEUED)).isEqualTo(2.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> counted.get() == 2);

        clock.advance(INTERVAL.multipliedBy(ClusterCounts.UNKNOWN_AFTER - 1).plusSeconds(1));
        assertThat(cluster.of(QUEUED)).isNaN();
    }

    @Test
    void nothingIsCountedWhileTheDatabaseIsAway() {
        ClusterCounts cluster = counts(true);

        assertThat(cluster.of(QUEUED)).isNaN();
        assertThat(counted).hasValue(0);
    }
}
