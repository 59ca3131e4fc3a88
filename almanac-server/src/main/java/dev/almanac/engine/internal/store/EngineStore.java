package dev.almanac.engine.internal.store;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.LogLine;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the engine reads and writes in the database, named by operation (ARCHITECTURE §4): the trigger loop's
 * jobs and new runs, the worker loop's claims and outcomes, log lines, and what a node holds. One implementation per
 * database ({@link H2EngineStore}, {@link PostgresEngineStore}); the store never reads the clock, and every write that
 * depends on the state it found says so in its WHERE clause, so a write that lost a race changes nothing. Callers
 * hold the transaction.
 */
public interface EngineStore {

    /** A run claimed for a node, with the last line its log already has (0 when none). */
    record Claimed(Execution execution, int lastLogSeq) {}

    /** An outcome a node writes for a run it holds. */
    record Completion(
            ExecutionId id,
            String node,
            ExecutionStatus status,
            String reason,
            Instant completedAt,
            long durationMs,
            Map<String, Object> result,
            String error) {}

    /** A job after a trigger pass: its next run (null: none), and the last slot the pass enqueued (null: none). */
    record JobAdvance(JobId job, Instant nextRun, Instant lastSlot) {}

    /** The outcome of a job's latest run, as its list entry shows it. */
    record JobOutcome(JobId job, Instant ranAt, String status) {}

    /** A line bound for one execution's log. */
    record PendingLine(ExecutionId execution, LogLine line) {}

    // the trigger loop

    /**
     * Locks up to {@code limit} enabled jobs due by {@code now}, oldest due first, skipping rows another node holds.
     * Tags and dependencies are not read: triggering does not need them.
     */
    List<Job> claimDueJobs(Instant now, int limit);

    /**
     * Sets the next run of each job and raises its slot watermark to the last slot enqueued; the definition's
     * version is left alone.
     */
    void advanceJobs(Collection<JobAdvance> advances);

    /**
     * Writes new executions (queued, or skipped with a reason); returns those written. A scheduled slot is not written
     * when its job's watermark is at or after it (it was enqueued before, whether or not its history is still there),
     * nor when an execution has its slot key (unique): the database refuses a second run of a slot.
     */
    List<Execution> enqueue(List<Execution> executions);

    /**
     * The jobs among {@code jobs} with a queued or running execution that a new slot of theirs overlaps (their
     * concurrency policy): any run but a backfill's and the retries of those, which leave the schedule's slots alone.
     */
    Set<JobId> withOverlappingRuns(Collection<JobId> jobs);

    /** The queued and running executions of one job that a new slot of its overlaps ({@link #withOverlappingRuns}). */
    List<Execution> overlappingRunsOf(JobId job);

    /**
     * Holds the job's row until the transaction ends, waiting while another transaction holds it: a trigger pass holds
     * the rows of the jobs it writes runs for, so a run started for the job from elsewhere (another job's outcome, on
     * any node) reads its overlapping runs after what that pass wrote is committed, not beside it.
     */
    void lockJob(JobId job);

    /** Cancels a run that has not started; false when it is no longer queued. */
    boolean cancelQueued(ExecutionId id, String reason, Instant now);

    /** Cancels every queued run of a job; returns how many. */
    int cancelQueuedOfJob(JobId job, String reason, Instant now);

    /**
     * Gives the queued runs of a job its priority as it is now, so an edit of the priority reorders the runs waiting
     * for a worker; returns how many changed.
     */
    int followPriority(JobId job);

    /**
     * Asks the node running an execution to stop it, saying why ({@code replaced}; null: someone cancelled it); false
     * when it is not running.
     */
    boolean requestCancel(ExecutionId id, String reason);

    /**
     * Cancels a run a newer one replaces: at once when it is queued, by asking its node when it runs; either way it
     * ends {@code cancelled} with reason {@code replaced}. True when it was queued and is cancelled now.
     */
    default boolean replace(ExecutionId id, Instant now) {
        if (cancelQueued(id, REPLACED, now)) {
            return true;
        }
        requestCancel(id, REPLACED);
        return false;
    }

    /** The reason of a run cancelled because a newer one of its job replaced it. */
    String REPLACED = "replaced";

