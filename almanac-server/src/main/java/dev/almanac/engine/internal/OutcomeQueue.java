package dev.almanac.engine.internal;

import dev.almanac.engine.internal.Outcomes.Finished;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.engine.internal.store.EngineStore.Completion;
import dev.almanac.engine.internal.store.EngineStore.PendingLine;
import dev.almanac.execution.ExecutionId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;

/**
 * The ends of this node's runs, on their way to the database: outcomes wait here and are written in batches, in one
 * transaction with the runs' last log lines; a run stopped by a shutdown goes back to the queue instead. An outcome is never dropped
 * while this node holds its run: when the database cannot take a batch, it waits for the next attempt.
 */
@Component
class OutcomeQueue {

    private static final Logger log = LoggerFactory.getLogger(OutcomeQueue.class);

    private final Outcomes outcomes;
    private final LogBuffer logs;
    private final EngineStore store;
    private final LocalRuns runs;
    private final Wakeups wakeups;
    private final EngineSettings settings;

    private final BlockingDeque<Finished> finished = new LinkedBlockingDeque<>();

    OutcomeQueue(
            Outcomes outcomes,
            LogBuffer logs,
            EngineStore store,
            LocalRuns runs,
            Wakeups wakeups,
            EngineSettings settings) {
        this.outcomes = outcomes;
        this.logs = logs;
        this.store = store;
        this.runs = runs;
        this.wakeups = wakeups;
        this.settings = settings;
    }

    /** A run's thread is done with it: its outcome waits for the next batch, or a stopped run goes back. */
    void ended(RunningExecution run, Completion completion) {
        try {
            if (run.stopRequested() == RunningExecution.StopReason.SHUTDOWN) {
                handBack(run);
            } else {
                // before the outcome is queued, so the batch that writes the outcome finds its lines
                logs.keepLastLines(run);
                finished.add(new Finished(run.execution, completion));
                wakeups.outcomesPending();
            }
        } catch (RuntimeException e) {
            log.error("Could not record the end of execution {}", run.execution.id(), e);
        } finally {
            runs.ended(run);
        }
    }

    private void handBack(RunningExecution run) {
        // the history says why the run starts again, on this attempt, with a new start time
        run.log.warn(
                "stopped: node {} is stopping; the run goes back to the queue and starts again on a node, on the"
                        + " same attempt",
                settings.nodeId());
        logs.writeNow(run);
        ExecutionId id = run.execution.id();
        log.info("Execution {} goes back to the queue: node {} is stopping", id, settings.nodeId());
        try {
            settings.transactions().executeWithoutResult(s -> store.handBack(settings.nodeId(), List.of(id)));
        } finally {
            // after the hand-back's commit: released before it, the run checks could find the run still running here
            // and hand it back a second time, warning of a run this node never started; released after a failed
            // hand-back, the next run check finds it running here, not held, and hands it back then
            runs.released(id);
        }
    }

    /** Writes the outcomes waiting, in one batch; returns how many. */
    int write() {
        List<Finished> batch = new ArrayList<>();
        finished.drainTo(batch, 1000);
        if (batch.isEmpty()) {
            return 0;
        }
        // in the outcomes' transaction: one commit for the batch, and its runs' lines appear with their outcomes
        List<PendingLine> lines = logs.takeLastLines();
        Outcomes.Written written;
        try {
            try {
                written = outcomes.write(batch, lines);
            } catch (DataIntegrityViolationException refused) {
                // a line the database refuses (its run deleted meanwhile) must not hold the outcomes back
                logs.writeApart(lines);
                lines = List.of();
                written = outcomes.write(batch, lines);
            }
        } catch (RuntimeException e) {
            logs.returnLastLines(lines);
            for (int i = batch.size() - 1; i >= 0; i--) {
                finished.addFirst(batch.get(i));
            }
            throw e;
        }
        batch.forEach(f -> runs.released(f.execution().id()));
        // a retry or a follow-up queued; or, where a namespace has a runs_at_once quota, a slot freed that a queued run
        // of its namespace was held back for (before, that run waited for the next poll)
        if (!written.followUps().isEmpty() || store.runQuotasInUse()) {
            wakeups.workAvailable();
        }
        return batch.size();
    }

    boolean waiting() {
        return !finished.isEmpty();
    }

    /** Waits until an outcome waits, or {@code timeout} passed. */
    void await(Duration timeout) {
        wakeups.awaitOutcomes(timeout);
    }

    /** Waits until every run on this node has ended and its outcome is written. */
    void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (runs.busy() > 0 || waiting()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("runs still going after " + timeout + ": " + runs.runningIds());
            }
            if (waiting()) {
                write();
            } else {
                await(Duration.ofMillis(20));
            }
        }
    }
}
