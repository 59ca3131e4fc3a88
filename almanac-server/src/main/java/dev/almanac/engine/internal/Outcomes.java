package dev.almanac.engine.internal;

import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.engine.internal.store.EngineStore.Completion;
import dev.almanac.engine.internal.store.EngineStore.JobOutcome;
import dev.almanac.engine.internal.store.EngineStore.PendingLine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionFinished;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.SkipReason;
import dev.almanac.job.ConcurrencyPolicy;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobScheduling;
import dev.almanac.job.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes how runs ended, in one transaction per batch with their last log lines, with what follows from each: the next attempt of a failed
 * run, the runs of jobs that wait for a successful one, and the job's last status.
 */
@Component
class Outcomes {

    private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

    /** A run that ended, with the execution as it was claimed. */
    record Finished(Execution execution, Completion completion) {}

    /** What a batch led to: the follow-up executions queued, and the events to publish. */
    record Written(List<Execution> followUps, int refused) {}

    private final EngineStore store;
    private final JobScheduling jobs;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;
    private final EngineProperties properties;
    private final EngineMetrics metrics;
    private final Clock clock;
    private final TimeBlocks timeBlocks;

    Outcomes(
            EngineStore store,
            JobScheduling jobs,
            ApplicationEventPublisher events,
            EngineMetrics metrics,
            EngineSettings settings,
            TimeBlocks timeBlocks) {
        this.timeBlocks = timeBlocks;
        this.store = store;
        this.jobs = jobs;
        this.events = events;
        this.metrics = metrics;
        this.clock = settings.clock();
        this.transactions = settings.transactions();
        this.properties = settings.properties();
    }

    /**
     * Writes a batch of outcomes. The time its follow-ups are queued at is read once the transaction has its
     * connection: outcomes that waited for the database (an outage) are written with the time they were written.
     */
    Written write(List<Finished> batch) {
        return write(batch, List.of());
    }

    /** The same, with the last log lines of the batch's runs written first, in the same transaction. */
    Written write(List<Finished> reported, List<PendingLine> lines) {
        if (reported.isEmpty()) {
            return new Written(List.of(), 0);
        }
        List<ExecutionFinished> finished = new ArrayList<>();
        List<Runnable> measured = new ArrayList<>();
        Written written = transactions.execute(status -> {
            Instant now = clock.instant();
            store.appendLogs(lines);
            List<Finished> batch = withLateCancels(reported);
            Set<ExecutionId> accepted =
                    store.complete(batch.stream().map(Finished::completion).toList());
            Map<JobId, Optional<Job>> jobCache = new HashMap<>();
            List<JobId> endedJobs = batch.stream()
                    .filter(f -> !f.execution().dryRun())
                    .map(f -> f.execution().jobId())
                    .toList();
            // one query for the batch instead of one per run: most jobs have no dependents or triggers on them
            Map<JobId, Set<JobId>> downstream = jobs.downstreamOf(endedJobs);
            Set<JobId> upstream = downstream.keySet();
            if (!upstream.isEmpty()) {
                holdInOneOrder(endedJobs, downstream);
            }
            List<Execution> followUps = new ArrayList<>();
            Map<ExecutionId, List<String>> followUpWarnings = new HashMap<>();
            Set<ExecutionId> replacedInBatch = new HashSet<>();
            List<JobOutcome> outcomes = new ArrayList<>();
            for (Finished f : batch) {
                if (!accepted.contains(f.execution().id())) {
                    log.warn(
                            "Outcome of execution {} refused: node {} no longer holds it (it was recovered elsewhere)",
                            f.execution().id(),
                            f.completion().node());
                    continue;
                }
                Execution execution = f.execution();
                ExecutionStatus ended = f.completion().status();
                Duration took = Duration.ofMillis(f.completion().durationMs());
                measured.add(() -> metrics.ended(execution.jobId(), execution.templateType(), ended, took));
                Optional<Execution> retry = ended.isRetryable()
                        ? jobCache.computeIfAbsent(execution.jobId(), jobs::find)
                                .flatMap(j -> retryOf(j, execution, ended, now))
                        : Optional.empty();
                retry.ifPresent(followUps::add);
                if (!execution.dryRun() && upstream.contains(execution.jobId())) {
                    followUps.addAll(dependentsOf(
                            execution,
                            f.completion(),
                            retry.isEmpty(),
                            new FollowUps(followUps, followUpWarnings, replacedInBatch),
                            now));
                }
                if (!execution.dryRun()) {
                    outcomes.add(new JobOutcome(
                            execution.jobId(),
                            execution.startedAt() == null ? now : execution.startedAt(),
                            ended.json()));
                }
                finished.add(new ExecutionFinished(
                        execution,
                        ended,
                        f.completion().error(),
                        f.completion().completedAt(),
                        f.completion().durationMs(),
                        retry.isEmpty()));
            }
            List<Execution> inserted = store.enqueue(followUps);
            for (Execution e : inserted) {
                if (replacedInBatch.contains(e.id()) && store.cancelQueued(e.id(), EngineStore.REPLACED, now)) {
                    // a retry of this batch replaced by a run it started: the failure it was to retry is final
                    events.publishEvent(ExecutionFinished.cancelledWhileQueued(e, now));
                }
            }
            // a follow-up's own warnings open its log: its runner's lines come after them
            for (Execution e : inserted) {
                for (String warning : followUpWarnings.getOrDefault(e.id(), List.of())) {
                    store.appendLine(e.id(), now, "WARN", warning);
                }
            }
            inserted.stream()
                    .filter(e -> e.status() == ExecutionStatus.SKIPPED)
                    .forEach(e -> measured.add(() -> metrics.skipped(e.jobId(), e.templateType(), e.reason())));
            store.recordJobOutcomes(outcomes);
            jobs.written(outcomes.stream().map(JobOutcome::job).toList());
            return new Written(inserted, batch.size() - accepted.size());
        });
        metrics.knowNamespaces(finished.stream().map(f -> f.execution().jobId()).toList());
        measured.forEach(Runnable::run);
        finished.forEach(events::publishEvent);
        return written;
    }

