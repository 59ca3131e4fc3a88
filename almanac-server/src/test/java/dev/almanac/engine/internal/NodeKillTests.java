package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aOneTimeJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.AlmanacApplication;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithPostgres;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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
 * A node in its own JVM is killed with SIGKILL while its executions run: no shutdown hook, no drain, its rows stay
 * {@code running}. Two surviving nodes notice it stopped heartbeating, fail its runs with {@code node_lost} and retry
 * them (at-least-once), and the history shows both attempts.
 */
@Tag("postgres")
@Tag("cluster")
@ExtendWith(WithPostgres.WhenReachable.class)
class NodeKillTests {

    static final int JOBS = 6;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theRunsOfANodeKilledWithSigkillAreRetriedByTheSurvivors() throws Exception {
        String url = PostgresTestDatabase.freshSchemaUrl("kill");
        try (EngineNode registry = registry(url)) {
            JdbcClient jdbc = registry.jdbc();
            List<Job> jobs = runningOnAKilledNode(registry, url, "doomed", JOBS);

            try (EngineNode first = survivor(url, "survivor-1");
                    EngineNode second = survivor(url, "survivor-2")) {
                awaitCount(
                        jdbc,
                        "SELECT COUNT(*) FROM executions WHERE status = 'running' AND attempt = 2"
                                + " AND execution_host LIKE 'survivor-%'",
                        JOBS);
                release("doomed", JOBS);
                awaitCount(jdbc, "SELECT COUNT(*) FROM executions WHERE status = 'succeeded'", JOBS);
            }

            for (Job job : jobs) {
                List<Execution> history = history(registry, job);
                assertThat(history).extracting(Execution::attempt).containsExactly(1, 2);
                Execution lost = history.get(0);
                Execution retry = history.get(1);
                assertThat(lost.status()).isEqualTo(ExecutionStatus.FAILED);
                assertThat(lost.reason()).isEqualTo("node_lost");
                assertThat(lost.executionHost()).isEqualTo("doomed");
                assertThat(lost.slotKey()).isEqualTo(job.id() + "@" + lost.scheduledFor());
                assertThat(retry.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
                assertThat(retry.retryOf()).isEqualTo(lost.id());
                assertThat(retry.triggeredBy()).isEqualTo("retry");
                assertThat(retry.executionHost()).startsWith("survivor-");
            }
            assertThat(count(jdbc, "SELECT COUNT(*) FROM executions WHERE status IN ('queued', 'running')"))
                    .isZero();
        }
    }

    /**
     * A node killed with SIGKILL and started again under the same fixed node id before the dead-node threshold
     * passed: no other node saw it die, and its runs are its own again. The runs its earlier process started are
     * failed as {@code node_lost} and retried per their policy, where they were put back in the queue as if never
     * started and ran again on the same attempt.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aNodeRestartedUnderItsIdFailsTheRunsItsEarlierProcessStartedAsLost() throws Exception {
        String url = PostgresTestDatabase.freshSchemaUrl("restart");
        try (EngineNode registry = registry(url)) {
            JdbcClient jdbc = registry.jdbc();
            List<Job> jobs = runningOnAKilledNode(registry, url, "phoenix", 2);

            Instant restarted = Instant.now();
            try (EngineNode again = EngineNode.onPostgres(url)
                    .nodeId("phoenix")
                    .set("almanac.engine.heartbeat-interval", "500ms")
                    .set("almanac.engine.dead-node-threshold", "5m")
                    .start()) {
                awaitCount(
                        jdbc,
                        "SELECT COUNT(*) FROM executions WHERE status = 'running' AND attempt = 2"
                                + " AND execution_host = 'phoenix'",
                        2);
                assertThat(jdbc.sql("SELECT started_at FROM nodes WHERE id = 'phoenix'")
                                .query(java.time.OffsetDateTime.class)
                                .single()
                                .toInstant())
                        .as("the node's start is its latest process's")
                        .isAfter(restarted);
                release("phoenix", 2);
                awaitCount(jdbc, "SELECT COUNT(*) FROM executions WHERE status = 'succeeded'", 2);
            }

            for (Job job : jobs) {
                List<Execution> history = history(registry, job);
                assertThat(history).extracting(Execution::attempt).containsExactly(1, 2);
                assertThat(history.get(0).status()).isEqualTo(ExecutionStatus.FAILED);
                assertThat(history.get(0).reason()).isEqualTo("node_lost");
                assertThat(history.get(0).error()).isEqualTo("node lost: phoenix restarted while it ran this");
                assertThat(history.get(1).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
                assertThat(history.get(1).retryOf()).isEqualTo(history.get(0).id());
            }
        }
    }

    /** A node that runs no engine, for creating jobs and reading rows. */
    private static EngineNode registry(String url) {
        return EngineNode.onPostgres(url)
                .nodeId("registry")
                .set("almanac.engine.enabled", false)
                .start();
    }

    /**
     * Starts a node process under {@code nodeId}, creates {@code count} one-time {@code test_block} jobs (one retry
     * each, keyed {@code nodeId-i}) that it runs, and kills it with SIGKILL once all of them are running on it.
     */
    private static List<Job> runningOnAKilledNode(EngineNode registry, String url, String nodeId, int count)
            throws Exception {
        JdbcClient jdbc = registry.jdbc();
        List<Job> jobs = new ArrayList<>();
        Process node = startNodeProcess(url, nodeId);
        try {
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> node.isAlive()
                            && count(jdbc, "SELECT COUNT(*) FROM nodes WHERE id = '" + nodeId + "'") == 1);
            // far enough ahead that creating the jobs on a loaded machine does not make it the past
            String runAt =
                    Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.SECONDS).toString();
            for (int i = 0; i < count; i++) {
                jobs.add(registry.bean(JobService.class)
                        .create(
                                aOneTimeJob(nodeId + "-" + i, runAt)
                                        .template("test_block", Map.of("key", nodeId + "-" + i))
                                        .retries(1, 1, 1.0)
                                        .build(),
                                "test"));
            }
            awaitCount(
                    jdbc,
                    "SELECT COUNT(*) FROM executions WHERE status = 'running' AND execution_host = '" + nodeId + "'",
                    count);
        } finally {
            node.destroyForcibly(); // SIGKILL on Linux: the node gets no chance to hand anything back
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        return jobs;
    }

