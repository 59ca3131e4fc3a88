package dev.almanac.notify.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.DatabaseAvailability;
import dev.almanac.common.NotFoundException;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionFinished;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.job.Notifications;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tells people about jobs. The engine's outcome writer hands every final outcome over here and goes on; this
 * node's notifier thread then reads the jobs' settings (one query per batch) and hands the notices to
 * {@link Delivery}, which sends each recipient's on its own lane, so a slow SMTP server or webhook never holds up
 * runs, other recipients or the checks. Only final outcomes are reported as failures (a failed attempt that is
 * retried is {@code on_retry}'s business); the first final failure opens an incident and is told, the next ones are
 * recorded as suppressed until a success closes it (and tells that the job recovered). The same thread raises
 * missed-run alerts.
 *
 * <p>Tests drive it step by step with {@link #deliverPending()} and {@link #checkMissedRuns()}, which wait until
 * what they queued is sent, or with {@link #dispatchPending()}, which does not.
 */
@Component
public class Notifier implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    private static final int BATCH = 500;

    private final NotificationRepository repository;
    private final ScheduleHealth health;
    private final Incidents incidents;
    private final Delivery delivery;
    private final JobService jobs;
    private final ExecutionService executions;
    private final AuditTrail audit;
    private final NotifyProperties properties;
    private final JsonMapper json;
    private final Clock clock;
    private final boolean background;
    private final BlockingQueue<ExecutionFinished> pending;
    private final Counter dropped;
    private final AtomicLong lastDropWarning = new AtomicLong(System.nanoTime() - TimeUnit.HOURS.toNanos(1));
    private volatile Thread thread;
    private volatile boolean running;

    Notifier(
            NotificationRepository repository,
            ScheduleHealth health,
            Incidents incidents,
            Delivery delivery,
            JobService jobs,
            ExecutionService executions,
            AuditTrail audit,
            NotifyProperties properties,
            JsonMapper json,
            Clock clock,
            MeterRegistry meters,
            @Value("${almanac.engine.enabled:true}") boolean background) {
        this.repository = repository;
        this.health = health;
        this.incidents = incidents;
        this.delivery = delivery;
        this.jobs = jobs;
        this.executions = executions;
        this.audit = audit;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
        this.background = background;
        this.pending = new LinkedBlockingQueue<>(Math.max(1, properties.queueCapacity()));
        this.dropped = Counter.builder("almanac.notifications.dropped")
                .description("Outcomes not told about because this node's notification queue was full")
                .register(meters);
    }

    /**
     * Takes an outcome for the notifier thread once it is stored (at once when it was published after its commit);
     * never blocks the engine. A cancelled run is told about only when it was a retry: the failure it was to retry is
     * then final.
     */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void finished(ExecutionFinished finished) {
        if (finished.execution().dryRun()
                || (finished.status() == ExecutionStatus.CANCELLED && !finished.abandonsARetry())) {
            return;
        }
        if (!pending.offer(finished)) {
            dropped.increment();
            long now = System.nanoTime();
            long last = lastDropWarning.get();
            if (now - last > TimeUnit.MINUTES.toNanos(1) && lastDropWarning.compareAndSet(last, now)) {
                log.warn(
                        "Notification queue full ({} outcomes): not telling about execution {} of '{}' and others;"
                                + " see almanac_notifications_dropped_total",
                        properties.queueCapacity(),
                        finished.execution().id(),
                        finished.execution().jobName());
            }
        }
    }

    /**
     * Tells about every outcome handed over so far and waits until every notice queued is sent or given up; returns
     * how many outcomes it went through.
     */
    public int deliverPending() {
        int done = dispatchPending();
        awaitDelivery();
        return done;
    }

    /** Hands the notices of every outcome handed over so far to the senders; returns how many outcomes. */
    public int dispatchPending() {
        int done = 0;
        List<ExecutionFinished> batch = new ArrayList<>();
        while (pending.drainTo(batch, BATCH) > 0) {
            deliver(batch);
            done += batch.size();
            batch.clear();
        }
        return done;
    }

    /** Raises the missed-run alerts that are due and waits until they are sent; returns how many it raised. */
    public int checkMissedRuns() {
        List<CompletableFuture<Void>> alerts = new ArrayList<>();
        raiseMissedRunAlerts(alerts);
        try {
            CompletableFuture.allOf(alerts.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Missed-run alerts not sent in time: {}", e.getMessage());
        }
        return alerts.size();
    }

    private void awaitDelivery() {
        try {
            delivery.awaitIdle(Duration.ofMinutes(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void raiseMissedRunAlerts(List<CompletableFuture<Void>> alerts) {
        Instant now = clock.instant();
        for (NotificationRepository.AlertCandidate candidate : repository.alertCandidates()) {
            NotificationRepository.Settings job = candidate.job();
            Duration window = job.notifications().alertIfNoSuccessWithin();
            if (window == null) {
                continue;
            }
            Instant since =
                    candidate.lastSuccess() != null && candidate.lastSuccess().isAfter(candidate.createdAt())
                            ? candidate.lastSuccess()
                            : candidate.createdAt();
            if (now.isBefore(since.plus(window))) {
                continue;
            }
            // the node whose insert opens the incident is the one that tells
            if (incidents.open(job.id(), Incidents.MISSED_RUN, null, now)) {
                log.warn("Missed-run alert: job '{}' has not succeeded since {}", job.name(), since);
                alerts.add(delivery.tell(
                        Notice.missedRun(
                                job.id(),
                                job.name(),
                                job.templateType(),
                                window,
                                candidate.lastSuccess(),
                                properties,
                                now),
                        job.notifications().onFailure()));
            }
        }
    }

    private void deliver(List<ExecutionFinished> outcomes) {
        List<ExecutionFinished> batch = finalOutcomes(outcomes);
        Map<JobId, NotificationRepository.Settings> settings;
        try {
            settings = repository.settingsOf(
                    batch.stream().map(f -> f.execution().jobId()).toList());
        } catch (RuntimeException e) {
            log.warn(
                    "Could not read notification settings; {} outcome(s) not told about: {}",
                    batch.size(),
                    e.getMessage());
            return;
        }
        for (ExecutionFinished finished : batch) {
            NotificationRepository.Settings job =
                    settings.get(finished.execution().jobId());
            if (job == null) {
                continue;
            }
            try {
                deliver(finished, job);
            } catch (RuntimeException e) {
                log.warn(
                        "Could not notify about execution {}: {}",
                        finished.execution().id(),
                        e.getMessage(),
                        e);
            }
        }
        try {
            health.observe(batch);
        } catch (RuntimeException e) {
            log.warn("Could not judge schedule health of {} outcome(s): {}", batch.size(), e.getMessage());
        }
    }

    /**
     * The outcomes as notices tell them: a retry cancelled (by someone, or replaced by a newer run) stands for the
     * failure it was to retry, which no retry follows now, told as that failure's final outcome.
     */
    private List<ExecutionFinished> finalOutcomes(List<ExecutionFinished> outcomes) {
        List<ExecutionFinished> told = new ArrayList<>(outcomes.size());
        for (ExecutionFinished outcome : outcomes) {
            if (!outcome.abandonsARetry()) {
                told.add(outcome);
                continue;
            }
            try {
                Execution failed = executions.get(outcome.execution().retryOf());
                if (failed.status().isRetryable() && !overtaken(failed)) {
                    told.add(new ExecutionFinished(
                            failed,
                            failed.status(),
                            failed.error(),
                            failed.completedAt(),
                            failed.durationMs() == null ? 0 : failed.durationMs(),
                            true));
                }
            } catch (NotFoundException gone) {
                // its record was deleted meanwhile: nothing left to tell about
            } catch (RuntimeException e) {
                log.warn(
                        "Could not read the failure execution {} was to retry: {}",
                        outcome.execution().id(),
                        e.getMessage());
            }
        }
        return told;
    }

    /**
     * Whether a newer run of the failed run's job has succeeded since (a later slot, while the retry waited): the job
     * recovered, and a retry cancelled then is no failure to tell. A newer failure leaves the failure standing.
     */
    private boolean overtaken(Execution failed) {
        Instant ran = failed.startedAt();
        return ran != null
                && jobs.find(failed.jobId())
                        .map(job -> ExecutionStatus.SUCCEEDED.json().equals(job.lastStatus())
                                && job.lastRunAt() != null
                                && job.lastRunAt().isAfter(ran))
                        .orElse(true);
    }

    private void deliver(ExecutionFinished finished, NotificationRepository.Settings job) {
        Notifications to = job.notifications();
        Instant now = clock.instant();
        if (!finished.last()) {
            if (!to.onRetry().isEmpty()) {
                delivery.tell(Notice.of(Event.RETRY, finished, properties, now), to.onRetry());
            }
            return;
        }
        if (finished.status() == ExecutionStatus.SUCCEEDED) {
            if (!to.onSuccess().isEmpty()) {
                delivery.tell(Notice.of(Event.SUCCESS, finished, properties, now), to.onSuccess());
            }
            Optional<Incidents.Closed> failing = incidents.close(job.id(), Incidents.FAILURE);
            Optional<Incidents.Closed> missed = incidents.close(job.id(), Incidents.MISSED_RUN);
            Optional<Incidents.Closed> closed = failing.or(() -> missed);
            if (closed.isPresent() && !to.onFailure().isEmpty()) {
                delivery.tell(Notice.recovered(finished, closed.get(), properties, now), to.onFailure());
            }
            return;
        }
        if (!finished.status().isRetryable() || (to.onFailure().isEmpty() && to.autoPauseAfterFailures() == 0)) {
            return;
        }
        Incidents.Counted incident = incidents.openOrCount(
                job.id(), Incidents.FAILURE, finished.execution().id(), now);
        Notice failure = Notice.of(Event.FAILURE, finished, properties, now);
        if (incident.opened()) {
            delivery.tell(failure, to.onFailure());
        } else {
            delivery.suppress(
                    failure,
                    to.onFailure(),
                    () -> repository.toldSince(job.id(), Event.FAILURE.json(), incident.openedAt()),
                    "one incident, one message: told at its first failure (" + incident.openedAt()
                            + (incident.openedBy() == null ? "" : ", execution " + incident.openedBy())
                            + "); this is failure " + incident.failures() + " in a row");
        }
        if (to.autoPauseAfterFailures() > 0 && incident.failures() >= to.autoPauseAfterFailures() && job.enabled()) {
            autoPause(finished, job, incident.failures(), now);
        }
    }

    private void autoPause(ExecutionFinished finished, NotificationRepository.Settings job, int failures, Instant now) {
        ObjectNode disable = json.createObjectNode().put("enabled", false);
        JobService.Updated updated;
        try {
            updated = jobs.update(job.id(), disable, "system");
        } catch (RuntimeException e) {
            log.warn("Could not auto-pause job '{}': {}", job.name(), e.getMessage());
            return;
        }
        if (!updated.changed()) {
            return;
        }
        log.warn("Auto-paused job '{}' after {} failures in a row", job.name(), failures);
        audit.record(
                "system",
                "job.auto_paused",
                AuditTrail.SUCCESS,
                AuditTrail.Target.of("job", job.id(), job.name()),
                Map.of(
                        "consecutive_failures",
                        failures,
                        "execution_id",
                        finished.execution().id().toString()));
        delivery.tell(
                Notice.autoPaused(finished, failures, properties, now),
                job.notifications().onFailure());
    }

    @Override
    public synchronized void start() {
        running = true;
        if (!background) {
            return;
        }
        Thread loop = new Thread(this::loop, "almanac-notifier");
        loop.setDaemon(true);
        loop.start();
        thread = loop;
    }

    @Override
    public synchronized void stop() {
        running = false;
        Thread current = thread;
        if (current != null) {
            current.interrupt();
            try {
                current.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        // what the engine's drain wrote last is still told about, within the grace; the rest is recorded as not sent
        dispatchPending();
        delivery.shutdown(properties.shutdownGrace());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the engine has drained, so the outcomes of its last runs are still told about. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1100;
    }

    private void loop() {
        Instant nextCheck = clock.instant();
        List<ExecutionFinished> batch = new ArrayList<>();
        while (running) {
            try {
                long waitMs =
                        Math.max(1, Duration.between(clock.instant(), nextCheck).toMillis());
                ExecutionFinished first =
                        pending.poll(Math.min(waitMs, properties.checkInterval().toMillis()), TimeUnit.MILLISECONDS);
                if (first != null) {
                    batch.add(first);
                    pending.drainTo(batch, BATCH - 1);
                    deliver(batch);
                    batch.clear();
                }
                if (!clock.instant().isBefore(nextCheck)) {
                    raiseMissedRunAlerts(new ArrayList<>());
                    health.check();
                    nextCheck = clock.instant().plus(properties.checkInterval());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (DatabaseAvailability.isConnectionFailure(e)) {
                    // the outage itself is logged once, by DatabaseAvailability
                    log.debug("Notifier pass found no database, going on: {}", e.getMessage());
                } else {
                    log.warn("Notifier pass failed, going on: {}", e.getMessage());
                }
                batch.clear();
            }
        }
    }
}
