package dev.almanac.engine.internal;

import dev.almanac.common.DatabaseAvailability;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.execution.CancelRequested;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionQueued;
import dev.almanac.job.JobChanged;
import dev.almanac.job.JobScheduling;
import dev.almanac.security.NamespaceChanged;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The engine's threads on this node: trigger, worker, outcome writer, supervisor and heartbeat. Each sleeps until
 * it is woken or its next due time, capped by the poll interval. Stopping drains: no new claims, running work
 * finishes within the grace period, the rest goes back to the queue. The node keeps its lease through the drain.
 */
@Component
class EngineLoops implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EngineLoops.class);
    private static final Duration SUPERVISE_EVERY = Duration.ofMillis(200);
    private static final Duration WATCH_LEASE_EVERY = Duration.ofMillis(100);
    /**
     * How soon a heartbeat that failed is tried again (when shorter than the heartbeat interval): the lease is renewed
     * within this of the database's return, not up to a whole interval later, when it may have expired meanwhile.
     */
    private static final Duration RETRY_FAILED_HEARTBEAT = Duration.ofSeconds(1);
    /**
     * The longest a claim waits, while runs are left in the queue, for the runs of the claim before it to end
     * ({@link #awaitRunsOfLastClaim}).
     */
    private static final Duration GATHER_AT_MOST = Duration.ofMillis(2);

    private final Engine engine;
    private final EngineProperties properties;
    private final Wakeups wakeups;
    private final ClusterSignals cluster;
    private final JobScheduling jobs;
    private final EngineStore store;
    private final Clock clock;
    private final DatabaseAvailability database;
    private final List<Thread> threads = new ArrayList<>();
    /**
     * From a start until a stop begins (what {@link #isRunning} says): the loops that take new work (trigger, claims)
     * and write outcomes (a drain writes them). Each start has flags of its own, so a loop of an earlier start that
     * outlived its stop cannot go on beside the new ones.
     */
    private volatile AtomicBoolean takingWork = new AtomicBoolean();
    /**
     * Until a stop has drained: the loops that keep this node's lease and watch its runs (heartbeat, lease watchdog,
     * run checks, supervision) go on through the drain. A node that fell silent as it began to drain would be declared
     * dead while runs finish in its grace, and they would be retried elsewhere while they still run; and one cut off
     * from its database while it drains would no longer stop its runs before its lease expires.
     */
    private AtomicBoolean keepingLease = new AtomicBoolean();
    /** The runs the worker loop's last claim started, if it left due runs in the queue (a backlog); else empty. */
    private volatile List<ExecutionId> runsOfLastClaim = List.of();
    /** Whether the last wait for a claim's runs ran out: they take longer than the cap, so the next claim does not. */
    private volatile boolean lastWaitRanOut;
    /** Whether the last heartbeat renewed the lease; the next one comes sooner when it did not. */
    private volatile boolean lastHeartbeatRenewed = true;

    EngineLoops(
            Engine engine,
            EngineProperties properties,
            Wakeups wakeups,
            ClusterSignals cluster,
            JobScheduling jobs,
            EngineStore store,
            Clock clock,
            DatabaseAvailability database) {
        this.database = database;
        this.engine = engine;
        this.properties = properties;
        this.wakeups = wakeups;
        this.cluster = cluster;
        this.jobs = jobs;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        if (takingWork.get()) {
            return;
        }
        takingWork = new AtomicBoolean(true);
        keepingLease = new AtomicBoolean(true);
        // also on a node without loops: its writes to jobs reach the other nodes' job caches through it
        cluster.start();
        if (!properties.enabled()) {
            log.info("Engine loops are off on this node (almanac.engine.enabled=false)");
            return;
        }
        engine.heartbeat();
        BooleanSupplier work = takingWork::get;
        BooleanSupplier lease = keepingLease::get;
        if (properties.roles().contains(EngineProperties.Role.TRIGGER)) {
            loop("almanac-trigger", this::triggerLoop, work);
        }
        if (properties.roles().contains(EngineProperties.Role.WORKER)) {
            loop("almanac-worker", this::workerLoop, work);
            loop("almanac-outcomes", this::outcomeLoop, work);
            loop("almanac-supervise", this::superviseLoop, lease);
        }
        loop("almanac-heartbeat", this::heartbeatLoop, lease);
        loop("almanac-lease", this::leaseLoop, lease);
        loop("almanac-runs-check", this::checkRunsLoop, lease);
        log.info(
                "Engine started on node {} as {} with {} workers",
                engine.nodeId(),
                properties.rolesText(),
                properties.workers());
    }

    @Override
    public synchronized void stop() {
        if (!takingWork.get()) {
            return;
        }
        takingWork.set(false);
        // whatever the drain meets, the loops, the cluster's signals, the run pool and the node's lease are ended
        try {
            if (properties.enabled()) {
                log.info("Engine on node {} draining (grace {})", engine.nodeId(), properties.shutdownGrace());
                engine.drain(properties.shutdownGrace());
                cluster.notifyCluster("drained");
            }
        } finally {
            keepingLease.set(false);
            threads.forEach(Thread::interrupt);
            awaitLoopsEnded();
            threads.clear();
            cluster.stop();
            engine.shutdown();
        }
    }

    /**
     * Waits, at most the heartbeat timeout and a second, for the loops to end, so no heartbeat registers this node
     * again after it left the cluster ({@link Engine#shutdown}).
     */
    private void awaitLoopsEnded() {
        long deadline =
                System.nanoTime() + properties.heartbeatTimeout().plusSeconds(1).toNanos();
        for (Thread thread : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                thread.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The loops running on this node, by thread name. */
    synchronized List<String> loopNames() {
        return threads.stream().map(Thread::getName).toList();
    }

    /** The loops that should run but whose thread has ended; empty while the engine is healthy or stopped. */
    List<String> stoppedLoops() {
        if (!isRunning() || !properties.enabled()) {
            return List.of();
        }
        synchronized (this) {
            return threads.stream()
                    .filter(t -> !t.isAlive())
                    .map(Thread::getName)
                    .toList();
        }
    }

    @Override
    public boolean isRunning() {
        return takingWork.get();
    }

    /** Stop before the web server and the data source go away, so the drain can still write. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onJobChanged(JobChanged changed) {
        if (changed.kind() == JobChanged.Kind.DELETED) {
            store.cancelQueuedOfJob(changed.jobId(), "job_deleted", clock.instant());
        } else if (changed.kind() == JobChanged.Kind.UPDATED) {
            store.followPriority(changed.jobId());
        }
        wakeups.jobsChanged();
        cluster.notifyCluster("jobs");
    }

    /** A quota set on a namespace holds at this node's next claim, and at the others' once the signal reaches them. */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onNamespaceChanged(NamespaceChanged changed) {
        store.namespacesChanged();
        wakeups.everything(); // runs held back by a quota just raised are claimed now, not at the next poll
        cluster.notifyCluster(ClusterSignals.NAMESPACES);
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onExecutionQueued(ExecutionQueued queued) {
        wakeups.workAvailable();
        cluster.notifyCluster("work");
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void onCancelRequested(CancelRequested cancel) {
        engine.cancelLocally(cancel.id());
        cluster.notifyCluster("cancel");
    }

    private void triggerLoop() {
        if (engine.outdated()) {
            // triggers nothing on a schema it does not know: the due slots are not for this node to wait on
            wakeups.awaitTrigger(properties.pollInterval());
            return;
        }
        TriggerPass.Result result = engine.triggerOnce();
        if (result.queued() > 0) {
            cluster.notifyCluster("work");
        }
        if (!result.full()) {
            wakeups.awaitTrigger(untilNext(jobs.earliestDue()));
        }
    }

    private void workerLoop() {
        if (engine.freeCapacity() == 0) {
            // every worker is busy: wait until one is free (or the poll interval), not for queued work that is due
            wakeups.awaitWork(properties.pollInterval());
            return;
        }
        if (lastWaitRanOut) {
            lastWaitRanOut = false; // the runs take longer than the cap: this claim does not wait for them
        } else {
            lastWaitRanOut = !awaitRunsOfLastClaim(runsOfLastClaim);
        }
        List<ExecutionId> started = engine.startDue();
        runsOfLastClaim = engine.claimedAllDue() ? List.of() : started;
        if (started.isEmpty() || engine.claimedAllDue()) {
            // nothing left that was due: wait for the next queued run's time, or a run queued meanwhile (the signal
            // stays raised), instead of a claim that would find nothing (one per manual run, say)
            wakeups.awaitWork(untilNext(store.earliestQueued()));
        }
    }

    /**
     * Under a backlog, lets the runs the last claim started end before the next claim, for at most
     * {@link #GATHER_AT_MOST}. Claimed at once, the next claim would find those runs still going (they end while it
     * waits for the database) and take only the other workers, and the claims after it would split the workers in two:
     * a node of 10 workers claimed about 5.7 runs a commit in a drain of short runs, and 10 once it waited
     * (almanac-bench HISTORY, session 34). A run ending wakes this wait. Runs that take longer than the cap hold a
     * claim back by the cap, and only every other claim: after a wait that ran out, the next claim does not wait.
     *
     * @return false if the runs were still going when the cap ran out
     */
    private boolean awaitRunsOfLastClaim(List<ExecutionId> started) {
        long deadline = System.nanoTime() + GATHER_AT_MOST.toNanos();
        long left;
        while (engine.anyRunning(started)) {
            if ((left = deadline - System.nanoTime()) <= 0) {
                return false;
            }
            wakeups.awaitWork(Duration.ofNanos(left));
        }
        return true;
    }

    private void outcomeLoop() {
        if (engine.writeOutcomes() == 0) {
            wakeups.awaitOutcomes(properties.pollInterval());
        }
    }

    private void superviseLoop() throws InterruptedException {
        engine.superviseOnce();
        Thread.sleep(SUPERVISE_EVERY.toMillis());
    }

    private void heartbeatLoop() throws InterruptedException {
        Thread.sleep(nextHeartbeatIn(lastHeartbeatRenewed, properties.heartbeatInterval())
                .toMillis());
        lastHeartbeatRenewed = false; // until this one renews: a heartbeat that throws is a failed one too
        lastHeartbeatRenewed = engine.renewLease();
    }

    /** The wait before the next heartbeat: an interval after one that renewed the lease, a second after a failure. */
    static Duration nextHeartbeatIn(boolean lastRenewed, Duration interval) {
        return lastRenewed || interval.compareTo(RETRY_FAILED_HEARTBEAT) <= 0 ? interval : RETRY_FAILED_HEARTBEAT;
    }

    /** Apart from the heartbeat and touching no database, so nothing can hold up stopping the runs in time. */
    private void leaseLoop() throws InterruptedException {
        engine.fenceIfLeaseExpiring();
        Thread.sleep(WATCH_LEASE_EVERY.toMillis());
    }

    private void checkRunsLoop() throws InterruptedException {
        Thread.sleep(properties.heartbeatInterval().toMillis());
        engine.checkRuns();
    }

    /** Sleep until the next due time, but never longer than the poll interval (a due time may appear meanwhile). */
    private Duration untilNext(Optional<Instant> due) {
        Duration poll = properties.pollInterval();
        if (due.isEmpty()) {
            return poll;
        }
        Duration until = Duration.between(clock.instant(), due.get());
        if (until.isNegative()) {
            return Duration.ZERO;
        }
        return until.compareTo(poll) < 0 ? until : poll;
    }

    /**
     * One step of a loop; a step that throws (the database is away, say), or fails with an error (out of memory), is
     * logged and retried after a pause.
     */
    private interface Step {
        void run() throws Exception;
    }

    private void loop(String name, Step step, BooleanSupplier goOn) {
        Thread thread = new Thread(
                () -> {
                    while (goOn.getAsBoolean()) {
                        try {
                            step.run();
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            if (DatabaseAvailability.isConnectionFailure(e)) {
                                // said once per outage by DatabaseAvailability, not once a second by every loop;
                                // a full main pool is load and does not mark the database away
                                database.unreachable(e);
                                log.debug("{} step failed: {}", name, e.getMessage());
                            } else {
                                log.warn("{} step failed: {}", name, e.getMessage());
                            }
                            try {
                                Thread.sleep(properties.pollInterval().toMillis());
                            } catch (InterruptedException interrupted) {
                                return;
                            }
                        } catch (Error e) {
                            // an OutOfMemoryError caused by one request must not end a loop for good: the engine would
                            // stop triggering, running or writing outcomes until a restart
                            log.error("{} step failed", name, e);
                            try {
                                Thread.sleep(properties.pollInterval().toMillis());
                            } catch (InterruptedException interrupted) {
                                return;
                            }
                        }
                    }
                },
                name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }
}