    private static void release(String nodeId, int count) {
        for (int i = 0; i < count; i++) {
            TestTemplates.Block.release(nodeId + "-" + i);
        }
    }

    private static List<Execution> history(EngineNode registry, Job job) {
        return registry.bean(ExecutionService.class).list(ExecutionQuery.ofJob(job.id(), 10)).stream()
                .sorted(Comparator.comparing(Execution::attempt))
                .toList();
    }

    private static void awaitCount(JdbcClient jdbc, String sql, long expected) {
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> count(jdbc, sql) == expected);
    }

    private static EngineNode survivor(String url, String id) {
        return EngineNode.onPostgres(url)
                .nodeId(id)
                .set("almanac.engine.heartbeat-interval", "500ms")
                .set("almanac.engine.dead-node-threshold", "3s")
                .set("almanac.engine.heartbeat-timeout", "300ms")
                .start();
    }

    /** The whole application in a JVM of its own, where test_block never returns (almanac.test.hang). */
    private static Process startNodeProcess(String url, String nodeId) throws Exception {
        Path log = Path.of("target", "test-data", "nodes", nodeId + ".log");
        Files.createDirectories(log.getParent());
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(
                java,
                "-Xmx384m",
                "-Dalmanac.test.hang=true",
                "-cp",
                System.getProperty("java.class.path"),
                AlmanacApplication.class.getName(),
                "--almanac.db.url=" + url,
                "--almanac.db.user=" + PostgresTestDatabase.USER,
                "--almanac.db.password=" + PostgresTestDatabase.PASSWORD,
                "--almanac.engine.node-id=" + nodeId,
                "--almanac.engine.heartbeat-interval=500ms",
                "--almanac.data-dir=" + Path.of("target", "test-data", "nodes", nodeId),
                "--server.port=0");
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(new File(System.getProperty("user.dir")))
                .start();
    }

    private static long count(JdbcClient jdbc, String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }
}
