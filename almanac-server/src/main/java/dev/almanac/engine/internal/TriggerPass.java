package dev.almanac.engine.internal;

import dev.almanac.calendar.TimeBlock;
import dev.almanac.common.DatabaseAvailability;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.engine.internal.store.EngineStore.JobAdvance;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionFinished;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.SkipReason;
import dev.almanac.job.ConcurrencyPolicy;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobScheduling;
import dev.almanac.job.MisfirePolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * One trigger transaction: lock due jobs, write one execution per due slot (queued, or skipped with a reason), and
 * advance each job's next run by its schedule, misfire policy and concurrency policy. A run due now that this node's
 * free workers can take is written as running instead, and starts once the transaction commits: no queued version,
 * no claim ({@link #startAsWritten}).
 */
@Component
class TriggerPass {

    /**
     * What a pass did; {@code full} means more jobs may be due right away. {@code started}: the runs it wrote as
     * running and started on this node.
     */
    record Result(int jobs, int queued, int skipped, boolean full, List<ExecutionId> started) {

        Result(int jobs, int queued, int skipped, boolean full) {
            this(jobs, queued, skipped, full, List.of());
        }
    }

    private final EngineStore store;
    private final EngineMetrics metrics;
    private final Workers workers;
    private final EngineSettings settings;
    private final EngineProperties properties;

    private final TimeBlocks timeBlocks;
    private final JobScheduling scheduling;

    TriggerPass(
            EngineStore store,
            EngineMetrics metrics,
            Workers workers,
            EngineSettings settings,
            TimeBlocks timeBlocks,
            JobScheduling scheduling) {
        this.timeBlocks = timeBlocks;
        this.scheduling = scheduling;
        this.store = store;
        this.metrics = metrics;
        this.workers = workers;
        this.settings = settings;
        this.properties = settings.properties();
    }

    /** The time of the last pass that reached the database. */
    private volatile Instant lastPass;
    /** {@link #lastPass} when a pass then could not reach the database; null while it can. */
    private volatile Instant awaySince;
    /** Passes in a row that could not reach the database; one alone may be a blip, not an outage. */
    private volatile int failedPasses;

    /**
     * One pass at the clock's time, read once the transaction has its connection: slots are judged by when the
     * database could be asked, not by when this node started to wait for it.
     */
    Result run() {
        Clock clock = settings.clock();
        List<Execution> skipped = new ArrayList<>();
        Instant[] at = new Instant[1];
        Written written = new Written();
        Result result = null;
        try {
            result = settings.transactions().execute(status -> {
                at[0] = clock.instant();
                return trigger(at[0], failedPasses >= 2 ? awaySince : null, skipped, written);
            });
        } catch (RuntimeException e) {
            if (lastPass != null && DatabaseAvailability.isOutage(e)) {
                // a pass that only found the main pool full was not away: its due slots are due, not missed
                if (awaySince == null) {
                    awaySince = lastPass;
                }
                failedPasses++;
            }
            throw e;
        } finally {
            if (result == null) {
                workers.releaseUnwritten(written.reserved);
            }
        }
        lastPass = at[0];
        awaySince = null;
        failedPasses = 0;
        if (result.jobs() > 0) {
            metrics.triggered(result.jobs());
        }
        skipped.forEach(e -> metrics.skipped(e.jobId(), e.templateType(), e.reason()));
        if (result.queued() > 0) {
            workers.queued();
        }
        List<ExecutionId> started = workers.startWritten(written.running, written.reserved, at[0]);
        return new Result(result.jobs(), result.queued(), result.skipped(), result.full(), started);
    }

    /** The runs a pass wrote as running, and the workers it reserved for them; filled inside its transaction. */
    private static final class Written {
        int reserved;
        List<Execution> running = List.of();
    }

    /**
     * @param awaySince when this node last triggered before it lost the database; the slots due since then that no
     *     node triggered fell due while the database was away: they were missed, whatever the misfire threshold
     */
    private Result trigger(Instant now, Instant awaySince, List<Execution> skipped, Written startNow) {
        List<Job> due = store.claimDueJobs(now, properties.triggerBatch());
        if (due.isEmpty()) {
            return new Result(0, 0, 0, false);
        }
        List<JobId> guarded = due.stream()
                .filter(j -> j.definition().concurrencyPolicy() != ConcurrencyPolicy.ALLOW)
                .map(Job::id)
                .toList();
        Set<JobId> active = new HashSet<>(store.withOverlappingRuns(guarded));
        List<Execution> written = new ArrayList<>();
        List<JobAdvance> advances = new ArrayList<>();
        List<JobId> pausesUp = new ArrayList<>();
        Map<ExecutionId, Integer> startable = new HashMap<>();
        Set<ExecutionId> replacedInPass = new HashSet<>();
        for (Job job : due) {
            Slots slots = slotsOf(job, now);
            advances.add(new JobAdvance(job.id(), slots.next(), slots.last()));
            if (job.pause() != null && !job.pause().holdsAt(now)) {
                pausesUp.add(job.id());
            }
            // a blocked slot is neither run nor missed: the misfire policy decides among the open ones only
            Map<Instant, TimeBlock> blocked = timeBlocks.blocked(job, slots.due());
            Slots open = new Slots(
                    slots.due().stream().filter(s -> !blocked.containsKey(s)).toList(), slots.next());
            List<Instant> toRun = open.toRun(job, now, properties.misfireThreshold(), awaySince);
            boolean catchUp = job.definition().misfirePolicy() == MisfirePolicy.RUN_ALL
                    && toRun.stream().anyMatch(s -> Slots.isMissed(s, now, properties.misfireThreshold(), awaySince))
                    && (!active.contains(job.id()) || overlapsOnlyItsCatchUp(job));
            for (Instant slot : slots.due()) {
                TimeBlock block = blocked.get(slot);
                if (job.invalid()) {
                    // a template upgrade changed the schema under it: record the slot instead of failing the run
                    written.add(NewExecutions.skipped(job, slot, SkipReason.INVALID, NewExecutions.SCHEDULER, now));
                } else if (block != null) {
                    written.add(NewExecutions.blocked(job, slot, TimeBlocks.reasonOf(block), block.asResult(), now));
                } else if (!toRun.contains(slot)) {
                    written.add(NewExecutions.skipped(job, slot, SkipReason.MISSED, NewExecutions.SCHEDULER, now));
                } else if (catchUp) {
                    // run_all asked for every slot no node ran when it fell due: the missed ones and those of the same
                    // pass still on time are one batch, queued together; only a run from before the pass overlaps them
                    written.add(NewExecutions.scheduled(job, slot, now));
                    active.add(job.id());
                } else {
                    Execution admitted = admit(job, slot, now, active);
                    if (admitted.status() == ExecutionStatus.QUEUED
                            && job.definition().concurrencyPolicy() == ConcurrencyPolicy.REPLACE) {
                        // an earlier slot of the job this pass queued is replaced as one queued before it would be
                        for (Execution earlier : written) {
                            if (earlier.jobId().equals(job.id()) && startable.remove(earlier.id()) != null) {
                                replacedInPass.add(earlier.id());
                            }
                        }
                    }
                    written.add(admitted);
                    if (admitted.status() == ExecutionStatus.QUEUED) {
                        startable.put(admitted.id(), job.definition().priority());
                    }
                }
            }
        }
        if (due.size() < properties.triggerBatch()) {
            // a full pass leaves due jobs to the next one, whose runs may come first by priority: it queues its runs
            startAsWritten(written, startable, replacedInPass, now, startNow);
        }
        List<Execution> inserted = store.enqueue(written);
        for (Execution e : inserted) {
            if (replacedInPass.contains(e.id())) {
                store.cancelQueued(e.id(), EngineStore.REPLACED, now);
            }
        }
        startNow.running = inserted.stream()
                .filter(e -> e.status() == ExecutionStatus.RUNNING)
                .toList();
        store.advanceJobs(advances);
        scheduling.written(advances.stream().map(JobAdvance::job).toList());
        scheduling.liftPauses(pausesUp, now);
        inserted.stream().filter(e -> e.status() == ExecutionStatus.SKIPPED).forEach(skipped::add);
        int queued = (int) inserted.stream()
                .filter(e -> e.status() == ExecutionStatus.QUEUED && !replacedInPass.contains(e.id()))
                .count();
        return new Result(
                due.size(),
                queued,
                inserted.size() - queued - startNow.running.size(),
                due.size() == properties.triggerBatch());
    }

    /**
     * Writes as running on this node, in place in {@code written}, the runs due now that its free workers can take,
     * highest priority first, then earliest due: each is one version fewer and one claim fewer than queued and claimed,
     * and starts once the pass commits. Only when no queued run is due that a claim would take before them (already
     * queued, or queued by this pass: a catch-up run), and no namespace has a runs_at_once quota. A run ends up started
     * once whichever way it goes: it is written once (the slot key is unique), and only the runs written are started.
     */
    private void startAsWritten(
            List<Execution> written,
            Map<ExecutionId, Integer> startable,
            Set<ExecutionId> replaced,
            Instant now,
            Written startNow) {
        boolean queuesOthers = written.stream()
                .anyMatch(e -> e.status() == ExecutionStatus.QUEUED
                        && !startable.containsKey(e.id())
                        && !replaced.contains(e.id()));
        if (startable.isEmpty() || queuesOthers || !workers.mayStartWritten() || !store.mayStartAsWritten(now)) {
            return;
        }
        startNow.reserved = workers.reserveForWritten(startable.size());
        if (startNow.reserved == 0) {
            return;
        }
        Set<ExecutionId> chosen = new HashSet<>();
        written.stream()
                .filter(e -> startable.containsKey(e.id()))
                .sorted(Comparator.comparing((Execution e) -> startable.get(e.id()))
                        .reversed()
                        .thenComparing(Execution::scheduledFor))
                .limit(startNow.reserved)
                .forEach(e -> chosen.add(e.id()));
        // the start time as the database keeps it
        Instant startedAt = now.truncatedTo(ChronoUnit.MICROS);
        written.replaceAll(e -> chosen.contains(e.id()) ? e.startedOn(settings.nodeId(), startedAt) : e);
    }

    /**
     * Whether the runs a job's new slots would overlap are all runs of its own catch-up, queued by an earlier pass: a
     * catch-up of more than {@code maxSlotsPerPass} slots is written over several passes and stays one batch. A
     * catch-up run is one the scheduler wrote only after the slot following it had fallen due (a batch); a run written
     * on time, a retry, a manual run or a dependency's still overlap it.
     */
    private boolean overlapsOnlyItsCatchUp(Job job) {
        List<Execution> overlapping = store.overlappingRunsOf(job.id());
        boolean allCatchUp = overlapping.stream()
                .allMatch(run -> NewExecutions.SCHEDULER.equals(run.triggeredBy())
                        && run.scheduledFor() != null
                        && job.definition()
                                .schedule()
                                .nextAfter(run.scheduledFor())
                                .filter(next -> !next.isAfter(run.createdAt()))
                                .isPresent());
        // and this pass goes on from where the last of them stopped: the job's next slot is the one after it (a run
        // left from an earlier catch-up, with slots run on time since, is a run from before this one)
        return allCatchUp
                && overlapping.stream()
                        .map(Execution::scheduledFor)
                        .max(Instant::compareTo)
                        .flatMap(last -> job.definition().schedule().nextAfter(last))
                        .filter(next -> next.equals(job.nextRunAt()))
                        .isPresent();
    }

    /**
     * Queues a slot, or skips it when an earlier run is still going and the job forbids overlap. A backfill's runs are
     * not earlier runs of the schedule: they neither make a slot overlap nor are replaced by one.
     */
    private Execution admit(Job job, Instant slot, Instant now, Set<JobId> active) {
        ConcurrencyPolicy policy = job.definition().concurrencyPolicy();
        if (policy == ConcurrencyPolicy.FORBID && active.contains(job.id())) {
            return NewExecutions.skipped(job, slot, SkipReason.OVERLAP, NewExecutions.SCHEDULER, now);
        }
        if (policy == ConcurrencyPolicy.REPLACE && active.contains(job.id())) {
            for (Execution previous : store.overlappingRunsOf(job.id())) {
                if (store.replace(previous.id(), now)) {
                    // told after the pass commits: a queued retry replaced makes the failure it was to retry final
                    settings.events().publishEvent(ExecutionFinished.cancelledWhileQueued(previous, now));
                }
            }
        }
        active.add(job.id());
        return NewExecutions.scheduled(job, slot, now);
    }

    /** The slots of a job due by {@code now}, at most {@code maxSlotsPerPass}, and the run after them. */
    private Slots slotsOf(Job job, Instant now) {
        List<Instant> due = new ArrayList<>();
        Instant slot = job.nextRunAt();
        while (slot != null && !slot.isAfter(now) && due.size() < properties.maxSlotsPerPass()) {
            due.add(slot);
            slot = job.definition().schedule().nextAfter(slot).orElse(null);
        }
        return new Slots(due, slot);
    }

    /**
     * Due slots of one job. A slot later than the misfire threshold was missed (no node ran when it fell due); the
     * misfire policy decides which of those still run: {@code run_once} the latest, {@code run_all} those inside
     * the catch-up window, {@code skip} none.
     */
    private record Slots(List<Instant> due, Instant next) {

        /** The latest due slot: every due slot is written, queued or skipped. */
        Instant last() {
            return due.isEmpty() ? null : due.get(due.size() - 1);
        }

        boolean reachedNow(Instant now) {
            return next == null || next.isAfter(now);
        }

        List<Instant> toRun(Job job, Instant now, Duration misfireThreshold, Instant awaySince) {
            List<Instant> run = new ArrayList<>();
            Optional<Instant> latestMissed = Optional.empty();
            for (Instant slot : due) {
                if (!isMissed(slot, now, misfireThreshold, awaySince)) {
                    run.add(slot);
                } else if (job.definition().misfirePolicy() == MisfirePolicy.RUN_ALL
                        && !slot.isBefore(now.minusSeconds(job.definition().catchUpWindowSeconds()))) {
                    run.add(slot);
                } else {
                    latestMissed = Optional.of(slot);
                }
            }
            if (job.definition().misfirePolicy() == MisfirePolicy.RUN_ONCE
                    && run.isEmpty()
                    && latestMissed.isPresent()
                    && reachedNow(now)) {
                run.add(latestMissed.get());
            }
            return run;
        }

        private static boolean isMissed(Instant slot, Instant now, Duration misfireThreshold, Instant awaySince) {
            return slot.isBefore(now.minus(misfireThreshold)) || (awaySince != null && slot.isAfter(awaySince));
        }
    }
}
