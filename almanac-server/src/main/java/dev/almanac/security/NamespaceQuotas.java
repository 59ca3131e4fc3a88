package dev.almanac.security;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.TooManyRequestsException;
import dev.almanac.security.internal.NamespaceRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * A namespace's quotas where a person meets them: its number of jobs (a 403 when creating, importing, cloning or
 * moving a job would go over it) and its manual runs per hour (a 429, counted from the audit trail across the
 * cluster). Each refusal names the quota, the namespace and the count, and is recorded as {@code access.denied}.
 */
@Component
public class NamespaceQuotas {

    static final Duration RUN_WINDOW = Duration.ofHours(1);

    private final NamespaceRepository namespaces;
    private final ObjectProvider<NamespaceUsage> usage;
    private final AuditTrail audit;
    private final Clock clock;

    NamespaceQuotas(
            NamespaceRepository namespaces, ObjectProvider<NamespaceUsage> usage, AuditTrail audit, Clock clock) {
        this.namespaces = namespaces;
        this.usage = usage;
        this.audit = audit;
        this.clock = clock;
    }

    /** How many jobs {@code namespace} holds, against its quota (0: none). */
    public record JobRoom(String namespace, int quota, long jobs) {

        public long room() {
            return quota <= 0 ? Long.MAX_VALUE : Math.max(0, quota - jobs);
        }
    }

    /**
     * Where {@code namespace} stands against its job quota, its row locked for the rest of the caller's transaction:
     * the transaction that then adds jobs there counts them in turn with any other doing the same.
     */
    public JobRoom lockedJobRoom(String namespace) {
        namespaces.lock(namespace);
        return jobRoom(namespace);
    }

    /** Where {@code namespace} stands against its job quota; jobs are counted only when it has one. */
    public JobRoom jobRoom(String namespace) {
        Integer quota = namespaces.find(namespace).map(n -> n.quotas().jobs()).orElse(null);
        if (quota == null) {
            return new JobRoom(namespace, 0, 0);
        }
        NamespaceUsage counter = usage.getIfAvailable();
        long jobs = counter == null ? 0 : counter.jobsIn(namespace, Long.MAX_VALUE);
        return new JobRoom(namespace, quota, jobs);
    }

    /** How many jobs {@code namespace} holds, whatever its quota: what its page shows. */
    public long jobsIn(String namespace) {
        NamespaceUsage counter = usage.getIfAvailable();
        return counter == null ? 0 : counter.jobsIn(namespace, Long.MAX_VALUE);
    }

    /**
     * Refuses with 403 when {@code creating} more jobs would take {@code namespace} over its job quota. Called in the
     * transaction that adds them, it holds the namespace's row until that ends, so concurrent creates take turns.
     */
    public void requireJobRoom(String namespace, long creating) {
        JobRoom room = lockedJobRoom(namespace);
        if (room.room() >= creating) {
            return;
        }
        throw refusedJobs(room, creating);
    }

    /**
     * The 403 for creating {@code creating} jobs in a namespace that stood at {@code room} before them, recorded as
     * {@code access.denied}: what a create, and an import that would create several, answer.
     */
    public ForbiddenException refusedJobs(JobRoom room, long creating) {
        String namespace = room.namespace();
        String message = creating <= 1
                ? "job quota of namespace '" + namespace + "' reached: it has " + room.jobs()
                        + " jobs and its quota is " + room.quota()
                        + "; delete jobs there, or ask an owner of the namespace to raise the quota"
                : "job quota of namespace '" + namespace + "' reached: this would create " + creating
                        + " jobs, it has " + room.jobs() + " jobs and its quota is " + room.quota() + " (room for "
                        + room.room() + "); nothing was stored";
        audit.record(
                AuditTrail.currentActorName(),
                "access.denied",
                AuditTrail.DENIED,
                AuditTrail.Target.of("namespace", namespace, namespace, namespace),
                Map.of(
                        "action",
                        "create " + creating + (creating == 1 ? " job" : " jobs"),
                        "quota",
                        "jobs",
                        "reason",
                        message));
        return new ForbiddenException(message);
    }

    /** How many of {@code namespace}'s runs may run at once (null: no quota); the engine's claim holds to it. */
    public Integer runsAtOnce(String namespace) {
        return namespaces.find(namespace).map(n -> n.quotas().runsAtOnce()).orElse(null);
    }

    /** The history quotas ({@code history_days}, {@code runs_per_job}) of the namespaces that set any, by name. */
    public Map<String, Namespace.Quotas> historyQuotas() {
        Map<String, Namespace.Quotas> quotas = new java.util.HashMap<>();
        for (Namespace namespace : namespaces.all()) {
            Namespace.Quotas q = namespace.quotas();
            if (q.historyDays() != null || q.runsPerJob() != null) {
                quotas.put(namespace.name(), q);
            }
        }
        return quotas;
    }

    /** How many manual runs (a started backfill counts as one) were started in {@code namespace} in the last hour. */
    public long manualRunsLastHour(String namespace) {
        return manualRunsSince(namespace, windowStart(namespace, clock.instant()))
                .count();
    }

    private AuditTrail.Count manualRunsSince(String namespace, Instant since) {
        return Limits.sum(
                audit.countInNamespace(namespace, Limits.RUN, since),
                audit.countInNamespace(namespace, Limits.BACKFILL, since));
    }

    /**
     * Where the hour of manual runs counted for {@code namespace} starts: an hour ago, or when the namespace was
     * created if later, so one created again under the name of a deleted one does not inherit that one's runs.
     */
    private Instant windowStart(String namespace, Instant now) {
        Instant hourAgo = now.minus(RUN_WINDOW);
        return namespaces
                .find(namespace)
                .map(Namespace::createdAt)
                .filter(created -> created.isAfter(hourAgo))
                // the count takes what came after its start: a run at the very moment of the creation is counted
                .map(created -> created.minus(1, java.time.temporal.ChronoUnit.MICROS))
                .orElse(hourAgo);
    }

    /** Refuses a manual run with 429 when {@code namespace}'s people started as many as its hourly quota allows. */
    public void requireManualRunRoom(String namespace) {
        Integer quota = namespaces
                .find(namespace)
                .map(n -> n.quotas().manualRunsPerHour())
                .orElse(null);
        if (quota == null) {
            return;
        }
        Instant now = clock.instant();
        AuditTrail.Count recent = manualRunsSince(namespace, windowStart(namespace, now));
        if (recent.count() < quota) {
            return;
        }
        Duration wait = recent.oldest() == null
                ? RUN_WINDOW
                : Duration.between(now, recent.oldest().plus(RUN_WINDOW));
        String message = "manual_runs_per_hour quota of namespace '" + namespace + "' reached: " + recent.count()
                + " manual runs (backfills included) in the last hour and its quota is " + quota;
        audit.record(
                AuditTrail.currentActorName(),
                "access.denied",
                AuditTrail.DENIED,
                AuditTrail.Target.of("namespace", namespace, namespace, namespace),
                Map.of("action", "run", "quota", "manual_runs_per_hour", "reason", message));
        throw new TooManyRequestsException(message, wait.isNegative() ? Duration.ofSeconds(1) : wait);
    }
}
