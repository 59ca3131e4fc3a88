package dev.almanac.engine;

import dev.almanac.common.DatabaseAvailability;
import dev.almanac.engine.Outcomes.Finished;
import dev.almanac.engine.RunningExecution.StopReason;
import dev.almanac.engine.store.EngineStore;
import dev.almanac.engine.store.EngineStore.Claimed;
import dev.almanac.engine.store.EngineStore.Completion;
import dev.almanac.engine.store.EngineStore.PendingLine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionRepository;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.security.SecretParameters;
import dev.almanac.template.JobCancelledException;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.TemplateRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The engine on this node (ARCHITECTURE §4). The loops in {@link EngineLoops} call the steps below; tests call them
 * directly with a settable clock, so nothing waits on real time. Runs execute on a bounded pool; their outcomes are
 * written in batches.
 */
@Component
public class Engine {

    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    private final TriggerPass triggers;
    private final Outcomes outcomes;
    private final ExecutionRepository executions;
    private final EngineStore store;
    private final NodeLease lease;
    private final NodeRecovery recovery;
    private final TemplateRegistry templates;
    private final TransactionTemplate transactions;
    private final EngineProperties properties;
    private final Clock clock;
    private final SecretParameters secrets;
    private final Wakeups wakeups;
    private final EngineMetrics metrics;
    private final JobServices services;

    private final String nodeId;
    private ExecutorService pool;
    private final Map<ExecutionId, RunningExecution> running = new ConcurrentHashMap<>();
    private final BlockingDeque<Finished> finished = new LinkedBlockingDeque<>();
    /** The runs this node holds in the database: from their claim until their outcome is written or handed back. */
    private final Set<ExecutionId> held = ConcurrentHashMap.newKeySet();
    /**
     * Log lines that could not be written yet (the database was away); the supervisor retries. Bounded, so a long
     * outage costs log lines rather than the node's memory.
     */
    private final BlockingQueue<PendingLine> unwrittenLines = new LinkedBlockingQueue<>(100_000);
    /** The last lines of ended runs: the outcome writer writes them with the outcomes, not a run at a time. */
    private final BlockingQueue<PendingLine> lastLines = new LinkedBlockingQueue<>();

    private volatile long lastLogFlush = System.nanoTime();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Set while this node cannot prove it is alive: another node may soon take its runs over. */
    private volatile boolean fenced;
    /** Set from the start of a drain until the engine is shut down: a stopping node takes no new work. */
    private volatile boolean draining;

    Engine(
            TriggerPass triggers,
            Outcomes outcomes,
            ExecutionRepository executions,
            EngineStore store,
            NodeLease lease,
            NodeRecovery recovery,
            TemplateRegistry templates,
            TransactionTemplate transactions,
            EngineProperties properties,
            Clock clock,
            Wakeups wakeups,
            EngineMetrics metrics,
            SecretParameters secrets,
            JobServices services) {
        this.secrets = secrets;
        this.services = services;
        this.triggers = triggers;
        this.outcomes = outcomes;
        this.executions = executions;
        this.store = store;
        this.lease = lease;
        this.recovery = recovery;
        this.templates = templates;
        this.transactions = transactions;
        this.properties = properties;
        this.clock = clock;
        this.wakeups = wakeups;
        this.metrics = metrics;
        this.nodeId = lease.nodeId();
        metrics.watch(this);
    }

    public String nodeId() {
        return nodeId;
    }

    /**
     * One whole step, for tests and tools: heartbeat, trigger every due job, start what is due, wait until the
     * runs on this node have ended, and write their outcomes. Returns the number of runs that ended.
     */
    public int runDueOnce() {
        heartbeat();
        while (triggerOnce().full()) {
            // a full batch means more jobs may be due
        }
        int ended = 0;
        List<ExecutionId> started;
        while (!(started = startDue()).isEmpty()) {
            awaitIdle(Duration.ofMinutes(5));
            ended += started.size();
        }
        return ended;
    }

    /** Like {@link #runDueOnce()}, but returns as soon as the due runs have started. */
    public List<ExecutionId> runDueOnceWithoutWaiting() {
        heartbeat();
        while (triggerOnce().full()) {
            // a full batch means more jobs may be due
        }
        return startDue();
    }

