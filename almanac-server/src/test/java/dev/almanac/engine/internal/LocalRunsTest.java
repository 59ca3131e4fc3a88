package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.engine.internal.RunningExecution.StopReason;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * When a run's end wakes the worker loop to claim for the freed worker: only when the claim that started it may have
 * left a run behind, or when every worker was busy (the loop then waited for a worker, and may have taken the signal
 * of a run queued meanwhile without claiming it). The outcome writer is woken by every end. And how workers are
 * reserved, and what becomes of a run that starts on a node fenced or stopping since its worker was reserved.
 */
class LocalRunsTest {

    private final Wakeups wakeups = new Wakeups();

    @Test
    void aRunsEndClaimsNothingWhenItsClaimLeftNothingBehind() {
        assertThat(endWakesTheWorkerLoop(2, false)).isFalse();
        assertThat(wakeups.awaitOutcomes(Duration.ZERO))
                .as("the outcome writer")
                .isTrue();
    }

    @Test
    void aRunsEndClaimsWhenItsClaimMayHaveLeftRunsBehind() {
        assertThat(endWakesTheWorkerLoop(2, true)).isTrue();
    }

    @Test
    void aRunsEndClaimsWhenEveryWorkerWasBusy() {
        assertThat(endWakesTheWorkerLoop(1, false)).isTrue();
    }

    @Test
    void aReservationTakesAtMostTheFreeWorkersAndNoneWhileDrainingOrFenced() {
        LocalRuns runs = new LocalRuns(NodeLeaseTests.properties(3), wakeups);
        assertThat(runs.reserve(2, false)).isEqualTo(2);
        assertThat(runs.reserve(5, true)).as("what is left").isEqualTo(1);
        assertThat(runs.reserve(1, false)).isZero();
        assertThat(runs.freeCapacity()).isZero();
        assertThat(runs.busy()).isEqualTo(3);

        runs.unreserve(2, false);
        assertThat(wakeups.awaitWork(Duration.ZERO))
                .as("the worker loop gives back its own without waking itself")
                .isFalse();
        assertThat(runs.freeCapacity()).isEqualTo(2);
        runs.fenced(true);
        assertThat(runs.reserve(1, false)).as("fenced").isZero();
        runs.fenced(false);
        runs.draining(true);
        assertThat(runs.reserve(1, true)).as("draining").isZero();
        runs.draining(false);

        runs.unreserve(1, true);
        assertThat(wakeups.awaitWork(Duration.ZERO))
                .as("a trigger pass that gives workers back wakes the worker loop")
                .isTrue();
        assertThat(runs.reserve(3, false)).isEqualTo(3);
        assertThat(runs.busy()).isEqualTo(3);
    }

    /**
     * The worker loop found no free worker because a trigger pass held the last one, and took the signal of a run
     * queued meanwhile: a run ending before the pass starts its own must wake it, as when every worker was running.
     */
    @Test
    void aRunsEndClaimsWhenATriggerPassHeldTheLastFreeWorker() {
        LocalRuns runs = new LocalRuns(NodeLeaseTests.properties(2), wakeups);
        RunningExecution run = started(runs);
        assertThat(runs.reserve(1, true)).isEqualTo(1);
        runs.afterClaim(false);

        runs.ended(run);

        assertThat(wakeups.awaitWork(Duration.ZERO)).isTrue();
    }

    @Test
    void aRunsEndDuringTheLoopsOwnClaimClaimsNothingMore() {
        LocalRuns runs = new LocalRuns(NodeLeaseTests.properties(2), wakeups);
        RunningExecution run = started(runs);
        assertThat(runs.reserve(1, false)).isEqualTo(1);
        runs.afterClaim(false);

        runs.ended(run);

        assertThat(wakeups.awaitWork(Duration.ZERO))
                .as("the loop is claiming, not waiting for a worker")
                .isFalse();
    }

    /**
     * A run whose worker was reserved before its node was fenced or began to stop, starting after the stop of the runs
     * the node had: it stops as it starts, so its template never begins.
     */
    @Test
    void aRunStartingAfterItsNodeWasFencedOrBeganToStopStopsAsItStarts() {
        LocalRuns runs = new LocalRuns(NodeLeaseTests.properties(2), wakeups);
        assertThat(runs.reserve(2, false)).isEqualTo(2);
        runs.fenced(true);
        assertThat(runs.stopAll(StopReason.LEASE_LOST)).isEmpty();

        RunningExecution afterFence = aRun();
        runs.started(afterFence, false);
        assertThat(afterFence.stopRequested()).isEqualTo(StopReason.LEASE_LOST);

        runs.fenced(false);
        runs.draining(true);
        RunningExecution afterDrainBegan = aRun();
        runs.started(afterDrainBegan, false);
        assertThat(afterDrainBegan.stopRequested()).isEqualTo(StopReason.SHUTDOWN);
    }

    @Test
    void aRunStartingOnALiveNodeIsNotStopped() {
        LocalRuns runs = new LocalRuns(NodeLeaseTests.properties(1), wakeups);
        assertThat(started(runs).stopRequested()).isNull();
    }

    /** One run started on a node of {@code workers} by a claim that said so of runs left behind, then ended. */
    private boolean endWakesTheWorkerLoop(int workers, boolean runsLeftBehind) {
        LocalRuns runs = new LocalRuns(NodeLeaseTests.properties(workers), wakeups);
        RunningExecution run = started(runs);
        runs.afterClaim(runsLeftBehind);
        runs.ended(run);
        return wakeups.awaitWork(Duration.ZERO);
    }

    private static RunningExecution started(LocalRuns runs) {
        RunningExecution run = aRun();
        assertThat(runs.reserve(1, false)).isEqualTo(1);
        runs.started(run, false);
        return run;
    }

    /** A run of a job the tests need nothing of. */
    static RunningExecution aRun() {
        Execution execution = new Execution(
                ExecutionId.generate(),
                null,
                1,
                "job",
                "heartbeat",
                null,
                null,
                1,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null);
        return new RunningExecution(execution, null, null);
    }
}
