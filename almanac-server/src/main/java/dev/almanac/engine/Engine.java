package dev.almanac.engine;

import dev.almanac.engine.Outcomes.Finished;
import dev.almanac.engine.RunningExecution.StopReason;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionLogRepository;
import dev.almanac.execution.ExecutionLogRepository.PendingLine;
import dev.almanac.execution.ExecutionRepository;
import dev.almanac.execution.ExecutionRepository.Completion;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.template.JobCancelledException;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.TemplateRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
    private final ExecutionLogRepository logs;
    private final NodeRepository nodes;
    private final TemplateRegistry templates;
    private final TransactionTemplate transactions;
    private final EngineProperties properties;
    private final Clock clock;
    private final Wakeups wakeups;
    private final Timer lateness;
    private final JobServices services;

    private final String nodeId;
    private final String host;
    private ExecutorService pool;
    private final Map<ExecutionId, RunningExecution> running = new ConcurrentHashMap<>();
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Instant lastHeartbeat;
    private volatile boolean claiming = true;

    Engine(
            TriggerPass triggers,
            Outcomes outcomes,
            ExecutionRepository executions,
            ExecutionLogRepository logs,
            NodeRepository nodes,
            TemplateRegistry templates,
            TransactionTemplate transactions,
            EngineProperties properties,
            Clock clock,
            Wakeups wakeups,
            MeterRegistry meters,
            JobServices services) {
        this.triggers = triggers;
        this.outcomes = outcomes;
        this.executions = executions;
        this.logs = logs;
        this.nodes = nodes;
        this.templates = templates;
        this.transactions = transactions;
        this.properties = properties;
        this.clock = clock;
        this.wakeups = wakeups;
        this.services = services;
        this.host = hostName();
        this.nodeId = properties.nodeId() != null && !properties.nodeId().isBlank()
                ? properties.nodeId()
                : host + "-" + ProcessHandle.current().pid() + "-"
                        + UUID.randomUUID().toString().substring(0, 8);
        this.pool = Executors.newFixedThreadPool(properties.workers(), runnable -> {
            Thread thread = new Thread(
                    runnable, "almanac-run-" + UUID.randomUUID().toString().substring(0, 4));
            thread.setDaemon(true);
            return thread;
        });
        this.lateness = Timer.builder("almanac.execution.lateness")
                .description("From the time an execution was due to the time it started")
                .publishPercentiles(0.5, 0.95, 0.99)
                .register(meters);
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
        TriggerPass.Result result = triggers.run(clock.instant());
        if (result.queued() > 0) {
            wakeups.workAvailable();
        }
        return result;
    }

    /** Claims queued executions that are due, up to the free capacity, and starts them on the pool. */
    List<ExecutionId> startDue() {
        int free = properties.workers() - inFlight.get();
        if (!claiming || free <= 0) {
            return List.of();
        }
        Instant now = clock.instant();
        List<Execution> claimed = transactions.execute(status -> executions.claimQueued(now, free, nodeId));
        List<ExecutionId> ids = new ArrayList<>(claimed.size());
        for (Execution execution : claimed) {
            Instant due = execution.scheduledFor() != null && execution.attempt() == 1
                    ? execution.scheduledFor()
                    : execution.runAfter();
            lateness.record(Duration.between(due, now).isNegative() ? Duration.ZERO : Duration.between(due, now));
            start(execution, now);
            ids.add(execution.id());
        }
        return ids;
    }

    private void start(Execution execution, Instant now) {
        Instant deadline = execution.timeoutSeconds() == null ? null : now.plusSeconds(execution.timeoutSeconds());
        ExecutionLog executionLog =
                new ExecutionLog(execution.id(), clock, properties.maxLogLines(), properties.maxLogBytes());
        RunningExecution run = new RunningExecution(execution, executionLog, deadline);
        running.put(execution.id(), run);
        inFlight.incrementAndGet();
        pool().execute(() -> {
            run.attach(Thread.currentThread());
            try {
                finish(run, execute(run, now));
            } finally {
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
        Optional<JobTemplate> template = templates.find(execution.templateType());
        try {
            if (template.isEmpty()) {
                throw new IllegalStateException(
                        "template '" + execution.templateType() + "' is not installed on node " + nodeId);
            }
            EngineJobContext context = new EngineJobContext(execution, run.log, run.deadline, clock, run, services);
            run.log.info(
                    "{} of '{}' started on {} (attempt {})",
                    execution.dryRun() ? "Dry run" : "Run",
                    execution.jobName(),
                    nodeId,
                    execution.attempt());
            JobResult outcome = execution.dryRun()
                    ? template.get().dryRun(context)
                    : template.get().execute(context);
            result = resultDetails(outcome);
            status =
                    outcome.status() == JobResult.Status.SUCCEEDED ? ExecutionStatus.SUCCEEDED : ExecutionStatus.FAILED;
            error = status == ExecutionStatus.FAILED ? outcome.message() : null;
        } catch (JobCancelledException | InterruptedException stopped) {
            status = ExecutionStatus.FAILED;
            error = "interrupted: " + stopped.getMessage();
        } catch (Throwable failure) {
            status = ExecutionStatus.FAILED;
            error = failure.getClass().getSimpleName() + ": " + failure.getMessage();
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
                transactions.executeWithoutResult(s -> executions.handBack(List.of(run.execution.id()), nodeId));
            } else {
                flushLog(run);
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

    /** Writes the outcomes waiting in the queue, in one batch. */
    int writeOutcomes() {
        List<Finished> batch = new ArrayList<>();
        finished.drainTo(batch, 1000);
        if (batch.isEmpty()) {
            return 0;
        }
        Outcomes.Written written = outcomes.write(batch, clock.instant());
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
     * buffered log lines.
     */
    void superviseOnce() {
        Instant now = clock.instant();
        for (RunningExecution run : running.values()) {
            if (run.deadline != null && !now.isBefore(run.deadline)) {
                run.stop(StopReason.TIMED_OUT);
            }
        }
        flushLogs();
    }

    /** Stops a run here at once, if this node runs it. */
    void cancelLocally(ExecutionId id) {
        RunningExecution run = running.get(id);
        if (run != null) {
            run.stop(StopReason.CANCELLED);
        }
    }

    void flushLogs() {
        List<PendingLine> lines = new ArrayList<>();
        for (RunningExecution run : running.values()) {
            lines.addAll(run.log.drain());
        }
        logs.append(lines);
    }

    private void flushLog(RunningExecution run) {
        logs.append(run.log.drain());
    }

    /**
     * Proves this node is alive, renews its runs, picks up cancel requests, and recovers the runs of dead nodes. A
     * node that could not heartbeat for most of the dead-node threshold stops its own runs before another node
     * takes them over.
     */
    void heartbeat() {
        Instant now = clock.instant();
        try {
            transactions.executeWithoutResult(status -> {
                nodes.heartbeat(nodeId, host, now);
                executions.heartbeatRunning(nodeId, now);
            });
            lastHeartbeat = now;
            if (!claiming && properties.enabled()) {
                log.info("Node {} can heartbeat again; claiming work", nodeId);
            }
            claiming = true;
            for (ExecutionId id : executions.cancelRequestedOn(nodeId)) {
                cancelLocally(id);
            }
            recoverDeadNodes(now);
        } catch (RuntimeException unreachable) {
            log.warn("Node {} could not heartbeat: {}", nodeId, unreachable.getMessage());
            fenceIfLeaseExpiring(now);
        }
    }

    void fenceIfLeaseExpiring(Instant now) {
        Duration safeMargin = properties.deadNodeThreshold().multipliedBy(2).dividedBy(3);
        if (lastHeartbeat != null && Duration.between(lastHeartbeat, now).compareTo(safeMargin) >= 0) {
            if (claiming || !running.isEmpty()) {
                log.warn(
                        "Node {} has not heartbeat since {}: stopping its runs before its lease expires",
                        nodeId,
                        lastHeartbeat);
            }
            claiming = false;
            running.values().forEach(run -> run.stop(StopReason.LEASE_LOST));
        }
    }

    /** Fails the runs of nodes that stopped heartbeating ("node lost"), which retries them per their policy. */
    int recoverDeadNodes(Instant now) {
        Instant deadBefore = now.minus(properties.deadNodeThreshold());
        List<Finished> lost = transactions.execute(status -> {
            List<Finished> batch = new ArrayList<>();
            for (Execution orphan : executions.lockOrphaned(deadBefore, 500)) {
                Instant started = orphan.startedAt() == null ? now : orphan.startedAt();
                batch.add(new Finished(
                        orphan,
                        new Completion(
                                orphan.id(),
                                orphan.executionHost(),
                                ExecutionStatus.FAILED,
                                "node_lost",
                                now,
                                Math.max(0, Duration.between(started, now).toMillis()),
                                null,
                                "node lost: " + orphan.executionHost() + " stopped heartbeating")));
            }
            return batch;
        });
        if (lost.isEmpty()) {
            return 0;
        }
        log.warn("Recovering {} execution(s) of dead nodes", lost.size());
        Outcomes.Written written = outcomes.write(lost, now);
        if (!written.followUps().isEmpty()) {
            wakeups.workAvailable();
        }
        transactions.executeWithoutResult(s -> nodes.forgetDead(deadBefore.minus(properties.deadNodeThreshold())));
        return lost.size();
    }

    /**
     * Stops claiming, lets running work finish within the grace period, and hands the rest back to the queue so
     * other nodes take it at once.
     */
    void drain(Duration grace) {
        claiming = false;
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
        claiming = true;
        try {
            transactions.executeWithoutResult(s -> nodes.remove(nodeId));
        } catch (RuntimeException e) {
            log.warn("Could not deregister node {}: {}", nodeId, e.getMessage());
        }
    }

    int runningCount() {
        return inFlight.get();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