    /** One trigger transaction at the clock's time. */
    TriggerPass.Result triggerOnce() {
        TriggerPass.Result result = triggers.run(clock);
        if (result.queued() > 0) {
            wakeups.workAvailable();
        }
        return result;
    }

    /** Claims queued executions that are due, up to the free capacity, and starts them on the pool. */
    List<ExecutionId> startDue() {
        int free = freeCapacity();
        if (free == 0) {
            return List.of();
        }
        Instant[] startedAt = new Instant[1];
        List<Claimed> claimed = transactions.execute(status -> {
            // read once the transaction has its connection, so a run waiting for the database starts when it starts
            startedAt[0] = clock.instant();
            return store.claimRuns(nodeId, startedAt[0], free);
        });
        if (claimed.isEmpty()) {
            return List.of();
        }
        Instant now = startedAt[0];
        List<ExecutionId> ids = new ArrayList<>(claimed.size());
        metrics.claimed(claimed.size());
        for (Claimed claim : claimed) {
            Execution execution = claim.execution();
            Instant due = execution.scheduledFor() != null && execution.attempt() == 1
                    ? execution.scheduledFor()
                    : execution.runAfter();
            metrics.started(Duration.between(due, now));
            start(execution, now, claim.lastLogSeq());
            ids.add(execution.id());
        }
        return ids;
    }

    private void start(Execution execution, Instant now, int lastSeq) {
        Instant deadline = execution.timeoutSeconds() == null ? null : now.plusSeconds(execution.timeoutSeconds());
        ExecutionLog executionLog =
                new ExecutionLog(execution.id(), clock, properties.maxLogLines(), properties.maxLogBytes(), lastSeq);
        RunningExecution run = new RunningExecution(execution, executionLog, deadline);
        held.add(execution.id());
        running.put(execution.id(), run);
        inFlight.incrementAndGet();
        pool().execute(() -> {
            run.attach(Thread.currentThread());
            MDC.put("job_id", execution.jobId().toString());
            MDC.put("job_name", execution.jobName());
            MDC.put("execution_id", execution.id().toString());
            try {
                finish(run, execute(run, now));
            } finally {
                MDC.clear();
                run.detach();
            }
        });
    }

