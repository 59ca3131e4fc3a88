package dev.almanac.engine.internal;

import dev.almanac.engine.internal.RunningExecution.StopReason;
import dev.almanac.execution.ExecutionId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The engine on this node (ARCHITECTURE §4), as the steps the loops in {@link EngineLoops} call; tests call them
 * directly with a settable clock, so nothing waits on real time. The pieces: {@link TriggerPass} (due jobs to new
 * runs), {@link Workers} (claim and run them), {@link OutcomeQueue} (write how they ended), {@link LogBuffer} (their
 * log lines) and {@link NodeHeartbeat} (this node's lease, and recovery of the runs of dead nodes).
 */
@Component
public class Engine {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final TriggerPass triggers;
    private final Workers workers;
    private final OutcomeQueue outcomes;
    private final LogBuffer logs;
    private final NodeHeartbeat heartbeat;
    private final LocalRuns runs;
    private final BackfillPass backfills;
    private final SchemaWatch schema;

    Engine(
            TriggerPass triggers,
            BackfillPass backfills,
            Workers workers,
            OutcomeQueue outcomes,
            LogBuffer logs,
            NodeHeartbeat heartbeat,
            LocalRuns runs,
            SchemaWatch schema) {
        this.schema = schema;
        this.triggers = triggers;
        this.backfills = backfills;
        this.workers = workers;
        this.outcomes = outcomes;
        this.logs = logs;
        this.heartbeat = heartbeat;
        this.runs = runs;
    }

    public String nodeId() {
        return heartbeat.nodeId();
    }

    /**
     * One whole step, for tests and tools: heartbeat, trigger every due job, start what is due, wait until the
     * runs on this node have ended, and write their outcomes. Returns the number of runs that ended.
     */
    public int runDueOnce() {
        int ended = 0;
        for (List<ExecutionId> started = runDueOnceWithoutWaiting(); !started.isEmpty(); started = startDue()) {
            awaitIdle(Duration.ofMinutes(5));
            ended += started.size();
        }
        return ended;
    }

    /** Like {@link #runDueOnce()}, but returns as soon as the due runs have started. */
    public List<ExecutionId> runDueOnceWithoutWaiting() {
        heartbeat();
        List<ExecutionId> started = new ArrayList<>(triggerAll());
        started.addAll(startDue());
        return started;
    }

    /** Trigger passes until one is not full (a full batch means more jobs may be due); the runs they started. */
    private List<ExecutionId> triggerAll() {
        List<ExecutionId> started = new ArrayList<>();
        TriggerPass.Result result;
        do {
            result = triggerOnce();
            started.addAll(result.started());
        } while (result.full());
        return started;
    }

    /**
     * One trigger transaction at the clock's time, then the next slots of running backfills; none on a schema this
     * node does not know.
     */
    TriggerPass.Result triggerOnce() {
        if (runs.outdated()) {
            return new TriggerPass.Result(0, 0, 0, false);
        }
        TriggerPass.Result result = triggers.run();
        int released = backfills.run();
        return released == 0
                ? result
                : new TriggerPass.Result(
                        result.jobs(), result.queued() + released, result.skipped(), result.full(), result.started());
    }

    /** Claims queued executions that are due, up to the free capacity, and starts them on the pool. */
    List<ExecutionId> startDue() {
        return workers.startDue();
    }

    /** Whether the last claim took every due run the queue had (see {@link Workers#claimedAllDue()}). */
    boolean claimedAllDue() {
        return workers.claimedAllDue();
    }

    /** Writes the outcomes waiting, in one batch; returns how many. */
    int writeOutcomes() {
        return outcomes.write();
    }

    boolean outcomesWaiting() {
        return outcomes.waiting();
    }

    /** Waits until every run on this node has ended and its outcome is written. */
    public void awaitIdle(Duration timeout) {
        outcomes.awaitIdle(timeout);
    }

    /**
     * Stops runs past their deadline, writes buffered log lines every {@code log-flush-interval}, and hands back runs
     * claimed ahead that waited too long for a worker. Cancel requests
     * arrive with the heartbeat ({@link NodeHeartbeat#checkRuns()}) or locally ({@link #cancelLocally}).
     */
    void superviseOnce() {
        workers.stopOverdue();
        logs.flushIfDue(runs.running());
        workers.handBackWaiting();
    }

    /** Stops a run here at once, if this node runs it. */
    void cancelLocally(ExecutionId id) {
        runs.cancel(id);
    }

    /** Writes the buffered lines of every run, and those an earlier attempt could not write. */
    void flushLogs() {
        logs.flush(runs.running());
    }

    /** Proves this node is alive, renews its runs, picks up cancel requests, and recovers the runs of dead nodes. */
    void heartbeat() {
        heartbeat.beat();
    }

    /** Renews this node's lease; true when renewed (see {@link NodeHeartbeat#renewLease()}). */
    boolean renewLease() {
        return heartbeat.renewLease();
    }

    void checkRuns() {
        watchSchema();
        heartbeat.checkRuns();
    }

    /**
     * Once the schema moved past what this node knows ({@link SchemaWatch}), it takes no more work: its trigger passes
     * and claims stop, the runs it claimed ahead go back to the queue, its running runs finish.
     */
    void watchSchema() {
        try {
            if (schema.check() && !runs.outdated()) {
                runs.outdated(true);
                int back = workers.handBackAhead();
                if (back > 0) {
                    log.info("Handing {} run(s) claimed ahead back to the queue", back);
                }
            }
        } catch (RuntimeException e) {
            log.debug("Could not check the schema version: {}", e.getMessage());
        }
    }

    /** The schema version past the one this node knows, once the schema moved there; else null. */
    Integer schemaMovedTo() {
        return schema.movedTo();
    }

    void fenceIfLeaseExpiring(java.time.Instant now) {
        heartbeat.fenceIfLeaseExpiring(now);
    }

    void fenceIfLeaseExpiring() {
        heartbeat.fenceIfLeaseExpiring();
    }

    /**
     * Stops claiming, lets running work finish within the grace period, and hands the rest back to the queue so
     * other nodes take it at once. The node's lease is kept meanwhile ({@link EngineLoops}); a database that cannot be
     * reached does not stop the drain, and the outcomes it could not take are left to the recovery of lost runs.
     */
    void drain(Duration grace) {
        runs.draining(true);
        try {
            int back = workers.handBackAhead();
            if (back > 0) {
                log.info("Handing {} run(s) claimed ahead back to the queue", back);
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Could not hand the runs claimed ahead back (other nodes take them when this one is gone): {}",
                    e.getMessage());
        }
        long deadline = System.nanoTime() + grace.toNanos();
        boolean failing = false;
        // the grace is for the runs still going and for the outcomes the database has not taken yet (an outage)
        while ((runs.busy() > 0 || outcomes.waiting()) && System.nanoTime() < deadline) {
            outcomes.await(Duration.ofMillis(50));
            failing = writeOutcomesWhileStopping(failing);
        }
        Collection<RunningExecution> left = runs.stopAll(StopReason.SHUTDOWN);
        if (!left.isEmpty()) {
            log.info("Handing {} unfinished execution(s) back to the queue", left.size());
        }
        long handBackDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (runs.busy() > 0 && System.nanoTime() < handBackDeadline) {
            outcomes.await(Duration.ofMillis(50));
        }
        do {
            failing = writeOutcomesWhileStopping(failing);
        } while (!failing && outcomes.waiting());
        if (failing) {
            log.warn("Stopping with outcomes not written (the database could not be reached, or refused them): other"
                    + " nodes recover these runs as lost (node_lost) once this node has left the cluster or its"
                    + " heartbeat is older than the dead-node threshold, and retry them per their policy");
        }
    }

    /**
     * Writes the outcomes waiting while the node stops; true when the database could not be reached or refused them.
     * The stop goes on either way: a failed batch stays queued for the next try, and the failure is said once.
     */
    private boolean writeOutcomesWhileStopping(boolean failedBefore) {
        try {
            outcomes.write();
            return false;
        } catch (RuntimeException e) {
            if (!failedBefore) {
                log.warn(
                        "Could not write outcomes while stopping (tried again until the grace ends): {}",
                        e.getMessage());
            }
            return true;
        }
    }

    /**
     * Ends the run pool and leaves the cluster. A run that ignored its stop is still going: then the node does not
     * leave, and other nodes wait out the dead-node threshold before they retry it, as for a node that died.
     */
    void shutdown() {
        workers.shutdownPool();
        runs.draining(false);
        int stillGoing = runs.inFlight();
        if (stillGoing > 0) {
            log.warn(
                    "{} run(s) did not stop; node {} stays registered until its heartbeat is older than the dead-node"
                            + " threshold, so they are not retried elsewhere while they may still run",
                    stillGoing,
                    nodeId());
            return;
        }
        heartbeat.release();
    }

    /** How many more runs this node can take now; none while draining or fenced. */
    int freeCapacity() {
        return runs.freeCapacity();
    }

    /** Whether this node saw the schema move past what it knows, and takes no more work. */
    boolean outdated() {
        return runs.outdated();
    }

    /** Whether any of these runs is still going on this node's pool. */
    boolean anyRunning(Collection<ExecutionId> ids) {
        Set<ExecutionId> running = runs.runningIds();
        return ids.stream().anyMatch(running::contains);
    }

    int runningCount() {
        return runs.inFlight();
    }

    /** How long ago this node last proved it is alive, by its clock; zero before its first heartbeat. */
    Duration heartbeatAge() {
        return heartbeat.age();
    }

    /** How many runs this node holds claimed ahead, not started. */
    int claimedAhead() {
        return workers.claimedAhead();
    }

    /** Whether this node stopped claiming because it cannot heartbeat. */
    boolean fenced() {
        return runs.fenced();
    }
}
