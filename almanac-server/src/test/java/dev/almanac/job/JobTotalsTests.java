package dev.almanac.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

class JobTotalsTests {

    private static final JobTotals.Scope ALL = new JobTotals.Scope(null);
    private static final JobTotals.Scope OPS = new JobTotals.Scope(Set.of("ops"));

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final AtomicInteger counts = new AtomicInteger();
    private final JobTotals totals = new JobTotals(nanos::get);

    @AfterEach
    void endTransaction() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.clearSynchronization();
        }
        TransactionSynchronizationManager.setActualTransactionActive(false);
    }

    @Test
    void countsEachFilterAtMostOncePerSecond() {
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(1);
        nanos.addAndGet(JobTotals.RECOUNT_AFTER.toNanos() - 1);
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(1);
        assertThat(totals.total("enabled", counts::incrementAndGet)).isEqualTo(2);
        nanos.addAndGet(1);
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(3);
    }

    @Test
    void whileOneCallerCountsAgainTheOthersTakeTheTotalKeptUntilItIsASecondOld() throws Exception {
        totals.total(ALL, () -> 100);
        nanos.addAndGet(JobTotals.RECOUNT_AFTER.toNanos());
        CountDownLatch counting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Long> recounted = CompletableFuture.supplyAsync(() -> totals.total(ALL, () -> {
            counting.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> release.getCount() == 0);
            return 105;
        }));
        assertThat(counting.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(totals.total(ALL, counts::incrementAndGet)).isEqualTo(100);
        assertThat(counts).hasValue(0);
        release.countDown();
        assertThat(recounted.get(5, TimeUnit.SECONDS)).isEqualTo(105);
        assertThat(totals.total(ALL, counts::incrementAndGet)).isEqualTo(105);
    }

    @Test
    void countsAfreshAfterAWriteOfJobs() {
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(1);
        totals.changed();
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(2);
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(2);
    }

    @Test
    void aWriteDuringTheCountMakesItStale() {
        assertThat(totals.total("all", () -> {
                    totals.changed();
                    return counts.incrementAndGet();
                }))
                .isEqualTo(1);
        assertThat(totals.total("all", counts::incrementAndGet)).isEqualTo(2);
    }

    @Test
    void aCommittedCreateMovesTheTotalsOfItsScopesWithoutCountingAgain() {
        assertThat(totals.total(ALL, () -> 100)).isEqualTo(100);
        assertThat(totals.total(OPS, () -> 10)).isEqualTo(10);
        assertThat(totals.total("enabled", () -> 50)).isEqualTo(50);

        commit(() -> totals.inserted("ops"));
        commit(() -> totals.inserted("billing"));

        assertThat(totals.total(ALL, counts::incrementAndGet)).isEqualTo(102);
        assertThat(totals.total(OPS, counts::incrementAndGet)).isEqualTo(11);
        assertThat(totals.total("enabled", () -> 52)).isEqualTo(52);
        assertThat(counts).hasValue(0);
    }

    @Test
    void aCreateOutsideATransactionIsCountedAgainRatherThanMoved() {
        totals.total(ALL, () -> 100);

        totals.inserted("ops");

        assertThat(totals.total(ALL, () -> 101)).isEqualTo(101);
    }

    @Test
    void aDeleteMovesTheTotalOfAllNamespacesAndDropsTheScopedOnes() {
        totals.total(ALL, () -> 100);
        totals.total(OPS, () -> 10);

        commit(() -> totals.deleted(true));

        assertThat(totals.total(ALL, counts::incrementAndGet)).isEqualTo(99);
        assertThat(totals.total(OPS, () -> 9)).isEqualTo(9);
    }

    @Test
    void aCreateThatIsRolledBackLeavesTheTotals() {
        totals.total(ALL, () -> 100);

        TransactionSynchronizationManager.initSynchronization();
        TransactionSynchronizationManager.setActualTransactionActive(true);
        totals.inserted("ops");
        for (TransactionSynchronization s : TransactionSynchronizationManager.getSynchronizations()) {
            s.beforeCompletion();
            s.afterCompletion(TransactionSynchronization.STATUS_ROLLED_BACK);
        }
        TransactionSynchronizationManager.clearSynchronization();

        assertThat(totals.total(ALL, counts::incrementAndGet)).isEqualTo(100);
    }

    @Test
    void aCountWaitsForACommitUnderWaySoThatItSeesItOnce() throws Exception {
        totals.total(ALL, () -> 100);
        nanos.addAndGet(JobTotals.MAX_AGE.toNanos());
        TransactionSynchronizationManager.initSynchronization();
        TransactionSynchronizationManager.setActualTransactionActive(true);
        totals.inserted("ops");
        TransactionSynchronization commit =
                TransactionSynchronizationManager.getSynchronizations().get(0);
        commit.beforeCompletion();

        // the database has the row from here on: a count must wait until the change is applied to the kept total
        AtomicBoolean applied = new AtomicBoolean();
        CompletableFuture<Long> counted = new CompletableFuture<>();
        Thread counting = new Thread(() -> counted.complete(totals.total(ALL, () -> applied.get() ? 101 : -1)));
        counting.start();
        await().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .atMost(Duration.ofSeconds(5))
                .until(() -> counting.getState() == Thread.State.TIMED_WAITING);
        applied.set(true);
        commit.afterCommit();
        commit.afterCompletion(TransactionSynchronization.STATUS_COMMITTED);

        assertThat(counted.get(5, TimeUnit.SECONDS)).isEqualTo(101);
        assertThat(totals.total(ALL, counts::incrementAndGet)).isEqualTo(101);
    }

    private static void commit(Runnable write) {
        TransactionSynchronizationManager.initSynchronization();
        TransactionSynchronizationManager.setActualTransactionActive(true);
        write.run();
        for (TransactionSynchronization s : TransactionSynchronizationManager.getSynchronizations()) {
            s.beforeCompletion();
            s.afterCommit();
            s.afterCompletion(TransactionSynchronization.STATUS_COMMITTED);
        }
        TransactionSynchronizationManager.clearSynchronization();
    }
}
