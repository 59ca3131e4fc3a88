package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aOneTimeJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.common.QuickConnections;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.HoldingHttpServer;
import dev.almanac.testing.HoldingHttpServer.Call;
import dev.almanac.testing.NodeProcess;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.TcpProxy;
import dev.almanac.testing.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A node stays up but its database connection goes dead (a TCP proxy stops moving bytes, closing nothing) while its
 * run holds a webhook call open. The node must stop the run, aborting the call, before the other node declares it lost
 * and starts the retry: the HTTP server never sees two calls of the job open at once, one success is recorded, and
 * the cut-off node's late outcome is refused once it can reach the database again.
 */
@Tag("postgres")
@Tag("cluster")
@ExtendWith(WithPostgres.WhenReachable.class)
class NodeCutOffTests {

    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of("defaults", Map.of()),
                Arguments.of(
                        "short",
                        Map.of(
                                "almanac.engine.heartbeat-interval", "500ms",
                                "almanac.engine.heartbeat-timeout", "1s",
                                "almanac.engine.dead-node-threshold", "6s")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aNodeCutOffFromTheDatabaseStopsItsRunBeforeTheRetryStarts(String name, Map<String, Object> settings)
            throws Exception {
        String url = PostgresTestDatabase.freshSchemaUrl("cutoff_" + name);
        Map<String, Object> outbound = Map.of("almanac.http.allowed-hosts", "localhost");
        try (EngineNode registry = registry(url, "registry-" + name);
                TcpProxy proxy = TcpProxy.toDatabase(url);
                HoldingHttpServer hook = new HoldingHttpServer()) {
            JdbcClient jdbc = registry.jdbc();
            String runnerId = "runner-" + name;
            String survivorId = "survivor-" + name;
            try (NodeProcess runner = NodeProcess.start(proxy.jdbcUrl(url), runnerId, with(settings, outbound))) {
                awaitNode(jdbc, runnerId);
                Job job = aRunHeldOpen(registry, "held-" + name, hook);

                try (NodeProcess survivor = NodeProcess.start(url, survivorId, with(settings, outbound))) {
                    awaitNode(jdbc, survivorId);
                    proxy.blackhole();

                    awaitTheSecondCallAfterTheFirstEnded(hook, jdbc);
                    proxy.restore();
                    await().atMost(Duration.ofMinutes(1))
                            .pollInterval(Duration.ofMillis(200))
                            .until(() -> runner.log().contains("refused: node " + runnerId + " no longer holds it"));

                    List<Execution> history =
                            registry.bean(ExecutionService.class).list(ExecutionQuery.ofJob(job.id(), 10)).stream()
                                    .sorted(Comparator.comparing(Execution::attempt))
                                    .toList();
                    assertThat(history).extracting(Execution::attempt).containsExactly(1, 2);
                    assertThat(history.get(0).status()).isEqualTo(ExecutionStatus.FAILED);
                    assertThat(history.get(0).reason()).isEqualTo("node_lost");
                    assertThat(history.get(0).executionHost()).isEqualTo(runnerId);
                    assertThat(history.get(0).error()).contains("stopped heartbeating");
                    assertThat(history.get(1).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
                    assertThat(history.get(1).executionHost()).isEqualTo(survivorId);
                    assertThat(hook.calls()).hasSize(2);
                }
            }
        }
    }

    /**
     * The cut comes while a connection of the cut-off side is in a transaction that holds the run's row, as the
     * runner's own runs heartbeat does for a moment twice a second with these settings. The database keeps such a
     * session for as long as its TCP peer answers, which a stalled network path (here the proxy) does for good: unless
     * Almanac's connections bound a transaction left idle, the other node skips the locked run and never retries it.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aTransactionTheCutLeavesOpenDoesNotKeepTheRunFromTheOtherNode() throws Exception {
        Map<String, Object> settings = Map.of(
                "almanac.engine.heartbeat-interval", "500ms",
                "almanac.engine.heartbeat-timeout", "1s",
                "almanac.engine.dead-node-threshold", "6s",
                "almanac.http.allowed-hosts", "localhost");
        String url = PostgresTestDatabase.freshSchemaUrl("cutoff_open");
        try (EngineNode registry = registry(url, "registry-open");
                TcpProxy proxy = TcpProxy.toDatabase(url);
                HoldingHttpServer hook = new HoldingHttpServer()) {
            JdbcClient jdbc = registry.jdbc();
            try (NodeProcess runner = NodeProcess.start(proxy.jdbcUrl(url), "runner-open", settings);
                    EngineNode sameSide = EngineNode.onPostgres(proxy.jdbcUrl(url))
                            .nodeId("same-side-open")
                            .set("almanac.engine.enabled", false)
                            .set("almanac.engine.heartbeat-interval", "500ms")
                            .set("almanac.engine.heartbeat-timeout", "1s")
                            .set("almanac.engine.dead-node-threshold", "6s")
                            .set("spring.datasource.hikari.connection-init-sql", "SET application_name = 'same-side'")
                            .start()) {
                assertThat(sameSide.jdbc()
                                .sql("SELECT current_setting('idle_in_transaction_session_timeout'),"
                                        + " current_setting('application_name')")
                                .query((rs, n) -> rs.getString(1) + " " + rs.getString(2))
                                .single())
                        .as("a third of the dead-node threshold, and the pool's own init SQL after it")
                        .isEqualTo("2s same-side");
                String heartbeatPools = sameSide.bean(QuickConnections.class)
                        .heartbeat(Duration.ofSeconds(5), connection -> {
                            try (Statement show = connection.createStatement();
                                    ResultSet shown = show.executeQuery("SHOW idle_in_transaction_session_timeout")) {
                                shown.next();
                                return shown.getString(1);
                            }
                        });
                assertThat(heartbeatPools).as("the heartbeat's pool too").isEqualTo("2s");
                awaitNode(jdbc, "runner-open");
                Job job = aRunHeldOpen(registry, "held-open", hook);

                Connection held = sameSide.bean(DataSource.class).getConnection();
                try (NodeProcess survivor = NodeProcess.start(url, "survivor-open", settings)) {
                    awaitNode(jdbc, "survivor-open");
                    held.setAutoCommit(false);
                    try (Statement lock = held.createStatement();
                            ResultSet locked = lock.executeQuery("SELECT id FROM executions WHERE status = 'running'"
                                    + " AND execution_host = 'runner-open' FOR UPDATE")) {
                        assertThat(locked.next())
                                .as("the held run's row, locked")
                                .isTrue();
                    }
                    proxy.blackhole();
                    try {
                        await().atMost(Duration.ofMinutes(2))
                                .pollInterval(Duration.ofMillis(50))
                                .until(() -> hook.calls().size() == 2);
                        assertThat(hook.calls().get(0).closed()).isTrue();
                        assertThat(hook.calls().get(0).closedNanos)
                                .isLessThan(hook.calls().get(1).arrivedNanos);
                        List<Execution> history =
                                registry.bean(ExecutionService.class).list(ExecutionQuery.ofJob(job.id(), 10)).stream()
                                        .sorted(Comparator.comparing(Execution::attempt))
                                        .toList();
                        assertThat(history.get(0).reason()).isEqualTo("node_lost");
                        assertThat(history.get(1).executionHost()).isEqualTo("survivor-open");
                    } finally {
                        proxy.restore();
                    }
                } finally {
                    closeCut(held);
                }
            }
        }
    }

    /**
     * The cut comes while the database sends a connection of the cut-off side a long result, in a transaction that
     * holds a row. That session is not idle in its transaction but waiting to send, which the idle limit does not
     * see, and the stalled path acknowledges nothing: unless Almanac's connections bound how long sent data may go
     * unacknowledged, the database waits to send, holding the row, for as long as the connection lives (here, for
     * good).
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSessionCutWhileItIsSentAResultEndsAndLetsItsRowsGo() throws Exception {
        String url = PostgresTestDatabase.freshSchemaUrl("cutoff_send");
        try (EngineNode registry = registry(url, "registry-send");
                TcpProxy proxy = TcpProxy.toDatabase(url);
                EngineNode cutOff = EngineNode.onPostgres(proxy.jdbcUrl(url))
                        .nodeId("cut-off-send")
                        .set("almanac.engine.enabled", false)
                        .set("almanac.engine.heartbeat-interval", "500ms")
                        .set("almanac.engine.heartbeat-timeout", "1s")
                        .set("almanac.engine.dead-node-threshold", "6s")
                        .start()) {
            assertThat(cutOff.jdbc()
                            .sql("SELECT current_setting('tcp_user_timeout'), current_setting('tcp_keepalives_idle'),"
                                    + " current_setting('tcp_keepalives_interval'),"
                                    + " current_setting('tcp_keepalives_count')")
                            .query((rs, n) -> String.join(
                                    " ", rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                            .single())
                    .as("unacknowledged data for a third of the dead-node threshold at most, keep-alives within it")
                    .isEqualTo("2000 1 1 3");
            Job job = registry.bean(JobService.class)
                    .create(
                            aOneTimeJob("locked-while-sent", "2099-01-01T00:00:00Z")
                                    .build(),
                            "test");
            Connection held = cutOff.bean(DataSource.class).getConnection();
            try {
                held.setAutoCommit(false);
                int session;
                try (Statement lock = held.createStatement();
                        ResultSet locked = lock.executeQuery("SELECT pg_backend_pid() FROM jobs WHERE id = '"
                                + job.id().value() + "' FOR UPDATE")) {
                    assertThat(locked.next()).as("the job's row, locked").isTrue();
                    session = locked.getInt(1);
                }
                proxy.holdReplies();
                Thread sent = new Thread(
                        () -> {
                            try (Statement longResult = held.createStatement()) {
                                longResult.executeQuery("SELECT repeat('x', 1048576) FROM generate_series(1, 64)");
                            } catch (SQLException expected) {
                                // the connection is gone with the cut
                            }
                        },
                        "sent-a-long-result");
                sent.setDaemon(true);
                sent.start();
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> "ClientWrite"
                                .equals(registry.jdbc()
                                        .sql("SELECT wait_event FROM pg_stat_activity WHERE pid = ?")
                                        .param(session)
                                        .query(String.class)
                                        .optional()
                                        .orElse(null)));
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() ->
                                count(registry.jdbc(), "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = " + session)
                                        == 0);
                assertThat(registry.jdbc()
                                .sql("SELECT id FROM jobs WHERE id = ? FOR UPDATE NOWAIT")
                                .param(job.id().value())
                                .query(Object.class)
                                .list())
                        .as("the row, free again")
                        .hasSize(1);
            } finally {
                proxy.restore();
                closeCut(held);
            }
        }
    }

    /** A node with no engine, straight on the database: it creates the job and reads what happened. */
    static EngineNode registry(String url, String nodeId) {
        return EngineNode.onPostgres(url)
                .nodeId(nodeId)
                .set("almanac.engine.enabled", false)
                .set("almanac.http.allowed-hosts", "localhost")
                .start();
    }

    /** Creates a one-time webhook job due in a few seconds, whose call the hook holds open, and waits for the call. */
    static Job aRunHeldOpen(EngineNode registry, String name, HoldingHttpServer hook) {
        String runAt =
                Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS).toString();
        Job job = registry.bean(JobService.class)
                .create(
                        aOneTimeJob(name, runAt)
                                .template(
                                        "webhook_trigger",
                                        Map.of("url", hook.url("/hook"), "timeout_seconds", 300, "max_retries", 0))
                                .retries(1, 1, 1.0)
                                .build(),
                        "test");
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> hook.calls().size() == 1);
        return job;
    }

