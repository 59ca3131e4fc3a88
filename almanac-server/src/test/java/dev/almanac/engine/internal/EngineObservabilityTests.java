package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.MutableClock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Status;

/**
 * What an operator sees of the engine without reading its tables: Prometheus meters after runs, the engine's health,
 * and log lines that name the job and execution they are about (MDC {@code job_id}, {@code execution_id}).
 */
class EngineObservabilityTests {

    @Test
    void runsShowInThePrometheusMetersAndTheLogNamesTheirJobAndExecution() {
        try (EngineNode node = EngineNode.on(
                        "jdbc:h2:mem:almanac-observed;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;"
                                + "DB_CLOSE_DELAY=-1",
                        "sa",
                        "")
                .nodeId("observed")
                .start()) {
            ListAppender<ILoggingEvent> engineLog = new ListAppender<>();
            engineLog.start();
            ((Logger) LoggerFactory.getLogger(TemplateRunner.class)).addAppender(engineLog);

            JobService jobs = node.bean(JobService.class);
            ManualRuns runs = node.bean(ManualRuns.class);
            ExecutionService executions = node.bean(ExecutionService.class);
            Job fine = jobs.create(aCronJob("observed-fine", "0 0 1 1 *").build(), "test");
            Job broken = jobs.create(
                    aCronJob("observed-broken", "0 0 1 1 *")
                            .template("test_fail", Map.of())
                            .build(),
                    "test");
            Execution succeeded = runs.run(fine, Map.of(), false, "test");
            Execution failed = runs.run(broken, Map.of(), false, "test");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> executions.get(succeeded.id()).status() == ExecutionStatus.SUCCEEDED
                            && executions.get(failed.id()).status() == ExecutionStatus.FAILED);

            // the meters count a run after its outcome's commit, which the status read above may see first
            PrometheusMeterRegistry meters = node.bean(PrometheusMeterRegistry.class);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> meters.scrape().contains("almanac_execution_lateness_seconds_count 2")
                            && meters.scrape().contains("status=\"failed\",template=\"test_fail\"} 1"));
            String scrape = meters.scrape();
            assertThat(scrape)
                    .contains(
                            "almanac_executions_total{namespace=\"default\",reason=\"\",status=\"succeeded\",template=\"heartbeat\"} 1")
                    .contains(
                            "almanac_executions_total{namespace=\"default\",reason=\"\",status=\"failed\",template=\"test_fail\"} 1")
                    .contains(
                            "almanac_execution_duration_seconds_bucket{namespace=\"default\",status=\"succeeded\",template=\"heartbeat\"")
                    .contains("almanac_execution_lateness_seconds_count 2")
                    .contains("almanac_worker_claimed_executions_count")
                    .contains("almanac_executions_queued")
                    .contains("almanac_executions_running")
                    .contains("almanac_engine_running")
                    .contains("almanac_node_heartbeat_age_seconds");

            assertThat(engineLog.list)
                    .filteredOn(event -> event.getFormattedMessage().contains("ended failed"))
                    .singleElement()
                    .satisfies(event -> assertThat(event.getMDCPropertyMap())
                            .containsEntry("job_id", broken.id().toString())
                            .containsEntry("execution_id", failed.id().toString())
                            .containsEntry("job_name", "observed-broken"));

            assertThat(node.bean(EngineHealth.class).health().getStatus()).isEqualTo(Status.UP);
        }
    }

    /**
     * Every gauge that reads a number keeps reading one after a garbage collection: Micrometer holds a gauge's state
     * weakly, and the engine's running and heartbeat-age gauges, registered on method references nothing else held,
     * read NaN about a minute after start (and an alert on the heartbeat's age could never fire).
     */
    @Test
    void everyGaugeStillReadsANumberAfterAGarbageCollection() {
        try (EngineNode node = EngineNode.on(
                        "jdbc:h2:mem:almanac-gauged;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;"
                                + "DB_CLOSE_DELAY=-1",
                        "sa",
                        "")
                .nodeId("gauged")
                .start()) {
            MeterRegistry meters = node.bean(MeterRegistry.class);
            List<Gauge> numbers = meters.getMeters().stream()
                    .filter(m -> m instanceof Gauge && m.getId().getName().startsWith("almanac."))
                    .map(Gauge.class::cast)
                    .filter(g -> !Double.isNaN(g.value()))
                    .toList();
            assertThat(numbers)
                    .extracting(g -> g.getId().getName())
                    .contains("almanac.engine.running", "almanac.node.heartbeat.age");

            for (int i = 0; i < 3; i++) {
                System.gc();
            }

            assertThat(numbers)
                    .allSatisfy(gauge -> assertThat(gauge.value())
                            .as(gauge.getId().getName())
                            .isNotNaN());
        }
    }

    /**
     * The cluster's queue and running gauges count when they are read, not at every heartbeat of every node: here no
     * engine loop runs, so only a read counts; the count is kept for a heartbeat interval, then counted again (its
     * timing and failures: {@link ClusterCountsTests}).
     */
    @Test
    void theClusterGaugesCountWhenReadAndKeepTheCountForAHeartbeatInterval() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-05T04:00:00Z"));
        try (EngineNode node = EngineNode.on(
                        "jdbc:h2:mem:almanac-counted;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;"
                                + "DB_CLOSE_DELAY=-1",
                        "sa",
                        "")
                .nodeId("counted")
                .clock(clock)
                .set("almanac.engine.enabled", false)
                .set("almanac.engine.heartbeat-interval", "5s")
                .start()) {
            Job job = node.bean(JobService.class)
                    .create(aCronJob("counted", "0 0 1 1 *").build(), "test");
            ManualRuns runs = node.bean(ManualRuns.class);
            PrometheusMeterRegistry meters = node.bean(PrometheusMeterRegistry.class);
            runs.run(job, Map.of(), false, "test");
            runs.run(job, Map.of(), false, "test");

            // the count this read started, or unknown (NaN) if it took longer than the read waits: never an empty queue
            assertThat(meters.scrape()).containsAnyOf("almanac_executions_queued 2.0", "almanac_executions_queued NaN");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> meters.scrape().contains("almanac_executions_queued 2.0"));
            assertThat(meters.scrape()).contains("almanac_executions_running 0.0");

            runs.run(job, Map.of(), false, "test");
            clock.advance(Duration.ofSeconds(4));
            assertThat(meters.scrape()).contains("almanac_executions_queued 2.0");

            clock.advance(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> meters.scrape().contains("almanac_executions_queued 3.0"));
        }
    }
}
