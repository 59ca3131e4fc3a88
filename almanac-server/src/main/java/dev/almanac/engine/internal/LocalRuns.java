package dev.almanac.engine.internal;

import dev.almanac.engine.internal.RunningExecution.StopReason;
import dev.almanac.execution.ExecutionId;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * The runs on this node and its free capacity: those running on the pool, and those it holds in the database (from
 * their claim until their outcome is written or handed back). No capacity while fenced or draining.
 */
@Component
class LocalRuns {

    private final EngineProperties properties;
    private final Wakeups wakeups;

    private final Map<ExecutionId, RunningExecution> running = new ConcurrentHashMap<>();
    private final Set<ExecutionId> held = ConcurrentHashMap.newKeySet();
    /** Runs started on the pool and not ended. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Workers reserved by the worker loop's claim for runs about to start; guarded by this. */
    private int reservedByClaim;
    /** Workers reserved by a trigger pass for the runs it writes as running; guarded by this. */
    private int reservedByTrigger;
    /** Set while this node cannot prove it is alive: another node may soon take its runs over. */
    private volatile boolean fenced;
    /** Set from the start of a drain until the engine is shut down: a stopping node takes no new work. */
    private volatile boolean draining;
    /** Set once the schema moved past what this node knows ({@link SchemaWatch}): it takes no new work. */
    private volatile boolean outdated;

    LocalRuns(EngineProperties properties, Wakeups wakeups) {
        this.properties = properties;
        this.wakeups = wakeups;
    }

    /**
     * Takes up to {@code wanted} free workers for runs about to be written as running: the worker loop's claim and a
     * trigger pass that starts what it writes each reserve before they write, so that together they never start more
     * runs than this node has workers. A reserved worker is taken until a run starts on it ({@link #started}) or it is
     * given back ({@link #unreserve}). Returns how many it took; none while draining or fenced.
     */
    synchronized int reserve(int wanted, boolean byTriggerPass) {
        int granted = Math.min(wanted, freeCapacity());
        if (granted <= 0) {
            return 0;
        }
        addReserved(byTriggerPass, granted);
        return granted;
    }

    /**
     * Gives back reserved workers that no run took. A trigger pass's wakes the worker loop, which may have found them
     * taken and be waiting for a worker; the worker loop gives back its own without waking itself.
     */
    void unreserve(int workers, boolean byTriggerPass) {
        if (workers <= 0) {
            return;
        }
        synchronized (this) {
            addReserved(byTriggerPass, -workers);
        }
        if (byTriggerPass) {
            wakeups.capacityFreed();
        }
    }

    /** Counts reserved workers to the trigger pass or to the worker loop's claim; under this monitor. */
    private void addReserved(boolean byTriggerPass, int workers) {
        if (byTriggerPass) {
            reservedByTrigger += workers;
        } else {
            reservedByClaim += workers;
        }
    }

    /** A run about to start on the pool, on a worker reserved for it ({@link #reserve}). */
    void started(RunningExecution run, boolean byTriggerPass) {
        held.add(run.execution.id());
        running.put(run.execution.id(), run);
        StopReason stopped;
        synchronized (this) {
            addReserved(byTriggerPass, -1);
            inFlight.incrementAndGet();
            // claimed or written before this node was fenced or began to stop, and starting after: a fenced node's
            // stop of its runs may have passed before this one was here to stop, and a stopping node takes no new
            // work. It stops now, before its template begins (TemplateRunner): a fenced node's run is failed as
            // node_lost, a stopping node's goes back to the queue. The flags are set under this monitor and stopAll
            // follows: either this reads the flag set, or the stopAll after it finds the run in the map.
            stopped = fenced ? StopReason.LEASE_LOST : draining || outdated ? StopReason.SHUTDOWN : null;
        }
        if (stopped != null) {
            run.stop(stopped);
        }
    }

    /** A run claimed ahead: held in the database, not started. */
    void holding(ExecutionId id) {
        held.add(id);
    }

    /**
     * Whether a run ending wakes the worker loop to claim for the freed worker: set by each claim before its runs start
     * ({@link #afterClaim}). Before, every run's end cost a claim and a read of the queue's next due time that found
     * nothing (almanac-bench, session 23).
     */
    private volatile boolean endWakesWorkers = true;

    /**
     * A run's thread is done with it; its outcome may still wait to be written. It wakes the worker loop when the claim
     * may have left runs behind, and whenever every worker was busy: the loop then waited for a worker, not for work,
     * and may have taken the signal of a run queued meanwhile without claiming it.
     */
    void ended(RunningExecution run) {
        running.remove(run.execution.id());
        boolean allWereBusy;
        synchronized (this) {
            // a trigger pass's reservation takes a worker from the loop as a run does; the loop's own claim does not
            allWereBusy = inFlight.getAndDecrement() + reservedByTrigger >= properties.workers();
        }
        if (endWakesWorkers || allWereBusy) {
            wakeups.capacityFreed();
        } else {
            wakeups.outcomesPending();
        }
    }

    /**
     * After a claim, before its runs start: whether a worker freeing up may find a run to take. Not when the claim
     * left nothing due behind: a run queued since raises the work signal itself.
     */
    void afterClaim(boolean runsLeftBehind) {
        endWakesWorkers = runsLeftBehind;
    }

    /** This node no longer holds the run in the database: its outcome is written, or it was handed back. */
    void released(ExecutionId id) {
        held.remove(id);
    }

    boolean holds(ExecutionId id) {
        return held.contains(id);
    }

    /** Runs went back to the queue: a worker here may take them at once. */
    void handedBack() {
        wakeups.workAvailable();
    }

    /** Runs were queued on this node: a worker here may take them at once. */
    void queued() {
        wakeups.workAvailable();
    }

    void cancel(ExecutionId id) {
        stop(id, StopReason.CANCELLED);
    }

    /** Stops the run if it runs here, for {@code reason}. */
    void stop(ExecutionId id, StopReason reason) {
        RunningExecution run = running.get(id);
        if (run != null) {
            run.stop(reason);
        }
    }

    void stopOverdue(Instant now) {
        for (RunningExecution run : running.values()) {
            if (run.deadline != null && !now.isBefore(run.deadline)) {
                run.stop(StopReason.TIMED_OUT);
            }
        }
    }

    /** Stops every run here; returns those it stopped. */
    Collection<RunningExecution> stopAll(StopReason reason) {
        List<RunningExecution> stopped = List.copyOf(running.values());
        stopped.forEach(run -> run.stop(reason));
        return stopped;
    }

    Collection<RunningExecution> running() {
        return running.values();
    }

    Set<ExecutionId> runningIds() {
        return running.keySet();
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Runs started on the pool and workers reserved for runs about to start: what waiting for idle waits for. */
    synchronized int busy() {
        return inFlight.get() + reservedByClaim + reservedByTrigger;
    }

    /** How many more runs this node can take now; none while draining or fenced, nor on a schema it does not know. */
    synchronized int freeCapacity() {
        return fenced || draining || outdated
                ? 0
                : Math.max(0, properties.workers() - inFlight.get() - reservedByClaim - reservedByTrigger);
    }

    boolean fenced() {
        return fenced;
    }

    synchronized void fenced(boolean fenced) {
        this.fenced = fenced;
    }

    boolean draining() {
        return draining;
    }

    synchronized void draining(boolean draining) {
        this.draining = draining;
    }

    boolean outdated() {
        return outdated;
    }

    synchronized void outdated(boolean outdated) {
        this.outdated = outdated;
    }
}