    /**
     * The batch with its lost runs that someone cancelled (or a newer run replaced) meanwhile ending {@code cancelled},
     * as asked, and not retried: a node cut off from the database never saw the request and stopped the run as lost,
     * and a node recovering a dead one's runs fails them as lost. Read only for a batch with lost runs, so never on
     * the way of runs that end by themselves.
     */
    private List<Finished> withLateCancels(List<Finished> batch) {
        Set<String> nodes = new HashSet<>();
        for (Finished f : batch) {
            if (EngineStore.NODE_LOST.equals(f.completion().reason())) {
                nodes.add(f.completion().node());
            }
        }
        if (nodes.isEmpty()) {
            return batch;
        }
        Map<ExecutionId, EngineStore.CancelRequest> requested = new HashMap<>();
        nodes.forEach(node -> store.cancelRequestedOn(node).forEach(r -> requested.put(r.id(), r)));
        if (requested.isEmpty()) {
            return batch;
        }
        List<Finished> asAsked = new ArrayList<>(batch.size());
        for (Finished f : batch) {
            Completion lost = f.completion();
            EngineStore.CancelRequest request = requested.get(lost.id());
            if (request == null || !EngineStore.NODE_LOST.equals(lost.reason())) {
                asAsked.add(f);
                continue;
            }
            asAsked.add(new Finished(
                    f.execution(),
                    new Completion(
                            lost.id(),
                            lost.node(),
                            ExecutionStatus.CANCELLED,
                            EngineStore.REPLACED.equals(request.reason()) ? EngineStore.REPLACED : "cancelled",
                            lost.completedAt(),
                            lost.durationMs(),
                            lost.result(),
                            null)));
        }
        return asAsked;
    }

    /**
     * Holds the rows of every job the batch may write (the ended jobs, whose outcome it records, and those they may
     * start, whose runs it reads under their overlap policy) in the order {@link EngineStore#recordJobOutcomes} takes
     * them, before it takes any: two nodes writing batches whose chains cross (A's run starts B's job, B's run starts
     * A's) wait for each other in turn instead of deadlocking.
     */
    private void holdInOneOrder(List<JobId> ended, Map<JobId, Set<JobId>> downstream) {
        Set<JobId> rows = new HashSet<>(ended);
        downstream.values().forEach(rows::addAll);
        rows.stream().sorted(Comparator.comparing(JobId::value)).forEach(store::lockJob);
    }

