package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.JobRequests;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker freeing up wakes the worker loop when a run is left waiting for it, and only then (a run's end that leaves
 * nothing behind costs no claim). The node polls every ten minutes, so a run that starts within the test's half minute
 * was started because something woke the loop.
 */
@Tag("postgres")
@ExtendWith(WithPostgres.WhenReachable.class)
class WorkerWakeupTests {

    EngineNode node;

    @AfterEach
    void stop() {
        TestTemplates.Block.reset();
        if (node != null) {
            node.close();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aRunWaitingForTheOnlyWorkerStartsWhenItFreesUp() {
        node = sleepyNode("one-worker", 1, 0);
        Job job = blocking("waits-for-a-worker", "gate-1");

        aSecondRunStartsWhenTheFirstEnds(job, "gate-1");
        // nothing was left behind by the last run's end, and a run queued later is still taken at once
        awaitSucceeded(run(job).id());
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aRunQueuedWhileTheOnlyWorkerIsBusyStartsWhenItFreesUpAlsoWhenTheClaimAskedForMore() {
        // the first claim asks for a run ahead too and finds none; the second run, queued while the worker is busy,
        // still starts when the first ends (this passed also with the busy-pool wake of LocalRuns.ended taken out;
        // LocalRunsTest isolates that wake)
        node = sleepyNode("claims-ahead", 1, 1);

        aSecondRunStartsWhenTheFirstEnds(blocking("asks-for-more", "gate-4"), "gate-4");
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aRunThatDoesNotEndHoldsTheQueueBackFromNoWorker() {
        // under a backlog a claim waits for the runs of the claim before it to end; one of them does not end here, and
        // the worker left free still takes the whole queue, one run after the other: the wait is bounded
        node = sleepyNode("held-worker", 2, 0);
        Job busy = allowingOverlap("holds-both-workers-for-a-while", "gate-6");
        Job holding = blocking("holds-a-worker", "gate-5");
        Job quick = allowingOverlap("quick", "gate-7");
        TestTemplates.Block.release("gate-7");
        run(busy);
        run(busy);
        awaitStarted("gate-6", 2);
        Execution held = run(holding);
        List<Execution> queued =
                IntStream.range(0, 20).mapToObj(i -> run(quick)).toList();

        TestTemplates.Block.release("gate-6"); // a claim takes the holding run first and leaves the quick ones behind

        queued.forEach(e -> awaitSucceeded(e.id()));
        assertThat(node.bean(ExecutionService.class).get(held.id()).status()).isEqualTo(ExecutionStatus.RUNNING);
        TestTemplates.Block.release("gate-5");
        awaitSucceeded(held.id());
    }

    /** Runs {@code job} twice on a node with one worker: the second waits queued until the first is released. */
    private void aSecondRunStartsWhenTheFirstEnds(Job job, String key) {
        Execution first = run(job);
        awaitStarted(key, 1);
        Execution second = run(job);

        TestTemplates.Block.release(key);

        awaitSucceeded(first.id());
        awaitSucceeded(second.id());
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aRunHeldBackByItsNamespaceQuotaStartsWhenTheRunHoldingTheSlotEnds() {
        node = sleepyNode("quota-worker", 2, 0);
        node.jdbc().sql("""
                        INSERT INTO namespaces (name, quota_runs_at_once, created_at, updated_at)
                        VALUES ('one-at-a-time', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
                        """).update();
        Job holding = blocking("holds-the-slot", "gate-2");
        Job held = blocking("held-back", "gate-3");
        node.jdbc()
                .sql("UPDATE jobs SET namespace = 'one-at-a-time' WHERE id IN (:a, :b)")
                .param("a", holding.id().value())
                .param("b", held.id().value())
                .update();
        node.bean(EngineLoops.class).onNamespaceChanged(null); // as the namespace page's save: read at the next claim
        TestTemplates.Block.release("gate-3");
        Execution first = run(holding);
        awaitStarted("gate-2", 1);
        Execution second = run(held);

        TestTemplates.Block.release("gate-2");

        awaitSucceeded(first.id());
        awaitSucceeded(second.id());
    }

    private EngineNode sleepyNode(String id, int workers, int claimAhead) {
        return EngineNode.onPostgres(PostgresTestDatabase.freshSchemaUrl("wake"))
                .nodeId(id)
                .set("almanac.engine.poll-interval", "10m")
                .set("almanac.engine.workers", workers)
                .set("almanac.engine.claim-ahead", claimAhead)
                .start();
    }

    private Job blocking(String name, String key) {
        return create(aCronJob(name, "0 0 1 1 *").template("test_block", Map.of("key", key)));
    }

    private Job allowingOverlap(String name, String key) {
        return create(aCronJob(name, "0 0 1 1 *")
                .template("test_block", Map.of("key", key))
                .concurrency("allow"));
    }

    private Job create(JobRequests job) {
        return node.bean(JobService.class).create(job.build(), "test");
    }

    private Execution run(Job job) {
        return node.bean(ManualRuns.class).run(job, Map.of(), false, "test");
    }

    private static void awaitStarted(String key, int runs) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> TestTemplates.Block.started(key) >= runs);
    }

    private void awaitSucceeded(ExecutionId id) {
        ExecutionService executions = node.bean(ExecutionService.class);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> executions.get(id).status() == ExecutionStatus.SUCCEEDED);
    }
}
