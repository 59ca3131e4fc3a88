package dev.almanac.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The lifecycle is one table; anything off it is an exception, never a silent write. */
class ExecutionStatusTests {

    @Test
    void followsTheLifecycle() {
        assertThat(ExecutionStatus.QUEUED.moveTo(ExecutionStatus.RUNNING)).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(ExecutionStatus.RUNNING.canMoveTo(ExecutionStatus.TIMED_OUT)).isTrue();
        assertThat(ExecutionStatus.RUNNING.canMoveTo(ExecutionStatus.QUEUED))
                .as("handed back on drain")
                .isTrue();
        assertThat(ExecutionStatus.QUEUED.canMoveTo(ExecutionStatus.CANCELLED)).isTrue();
    }

    @Test
    void refusesATransitionOffTheTable() {
        assertThatThrownBy(() -> ExecutionStatus.SUCCEEDED.moveTo(ExecutionStatus.RUNNING))
                .isInstanceOf(ExecutionStatus.IllegalTransitionException.class)
                .hasMessage("an execution cannot go from succeeded to running");
        assertThatThrownBy(() -> ExecutionStatus.QUEUED.moveTo(ExecutionStatus.SUCCEEDED))
                .isInstanceOf(ExecutionStatus.IllegalTransitionException.class);
    }

    @Test
    void finalStatesEndTheLifecycleAndOnlyFailuresRetry() {
        assertThat(ExecutionStatus.values())
                .filteredOn(ExecutionStatus::isFinal)
                .containsExactlyInAnyOrder(
                        ExecutionStatus.SUCCEEDED,
                        ExecutionStatus.FAILED,
                        ExecutionStatus.TIMED_OUT,
                        ExecutionStatus.CANCELLED,
                        ExecutionStatus.SKIPPED);
        assertThat(ExecutionStatus.values())
                .filteredOn(ExecutionStatus::isRetryable)
                .containsExactlyInAnyOrder(ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT);
    }
}
