package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.engine.internal.RunningExecution.StopReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a run's stop reaches its thread: a stop interrupts the thread that runs it, once the template returned how it
 * was stopped is settled and later stops change nothing, and detaching the thread clears the interrupt a stop left,
 * so the outcome or the hand-back is written from an uninterrupted thread.
 */
class RunningExecutionTest {

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void aStopInterruptsTheAttachedThreadAndDetachingClearsIt() {
        RunningExecution run = LocalRunsTest.aRun();
        run.attach(Thread.currentThread());

        run.stop(StopReason.SHUTDOWN);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();

        run.detach();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void aRunStoppedBeforeItsThreadTookItInterruptsTheThreadAsItTakesIt() {
        RunningExecution run = LocalRunsTest.aRun();
        run.stop(StopReason.LEASE_LOST);

        run.attach(Thread.currentThread());

        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        run.detach();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void onceSettledALaterStopChangesNothing() {
        RunningExecution run = LocalRunsTest.aRun();
        run.attach(Thread.currentThread());

        assertThat(run.settle()).isNull();
        run.stop(StopReason.SHUTDOWN);

        assertThat(run.stopRequested()).as("a completed run is not handed back").isNull();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        run.detach();
    }

    @Test
    void settlingKeepsTheStopAskedForBefore() {
        RunningExecution run = LocalRunsTest.aRun();
        run.stop(StopReason.CANCELLED);

        assertThat(run.settle()).isEqualTo(StopReason.CANCELLED);
        run.stop(StopReason.SHUTDOWN);
        assertThat(run.stopRequested()).isEqualTo(StopReason.CANCELLED);
    }
}
