package dev.almanac.engine.internal;

import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.engine.internal.store.EngineStore.Claimed;
import dev.almanac.engine.internal.store.EngineStore.Completion;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * The worker side of this node: claims queued runs and runs them on a bounded pool. A claim takes what the free
 * workers start at once plus up to {@code claim-ahead} more, which stay queued on this node (in {@link #ahead}, in
 * claim order: priority, then due time) until a worker frees; they start from there with one write by their ids, and
 * the queue is claimed again when the buffer is half empty. A run that waited here longer than
 * {@code claim-ahead-max-wait} goes back to the queue, and a stopping node hands its buffer back first.
 */
@Component
class Workers {

    private static final Logger log = LoggerFactory.getLogger(Workers.class);

    private final EngineStore store;
    private final TemplateRunner runner;
    private final LocalRuns runs;
    private final OutcomeQueue ends;
    private final EngineMetrics metrics;
    private final EngineSettings settings;

    private ExecutorService pool;

    /** A run claimed ahead, not started: queued on this node since {@code claimedAt}. */
    private record Ahead(Claimed claim, Instant claimedAt) {}

    /** The runs claimed ahead, in claim order; guarded by itself. */
    private final Map<ExecutionId, Ahead> ahead = new LinkedHashMap<>();

    /** Whether the last claim found fewer queued runs due than it asked for: the queue had none left then. */
    private volatile boolean claimedAllDue;

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

    /**
     * Starts runs up to the free capacity: first those claimed ahead, then newly claimed ones, and tops the buffer up
     * in the same claim. Returns the runs it started.
     */
    List<ExecutionId> startDue() {
        int free = runs.reserve(settings.properties().workers(), false);
        if (free == 0) {
            return List.of();
        }
        List<ExecutionId> started = new ArrayList<>(free);
        try {
            claimAndStart(free, started);
            return started;
        } finally {
            runs.unreserve(free - started.size(), false);
        }
    }

    /** {@link #startDue} on {@code free} workers reserved for it; adds each run to {@code started} as it starts. */
    private void claimAndStart(int free, List<ExecutionId> started) {
        String node = settings.nodeId();
        int buffer = settings.properties().claimAheadBuffer();
        List<Ahead> fromBuffer = new ArrayList<>();
        Instant[] startedAt = new Instant[1];
        Set<ExecutionId> startedFromBuffer = new HashSet<>();
        List<Claimed> claimed;
        try {
            claimed = settings.transactions().execute(status -> {
                // read once the transaction has its connection, so a run waiting for the database starts when it starts
                startedAt[0] = settings.clock().instant();
                // buffered runs first; one cancelled or taken back meanwhile leaves its worker to the next
                List<Ahead> next;
                while (startedFromBuffer.size() < free
                        && !(next = takeAhead(free - startedFromBuffer.size())).isEmpty()) {
                    fromBuffer.addAll(next);
                    startedFromBuffer.addAll(store.startClaimed(
                            node,
                            next.stream().map(a -> a.claim().execution().id()).toList(),
                            startedAt[0]));
                }
                int stillFree = free - startedFromBuffer.size();
                int left = claimedAhead();
                // claim again once workers are left without a buffered run, or the buffer is half empty
                boolean refill = stillFree > 0 || left * 2 <= buffer;
                int asked = refill ? stillFree + Math.max(0, buffer - left) : 0;
                List<Claimed> got =
                        asked > 0 ? store.claimRuns(node, startedAt[0], stillFree, asked - stillFree) : List.of();
                claimedAllDue = asked > 0 && got.size() < asked;
                return got;
            });
        } catch (RuntimeException e) {
            putBack(fromBuffer); // still queued on this node: they start next time, or are handed back
            throw e;
        }
        Instant now = startedAt[0];
        List<Claimed> starting = new ArrayList<>();
        for (Ahead run : fromBuffer) {
            Execution execution = run.claim().execution();
            if (startedFromBuffer.contains(execution.id())) {
                // the start time as the database keeps it
                starting.add(new Claimed(
                        execution.startedOn(node, now.truncatedTo(ChronoUnit.MICROS)),
                        run.claim().lastLogSeq()));
            } else {
                runs.released(execution.id()); // cancelled while it waited, or taken back from this node
            }
        }
        for (Claimed claim : claimed) {
            if (claim.execution().status() == ExecutionStatus.RUNNING) {
                starting.add(claim);
            } else {
                runs.holding(claim.execution().id());
                synchronized (ahead) {
                    ahead.put(claim.execution().id(), new Ahead(claim, now));
                }
            }
        }
        if (!claimed.isEmpty()) {
            metrics.claimed(claimed.size());
        }
        runs.afterClaim(!freedWorkerFindsNothing());
        for (Claimed claim : starting) {
            Execution execution = claim.execution();
            metrics.started(Duration.between(execution.dueAt(), now));
            start(execution, now, claim.lastLogSeq(), started, false);
        }
    }

    /**
     * Reserves up to {@code wanted} workers for runs a trigger pass writes as running and starts without a claim
     * ({@link #startWritten}); none on a node without the worker role or one that claims ahead. A pass that reserved
     * gives back what it did not start ({@link #releaseUnwritten}).
     */
    int reserveForWritten(int wanted) {
        return mayStartWritten() ? runs.reserve(wanted, true) : 0;
    }

    /**
     * Whether {@link #reserveForWritten} may find a worker now: a check that costs nothing, before one that reads. Not
     * on a node that claims ahead: its runs start in claim order from its buffer.
     */
    boolean mayStartWritten() {
        EngineProperties properties = settings.properties();
        return properties.roles().contains(EngineProperties.Role.WORKER)
                && properties.claimAheadBuffer() == 0
                && runs.freeCapacity() > 0;
    }

    /**
     * Starts the runs a trigger pass wrote as running on this node, on the {@code reserved} workers it took for them,
     * once its transaction committed; gives back the workers of runs it did not write (a slot another node wrote
     * first).
     */
    List<ExecutionId> startWritten(List<Execution> written, int reserved, Instant now) {
        List<ExecutionId> started = new ArrayList<>(written.size());
        try {
            for (Execution execution : written) {
                metrics.started(Duration.between(execution.dueAt(), now));
                start(execution, now, 0, started, true);
            }
        } finally {
            runs.unreserve(reserved - started.size(), true);
        }
        return started;
    }

    /** Gives back the workers a trigger pass reserved and did not use: its transaction failed. */
    void releaseUnwritten(int reserved) {
        runs.unreserve(reserved, true);
    }

    /** Runs were queued: a worker here may take them at once. */
    void queued() {
        runs.queued();
    }

    /** Starts a run on a reserved worker, and adds it to {@code started} once it holds the worker. */
    private void start(
            Execution execution, Instant now, int lastSeq, List<ExecutionId> started, boolean byTriggerPass) {
        EngineProperties properties = settings.properties();
        Instant deadline = execution.timeoutSeconds() == null ? null : now.plusSeconds(execution.timeoutSeconds());
        ExecutionLog log = new ExecutionLog(
                execution.id(), settings.clock(), properties.maxLogLines(), properties.maxLogBytes(), lastSeq);
        RunningExecution run = new RunningExecution(execution, log, deadline);
        runs.started(run, byTriggerPass);
        started.add(execution.id());
        pool().execute(() -> {
            run.attach(Thread.currentThread());
            MDC.put("job_id", execution.jobId().toString());
            MDC.put("job_name", execution.jobName());
            MDC.put("execution_id", execution.id().toString());
            try {
                Completion completion;
                try {
                    completion = runner.run(run, now);
                } finally {
                    // clears the interrupt a stop left on this thread (a template that ended by checking its stop
                    // leaves it set); the outcome or the hand-back is written from this thread, and an interrupted
                    // thread cannot wait for a pooled connection and breaks file-based H2's I/O
                    run.detach();
                }
                ends.ended(run, completion);
            } finally {
                MDC.clear();
            }
        });
    }

    /** Takes up to {@code limit} runs claimed ahead out of the buffer, in claim order. */
    private List<Ahead> takeAhead(int limit) {
        synchronized (ahead) {
            List<Ahead> taken = new ArrayList<>(Math.min(limit, ahead.size()));
            Iterator<Ahead> it = ahead.values().iterator();
            while (it.hasNext() && taken.size() < limit) {
                taken.add(it.next());
                it.remove();
            }
            return taken;
        }
    }

    private void putBack(List<Ahead> taken) {
        synchronized (ahead) {
            Map<ExecutionId, Ahead> rest = new LinkedHashMap<>(ahead);
            ahead.clear();
            taken.forEach(a -> ahead.put(a.claim().execution().id(), a));
            ahead.putAll(rest);
        }
    }

    /**
     * Whether the last claim took every queued run that was due and no node held (it found fewer than it asked for).
     * Claiming again at once would find none but those queued since, which wake the worker loop anyway.
     */
    boolean claimedAllDue() {
        return claimedAllDue;
    }

    /**
     * Whether a worker freeing up would find nothing to claim: the last claim took every due run, none waits here
     * claimed ahead, and no namespace's runs_at_once quota may be holding runs back that a run ending lets go.
     */
    private boolean freedWorkerFindsNothing() {
        return claimedAllDue && claimedAhead() == 0 && !store.runQuotasInUse();
    }

    /** How many runs this node holds claimed ahead, not started. */
    int claimedAhead() {
        synchronized (ahead) {
            return ahead.size();
        }
    }

    /**
     * Hands back to the queue the runs that waited here longer than {@code claim-ahead-max-wait} (the workers are
     * stuck), so another node may start them; returns how many.
     */
    int handBackWaiting() {
        Instant waitedSince =
                settings.clock().instant().minus(settings.properties().claimAheadMaxWait());
        List<Ahead> stale = new ArrayList<>();
        synchronized (ahead) {
            Iterator<Ahead> it = ahead.values().iterator();
            while (it.hasNext()) {
                Ahead run = it.next();
                if (run.claimedAt().isBefore(waitedSince)) {
                    stale.add(run);
                    it.remove();
                }
            }
        }
        return handBack(stale, "waited longer than almanac.engine.claim-ahead-max-wait for a worker");
    }

    /** Hands every run claimed ahead back to the queue (the node is stopping); returns how many. */
    int handBackAhead() {
        return handBack(takeAhead(Integer.MAX_VALUE), "the node is stopping");
    }

    private int handBack(List<Ahead> back, String why) {
        if (back.isEmpty()) {
            return 0;
        }
        List<ExecutionId> ids =
                back.stream().map(a -> a.claim().execution().id()).toList();
        try {
            settings.transactions().executeWithoutResult(s -> store.handBack(settings.nodeId(), ids));
        } catch (RuntimeException e) {
            putBack(back);
            throw e;
        }
        ids.forEach(runs::released);
        log.debug("Handed {} run(s) claimed ahead back to the queue: {}", ids.size(), why);
        runs.handedBack();
        return ids.size();
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
