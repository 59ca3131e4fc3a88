package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.LogLine;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A run is written as running on a node (claimed, or written so by a trigger pass) on a worker reserved before the
 * node was fenced or began to stop, and starts after: the fence's stop of the node's runs came before it was there to
 * stop. It must not begin on a fenced node, where it would run beside the retry another node makes, nor on a stopping
 * node, which takes no new work. A fenced node's run ends as {@code node_lost} without its template beginning; a
 * stopping node's goes back to the queue with its attempt unchanged.
 */
abstract class StartAfterStopTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends StartAfterStopTests {}

    @WithPostgres
    static class OnPostgres extends StartAfterStopTests {}

    private static final String KEY = "start-after-stop";

    @Autowired
    Engine engine;

    @Autowired
    Workers workers;

    @Autowired
    LocalRuns runs;

    @Autowired
    EngineStore store;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    TransactionTemplate transactions;

    @AfterEach
    void restore() {
        runs.fenced(false);
        runs.draining(false);
        TestTemplates.Block.release(KEY);
        engine.awaitIdle(Duration.ofSeconds(10));
    }

    @Test
    void aRunStartingAfterItsNodeWasFencedEndsAsNodeLostWithoutBeginning() {
        Execution written = writtenAsRunningOnAReservedWorker();

        runs.fenced(true); // the node cannot heartbeat; its runs were stopped before this one started
        List<?> started = workers.startWritten(List.of(written), 1, clock.instant());
        assertThat(started).hasSize(1);
        runs.fenced(false); // its next heartbeat succeeded (the outcome is written either way)
        engine.awaitIdle(Duration.ofSeconds(10));

        assertThat(TestTemplates.Block.started(KEY))
                .as("the template never began")
                .isZero();
        Execution ended = executions.get(written.id());
        assertThat(ended.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(ended.reason()).isEqualTo("node_lost");
        assertThat(executions.logs(written.id(), 0))
                .extracting(LogLine::message)
                .noneMatch(message -> message.contains("started on"))
                .anyMatch(message -> message.startsWith("stopped: failed (node lost"));
        assertThat(executions.list(ExecutionQuery.ofJob(written.jobId(), 10)))
                .as("retried per its policy")
                .anySatisfy(retry -> {
                    assertThat(retry.attempt()).isEqualTo(2);
                    assertThat(retry.status()).isEqualTo(ExecutionStatus.QUEUED);
                });
    }

    @Test
    void aRunStartingAfterItsNodeBeganToStopGoesBackToTheQueueWithItsAttempt() {
        Execution written = writtenAsRunningOnAReservedWorker();

        runs.draining(true);
        workers.startWritten(List.of(written), 1, clock.instant());
        engine.awaitIdle(Duration.ofSeconds(10));

        assertThat(TestTemplates.Block.started(KEY))
                .as("the template never began")
                .isZero();
        Execution back = executions.get(written.id());
        assertThat(back.status()).isEqualTo(ExecutionStatus.QUEUED);
        assertThat(back.executionHost()).isNull();
        assertThat(back.attempt()).isEqualTo(1);
        assertThat(executions.list(ExecutionQuery.ofJob(written.jobId(), 10)))
                .as("no other run")
                .hasSize(1);
    }

    /** A due run written as running on this node, as a trigger pass writes it once it reserved a worker for it. */
    private Execution writtenAsRunningOnAReservedWorker() {
        Job job = jobs.create(
                anIntervalJob("start-after-stop", 3600)
                        .template("test_block", Map.of("key", KEY))
                        .retries(1, 60, 1.0)
                        .build(),
                "test");
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        assertThat(workers.reserveForWritten(1)).isEqualTo(1);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Execution running = NewExecutions.scheduled(job, job.nextRunAt(), now).startedOn(engine.nodeId(), now);
        List<Execution> inserted = transactions.execute(status -> store.enqueue(List.of(running)));
        assertThat(inserted).hasSize(1);
        return inserted.get(0);
    }
}
