package dev.almanac.notify.internal;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionFinished;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.HealthReadings;
import dev.almanac.job.JobHealth;
import dev.almanac.job.JobId;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Schedule health: whether each job runs when and as it should. Outcomes are judged as the notifier takes them (late
 * start, slow run, failure streak; a scheduled run that ends also ends a {@code missed} problem), and a periodic pass
 * finds what no outcome shows (due slots nobody fired, missed slots). A problem opens once per reason and tells the
 * job's {@code on_failure} recipients once; its end tells them that the job recovered. Every read is bounded by one
 * job's recent runs, the runs since the last pass, or the jobs overdue, so 100 000 jobs cost little.
 */
@Component
public class ScheduleHealth {

    private static final Logger log = LoggerFactory.getLogger(ScheduleHealth.class);
    private static final int OVERDUE_LIMIT = 1000;
    private static final int RUNNING_LIMIT = 1000;
    private static final int BASELINES = 100_000;

    private record Baseline(long p95Ms, int runs, Instant readAt) {}

    private final JobHealth health;
    private final HealthReadings readings;
    private final NotificationRepository repository;
    private final Delivery delivery;
    private final HealthProperties properties;
    private final NotifyProperties notify;
    private final Clock clock;
    private final Map<String, AtomicLong> unhealthy = new ConcurrentHashMap<>();
    private final Map<JobId, Baseline> baselines = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<JobId, Baseline> eldest) {
            return size() > BASELINES;
        }
    });
    private volatile Instant missedCheckedUpTo;
    /**
     * The jobs with a problem open, as of the last pass plus what this node opened since: most outcomes end nothing,
     * and this spares them a delete per reason. A problem another node opened ends here at the latest a pass later.
     */
    private final Set<JobId> unhealthyJobs = ConcurrentHashMap.newKeySet();

    ScheduleHealth(
            JobHealth health,
            HealthReadings readings,
            NotificationRepository repository,
            Delivery delivery,
            HealthProperties properties,
            NotifyProperties notify,
            Clock clock,
            MeterRegistry meters) {
        this.health = health;
        this.readings = readings;
        this.repository = repository;
        this.delivery = delivery;
        this.properties = properties;
        this.notify = notify;
        this.clock = clock;
        for (String reason : JobHealth.REASONS) {
            AtomicLong count = new AtomicLong();
            unhealthy.put(reason, count);
            Gauge.builder("almanac.jobs.unhealthy", count, AtomicLong::get)
                    .description("Jobs with an open schedule health problem, by reason (as of this node's last check)")
                    .tag("reason", reason)
                    .register(meters);
        }
    }

    /** Judges these outcomes; called on the notifier's thread. */
    void observe(List<ExecutionFinished> batch) {
        if (!properties.enabled()) {
            return;
        }
        List<Change> changes = new ArrayList<>();
        Map<JobId, Duration> expected = health.expectedDurations(
                batch.stream().map(f -> f.execution().jobId()).toList());
        Map<JobId, List<HealthReadings.Success>> recent = readings.recentSuccesses(baselinesToRead(batch, expected));
        for (ExecutionFinished finished : batch) {
            try {
                judge(finished, expected.get(finished.execution().jobId()), recent, changes);
            } catch (RuntimeException e) {
                log.warn(
                        "Could not judge the health of job '{}': {}",
                        finished.execution().jobName(),
                        e.getMessage());
            }
        }
        tell(changes);
    }

    /** The periodic pass: due slots nobody fired, missed slots, and the gauges. Returns how many problems opened. */
    public int check() {
        if (!properties.enabled()) {
            return 0;
        }
        Instant now = clock.instant();
        Set<JobId> known = health.unhealthyJobs();
        unhealthyJobs.retainAll(known);
        unhealthyJobs.addAll(known);
        List<Change> changes = new ArrayList<>();
        Set<JobId> overdue = new HashSet<>();
        for (JobHealth.Overdue job : health.overdue(now.minus(properties.lateAfter()), OVERDUE_LIMIT)) {
            overdue.add(job.job());
            String detail = "its slot at " + job.dueAt() + " was not fired"
                    + (job.lastRunAt() == null ? "; it never ran" : "; last run at " + job.lastRunAt());
            open(job.job(), JobHealth.NEVER_FIRED, detail, now, changes);
        }
        for (JobId job : health.openOf(JobHealth.NEVER_FIRED)) {
            if (!overdue.contains(job)) {
                close(job, JobHealth.NEVER_FIRED, changes);
            }
        }
        Instant since = missedCheckedUpTo == null ? now.minus(Duration.ofHours(1)) : missedCheckedUpTo;
        readings.missedSince(since)
                .forEach((job, count) -> open(
                        job,
                        JobHealth.MISSED,
                        count + (count == 1 ? " slot" : " slots") + " missed while no node ran it (since " + since
                                + ")",
                        now,
                        changes));
        missedCheckedUpTo = now;
        slowWhileRunning(now, changes);
        tell(changes);
        health.countsByReason()
                .forEach((reason, count) ->
                        unhealthy.computeIfAbsent(reason, r -> new AtomicLong()).set(count));
        return (int) changes.stream().filter(Change::opened).count();
    }

    /**
     * The jobs of the batch whose baseline is to be read (no expected duration, none known fresh), each with how
     * many runs to read: its baseline's, and one more per run of it in the batch, which its own baseline leaves out.
     */
    private Map<JobId, Integer> baselinesToRead(List<ExecutionFinished> batch, Map<JobId, Duration> expected) {
        Instant now = clock.instant();
        Map<JobId, Integer> limits = new HashMap<>();
        for (ExecutionFinished finished : batch) {
            JobId job = finished.execution().jobId();
            if (finished.status() != ExecutionStatus.TIMED_OUT
                    && !expected.containsKey(job)
                    && !underTheFloor(null, finished.durationMs())
                    && fresh(baselines.get(job), now) == null) {
                limits.merge(job, properties.baselineRuns() + 1, (was, one) -> was + 1);
            }
        }
        return limits;
    }

    private void judge(
            ExecutionFinished finished,
            Duration expected,
            Map<JobId, List<HealthReadings.Success>> recent,
            List<Change> changes) {
        Execution run = finished.execution();
        JobId job = run.jobId();
        Instant now = clock.instant();
        if ("scheduler".equals(run.triggeredBy()) && run.scheduledFor() != null && run.startedAt() != null) {
            Duration late = Duration.between(run.scheduledFor(), run.startedAt());
            if (late.compareTo(properties.lateAfter()) > 0) {
                open(
                        job,
                        JobHealth.LATE,
                        "its run for " + run.scheduledFor() + " started " + words(late) + " late",
                        now,
                        changes);
            } else {
                close(job, JobHealth.LATE, changes);
            }
            close(job, JobHealth.MISSED, changes);
        }
        if (finished.status() != ExecutionStatus.TIMED_OUT) {
            slow(finished, expected, recent.get(finished.execution().jobId()), now, changes);
        }
        if (!finished.last()) {
            return;
        }
        if (finished.status() == ExecutionStatus.SUCCEEDED) {
            close(job, JobHealth.FAILING, changes);
        } else if (finished.status().isRetryable()) {
            int streak = readings.failureStreak(job, Math.max(100, properties.failureStreak() * 10));
            if (streak >= properties.failureStreak()) {
                open(job, JobHealth.FAILING, streak + " final failures in a row", now, changes);
            }
        }
    }

    /** How long a run of a job may take before it is slow, and the words that say why; null: not known yet. */
    private record Limit(long ms, String usual) {}

    /** {@code read}: what a batch read of the job's recent successes found; null: not read, read it here. */
    private Limit limitOf(
            JobId job, ExecutionId run, Duration expected, List<HealthReadings.Success> read, Instant now) {
        if (expected != null) {
            return new Limit(expected.toMillis(), "its expected duration " + words(expected));
        }
        Baseline baseline = baseline(job, run, read, now);
        if (baseline.runs() < properties.minimumRuns()) {
            return null;
        }
        long byBaseline = (long) Math.ceil(baseline.p95Ms() * properties.slowFactor());
        String p95 = words(Duration.ofMillis(baseline.p95Ms()));
        long floor = properties.slowAtLeast().toMillis();
        return byBaseline >= floor
                ? new Limit(
                        byBaseline,
                        properties.slowFactor() + " × the p95 (" + p95 + ") of its last " + baseline.runs()
                                + " successful runs")
                : new Limit(
                        floor,
                        words(properties.slowAtLeast()) + ", the shortest run counted as slow ("
                                + properties.slowFactor() + " × its p95 of " + p95 + " over the last "
                                + baseline.runs() + " successful runs is only "
                                + words(Duration.ofMillis(byBaseline)) + ")");
    }

    /**
     * Runs still under way past their job's limit: the job is slow from then on, not only once the run ends (its end
     * then finds the problem open and tells nobody again).
     */
    private void slowWhileRunning(Instant now, List<Change> changes) {
        List<HealthReadings.Running> running = readings.runningStartedBefore(now, RUNNING_LIMIT);
        if (running.isEmpty()) {
            return;
        }
        Map<JobId, Duration> expected = health.expectedDurations(
                running.stream().map(HealthReadings.Running::job).toList());
        for (HealthReadings.Running run : running) {
            Duration took = Duration.between(run.startedAt(), now);
            if (underTheFloor(expected.get(run.job()), took.toMillis())) {
                continue;
            }
            Limit limit = limitOf(run.job(), run.id(), expected.get(run.job()), null, now);
            if (limit != null && took.toMillis() > limit.ms()) {
                open(
                        run.job(),
                        JobHealth.SLOW,
                        "a run has been running for " + words(took) + " (since " + run.startedAt() + "), more than "
                                + limit.usual(),
                        now,
                        changes);
            }
        }
    }

    private void slow(
            ExecutionFinished finished,
            Duration expected,
            List<HealthReadings.Success> recent,
            Instant now,
            List<Change> changes) {
        JobId job = finished.execution().jobId();
        if (underTheFloor(expected, finished.durationMs())) {
            if (finished.status() == ExecutionStatus.SUCCEEDED) {
                close(job, JobHealth.SLOW, changes);
            }
            return;
        }
        Limit limit = limitOf(job, finished.execution().id(), expected, recent, now);
        if (limit == null) {
            return;
        }
        long limitMs = limit.ms();
        String usual = limit.usual();
        if (finished.durationMs() > limitMs) {
            open(
                    job,
                    JobHealth.SLOW,
                    "a run took " + words(Duration.ofMillis(finished.durationMs())) + ", more than " + usual,
                    now,
                    changes);
        } else if (finished.status() == ExecutionStatus.SUCCEEDED) {
            close(job, JobHealth.SLOW, changes);
        }
    }

    /**
     * Whether a run of this long is within its job's limit whatever its baseline says: shorter than
     * {@code slow-at-least}, the least a baseline limit can be, with no expected duration of its own. Its baseline is
     * then not read at all (most runs of most jobs, and every run of a drain of short jobs).
     */
    private boolean underTheFloor(Duration expected, long tookMs) {
        return expected == null && tookMs < properties.slowAtLeast().toMillis();
    }

    /** A job's baseline, from what the batch read of its recent successes ({@code read}; null: not read). */
    private Baseline baseline(JobId job, ExecutionId own, List<HealthReadings.Success> read, Instant now) {
        Baseline known = fresh(baselines.get(job), now);
        if (known != null) {
            return known;
        }
        List<Long> durations = new ArrayList<>(
                read == null
                        ? readings.recentDurations(job, own, properties.baselineRuns())
                        : read.stream()
                                .filter(success -> !success.id().equals(own))
                                .limit(properties.baselineRuns())
                                .map(HealthReadings.Success::durationMs)
                                .toList());
        Collections.sort(durations);
        // the lower p95 (rank floor(0.95 × (n − 1))): over a short history one outlier, such as the slow run that
        // opened the problem, does not become the baseline
        long p95 = durations.isEmpty() ? 0 : durations.get((int) Math.floor(0.95 * (durations.size() - 1)));
        Baseline baseline = new Baseline(p95, durations.size(), now);
        baselines.put(job, baseline);
        return baseline;
    }

    /** A baseline that may be used again at {@code now}, or null. */
    private Baseline fresh(Baseline known, Instant now) {
        return known != null
                        && known.runs() >= properties.minimumRuns()
                        && now.isBefore(known.readAt().plus(properties.baselineRefresh()))
                ? known
                : null;
    }

    /** A problem that opened or ended here, to tell about. */
    private record Change(JobId job, String reason, String detail, boolean opened, Instant since) {}

    private void open(JobId job, String reason, String detail, Instant now, List<Change> changes) {
        if (health.open(job, reason, detail, now)) {
            unhealthyJobs.add(job);
            log.warn("Job {} is unhealthy ({}): {}", job, reason, detail);
            changes.add(new Change(job, reason, detail, true, now));
        }
    }

    private void close(JobId job, String reason, List<Change> changes) {
        if (unhealthyJobs.contains(job) && health.close(job, reason)) {
            changes.add(new Change(job, reason, null, false, null));
        }
    }

    private void tell(List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        Map<JobId, NotificationRepository.Settings> settings = repository.settingsOf(
                changes.stream().map(Change::job).distinct().toList());
        Instant now = clock.instant();
        for (Change change : changes) {
            NotificationRepository.Settings job = settings.get(change.job());
            // a failure streak is the failure incident's, which tells its first failure and the recovery already
            if (job == null
                    || job.notifications().onFailure().isEmpty()
                    || change.reason().equals(JobHealth.FAILING)) {
                continue;
            }
            Notice notice = change.opened()
                    ? Notice.unhealthy(
                            job.id(), job.name(), job.templateType(), change.reason(), change.detail(), notify, now)
                    : Notice.healthy(job.id(), job.name(), job.templateType(), change.reason(), notify, now);
            delivery.tell(notice, job.notifications().onFailure());
        }
    }

    private static String words(Duration duration) {
        if (duration.toMillis() < 1000) {
            return duration.toMillis() + " ms";
        }
        return duration.truncatedTo(ChronoUnit.SECONDS).toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
