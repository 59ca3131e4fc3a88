package dev.almanac.engine.internal;

import static dev.almanac.engine.internal.NodeCutOffTests.aRunHeldOpen;
import static dev.almanac.engine.internal.NodeCutOffTests.awaitNode;
import static dev.almanac.engine.internal.NodeCutOffTests.awaitTheSecondCallAfterTheFirstEnded;
import static dev.almanac.engine.internal.NodeCutOffTests.registry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.HoldingHttpServer;
import dev.almanac.testing.NodeProcess;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.TcpProxy;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A node stopped with SIGTERM, as a service manager stops it, while its run holds a webhook call open, with a grace
 * longer than the dead-node threshold (as the defaults allow: 30 s each). The stopping node keeps its lease through
 * its grace: the other node never runs the job while its first call is open, whether the stopping node can reach the
 * database (the run is handed back at the grace's end and runs once more, attempt unchanged) or was cut off from it
 * just before (it stops its run before its lease expires; the retry follows, as for any cut-off node).
 */
@Tag("postgres")
@Tag("cluster")
@ExtendWith(WithPostgres.WhenReachable.class)
class NodeStopTests {

    private static final Map<String, Object> SETTINGS = Map.of(
            "almanac.engine.heartbeat-interval", "500ms",
            "almanac.engine.heartbeat-timeout", "1s",
            "almanac.engine.dead-node-threshold", "6s",
            "almanac.engine.shutdown-grace", "12s",
            "almanac.http.allowed-hosts", "localhost");

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aRunStillGoingInAStoppingNodesGraceIsNotRunElsewhereMeanwhile() throws Exception {
        String url = PostgresTestDatabase.freshSchemaUrl("stop_grace");
        try (EngineNode registry = registry(url, "registry-grace");
                HoldingHttpServer hook = new HoldingHttpServer()) {
            JdbcClient jdbc = registry.jdbc();
            try (NodeProcess runner = NodeProcess.start(url, "runner-grace", SETTINGS)) {
                awaitNode(jdbc, "runner-grace");
                Job job = aRunHeldOpen(registry, "held-grace", hook);
                try (NodeProcess survivor = NodeProcess.start(url, "survivor-grace", SETTINGS)) {
                    awaitNode(jdbc, "survivor-grace");

                    stopAndAwaitTheRunElsewhere(runner, hook, jdbc);
                    List<Execution> history =
                            registry.bean(ExecutionService.class).list(ExecutionQuery.ofJob(job.id(), 10));
                    assertThat(history)
                            .as("handed back at the grace's end, not lost: one run, its attempt unchanged")
                            .singleElement()
                            .satisfies(run -> {
                                assertThat(run.attempt()).isEqualTo(1);
                                assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
                                assertThat(run.executionHost()).isEqualTo("survivor-grace");
                            });
                    assertThat(runner.log()).contains("goes back to the queue: node runner-grace is stopping");
                }
            }
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aNodeCutOffAndThenStoppedStopsItsRunBeforeTheRetryStarts() throws Exception {
        String url = PostgresTestDatabase.freshSchemaUrl("stop_cutoff");
        try (EngineNode registry = registry(url, "registry-stopcut");
                TcpProxy proxy = TcpProxy.toDatabase(url);
                HoldingHttpServer hook = new HoldingHttpServer()) {
            JdbcClient jdbc = registry.jdbc();
            try (NodeProcess runner = NodeProcess.start(proxy.jdbcUrl(url), "runner-stopcut", SETTINGS)) {
                awaitNode(jdbc, "runner-stopcut");
                Job job = aRunHeldOpen(registry, "held-stopcut", hook);
                try (NodeProcess survivor = NodeProcess.start(url, "survivor-stopcut", SETTINGS)) {
                    awaitNode(jdbc, "survivor-stopcut");
                    proxy.blackhole();
                    try {
                        stopAndAwaitTheRunElsewhere(runner, hook, jdbc);
                        List<Execution> history =
                                registry.bean(ExecutionService.class).list(ExecutionQuery.ofJob(job.id(), 10)).stream()
                                        .sorted(Comparator.comparing(Execution::attempt))
                                        .toList();
                        assertThat(history).extracting(Execution::attempt).containsExactly(1, 2);
                        assertThat(history.get(0).reason()).isEqualTo("node_lost");
                        assertThat(history.get(0).executionHost()).isEqualTo("runner-stopcut");
                        assertThat(history.get(1).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
                        assertThat(history.get(1).executionHost()).isEqualTo("survivor-stopcut");
                        assertThat(runner.log()).contains("stopping its runs before its lease expires");
                    } finally {
                        proxy.restore();
                    }
                }
            }
        }
    }

    /** Sends the runner SIGTERM, waits for it to end on its own, then for the run's second call on the other node. */
    private static void stopAndAwaitTheRunElsewhere(NodeProcess runner, HoldingHttpServer hook, JdbcClient jdbc)
            throws InterruptedException {
        assertThat(runner.terminate(Duration.ofSeconds(90)))
                .as("the stopped node ended on its own; its log:%n%s", runner.log())
                .isTrue();
        awaitTheSecondCallAfterTheFirstEnded(hook, jdbc);
    }
}
