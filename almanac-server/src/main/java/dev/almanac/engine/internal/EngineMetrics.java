package dev.almanac.engine.internal;

import dev.almanac.common.DatabaseAvailability;
import dev.almanac.execution.ExecutionRepository;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * The engine's meters, as Prometheus shows them at {@code /actuator/prometheus} ({@code almanac_*}): executions by
 * outcome, template and namespace, run durations, lateness, the cluster's queue and running counts (counted when read),
 * this node's runs, claims per pass, and the age of this node's heartbeat.
 */
@Component
class EngineMetrics {

    private final MeterRegistry meters;
    private final Timer lateness;
    private final DistributionSummary triggerClaims;
    private final DistributionSummary workerClaims;
    private final JobService jobs;
    // a job's namespace, read at most once a minute: a job moved on another node is labelled anew within that time
    private final Map<JobId, Labelled> namespaces = new ConcurrentHashMap<>();
    private final ClusterCounts cluster;

    private record Labelled(String namespace, long readAt) {}

    static final long NAMESPACE_TTL = 60_000_000_000L;
    static final int NAMESPACES_KEPT = 10_000;
    static final long RETRY_UNLABELLED = 5_000_000_000L;

    EngineMetrics(
            MeterRegistry meters,
            ExecutionRepository executions,
            JobService jobs,
            Clock clock,
            EngineProperties properties,
            DatabaseAvailability database) {
        this.meters = meters;
        this.cluster =
                new ClusterCounts(executions::activeCounts, clock, properties.heartbeatInterval(), database::down);
        this.jobs = jobs;
        this.lateness = Timer.builder("almanac.execution.lateness")
                .description("From the time an execution was due to the time it started")
                .publishPercentiles(0.5, 0.95, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(meters);
        this.triggerClaims = DistributionSummary.builder("almanac.trigger.claimed.jobs")
                .description("Due jobs one trigger pass claimed")
                .register(meters);
        this.workerClaims = DistributionSummary.builder("almanac.worker.claimed.executions")
                .description("Queued executions one worker claim took")
                .register(meters);
        Gauge.builder("almanac.executions.queued", cluster, c -> c.of(ExecutionStatus.QUEUED))
                .description("Executions waiting in the cluster's queue, counted when read, at most once a heartbeat"
                        + " interval (NaN while unknown)")
                .register(meters);
        Gauge.builder("almanac.executions.running", cluster, c -> c.of(ExecutionStatus.RUNNING))
                .description("Executions running anywhere in the cluster, counted like almanac.executions.queued")
                .register(meters);
    }

    /** Watches this node's engine: its runs in flight and how old its last heartbeat is. */
    void watch(IntSupplier running, Supplier<Duration> heartbeatAge) {
        // held strongly: Micrometer keeps a gauge's state weakly, and nothing else holds these method references
        Gauge.builder("almanac.engine.running", running, IntSupplier::getAsInt)
                .description("Executions running on this node")
                .strongReference(true)
                .register(meters);
        Gauge.builder(
                        "almanac.node.heartbeat.age",
                        heartbeatAge,
                        age -> age.get().toMillis() / 1000.0)
                .description("Seconds since this node last proved it is alive")
                .baseUnit("seconds")
                .strongReference(true)
                .register(meters);
    }

    void started(Duration late) {
        lateness.record(late.isNegative() ? Duration.ZERO : late);
    }

    void ended(JobId job, String template, ExecutionStatus status, Duration took) {
        String namespace = namespaceOf(job);
        counter(namespace, template, status.json(), null).increment();
        Timer.builder("almanac.execution.duration")
                .description("How long runs took, by namespace, template and outcome")
                .tag("namespace", namespace)
                .tag("template", template)
                .tag("status", status.json())
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(2))
                .register(meters)
                .record(took);
    }

    void skipped(JobId job, String template, String reason) {
        counter(namespaceOf(job), template, ExecutionStatus.SKIPPED.json(), reason)
                .increment();
    }

    void triggered(int jobs) {
        triggerClaims.record(jobs);
    }

    void claimed(int executions) {
        workerClaims.record(executions);
    }

    /**
     * Reads the namespace labels of these jobs that are not known or not fresh, in one statement per 500, before
     * their runs are counted: one read per job, each in a transaction of its own, was a tenth of a drain's
     * statements.
     */
    void knowNamespaces(Collection<JobId> ran) {
        long now = System.nanoTime();
        List<JobId> unknown = ran.stream()
                .filter(job -> job != null)
                .distinct()
                .filter(job -> {
                    Labelled known = namespaces.get(job);
                    return known == null || now - known.readAt() >= NAMESPACE_TTL;
                })
                .toList();
        if (unknown.isEmpty()) {
            return;
        }
        Map<JobId, String> read;
        try {
            read = jobs.namespacesOf(unknown);
        } catch (RuntimeException e) {
            // after the outcomes' commit, and the database may be gone: these runs go unlabelled, and their jobs are
            // read again in a few seconds rather than one by one now
            long retryAt = now - NAMESPACE_TTL + RETRY_UNLABELLED;
            unknown.forEach(job -> namespaces.put(job, new Labelled("", retryAt)));
            return;
        }
        remember(unknown, job -> read.getOrDefault(job, ""), now);
    }

    /** The namespace label of a job's runs; empty for a job that is gone. */
    private String namespaceOf(JobId job) {
        if (job == null) {
            return "";
        }
        long now = System.nanoTime();
        Labelled known = namespaces.get(job);
        if (known != null && now - known.readAt() < NAMESPACE_TTL) {
            return known.namespace();
        }
        String namespace;
        try {
            namespace = jobs.namespaceOf(job).orElse("");
        } catch (RuntimeException e) {
            return ""; // counted after the outcomes' commit: a label is not worth losing their events
        }
        remember(List.of(job), ignored -> namespace, now);
        return namespace;
    }

    /** Keeps the labels of these jobs as read at {@code readAt}, forgetting every label first if they would not fit. */
    private void remember(Collection<JobId> read, Function<JobId, String> namespace, long readAt) {
        if (namespaces.size() + read.size() > NAMESPACES_KEPT) {
            namespaces.clear();
        }
        read.forEach(job -> namespaces.put(job, new Labelled(namespace.apply(job), readAt)));
    }

    private Counter counter(String namespace, String template, String status, String reason) {
        return Counter.builder("almanac.executions")
                .description("Executions that ended or were skipped, by namespace, template, outcome and skip reason")
                .tag("namespace", namespace)
                .tag("template", template)
                .tag("status", status)
                .tag("reason", reason == null ? "" : reason)
                .register(meters);
    }
}