    /**
     * Waits for the run's second call (the retry, or the run handed back, on the other node) and its success; the
     * first node's call must have ended before the second arrived.
     */
    static void awaitTheSecondCallAfterTheFirstEnded(HoldingHttpServer hook, JdbcClient jdbc) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> hook.calls().size() == 2);
        List<Call> calls = hook.calls();
        assertThat(calls.get(0).closed())
                .as("the first node's call ended before the second call arrived")
                .isTrue();
        assertThat(calls.get(0).closedNanos).isLessThan(calls.get(1).arrivedNanos);
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> count(jdbc, "SELECT COUNT(*) FROM executions WHERE status = 'succeeded'") == 1);
    }

    static void awaitNode(JdbcClient jdbc, String id) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> jdbc.sql("SELECT COUNT(*) FROM nodes WHERE id = ?")
                                .param(id)
                                .query(Long.class)
                                .single()
                        == 1);
    }

    /** Closes a connection the proxy cut: its rollback fails, as it should, and the pool drops it. */
    private static void closeCut(Connection connection) {
        try {
            connection.close();
        } catch (SQLException expected) {
            // the connection is gone with the cut
        }
    }

    private static Map<String, Object> with(Map<String, Object> settings, Map<String, Object> more) {
        Map<String, Object> all = new java.util.LinkedHashMap<>(settings);
        all.putAll(more);
        return all;
    }

    static long count(JdbcClient jdbc, String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }
}
