package dev.almanac.engine.internal;

import dev.almanac.execution.Execution;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A run on this node: what it runs, until when, and whether someone asked it to stop and why. */
final class RunningExecution {

    /** Why a run is being stopped before it ends by itself. */
    enum StopReason {
        CANCELLED,
        /** A newer run of its job replaces it ({@code concurrency_policy: replace}). */
        REPLACED,
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
    /** Set once the template returned and how the run stopped was read; guarded by this. */
    private boolean settled;

    private final List<Runnable> stopHooks = new CopyOnWriteArrayList<>();

    RunningExecution(Execution execution, ExecutionLog log, Instant deadline) {
        this.execution = execution;
        this.log = log;
        this.deadline = deadline;
    }

    StopReason stopRequested() {
        return stop;
    }

    /**
     * Asks the run to stop, interrupts its thread and fires the stop hooks (which cancel the JDBC statements and abort
     * the HTTP calls the run has under way); the first reason given wins.
     */
    void stop(StopReason reason) {
        synchronized (this) {
            if (settled) {
                return;
            }
            if (stop == null) {
                stop = reason;
            }
            if (thread != null) {
                thread.interrupt();
            }
        }
        stopHooks.forEach(RunningExecution::fire);
    }

    /**
     * How the run was stopped, read once its template returned; a stop asked for later is ignored, so how the run
     * ended and whether it goes back to the queue ({@link OutcomeQueue#ended}) follow from the same reason, and a run
     * that completed is not handed back to run again.
     */
    synchronized StopReason settle() {
        settled = true;
        return stop;
    }

    /**
     * Registers an action to run when the run is stopped, at once if it already was; the returned handle removes it.
     */
    Runnable onStop(Runnable hook) {
        stopHooks.add(hook);
        if (stop != null && stopHooks.remove(hook)) {
            fire(hook);
        }
        return () -> stopHooks.remove(hook);
    }

    private static void fire(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException ignored) {
            // a hook aborts a call that may already have ended; what it throws changes nothing
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