    /** The next attempt, when the run failed or timed out and its job's retry policy has attempts left. */
    private Optional<Execution> retryOf(Job job, Execution execution, ExecutionStatus ended, Instant now) {
        RetryPolicy policy = job.definition().retryPolicy();
        if (!ended.isRetryable() || execution.attempt() > policy.maxRetries()) {
            return Optional.empty();
        }
        Duration delay = policy.delayBefore(execution.attempt() + 1);
        long jitterMillis = (long) (delay.toMillis()
                * properties.retryJitter()
                * ThreadLocalRandom.current().nextDouble());
        return Optional.of(NewExecutions.retryOf(execution, now.plus(delay).plusMillis(jitterMillis), now));
    }

    /**
     * What the outcomes of one batch start: the runs so far, each run's own warnings by its id (a placeholder filled
     * in empty), and the runs a later one of the same job replaces (its policy {@code replace}), to be cancelled once
     * written.
     */
    private record FollowUps(
            List<Execution> runs, Map<ExecutionId, List<String>> warnings, Set<ExecutionId> replaced) {}

    /**
     * Runs of the jobs that wait for this one (depends_on, or triggers whose outcome and condition match); a
     * job that may not run now records the trigger as skipped, with the reason.
     */
    private List<Execution> dependentsOf(
            Execution ended, Completion completion, boolean finalOutcome, FollowUps batch, Instant now) {
        List<Execution> runs = new ArrayList<>();
        JobScheduling.Ended run = new JobScheduling.Ended(
                ended.id().value(),
                ended.jobId(),
                ended.jobName(),
                ended.templateType(),
                completion.status().json(),
                finalOutcome,
                completion.result());
        JobScheduling.Followed followed = jobs.started(run, now);
        for (JobScheduling.Start start : followed.starts()) {
            List<Execution> before = new ArrayList<>(batch.runs());
            before.addAll(runs);
            Execution follower = startOf(start, before, batch.replaced(), now);
            runs.add(follower);
            if (!start.warnings().isEmpty()) {
                batch.warnings().put(follower.id(), start.warnings());
            }
        }
        // the run's own lines are written by now, in this transaction: these follow them
        for (String warning : followed.warnings()) {
            store.appendLine(ended.id(), now, "WARN", warning);
        }
        return runs;
    }

    /**
     * The run another job's outcome starts, or a skipped record of it when the job is disabled, its parameters no
     * longer validate, its pause, a freeze or one of its calendars holds it now, or it forbids overlap and a run of
     * it is queued or running (here, or started by an earlier outcome of {@code batch}): the same rules as a scheduled
     * slot. Under {@code replace} the run it overlaps is cancelled, as for a slot; one an earlier outcome of {@code
     * batch} started is put in {@code replaced}. The job's row is held by now ({@link #holdInOneOrder}), so that a
     * trigger pass or an outcome writing a run of the job elsewhere at the same time has committed it before its runs
     * are read.
     */
    private Execution startOf(
            JobScheduling.Start start, List<Execution> batch, Set<ExecutionId> replaced, Instant now) {
        Job dependent = start.job();
        if (!dependent.definition().enabled()) {
            return NewExecutions.skipped(dependent, null, SkipReason.DISABLED, start.triggeredBy(), now);
        }
        if (dependent.invalid()) {
            return NewExecutions.skipped(dependent, null, SkipReason.INVALID, start.triggeredBy(), now);
        }
        Optional<Execution> blocked = timeBlocks
                .at(dependent, now)
                .map(block -> NewExecutions.blocked(
                        dependent, null, TimeBlocks.reasonOf(block), block.asResult(), start.triggeredBy(), now));
        if (blocked.isPresent()) {
            return blocked.get();
        }
        ConcurrencyPolicy policy = dependent.definition().concurrencyPolicy();
        if (policy != ConcurrencyPolicy.ALLOW) {
            List<ExecutionId> startedInBatch = batch.stream()
                    .filter(e -> e.jobId().equals(dependent.id()) && e.status() == ExecutionStatus.QUEUED)
                    .map(Execution::id)
                    .toList();
            List<Execution> active = store.overlappingRunsOf(dependent.id());
            if (policy == ConcurrencyPolicy.FORBID && (!startedInBatch.isEmpty() || !active.isEmpty())) {
                return NewExecutions.skipped(dependent, null, SkipReason.OVERLAP, start.triggeredBy(), now);
            }
            replaced.addAll(startedInBatch);
            for (Execution previous : active) {
                if (store.replace(previous.id(), now)) {
                    events.publishEvent(ExecutionFinished.cancelledWhileQueued(previous, now));
                }
            }
        }
        return NewExecutions.queued(dependent, null, now, start.triggeredBy(), start.parameters(), false, now);
    }
}
