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
        LocalRuns runs = new LocalRuns(NodeLeaseTests.properties(2), wakeups);
        RunningExecution run = started(runs);
        runs.afterClaim(false);

        runs.ended(run);

        assertThat(wakeups.awaitWork(Duration.ZERO)).isFalse();
        assertThat(wakeups.awaitOutcomes(Duration.ZERO)).isTrue();
    }

    @Test
    void aRunsEndClaimsWhenItsClaimMayHaveLeftRunsBehind() {
        LocalRuns runs = new LocalRuns(NodeLeaseTests.properties(2), wakeups);
        RunningExecution run = started(runs);
        runs.afterClaim(true);

        runs.ended(run);

        assertThat(wakeups.awaitWork(Duration.ZERO)).isTrue();
    }

    @Test
    void aRunsEndClaimsWhenEveryWorkerWasBusy() {
        LocalRuns runs = new LocalRuns(NodeLeaseTests.properties(1), wakeups);
        RunningExecution run = started(runs);
        runs.afterClaim(false);

        runs.ended(run);

        assertThat(wakeups.awaitWork(Duration.ZERO)).isTrue();
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