    /** Runs the template and says how it ended; never throws. */
    private Completion execute(RunningExecution run, Instant startedAt) {
        Execution execution = run.execution;
        ExecutionStatus status;
        String error = null;
        Map<String, Object> result = null;
        Map<String, Object> plain = null;
        Optional<JobTemplate> template = templates.find(execution.templateType());
        try {
            if (template.isEmpty()) {
                throw new IllegalStateException(
                        "template '" + execution.templateType() + "' is not installed on node " + nodeId);
            }
            plain = secrets.reveal(execution.templateType(), execution.parameters());
            EngineJobContext context =
                    new EngineJobContext(execution, plain, run.log, run.deadline, clock, run, services);
            run.log.info(
                    "{} of '{}' started on {} (attempt {})",
                    execution.dryRun() ? "Dry run" : "Run",
                    execution.jobName(),
                    nodeId,
                    execution.attempt());
            JobResult outcome = execution.dryRun()
                    ? services.notificationPreflight.check(
                            execution, template.get().dryRun(context))
                    : template.get().execute(context);
            result = secrets.scrubbed(execution.templateType(), plain, resultDetails(outcome));
            status =
                    outcome.status() == JobResult.Status.SUCCEEDED ? ExecutionStatus.SUCCEEDED : ExecutionStatus.FAILED;
            error = status == ExecutionStatus.FAILED
                    ? secrets.scrubbed(execution.templateType(), plain, outcome.message())
                    : null;
        } catch (JobCancelledException | InterruptedException stopped) {
            status = ExecutionStatus.FAILED;
            error = "interrupted: " + stopped.getMessage();
        } catch (Throwable failure) {
            status = ExecutionStatus.FAILED;
            error = secrets.scrubbed(
                    execution.templateType(), plain, failure.getClass().getSimpleName() + ": " + failure.getMessage());
            run.log.error("failed: {}", error);
        }
        StopReason stop = run.stopRequested();
        if (stop == null && run.deadline != null && !clock.instant().isBefore(run.deadline)) {
            stop = StopReason.TIMED_OUT;
        }
        String reason = null;
        if (stop == StopReason.TIMED_OUT) {
            status = ExecutionStatus.TIMED_OUT;
            error = "timed out after " + execution.timeoutSeconds() + " s";
            reason = "timeout";
        } else if (stop == StopReason.CANCELLED) {
            status = ExecutionStatus.CANCELLED;
            error = null;
            reason = "cancelled";
        } else if (stop == StopReason.LEASE_LOST) {
            status = ExecutionStatus.FAILED;
            error = "node lost: " + nodeId + " could not heartbeat and stopped its runs";
            reason = "node_lost";
        }
        if (stop != null && stop != StopReason.SHUTDOWN) {
            run.log.warn("stopped: {}", status.json() + (error == null ? "" : " (" + error + ")"));
        } else if (status == ExecutionStatus.SUCCEEDED) {
            run.log.info(
                    "succeeded{}", result != null && result.get("message") != null ? ": " + result.get("message") : "");
        }
        if (status == ExecutionStatus.FAILED || status == ExecutionStatus.TIMED_OUT) {
            log.info(
                    "Execution {} of '{}' (attempt {}) ended {}: {}",
                    execution.id(),
                    execution.jobName(),
                    execution.attempt(),
                    status.json(),
                    error);
        }
        Instant completedAt = clock.instant();
        return new Completion(
                execution.id(),
                nodeId,
                status,
                reason,
                completedAt,
                Math.max(0, Duration.between(startedAt, completedAt).toMillis()),
                result,
                error);
    }

    private void finish(RunningExecution run, Completion completion) {
        try {
            if (run.stopRequested() == StopReason.SHUTDOWN) {
                flushLog(run);
                held.remove(run.execution.id());
                transactions.executeWithoutResult(s -> store.handBack(nodeId, List.of(run.execution.id())));
            } else {
                // before the outcome is queued, so the batch that writes the outcome finds its lines
                lastLines.addAll(run.log.drain());
                finished.add(new Finished(run.execution, completion));
                wakeups.outcomesPending();
            }
        } catch (RuntimeException e) {
            log.error("Could not record the end of execution {}", run.execution.id(), e);
        } finally {
            running.remove(run.execution.id());
            inFlight.decrementAndGet();
            wakeups.capacityFreed();
        }
    }

