package dev.almanac.engine.internal;

import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.engine.internal.store.EngineStore.Claimed;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/** The worker side of this node: claims queued runs up to its free capacity and runs them on a bounded pool. */
@Component
class Workers {

    private final EngineStore store;
    private final TemplateRunner runner;
    private final LocalRuns runs;
    private final OutcomeQueue ends;
    private final EngineMetrics metrics;
    private final EngineSettings settings;

    private ExecutorService pool;

    Workers(
            EngineStore store,
            TemplateRunner runner,
            LocalRuns runs,
            OutcomeQueue ends,
            EngineMetrics metrics,
            EngineSettings settings) {
        this.store = store;
        this.runner = runner;
        this.runs = runs;
        this.ends = ends;
        this.metrics = metrics;
        this.settings = settings;
    }

    /** Claims queued executions that are due, up to the free capacity, and starts them on the pool. */
    List<ExecutionId> startDue() {
        int free = runs.freeCapacity();
        if (free == 0) {
            return List.of();
        }
        Instant[] startedAt = new Instant[1];
        List<Claimed> claimed = settings.transactions().execute(status -> {
            // read once the transaction has its connection, so a run waiting for the database starts when it starts
            startedAt[0] = settings.clock().instant();
            return store.claimRuns(settings.nodeId(), startedAt[0], free);
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
        EngineProperties properties = settings.properties();
        Instant deadline = execution.timeoutSeconds() == null ? null : now.plusSeconds(execution.timeoutSeconds());
        ExecutionLog log = new ExecutionLog(
                execution.id(), settings.clock(), properties.maxLogLines(), properties.maxLogBytes(), lastSeq);
        RunningExecution run = new RunningExecution(execution, log, deadline);
        runs.started(run);
        pool().execute(() -> {
            run.attach(Thread.currentThread());
            MDC.put("job_id", execution.jobId().toString());
            MDC.put("job_name", execution.jobName());
            MDC.put("execution_id", execution.id().toString());
            try {
                ends.ended(run, runner.run(run, now));
            } finally {
                MDC.clear();
                run.detach();
            }
        });
    }

    /** Stops the runs here past their deadline. */
    void stopOverdue() {
        runs.stopOverdue(settings.clock().instant());
    }

    /** The run pool; made anew after a shutdown, since a stopped application context may be started again. */
    private synchronized ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(settings.properties().workers(), runnable -> {
                Thread thread = new Thread(
                        runnable, "almanac-run-" + UUID.randomUUID().toString().substring(0, 4));
                thread.setDaemon(true);
                return thread;
            });
        }
        return pool;
    }

    void shutdownPool() {
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
    }
}
