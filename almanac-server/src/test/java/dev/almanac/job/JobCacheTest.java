package dev.almanac.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * How a node's writes to jobs reach the other nodes: batched for the listener, or one signal per write while it is
 * away; only once the writing transaction committed, and as "every job" when there are too many to name.
 */
class JobCacheTest {

    private final JobCache cache =
            new JobCache(new JobCache.Properties(Duration.ofSeconds(10), 100), Clock.systemUTC());
    private final List<JobCache.Written> sent = new ArrayList<>();
    private final JobId one = JobId.generate();
    private final JobId two = JobId.generate();

    @AfterEach
    void noTransactionLeft() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.clearSynchronization();
        }
    }

    @Test
    void withNobodyToTellNothingIsKept() {
        cache.written(List.of(one));

        assertThat(cache.takeWritten().none()).isTrue();
    }

    @Test
    void batchedWritesWaitForTheListenerAndLeavingTheBatchHandsThemOver() {
        cache.relay(JobCache.Relay.BATCHED, sent::add);
        cache.written(List.of(one));
        cache.written(List.of(two));

        assertThat(cache.takeWritten()).isEqualTo(new JobCache.Written(false, Set.of(one, two)));
        cache.written(List.of(one));
        assertThat(cache.relay(JobCache.Relay.AT_ONCE, sent::add)).isEqualTo(new JobCache.Written(false, Set.of(one)));
        assertThat(sent).isEmpty();
    }

    @Test
    void whileTheListenerIsAwayEachWriteIsSentAtOnce() {
        cache.relay(JobCache.Relay.AT_ONCE, sent::add);

        cache.written(List.of(one, two));
        cache.written(IntStream.range(0, JobCache.RELAY_AT_MOST + 1)
                .mapToObj(i -> JobId.generate())
                .toList());

        assertThat(sent)
                .containsExactly(new JobCache.Written(false, Set.of(one, two)), new JobCache.Written(true, Set.of()));
    }

    @Test
    void tooManyForOneSignalAreSentAsEveryJob() {
        cache.relay(JobCache.Relay.BATCHED, sent::add);

        cache.written(IntStream.range(0, JobCache.RELAY_AT_MOST)
                .mapToObj(i -> JobId.generate())
                .toList());
        cache.written(List.of(one));

        assertThat(cache.takeWritten()).isEqualTo(new JobCache.Written(true, Set.of()));
    }

    @Test
    void aWriteInATransactionGoesOutOnlyIfItMayHaveCommitted() {
        cache.relay(JobCache.Relay.AT_ONCE, sent::add);

        TransactionSynchronizationManager.initSynchronization();
        cache.written(List.of(one));
        assertThat(sent).isEmpty();
        complete(TransactionSynchronization.STATUS_ROLLED_BACK);
        assertThat(sent).isEmpty();

        TransactionSynchronizationManager.initSynchronization();
        cache.written(List.of(two));
        complete(TransactionSynchronization.STATUS_UNKNOWN);
        assertThat(sent).containsExactly(new JobCache.Written(false, Set.of(two)));
    }

    private static void complete(int status) {
        List<TransactionSynchronization> synchronizations = TransactionSynchronizationManager.getSynchronizations();
        TransactionSynchronizationManager.clearSynchronization();
        synchronizations.forEach(s -> s.afterCompletion(status));
    }
}