    private static Map<String, Object> resultDetails(JobResult outcome) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", outcome.status().name().toLowerCase(java.util.Locale.ROOT));
        result.put("message", outcome.message());
        result.put("details", outcome.details());
        result.put("records_processed", outcome.recordsProcessed());
        result.put("records_affected", outcome.recordsAffected());
        result.put("warnings", outcome.warnings());
        return result;
    }

    /**
     * Writes the outcomes waiting in the queue, in one batch, after the last log lines of their runs. When the database
     * cannot take them, they go back to the front of the queue for the next attempt: an outcome is never dropped while
     * this node holds its run.
     */
    int writeOutcomes() {
        List<Finished> batch = new ArrayList<>();
        finished.drainTo(batch, 1000);
        if (batch.isEmpty()) {
            return 0;
        }
        List<PendingLine> lines = new ArrayList<>();
        lastLines.drainTo(lines);
        append(lines);
        Outcomes.Written written;
        try {
            written = outcomes.write(batch);
        } catch (RuntimeException e) {
            for (int i = batch.size() - 1; i >= 0; i--) {
                finished.addFirst(batch.get(i));
            }
            throw e;
        }
        batch.forEach(f -> held.remove(f.execution().id()));
        if (!written.followUps().isEmpty()) {
            wakeups.workAvailable();
        }
        return batch.size();
    }

    boolean outcomesWaiting() {
        return !finished.isEmpty();
    }

    /** Waits until every run on this node has ended and its outcome is written. */
    public void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0 || outcomesWaiting()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("runs still going after " + timeout + ": " + running.keySet());
            }
            if (outcomesWaiting()) {
                writeOutcomes();
            } else {
                wakeups.awaitOutcomes(Duration.ofMillis(20));
            }
        }
    }

    /**
     * Stops runs past their deadline or asked to stop (on this node or, through the database, on any), and writes
     * buffered log lines every {@code log-flush-interval}.
     */
    void superviseOnce() {
        Instant now = clock.instant();
        for (RunningExecution run : running.values()) {
            if (run.deadline != null && !now.isBefore(run.deadline)) {
                run.stop(StopReason.TIMED_OUT);
            }
        }
        if (System.nanoTime() - lastLogFlush >= properties.logFlushInterval().toNanos()) {
            flushLogs();
        }
    }

    /** Stops a run here at once, if this node runs it. */
    void cancelLocally(ExecutionId id) {
        RunningExecution run = running.get(id);
        if (run != null) {
            run.stop(StopReason.CANCELLED);
        }
    }

    /** Writes the buffered lines of every run, and those an earlier attempt could not write. */
    void flushLogs() {
        lastLogFlush = System.nanoTime();
        List<PendingLine> lines = new ArrayList<>();
        unwrittenLines.drainTo(lines);
        for (RunningExecution run : running.values()) {
            lines.addAll(run.log.drain());
        }
        append(lines);
    }

    /** Writes what a run handed back logged last, before it goes back to the queue. */
    private void flushLog(RunningExecution run) {
        append(run.log.drain());
    }

    /**
     * Writes log lines. Lines the database cannot take now (it is away) wait for the next flush, up to a bound, so a
     * long outage costs log lines rather than the node's memory; lines it refuses outright are dropped, so one bad
     * line cannot block every later one.
     */
    private void append(List<PendingLine> lines) {
        try {
            store.appendLogs(lines);
        } catch (DataIntegrityViolationException refused) {
            log.error("Dropping {} log line(s) the database refuses: {}", lines.size(), refused.getMessage());
        } catch (RuntimeException e) {
            if (DatabaseAvailability.isConnectionFailure(e)) {
                // the outage itself is logged once, by DatabaseAvailability; this repeats every flush
                log.debug("Could not write {} log line(s) yet: {}", lines.size(), e.getMessage());
            } else {
                log.warn("Could not write {} log line(s) yet: {}", lines.size(), e.getMessage());
            }
            long dropped =
                    lines.stream().filter(line -> !unwrittenLines.offer(line)).count();
            if (dropped > 0) {
                log.warn("Dropped {} log line(s): too many are waiting for the database", dropped);
            }
        }
    }

    /**
     * Proves this node is alive, renews its runs, picks up cancel requests, and recovers the runs of dead nodes. A
     * node that could not heartbeat for most of the dead-node threshold stops its own runs before another node
     * takes them over.
     */
    void heartbeat() {
        if (renewLease()) {
            checkRuns();
        }
    }

    /**
     * Renews this node's lease within the heartbeat timeout (it never waits for the main pool); when it cannot, stops
     * the runs here once the lease is about to expire. True when renewed.
     */
    boolean renewLease() {
        if (!lease.renew()) {
            fenceIfLeaseExpiring(clock.instant());
            return false;
        }
        if (fenced) {
            log.info("Node {} can heartbeat again; claiming work", nodeId);
        }
        fenced = false;
        return true;
    }

    /**
     * What follows a renewed lease: the runs' heartbeat, cancel requests, runs the database gives this node that it
     * does not run, and the runs of dead nodes. On the main pool, so it may wait; the lease does not wait for it.
     */
    void checkRuns() {
        try {
            metrics.cluster(executions.activeCounts());
            transactions.executeWithoutResult(status -> store.heartbeat(nodeId, clock.instant()));
            for (ExecutionId id : store.cancelRequestedOn(nodeId)) {
                cancelLocally(id);
            }
            handBackUnknownRuns(clock.instant());
            recovery.recoverOnce();
        } catch (RuntimeException e) {
            // the lease is renewed; what failed here is retried at the next heartbeat
            if (DatabaseAvailability.isConnectionFailure(e)) {
                log.debug("Node {} could not check its runs: {}", nodeId, e.getMessage());
            } else {
                log.warn("Node {} could not check its runs or recover dead nodes: {}", nodeId, e.getMessage());
            }
        }
    }

    /**
     * Puts back in the queue the runs the database gives this node that it does not run: a claim whose commit
     * reached the database while the answer was lost with the connection (the database restarted, say). Left alone,
     * such a run would stay {@code running} for as long as this node heartbeats.
     */
    void handBackUnknownRuns(Instant now) {
        List<ExecutionId> unknown = new ArrayList<>();
        for (ExecutionId id : store.runningOn(nodeId, now.minus(properties.heartbeatInterval()))) {
            if (!held.contains(id)) {
                unknown.add(id);
            }
        }
        if (!unknown.isEmpty()) {
            log.warn(
                    "Node {} was given {} run(s) it never started; handing them back: {}",
                    nodeId,
                    unknown.size(),
                    unknown);
            transactions.executeWithoutResult(s -> store.handBack(nodeId, unknown));
            wakeups.workAvailable();
        }
    }

    /** Stops the runs here when the lease is about to expire at {@code now} by the clock. */
    void fenceIfLeaseExpiring(Instant now) {
        if (lease.expiringAt(now)) {
            fence();
        }
    }

    /**
     * Stops the runs here when the lease is about to expire by the monotonic clock; the lease watchdog calls it
     * often, apart from the heartbeat, so a heartbeat stuck anywhere cannot delay it.
     */
    void fenceIfLeaseExpiring() {
        if (lease.expiring()) {
            fence();
        }
    }

    private void fence() {
        if (!fenced || !running.isEmpty()) {
            log.warn(
                    "Node {} has not heartbeat since {}: stopping its runs before its lease expires",
                    nodeId,
                    lease.renewedAt());
        }
        fenced = true;
        running.values().forEach(run -> run.stop(StopReason.LEASE_LOST));
    }

    /**
     * Stops claiming, lets running work finish within the grace period, and hands the rest back to the queue so
     * other nodes take it at once.
     */
    void drain(Duration grace) {
        draining = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            wakeups.awaitOutcomes(Duration.ofMillis(50));
            writeOutcomes();
        }
        Collection<RunningExecution> left = List.copyOf(running.values());
        if (!left.isEmpty()) {
            log.info("Handing {} unfinished execution(s) back to the queue", left.size());
            left.forEach(run -> run.stop(StopReason.SHUTDOWN));
        }
        long handBackDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < handBackDeadline) {
            wakeups.awaitOutcomes(Duration.ofMillis(50));
        }
        writeOutcomes();
    }

    /** The run pool; made anew after a shutdown, since a stopped application context may be started again. */
    private synchronized ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(properties.workers(), runnable -> {
                Thread thread = new Thread(
                        runnable, "almanac-run-" + UUID.randomUUID().toString().substring(0, 4));
                thread.setDaemon(true);
                return thread;
            });
        }
        return pool;
    }

    void shutdown() {
        ExecutorService stopping;
        synchronized (this) {
            stopping = pool;
            pool = null;
        }
        if (stopping != null) {
            stopping.shutdownNow();
            try {
                stopping.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        draining = false;
        try {
            transactions.executeWithoutResult(s -> lease.release());
        } catch (RuntimeException e) {
            log.warn("Could not deregister node {}: {}", nodeId, e.getMessage());
        }
    }

    /** How many more runs this node can take now; none while draining or fenced. */
    int freeCapacity() {
        return fenced || draining ? 0 : Math.max(0, properties.workers() - inFlight.get());
    }

    int runningCount() {
        return inFlight.get();
    }

    /** How long ago this node last proved it is alive, by its clock; zero before its first heartbeat. */
    Duration heartbeatAge() {
        Instant last = lease.renewedAt();
        return last == null ? Duration.ZERO : Duration.between(last, clock.instant());
    }

    /** Whether this node stopped claiming because it cannot heartbeat. */
    boolean fenced() {
        return fenced;
    }
}
