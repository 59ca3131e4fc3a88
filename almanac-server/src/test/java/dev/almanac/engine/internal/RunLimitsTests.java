package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.WithPostgres;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The engine's timeout policy reaches the services templates use: a statement on a target and an HTTP call that would
 * block far longer are cut off when the run is cancelled or times out, and a target statement never outlives the
 * run's remaining time. Real PostgreSQL ({@code pg_sleep}) and a real HTTP server that never answers.
 */
@WithPostgres
class RunLimitsTests extends AlmanacIntegrationTest {

    @DynamicPropertySource
    static void targets(DynamicPropertyRegistry registry) {
        registry.add("almanac.targets.pg.url", () -> PostgresTestDatabase.URL);
        registry.add("almanac.targets.pg.user", () -> PostgresTestDatabase.USER);
        registry.add("almanac.targets.pg.password", () -> PostgresTestDatabase.PASSWORD);
        registry.add("almanac.targets.pg.tables.nothing", () -> "id");
        registry.add("almanac.http.allowed-hosts", () -> "localhost,127.0.0.1");
    }

    @Autowired
    Engine engine;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    MockWebServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void cancellingARunCancelsItsStatementOnTheTarget() {
        Job job = sleeper("cancelled-sleep", 600, 3600);
        long started = System.nanoTime();
        Execution run = startOne(job);
        awaitSleeping(1);

        engine.cancelLocally(run.id());
        engine.awaitIdle(Duration.ofSeconds(20));

        assertThat(executions.get(run.id()).status()).isEqualTo(ExecutionStatus.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        awaitSleeping(0);
    }

    @Test
    void aRunThatTimesOutCancelsItsStatementOnTheTarget() {
        Job job = sleeper("timed-out-sleep", 600, 30);
        long started = System.nanoTime();
        Execution run = startOne(job);
        awaitSleeping(1);

        clock.advance(Duration.ofSeconds(31));
        engine.superviseOnce();
        engine.awaitIdle(Duration.ofSeconds(20));

        Execution ended = executions.get(run.id());
        assertThat(ended.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        awaitSleeping(0);
    }

    @Test
    void aTargetStatementGetsTheRunsRemainingTimeAsItsQueryTimeout() {
        Job job = sleeper("short-sleep", 600, 2);
        long started = System.nanoTime();
        Execution run = startOne(job);
        engine.awaitIdle(Duration.ofSeconds(30));

        Execution ended = executions.get(run.id());
        assertThat(ended.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(ended.error()).containsIgnoringCase("cancel");
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(15));
    }

    @Test
    void cancellingARunAbortsItsHttpCall() throws Exception {
        server.enqueue(
                new MockResponse.Builder().headersDelay(1, TimeUnit.HOURS).build());
        Job job = caller("cancelled-call", 3600);
        long started = System.nanoTime();
        Execution run = startOne(job);
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();

        engine.cancelLocally(run.id());
        engine.awaitIdle(Duration.ofSeconds(20));

        assertThat(executions.get(run.id()).status()).isEqualTo(ExecutionStatus.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aRunThatTimesOutAbortsItsHttpCall() throws Exception {
        server.enqueue(
                new MockResponse.Builder().headersDelay(1, TimeUnit.HOURS).build());
        Job job = caller("timed-out-call", 30);
        long started = System.nanoTime();
        Execution run = startOne(job);
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();

        clock.advance(Duration.ofSeconds(31));
        engine.superviseOnce();
        engine.awaitIdle(Duration.ofSeconds(20));

        assertThat(executions.get(run.id()).status()).isEqualTo(ExecutionStatus.TIMED_OUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    private Job sleeper(String name, int seconds, int timeoutSeconds) {
        return jobs.create(
                anIntervalJob(name, 60)
                        .template("test_target_sleep", Map.of("target", "pg", "seconds", seconds))
                        .timeout(timeoutSeconds)
                        .build(),
                "test");
    }

    private Job caller(String name, int timeoutSeconds) {
        return jobs.create(
                anIntervalJob(name, 60)
                        .template(
                                "test_http_call",
                                Map.of("url", server.url("/slow").toString()))
                        .timeout(timeoutSeconds)
                        .build(),
                "test");
    }

    private Execution startOne(Job job) {
        clock.advance(Duration.ofSeconds(60));
        assertThat(engine.runDueOnceWithoutWaiting()).hasSize(1);
        List<Execution> history = executions.list(ExecutionQuery.ofJob(job.id(), 10));
        assertThat(history).hasSize(1);
        return history.get(0);
    }

    private void awaitSleeping(int statements) {
        await().atMost(Duration.ofSeconds(15))
                .until(
                        () -> jdbc.sql("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
                                        + " AND query LIKE 'SELECT pg_sleep%'")
                                .query(Long.class)
                                .single(),
                        count -> count == statements);
    }
}
