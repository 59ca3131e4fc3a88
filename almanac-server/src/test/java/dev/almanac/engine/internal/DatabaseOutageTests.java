package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aCronJob;
import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.PrivatePostgres;
import dev.almanac.testing.TestTemplates;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * PostgreSQL stops for longer than the dead-node threshold while runs are in flight on two nodes, and they end while
 * it is away. When it is back, no node declares the other lost, every outcome is written once with the time its run
 * ended, nothing runs twice, and the slots of an interval job that fell due meanwhile are recorded as missed.
 */
@Tag("postgres")
@Tag("slow")
class DatabaseOutageTests {

    static final int RUNS_PER_NODE = 3;
    static final Duration THRESHOLD = Duration.ofSeconds(6);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void anOutageLongerThanTheThresholdFailsNothingAndRunsNothingTwice() throws Exception {
        assumeTrue(
                PostgresTestDatabase.REQUIRED || PrivatePostgres.binaries().isPresent(),
                "no PostgreSQL server binaries to run a private server");
        try (PrivatePostgres postgres = PrivatePostgres.start();
                EngineNode first = node(postgres, "outage-1")) {
            JdbcClient jdbc = first.jdbc();
            JobService jobs = first.bean(JobService.class);
            List<Job> held = new ArrayList<>();
            // four workers a node: the first node takes the first three runs and leaves one worker to the ticker; the
            // second node takes most of the next three
            for (int i = 0; i < RUNS_PER_NODE; i++) {
                held.add(holdRun(first, jobs, "outage-" + i));
            }
            awaitStarted(0, RUNS_PER_NODE);
            Job ticker = jobs.create(anIntervalJob("ticker", 1).build(), "test");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> count(jdbc, "SELECT COUNT(*) FROM executions WHERE status = 'succeeded'") >= 2);
            try (EngineNode second = node(postgres, "outage-2")) {
                for (int i = RUNS_PER_NODE; i < 2 * RUNS_PER_NODE; i++) {
                    held.add(holdRun(first, jobs, "outage-" + i));
                }
                awaitStarted(RUNS_PER_NODE, 2 * RUNS_PER_NODE);
                assertThat(count(
                                jdbc, "SELECT COUNT(DISTINCT execution_host) FROM executions WHERE status = 'running'"))
                        .isEqualTo(2);

                postgres.stop();
                Instant stopped = Instant.now();
                for (int i = 0; i < 2 * RUNS_PER_NODE; i++) {
                    TestTemplates.Block.release("outage-" + i);
                }
                Engine one = first.bean(Engine.class);
                Engine two = second.bean(Engine.class);
                await().atMost(Duration.ofSeconds(30))
                        .until(() ->
                                one.runningCount() == 0 && two.runningCount() == 0 && one.fenced() && two.fenced());
                // longer than the threshold: every heartbeat in the table is stale when the database is back
                NodeLease leaseOne = first.bean(NodeLease.class);
                NodeLease leaseTwo = second.bean(NodeLease.class);
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> staleBeyondThreshold(leaseOne) && staleBeyondThreshold(leaseTwo));
                postgres.startServer();
                Instant restarted = Instant.now();

                await().atMost(Duration.ofMinutes(1))
                        .pollInterval(Duration.ofMillis(200))
                        .ignoreExceptions()
                        .until(() -> count(
                                        jdbc,
                                        "SELECT COUNT(*) FROM executions WHERE status = 'succeeded'"
                                                + " AND job_id IN (SELECT id FROM jobs WHERE name LIKE 'held-%')")
                                == 2 * RUNS_PER_NODE);
                // until both nodes may declare others lost again (they have seen the database for a whole threshold),
                // then a threshold more in which a node that judged too early would have declared the other lost
                await().atMost(Duration.ofMinutes(1))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> leaseOne.mayRecoverOthersAt(Instant.now())
                                && leaseTwo.mayRecoverOthersAt(Instant.now()));
                await().during(THRESHOLD)
                        .atMost(THRESHOLD.multipliedBy(3))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> count(jdbc, "SELECT COUNT(*) FROM executions WHERE reason = 'node_lost'") == 0);

                assertThat(count(jdbc, "SELECT COUNT(*) FROM executions WHERE reason = 'node_lost'"))
                        .as("no node declared lost, no run stopped")
                        .isZero();
                for (int i = 0; i < 2 * RUNS_PER_NODE; i++) {
                    assertThat(TestTemplates.Block.started("outage-" + i))
                            .as("run %d started once", i)
                            .isEqualTo(1);
                }
                for (Job job : held) {
                    assertThat(count(jdbc, "SELECT COUNT(*) FROM executions WHERE job_id = '" + job.id() + "'"))
                            .isEqualTo(1);
                }
                assertThat(count(
                                jdbc,
                                "SELECT COUNT(*) FROM executions WHERE job_id IN (SELECT id FROM jobs WHERE name LIKE 'held-%')"
                                        + " AND completed_at >= :stopped AND completed_at < :restarted",
                                stopped,
                                restarted))
                        .as("each held run completed at the time it ended, while the database was away")
                        .isEqualTo(2 * RUNS_PER_NODE);
                assertThat(count(
                                jdbc,
                                "SELECT COUNT(*) FROM executions WHERE started_at > :stopped AND started_at < :restarted",
                                stopped.plusSeconds(1),
                                restarted))
                        .as("nothing started while the database was away")
                        .isZero();
                assertThat(count(
                                jdbc,
                                "SELECT COUNT(*) FROM executions WHERE job_id = '" + ticker.id() + "'"
                                        + " AND reason = 'missed' AND scheduled_for > :stopped AND scheduled_for < :restarted",
                                stopped.plusSeconds(1),
                                restarted))
                        .as("the ticker's slots during the outage are missed")
                        .isGreaterThan(0);
                assertThat(count(
                                jdbc,
                                "SELECT COUNT(*) FROM executions WHERE job_id = '" + ticker.id() + "'"
                                        + " AND reason = 'overlap' AND scheduled_for > :stopped AND scheduled_for < :restarted",
                                stopped.plusSeconds(1),
                                restarted))
                        .isZero();
            }
        }
    }

    private static EngineNode node(PrivatePostgres postgres, String id) {
        return EngineNode.on(postgres.url(), "postgres", "")
                .nodeId(id)
                .set("almanac.engine.workers", RUNS_PER_NODE + 1)
                .set("almanac.engine.heartbeat-interval", "500ms")
                .set("almanac.engine.heartbeat-timeout", "1s")
                .set("almanac.engine.dead-node-threshold", THRESHOLD.toMillis() + "ms")
                .set("spring.datasource.hikari.connection-timeout", "1000")
                .start();
    }

    /** Whether the node's last heartbeat in the table is older than the dead-node threshold (and then some). */
    private static boolean staleBeyondThreshold(NodeLease lease) {
        Instant renewed = lease.renewedAt();
        return renewed != null && Duration.between(renewed, Instant.now()).compareTo(THRESHOLD.plusSeconds(1)) > 0;
    }

    private static Job holdRun(EngineNode node, JobService jobs, String key) {
        Job job = jobs.create(
                aCronJob("held-" + key, "0 0 1 1 *")
                        .template("test_block", Map.of("key", key))
                        .build(),
                "test");
        node.bean(ManualRuns.class).run(job, Map.of(), false, "test");
        return job;
    }

    private static void awaitStarted(int from, int to) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    for (int i = from; i < to; i++) {
                        if (TestTemplates.Block.started("outage-" + i) == 0) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    private static long count(JdbcClient jdbc, String sql) {
        return jdbc.sql(sql).query(Long.class).single();
    }

    private static long count(JdbcClient jdbc, String sql, Instant from, Instant until) {
        var statement = jdbc.sql(sql);
        if (sql.contains(":stopped")) {
            statement = statement.param("stopped", OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
        }
        return statement
                .param("restarted", OffsetDateTime.ofInstant(until, ZoneOffset.UTC))
                .query(Long.class)
                .single();
    }
}
