package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * When a run's end wakes the worker loop to claim for the freed worker: only when the claim that started it may have
 * left a run behind, or when every worker was busy (the loop then waited for a worker, and may have taken the signal
 * of a run queued meanwhile without claiming it). The outcome writer is woken by every end.
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

    /** One run started on a node of {@code workers} by a claim that said so of runs left behind, then ended. */
    private boolean endWakesTheWorkerLoop(int workers, boolean runsLeftBehind) {
        LocalRuns runs = new LocalRuns(NodeLeaseTests.properties(workers), wakeups);
        RunningExecution run = started(runs);
        runs.afterClaim(runsLeftBehind);
        runs.ended(run);
        return wakeups.awaitWork(Duration.ZERO);
    }

    private static RunningExecution started(LocalRuns runs) {
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
        RunningExecution run = new RunningExecution(execution, null, null);
        runs.started(run);
        return run;
    }
}
