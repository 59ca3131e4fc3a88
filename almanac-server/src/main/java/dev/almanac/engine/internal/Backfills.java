package dev.almanac.engine.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.audit.AuditTrail;
import dev.almanac.calendar.TimeBlock;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.Ids;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionQueued;
import dev.almanac.execution.ExecutionRepository;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.JobRunHistory;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.schedule.IntervalSchedule;
import dev.almanac.schedule.Schedule;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Limits;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.Permissions;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Backfills: the past slots of a job from one time to another, run again on purpose. A plan lists every slot, those a
 * calendar or a freeze blocks, those that already ran (succeeded, or under way) and those another running backfill of
 * the job still holds marked and left alone; started, the
 * slots run as manual runs do (whatever the job's enabled flag), at most {@code max_parallel} at once, each with
 * {@code triggered_by = backfill:<id>} and its slot as {@code scheduled_for}. The trigger pass releases the next
 * slots as earlier ones end ({@link #release}); a retry of a slot's run holds its place until it ends.
 */
@Service
public class Backfills {

    /** At most this many slots in one backfill. */
    static final int MAX_SLOTS = 1_000;
    /** At most this many runs of one backfill at once. */
    static final int MAX_PARALLEL = 20;
    /** How many times one release reads pending slots again after blocked ones were skipped in their place. */
    static final int MAX_RELEASE_ROUNDS = 50;

    static final String AUDIT_START = Limits.BACKFILL;
    static final String AUDIT_CANCEL = "backfill.cancel";
    static final String TRIGGERED_BY = "backfill:";

    // slot states beyond an execution's own outcome
    static final String TO_RUN = "to_run";
    static final String PENDING = "pending";
    static final String RELEASED = "released";
    static final String BLOCKED = "blocked";
    static final String ALREADY_RAN = "already_ran";
    static final String CANCELLED = "cancelled";
    static final String IN_BACKFILL = "in_backfill";

    /** One slot as the API shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "BackfillSlot")
    public record SlotView(
            Instant at,

            @Schema(
                    description = "to_run (preview), pending, released (its run is queued or running), the outcome of"
                            + " its run (succeeded, failed, timed_out, cancelled, skipped), blocked, already_ran,"
                            + " in_backfill (another running backfill of the job holds it: backfill_id), or cancelled")
            String state,

            @JsonProperty("blocked_by") TimeBlock blockedBy,
            @JsonProperty("execution_id") String executionId,

            @JsonProperty("previous_status") @Schema(description = "A slot run again: how its last run ended")
            String previousStatus,

            @JsonProperty("backfill_id") @Schema(description = "in_backfill: the running backfill that holds the slot")
            String backfillId) {

        SlotView(Instant at, String state, TimeBlock blockedBy, String executionId, String previousStatus) {
            this(at, state, blockedBy, executionId, previousStatus, null);
        }
    }

    /** How far a backfill is. */
    @Schema(name = "BackfillProgress")
    public record Progress(
            int slots,
            @JsonProperty("to_run") int toRun,
            int pending,
            int running,
            int done,
            int failed,
            int blocked,
            @JsonProperty("already_ran") int alreadyRan,
            int cancelled,
            @JsonProperty("in_backfill") int inBackfill) {}

    /** A backfill, or the preview of one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "Backfill")
    public record View(
            String id,
            @JsonProperty("job_id") String jobId,
            @JsonProperty("job_name") String jobName,
            Instant from,
            Instant to,
            @JsonProperty("max_parallel") int maxParallel,
            @JsonProperty("dry_run") boolean dryRun,

            @Schema(description = "preview, running, finished or cancelled")
            String status,

            @JsonProperty("created_by") String createdBy,
            @JsonProperty("created_at") Instant createdAt,
            @JsonProperty("ended_at") Instant endedAt,
            Progress progress,
            List<SlotView> slots) {}

    private final JobService jobs;
    private final BackfillStore backfills;
    private final EngineStore store;
    private final JobRunHistory history;
    private final ExecutionService executions;
    private final ExecutionRepository runs;
    private final TimeBlocks timeBlocks;
    private final Permissions permissions;
    private final NamespaceAccess access;
    private final Limits limits;
    private final AuditTrail audit;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    Backfills(
            JobService jobs,
            BackfillStore backfills,
            EngineStore store,
            JobRunHistory history,
            ExecutionService executions,
            ExecutionRepository runs,
            TimeBlocks timeBlocks,
            Permissions permissions,
            NamespaceAccess access,
            Limits limits,
            AuditTrail audit,
            ApplicationEventPublisher events,
            Clock clock) {
        this.jobs = jobs;
        this.backfills = backfills;
        this.store = store;
        this.history = history;
        this.executions = executions;
        this.runs = runs;
        this.timeBlocks = timeBlocks;
        this.permissions = permissions;
        this.access = access;
        this.limits = limits;
        this.audit = audit;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Plans a backfill of {@code job}'s slots from {@code from} to {@code to} (both included) and, unless
     * {@code dryRun}, starts it: whoever may run the job may backfill it, held to the manual-run limit once.
     */
    @Transactional
    public View start(JobId id, Instant from, Instant to, boolean dryRun, Integer maxParallel) {
        Job job = jobs.getVisible(id);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        int parallel = maxParallel == null ? 1 : maxParallel;
        AuditTrail.Target target = AuditTrail.Target.of("job", id, job.name());
        // the right first: whoever may not run the job learns nothing from the plan's answers
        permissions.requireMayActOn(job.definition().templateType(), dryRun ? Permissions.PREVIEW_RUNS : "run", target);
        if (!dryRun) {
            // two backfills of one job start one after the other: the second reads the slots the first holds
            store.lockJob(id);
        }
        List<SlotView> slots = plan(job, from, to, parallel, now);
        if (dryRun) {
            return new View(
                    null,
                    id.toString(),
                    job.name(),
                    from,
                    to,
                    parallel,
                    true,
                    "preview",
                    null,
                    null,
                    null,
                    progressOf(slots),
                    slots);
        }
        if (slots.isEmpty()) {
            throw new InvalidInputException(List.of(new FieldError(
                    "to", "the range holds no slot of the job's schedule: there is nothing to backfill")));
        }
        Progress planned = progressOf(slots);
        if (planned.toRun() == 0) {
            throw new InvalidInputException(List.of(new FieldError("to", nothingToRun(planned))));
        }
        String actor = CurrentActor.name();
        limits.requireManualRunAllowed(actor);
        UUID backfill = Ids.timeOrdered();
        List<BackfillStore.Slot> rows = slots.stream()
                .map(s -> new BackfillStore.Slot(
                        s.at(),
                        s.state().equals(TO_RUN) ? PENDING : s.state(),
                        s.executionId() == null ? null : new ExecutionId(UUID.fromString(s.executionId())),
                        s.blockedBy(),
                        s.backfillId() == null ? null : UUID.fromString(s.backfillId())))
                .toList();
        backfills.insert(
                new BackfillStore.Row(
                        backfill,
                        id,
                        job.name(),
                        job.definition().namespace(),
                        from,
                        to,
                        parallel,
                        BackfillStore.RUNNING,
                        actor,
                        now,
                        null),
                rows);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("backfill_id", backfill.toString());
        details.put("from", from.toString());
        details.put("to", to.toString());
        details.put("max_parallel", parallel);
        details.put("slots", slots.size());
        details.put("to_run", progressOf(slots).toRun());
        details.put("in_backfill", progressOf(slots).inBackfill());
        audit.record(AUDIT_START, target, details);
        release(backfill, now);
        return view(backfill);
    }

    /**
     * A backfill with its slots and progress; 404 when it, or its job's namespace, is hidden from the caller. Once its
     * job is deleted, the namespace the job had decides.
     */
    @Transactional(readOnly = true)
    public View get(UUID id) {
        BackfillStore.Row row = backfills.find(id).orElseThrow(() -> notFound(id));
        if (jobs.find(row.jobId()).isPresent()) {
            jobs.getVisible(row.jobId());
        } else {
            access.requireVisible(row.namespace(), () -> notFound(id));
        }
        return view(id);
    }

    /**
     * Cancels a running backfill as a whole: slots not released yet are cancelled, queued runs cancelled, running ones
     * asked to stop.
     */
    @Transactional
    public View cancel(UUID id) {
        BackfillStore.Row row = backfills.lock(id).orElseThrow(() -> notFound(id));
        AuditTrail.Target target = AuditTrail.Target.of("job", row.jobId(), row.jobName());
        Optional<Job> job = jobs.find(row.jobId());
        if (job.isPresent()) {
            jobs.getVisible(row.jobId());
            // a cancel starts nothing: a namespace whose manual-run quota the backfill used up may still stop it
            permissions.requireMayActOn(job.get().definition().templateType(), "cancel", target);
        } else {
            access.require(
                    row.namespace(), NamespaceAccess.Action.RUN, "cancel its backfills", target, () -> notFound(id));
        }
        if (!row.status().equals(BackfillStore.RUNNING)) {
            throw new ConflictException(null, "backfill " + id + " already " + row.status());
        }
        Instant now = clock.instant();
        int pending = backfills.cancelPending(id);
        int stopped = 0;
        for (BackfillStore.Slot slot : backfills.slots(id, RELEASED, MAX_SLOTS)) {
            // the slot's latest attempt: a retry queued after its first run failed is cancelled too
            Execution run = latestAttempt(slot.execution());
            // a run that ended meanwhile is no conflict: a cancel that threw here would mark this whole transaction
            // rollback-only and cancel nothing
            Optional<ExecutionService.Cancel> cancel =
                    run == null ? Optional.empty() : executions.cancelUnlessEnded(run.id());
            if (cancel.isEmpty()) {
                backfills.setSlot(id, slot.at(), ExecutionStatus.FAILED.json(), slot.execution());
                continue;
            }
            Execution after = cancel.get().execution();
            if (after.status() != ExecutionStatus.RUNNING) {
                backfills.setSlot(id, slot.at(), after.status().json(), after.id());
            }
            if (!cancel.get().alreadyEnded()) {
                stopped++;
            }
        }
        backfills.end(id, BackfillStore.CANCELLED, now);
        audit.record(
                AUDIT_CANCEL,
                target,
                Map.of("backfill_id", id.toString(), "pending_cancelled", pending, "runs_cancelled", stopped));
        return view(id);
    }

    /** The latest backfills of a job, newest first. */
    @Transactional(readOnly = true)
    public List<View> latestOf(JobId job, int limit) {
        return backfills.latestOf(job, limit).stream().map(this::view).toList();
    }

    /** The backfills that still have slots to release or runs under way, oldest first. */
    @Transactional(readOnly = true)
    public List<UUID> running(int limit) {
        return backfills.running(limit);
    }

    /**
     * Records how released slots ended and releases pending ones while fewer than {@code max_parallel} run, under
     * the backfill's row lock; ends the backfill when nothing is left. Returns how many runs it queued. While a freeze
     * going on now holds the job, it releases nothing and says so ({@link HeldByFreeze}), so the next pass asks again.
     */
    @Transactional
    public int release(UUID id, Instant now) {
        Optional<BackfillStore.Row> locked = backfills.lock(id);
        if (locked.isEmpty()) {
            return 0;
        }
        BackfillStore.Row row = locked.get();
        int active = 0;
        for (BackfillStore.Slot slot : backfills.slots(id, RELEASED, MAX_SLOTS)) {
            Execution run = latestAttempt(slot.execution());
            if (run == null) {
                backfills.setSlot(id, slot.at(), ExecutionStatus.FAILED.json(), slot.execution());
            } else if (!run.status().isFinal()) {
                active++;
                if (!run.id().equals(slot.execution())) {
                    backfills.setSlot(id, slot.at(), RELEASED, run.id());
                }
            } else {
                backfills.setSlot(id, slot.at(), run.status().json(), run.id());
            }
        }
        int queued = 0;
        if (row.status().equals(BackfillStore.RUNNING)) {
            Optional<Job> job = jobs.find(row.jobId());
            if (job.isEmpty()) {
                backfills.cancelPending(id);
            } else if (active < row.maxParallel()
                    // a freeze going on now holds every slot: none is released (nor skipped) until it ends
                    && !heldByFreeze(id, job.get(), now)) {
                List<Execution> released = new ArrayList<>();
                List<Execution> written = new ArrayList<>();
                List<BackfillStore.Slot> next;
                // a calendar or freeze may block a slot's time since the plan: it is skipped and the next one takes
                // its place, for at most MAX_RELEASE_ROUNDS reads of pending slots; the next pass goes on from there
                for (int round = 0;
                        round < MAX_RELEASE_ROUNDS
                                && active + released.size() < row.maxParallel()
                                && !(next = backfills.slots(id, PENDING, row.maxParallel() - active - released.size()))
                                        .isEmpty();
                        round++) {
                    for (BackfillStore.Slot slot : next) {
                        Optional<TimeBlock> block = timeBlocks.calendarOrFreezeAt(job.get(), slot.at());
                        if (block.isPresent()) {
                            Execution skipped = NewExecutions.backfillBlocked(
                                    job.get(), slot.at(), block.get(), TRIGGERED_BY + id, now);
                            written.add(skipped);
                            backfills.skipSlot(id, slot.at(), skipped.id(), block.get());
                        } else {
                            Execution run = NewExecutions.backfill(job.get(), slot.at(), TRIGGERED_BY + id, now);
                            released.add(run);
                            written.add(run);
                            backfills.setSlot(id, slot.at(), RELEASED, run.id());
                        }
                    }
                }
                store.enqueue(written);
                released.forEach(run -> events.publishEvent(new ExecutionQueued(run.id())));
                queued = released.size();
                active += queued;
            }
            if (active == 0 && backfills.slots(id, PENDING, 1).isEmpty()) {
                backfills.end(id, BackfillStore.FINISHED, now);
            }
        }
        return queued;
    }

    /** A freeze going on now held a backfill's pending slots: the pass asks again at its next turn. */
    record HeldByFreeze(UUID backfill) {}

    private boolean heldByFreeze(UUID id, Job job, Instant now) {
        if (timeBlocks.freezeAt(job, now).isEmpty()) {
            return false;
        }
        events.publishEvent(new HeldByFreeze(id));
        return true;
    }

    /** The run of a released slot, or the retry that followed it; null when its record is gone. */
    private Execution latestAttempt(ExecutionId first) {
        Execution run = runs.find(first).orElse(null);
        while (run != null && run.status().isRetryable()) {
            Optional<Execution> retry = history.retryOf(run);
            if (retry.isEmpty()) {
                break;
            }
            run = retry.get();
        }
        return run;
    }

    /** Every slot of {@code job} in the range, with what a backfill would do with it; checks the input. */
    private List<SlotView> plan(Job job, Instant from, Instant to, int parallel, Instant now) {
        List<FieldError> errors = new ArrayList<>();
        if (from == null) {
            errors.add(new FieldError("from", "is required"));
        }
        if (to == null) {
            errors.add(new FieldError("to", "is required"));
        } else if (to.isAfter(now)) {
            errors.add(new FieldError("to", "must not be in the future; the schedule runs those slots"));
        }
        if (from != null && to != null && from.isAfter(to)) {
            errors.add(new FieldError("to", "must not be before from"));
        }
        if (parallel < 1 || parallel > MAX_PARALLEL) {
            errors.add(new FieldError("max_parallel", "must be between 1 and " + MAX_PARALLEL));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Map<Instant, Execution> ran = history.latestRunOfSlots(job.id(), from, to);
        Map<Instant, BackfillStore.Held> held = new LinkedHashMap<>();
        backfills.heldByRunning(job.id(), from, to).forEach(h -> held.putIfAbsent(h.at(), h));
        List<Instant> times = slotsOf(job, from, to, ran.keySet());
        List<SlotView> slots = new ArrayList<>(times.size());
        for (Instant at : times) {
            Optional<TimeBlock> block = timeBlocks.calendarOrFreezeAt(job, at);
            Execution previous = ran.get(at);
            BackfillStore.Held holder = held.get(at);
            if (block.isPresent()) {
                slots.add(new SlotView(at, BLOCKED, block.get(), null, null));
            } else if (holder != null
                    // a released slot whose run ended is the other backfill's no more: its outcome decides below
                    && (holder.state().equals(PENDING)
                            || previous == null
                            || !previous.status().isFinal())) {
                slots.add(new SlotView(
                        at,
                        IN_BACKFILL,
                        null,
                        previous == null || holder.state().equals(PENDING)
                                ? null
                                : previous.id().toString(),
                        previous == null ? null : previous.status().json(),
                        holder.backfill().toString()));
            } else if (previous != null
                    && (previous.status() == ExecutionStatus.SUCCEEDED
                            || !previous.status().isFinal())) {
                slots.add(new SlotView(
                        at,
                        ALREADY_RAN,
                        null,
                        previous.id().toString(),
                        previous.status().json()));
            } else {
                slots.add(new SlotView(
                        at,
                        TO_RUN,
                        null,
                        null,
                        previous == null ? null : previous.status().json()));
            }
        }
        return slots;
    }

    /**
     * The slots of {@code job} from {@code from} to {@code to}: the times a cron or one-time schedule names. An
     * interval counts from the job's own runs, not from {@code from}: its slots are the times its history in the range
     * holds a run of ({@code ran}, in whatever phase it had then; re-enabling or editing the job starts a new one),
     * and, at least an interval away from each of those, the times in phase with its next run.
     */
    private static List<Instant> slotsOf(Job job, Instant from, Instant to, Set<Instant> ran) {
        Schedule schedule = job.definition().schedule();
        if (schedule instanceof IntervalSchedule interval) {
            return intervalSlots(job, interval, from, to, new TreeSet<>(ran));
        }
        List<Instant> times = new ArrayList<>();
        Instant slot = schedule.nextAfter(from.minusNanos(1)).orElse(null);
        while (slot != null && !slot.isAfter(to)) {
            if (times.size() == MAX_SLOTS) {
                throw tooManySlots();
            }
            times.add(slot);
            slot = schedule.nextAfter(slot).orElse(null);
        }
        return times;
    }

    private static List<Instant> intervalSlots(
            Job job, IntervalSchedule schedule, Instant from, Instant to, NavigableSet<Instant> ran) {
        Duration interval = schedule.interval();
        // a disabled job has no next run: its last slot in the range, or the first one it had when created
        Instant anchor = job.nextRunAt() != null
                ? job.nextRunAt()
                : ran.isEmpty() ? schedule.nextAfter(job.createdAt()).orElseThrow() : ran.last();
        NavigableSet<Instant> slots = new TreeSet<>(ran);
        for (Instant slot = schedule.firstInPhase(anchor, from); !slot.isAfter(to); slot = slot.plus(interval)) {
            if (slots.size() > MAX_SLOTS) {
                throw tooManySlots();
            }
            Instant before = ran.floor(slot);
            Instant after = ran.ceiling(slot);
            if ((before == null || !before.plus(interval).isAfter(slot))
                    && (after == null || !slot.plus(interval).isAfter(after))) {
                slots.add(slot);
            }
        }
        if (slots.size() > MAX_SLOTS) {
            throw tooManySlots();
        }
        return new ArrayList<>(slots);
    }

    /** Why a range whose slots all ran, are blocked or are held by another backfill has nothing to backfill. */
    private static String nothingToRun(Progress planned) {
        List<String> why = new ArrayList<>();
        if (planned.alreadyRan() > 0) {
            why.add(planned.alreadyRan() + " already ran");
        }
        if (planned.inBackfill() > 0) {
            why.add(planned.inBackfill() + " in another running backfill");
        }
        if (planned.blocked() > 0) {
            why.add(planned.blocked() + " blocked by a calendar or a freeze");
        }
        return "none of the range's " + planned.slots() + (planned.slots() == 1 ? " slot" : " slots") + " would run ("
                + String.join(", ", why) + "): there is nothing to backfill";
    }

    private static InvalidInputException tooManySlots() {
        return new InvalidInputException(
                "to", "the range holds more than " + MAX_SLOTS + " slots of this job; backfill a shorter range");
    }

    private View view(UUID id) {
        BackfillStore.Row row = backfills.find(id).orElseThrow(() -> notFound(id));
        // a released slot whose run ended shows how, before the next release records it
        List<SlotView> slots = backfills.slots(id).stream()
                .map(s -> {
                    Execution run = s.state().equals(RELEASED) ? latestAttempt(s.execution()) : null;
                    String state =
                            run != null && run.status().isFinal() ? run.status().json() : s.state();
                    ExecutionId execution = run != null ? run.id() : s.execution();
                    return new SlotView(
                            s.at(),
                            state,
                            s.blockedBy(),
                            execution == null ? null : execution.toString(),
                            null,
                            s.heldBy() == null ? null : s.heldBy().toString());
                })
                .toList();
        return new View(
                id.toString(),
                row.jobId().toString(),
                row.jobName(),
                row.from(),
                row.to(),
                row.maxParallel(),
                false,
                row.status(),
                row.createdBy(),
                row.createdAt(),
                row.endedAt(),
                progressOf(slots),
                slots);
    }

    private static Progress progressOf(List<SlotView> slots) {
        int toRun = 0;
        int pending = 0;
        int running = 0;
        int done = 0;
        int failed = 0;
        int blocked = 0;
        int alreadyRan = 0;
        int cancelled = 0;
        int inBackfill = 0;
        for (SlotView slot : slots) {
            switch (slot.state()) {
                case TO_RUN -> toRun++;
                case PENDING -> pending++;
                case RELEASED -> running++;
                case BLOCKED -> blocked++;
                case ALREADY_RAN -> alreadyRan++;
                case CANCELLED -> cancelled++;
                case IN_BACKFILL -> inBackfill++;
                case "skipped" -> {
                    if (slot.blockedBy() != null) {
                        blocked++;
                    } else {
                        done++;
                    }
                }
                default -> {
                    done++;
                    if (slot.state().equals("failed") || slot.state().equals("timed_out")) {
                        failed++;
                    }
                }
            }
        }
        toRun += pending + running + done;
        return new Progress(
                slots.size(), toRun, pending, running, done, failed, blocked, alreadyRan, cancelled, inBackfill);
    }

    private static NotFoundException notFound(UUID id) {
        return new NotFoundException("no backfill with id " + id);
    }
}
