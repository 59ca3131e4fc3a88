package dev.almanac.engine;

import dev.almanac.execution.Execution;
import java.time.Instant;

/** A run on this node: what it runs, until when, and whether someone asked it to stop and why. */
final class RunningExecution {

    /** Why a run is being stopped before it ends by itself. */
    enum StopReason {
        CANCELLED,
        TIMED_OUT,
        /** This node could not heartbeat; another node will take the run over. */
        LEASE_LOST,
        /** This node is shutting down; the run goes back to the queue. */
        SHUTDOWN
    }

    final Execution execution;
    final ExecutionLog log;
    final Instant deadline;
    private volatile StopReason stop;
    private Thread thread;

    RunningExecution(Execution execution, ExecutionLog log, Instant deadline) {
        this.execution = execution;
        this.log = log;
        this.deadline = deadline;
    }

    StopReason stopRequested() {
        return stop;
    }

    /** Asks the run to stop and interrupts its thread; the first reason given wins. */
    synchronized void stop(StopReason reason) {
        if (stop == null) {
            stop = reason;
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    synchronized void attach(Thread current) {
        thread = current;
        if (stop != null) {
            current.interrupt();
        }
    }

    /** Detaches the pool thread, so a late stop cannot interrupt the next run it takes. */
    synchronized void detach() {
        thread = null;
        Thread.interrupted();
    }
}
