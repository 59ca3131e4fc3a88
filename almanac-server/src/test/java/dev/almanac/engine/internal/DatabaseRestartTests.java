package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aCronJob;
import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.LogLine;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * PostgreSQL is shut down (every session terminated) and started again under a running node: the engine reconnects
 * by itself, the run that ended while the database was away gets its outcome written, the schedule goes on, and
 * nothing is left {@code running}. The server is a private one, so the shared database stays up for other tests.
 */
@Tag("postgres")
@Tag("slow")
class DatabaseRestartTests {

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theEngineReconnectsAfterARestartAndLeavesNothingStuckInRunning() throws Exception {
        assumeTrue(
                PostgresTestDatabase.REQUIRED || PrivatePostgres.binaries().isPresent(),
                "no PostgreSQL server binaries to run a private server");
        try (PrivatePostgres postgres = PrivatePostgres.start();
                EngineNode node = EngineNode.on(postgres.url(), "postgres", "")
                        .nodeId("restart-node")
                        .set("almanac.engine.heartbeat-interval", "1s")
                        .set("spring.datasource.hikari.connection-timeout", "1000")
                        .start()) {
            JobService jobs = node.bean(JobService.class);
            ExecutionService executions = node.bean(ExecutionService.class);
            Engine engine = node.bean(Engine.class);
            Job ticker = jobs.create(anIntervalJob("ticker", 1).build(), "test");
            Job holder = jobs.create(
                    aCronJob("holder", "0 0 1 1 *")
                            .template("test_block", Map.of("key", "restart"))
                            .build(),
                    "test");
            Execution held = node.bean(ManualRuns.class).run(holder, Map.of(), false, "test");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> TestTemplates.Block.started("restart") > 0 && succeeded(node.jdbc(), ticker) >= 2);

            postgres.stop();
            // the held run ends while the database is away: its outcome has to wait for it, not vanish
            TestTemplates.Block.release("restart");
            await().atMost(Duration.ofSeconds(30)).until(() -> engine.runningCount() == 0);
            postgres.startServer();
            Instant restarted = Instant.now();

            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> executions.get(held.id()).status() == ExecutionStatus.SUCCEEDED);
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> succeededSince(node.jdbc(), ticker, restarted) >= 2);
            assertThat(executions.logs(held.id(), 0))
                    .extracting(LogLine::message)
                    .anyMatch(line -> line.startsWith("succeeded"));

            jobs.delete(ticker.id(), "test");
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> node.jdbc()
                                    .sql("SELECT COUNT(*) FROM executions WHERE status IN ('queued', 'running')")
                                    .query(Long.class)
                                    .single()
                            == 0);
        }
    }

    private static long succeeded(JdbcClient jdbc, Job job) {
        return succeededSince(jdbc, job, Instant.EPOCH);
    }

    private static long succeededSince(JdbcClient jdbc, Job job, Instant since) {
        return jdbc.sql("SELECT COUNT(*) FROM executions WHERE job_id = :job AND status = 'succeeded'"
                        + " AND started_at >= :since")
                .param("job", job.id().value())
                .param("since", OffsetDateTime.ofInstant(since, ZoneOffset.UTC))
                .query(Long.class)
                .single();
    }
}
