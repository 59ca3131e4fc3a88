package dev.almanac.engine.internal;

import dev.almanac.execution.ExecutionRepository;
import dev.almanac.execution.ExecutionStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * The engine's meters, as Prometheus shows them at {@code /actuator/prometheus} ({@code almanac_*}): executions by
 * outcome and template, run durations, lateness, the cluster's queue and running counts as of the last heartbeat,
 * this node's runs, claims per pass, and the age of this node's heartbeat.
 */
@Component
class EngineMetrics {

    private final MeterRegistry meters;
    private final Timer lateness;
    private final DistributionSummary triggerClaims;
    private final DistributionSummary workerClaims;
    private final ExecutionRepository executions;
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong running = new AtomicLong();

    EngineMetrics(MeterRegistry meters, ExecutionRepository executions) {
        this.meters = meters;
        this.executions = executions;
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
        Gauge.builder("almanac.executions.queued", queued, AtomicLong::get)
                .description("Executions waiting in the cluster's queue, as of this node's last heartbeat")
                .register(meters);
        Gauge.builder("almanac.executions.running", running, AtomicLong::get)
                .description("Executions running anywhere in the cluster, as of this node's last heartbeat")
                .register(meters);
    }

    /** Watches this node's engine: its runs in flight and how old its last heartbeat is. */
    void watch(IntSupplier running, Supplier<Duration> heartbeatAge) {
        Gauge.builder("almanac.engine.running", running, IntSupplier::getAsInt)
                .description("Executions running on this node")
                .register(meters);
        Gauge.builder(
                        "almanac.node.heartbeat.age",
                        heartbeatAge,
                        age -> age.get().toMillis() / 1000.0)
                .description("Seconds since this node last proved it is alive")
                .baseUnit("seconds")
                .register(meters);
    }

    void started(Duration late) {
        lateness.record(late.isNegative() ? Duration.ZERO : late);
    }

    void ended(String template, ExecutionStatus status, Duration took) {
        counter(template, status.json(), null).increment();
        Timer.builder("almanac.execution.duration")
                .description("How long runs took, by template and outcome")
                .tag("template", template)
                .tag("status", status.json())
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(2))
                .register(meters)
                .record(took);
    }

    void skipped(String template, String reason) {
        counter(template, ExecutionStatus.SKIPPED.json(), reason).increment();
    }

    void triggered(int jobs) {
        triggerClaims.record(jobs);
    }

    void claimed(int executions) {
        workerClaims.record(executions);
    }

    /** Counts the cluster's queued and running executions, at a heartbeat. */
    void countCluster() {
        Map<ExecutionStatus, Long> active = executions.activeCounts();
        queued.set(active.getOrDefault(ExecutionStatus.QUEUED, 0L));
        running.set(active.getOrDefault(ExecutionStatus.RUNNING, 0L));
    }

    private Counter counter(String template, String status, String reason) {
        return Counter.builder("almanac.executions")
                .description("Executions that ended or were skipped, by template, outcome and skip reason")
                .tag("template", template)
                .tag("status", status)
                .tag("reason", reason == null ? "" : reason)
                .register(meters);
    }
}