    /** The reason of a run failed because its node stopped it or died: it lost its lease on the database. */
    String NODE_LOST = "node_lost";

    /** When the earliest queued run no node holds is due, if any (another node's claimed-ahead runs are its own). */
    Optional<Instant> earliestQueued();

    /**
     * Whether runs written now may be written as running and start without a claim: no queued run that no node holds
     * is due by {@code now} (a claim takes those first), and no namespace has a runs_at_once quota (only a claim keeps
     * one).
     */
    boolean mayStartAsWritten(Instant now);

    // the worker loop

    /**
     * Claims for {@code node} up to {@code start + ahead} queued runs due by {@code now} that no node holds, highest
     * priority first, then earliest due. The first {@code start} are marked running (they start at once, one write);
     * the others are claimed ahead: still {@code queued}, with {@code node} as their host and {@code now} in their
     * heartbeat, until {@link #startClaimed} starts them or they are handed back. Returned in claim order; a started
     * one's execution says {@code running}.
     */
    List<Claimed> claimRuns(String node, Instant now, int start, int ahead);

    /**
     * Whether a namespace's runs_at_once quota may hold queued runs back, so that a run ending may let one be claimed:
     * false while the last claim found no namespace with one and no namespace changed since.
     */
    boolean runQuotasInUse();

    /** Claims up to {@code limit} queued runs and marks them all running (no claim ahead). */
    default List<Claimed> claimRuns(String node, Instant now, int limit) {
        return claimRuns(node, now, limit, 0);
    }

    /**
     * Starts runs {@code node} claimed ahead: marks them running at {@code now}, their attempt unchanged. Returns
     * those it started; a run cancelled meanwhile, or taken back from the node, is not.
     */
    Set<ExecutionId> startClaimed(String node, Collection<ExecutionId> runs, Instant now);

    /** Writes outcomes in one batch; returns the ids whose outcome was accepted (the node still held the run). */
    Set<ExecutionId> complete(List<Completion> batch);

    /** Records the outcome of each job's latest run; an older outcome arriving later leaves a newer one. */
    void recordJobOutcomes(List<JobOutcome> outcomes);

    /** Appends log lines. */
    void appendLogs(List<PendingLine> lines);

    /** Appends one line after the last of an ended run's log: a note on what followed from the run. */
    void appendLine(ExecutionId execution, Instant at, String level, String message);

    // what a node holds

    /** Marks the runs of {@code node} as alive at {@code now}. */
    void heartbeat(String node, Instant now);

    /** The runs on {@code node} someone asked to cancel, with why (null: someone cancelled it). */
    List<CancelRequest> cancelRequestedOn(String node);

    /** A request to stop a run: {@code reason} is {@link #REPLACED}, or null when someone cancelled it. */
    record CancelRequest(ExecutionId id, String reason) {}

    /**
     * The runs the database says {@code node} holds, claimed before {@code claimedBefore}: running, or claimed ahead
     * and not started.
     */
    List<ExecutionId> heldBy(String node, Instant claimedBefore);

    /**
     * Puts runs {@code node} holds (running, or claimed ahead) back in the queue with no node, for another node to
     * take at once; no attempt is spent. Returns how many.
     */
    int handBack(String node, Collection<ExecutionId> runs);

    /**
     * Puts back in the queue the runs claimed ahead (never started) by nodes that stopped heartbeating before
     * {@code deadBefore}: no node, the same attempt, no outcome. Returns how many.
     */
    int releaseClaimedOfDeadNodes(Instant deadBefore);

    /** Locks up to {@code limit} running executions whose node stopped heartbeating before {@code deadBefore}. */
    List<Execution> lockLost(Instant deadBefore, int limit);

    /**
     * Locks up to {@code limit} executions {@code node} holds as running that started before {@code startedBefore}:
     * those an earlier process under the same node id started, when the node restarted before another saw it die.
     */
    List<Execution> lockStartedBefore(String node, Instant startedBefore, int limit);

    /**
     * A namespace was created, changed or deleted, here or on another node: whether any has a {@code runs_at_once}
     * quota is read again at the next claim.
     */
    void namespacesChanged();
}
