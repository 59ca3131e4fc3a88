package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aCronJob;
import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.RowLocks;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The engine driven step by step with a settable clock, on H2 and PostgreSQL: every policy of ARCHITECTURE §4. */
abstract class EngineTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends EngineTests {}

    @WithPostgres
    static class OnPostgres extends EngineTests {}

    @Autowired
    Engine engine;

    @Autowired
    NodeRecovery recovery;

    @Autowired
    LocalRuns runs;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    JsonMapper json;

    @Autowired
    EngineStore store;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    DataSource dataSource;

    @Test
    void runsADueSlotExactlyOnceAndAdvancesTheJob() {
        Job job = jobs.create(anIntervalJob("beat", 60).build(), "test");
        assertThat(engine.runDueOnce()).isZero();

        clock.advance(Duration.ofSeconds(60));
        assertThat(engine.runDueOnce()).isEqualTo(1);
        assertThat(engine.runDueOnce()).isZero();

        Execution run = only(history(job));
        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.slotKey()).isEqualTo(job.id() + "@2026-06-01T10:01:00Z");
        assertThat(run.scheduledFor()).isEqualTo(Instant.parse("2026-06-01T10:01:00Z"));
        assertThat(run.triggeredBy()).isEqualTo("scheduler");
        assertThat(run.executionHost()).isEqualTo("test-node");
        assertThat(run.jobVersion()).isEqualTo(1);
        assertThat(run.attempt()).isEqualTo(1);
        assertThat(run.startedAt()).isEqualTo(Instant.parse("2026-06-01T10:01:00Z"));
        assertThat(run.result()).containsEntry("status", "succeeded");
        Job after = jobs.get(job.id());
        assertThat(after.nextRunAt()).isEqualTo(Instant.parse("2026-06-01T10:02:00Z"));
        assertThat(after.lastStatus()).isEqualTo("succeeded");
        assertThat(after.lastRunAt()).isEqualTo(run.startedAt());
        assertThat(after.version()).isEqualTo(1);
    }

    @Test
    void writesWhatATemplateLogsToTheExecutionLog() {
        Job job = jobs.create(
                anIntervalJob("logger", 60)
                        .template("heartbeat", Map.of("message", "hello log"))
                        .build(),
                "test");
        clock.advance(Duration.ofSeconds(60));
        engine.runDueOnce();

        Execution run = only(history(job));
        assertThat(executions.logs(run.id(), 0))
                .extracting(l -> l.level() + " " + l.message())
                .anyMatch(line -> line.startsWith("INFO Run of 'logger' started on test-node"))
                .anyMatch(line -> line.contains("hello log"));
    }

    @Test
    void retriesAFailedRunWithExponentialBackoffThenReportsTheLastFailure() {
        Job job = jobs.create(
                anIntervalJob("flaky", 3600)
                        .template("test_fail", Map.of())
                        .retries(2, 10, 3.0)
                        .build(),
                "test");
        clock.advance(Duration.ofHours(1));
        engine.runDueOnce();
        assertThat(history(job))
                .extracting(Execution::status)
                .containsExactly(ExecutionStatus.QUEUED, ExecutionStatus.FAILED);
        Execution retry = history(job).get(0);
        assertThat(retry.runAfter()).isEqualTo(clock.instant().plusSeconds(10));
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(retry.triggeredBy()).isEqualTo("retry");

        clock.advance(Duration.ofSeconds(9));
        assertThat(engine.runDueOnce()).isZero();
        clock.advance(Duration.ofSeconds(1));
        engine.runDueOnce();
        Execution third = history(job).get(0);
        assertThat(third.attempt()).isEqualTo(3);
        assertThat(third.runAfter()).isEqualTo(clock.instant().plusSeconds(30));

        clock.advance(Duration.ofSeconds(30));
        engine.runDueOnce();
        List<Execution> attempts = history(job);
        assertThat(attempts).extracting(Execution::status).containsOnly(ExecutionStatus.FAILED);
        assertThat(attempts).extracting(Execution::attempt).containsExactly(3, 2, 1);
        assertThat(attempts.get(0).retryOf()).isEqualTo(attempts.get(1).id());
        assertThat(attempts.get(1).retryOf()).isEqualTo(attempts.get(2).id());
        assertThat(attempts.get(0).error()).isEqualTo("failed on purpose (run 3)");
        assertThat(jobs.get(job.id()).lastStatus()).isEqualTo("failed");
    }

    @Test
    void aRetryThatSucceedsEndsTheChain() {
        Job job = jobs.create(
                anIntervalJob("recovers", 3600)
                        .template("test_fail", Map.of("failures", 1))
                        .retries(5, 1, 1.0)
                        .build(),
                "test");
        clock.advance(Duration.ofHours(1));
        engine.runDueOnce();
        clock.advance(Duration.ofSeconds(1));
        engine.runDueOnce();
        assertThat(history(job))
                .extracting(Execution::status)
                .containsExactly(ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED);
    }

    @Test
    void timesOutARunThatOverstaysItsTimeout() {
        Job job = jobs.create(
                anIntervalJob("slow", 3600)
                        .template("test_block", Map.of())
                        .timeout(5)
                        .build(),
                "test");
        clock.advance(Duration.ofHours(1));
        assertThat(engine.runDueOnceWithoutWaiting()).hasSize(1);
        awaitStarted("slow");

        clock.advance(Duration.ofSeconds(4));
        engine.superviseOnce();
        assertThat(history(job).get(0).status()).isEqualTo(ExecutionStatus.RUNNING);
        clock.advance(Duration.ofSeconds(1));
        engine.superviseOnce();
        engine.awaitIdle(Duration.ofSeconds(10));

        Execution run = only(history(job));
        assertThat(run.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
        assertThat(run.reason()).isEqualTo("timeout");
        assertThat(run.error()).isEqualTo("timed out after 5 s");
    }

    @Test
    void cancelsARunningExecution() {
        Job job = jobs.create(
                anIntervalJob("long", 3600).template("test_block", Map.of()).build(), "test");
        clock.advance(Duration.ofHours(1));
        engine.triggerOnce();
        engine.startDue();
        awaitStarted("long");

        Execution running = only(history(job));
        executions.cancel(running.id());
        engine.cancelLocally(running.id());
        engine.awaitIdle(Duration.ofSeconds(10));

        assertThat(executions.get(running.id()).status()).isEqualTo(ExecutionStatus.CANCELLED);
    }

    @Test
    void cancelsAQueuedExecutionAtOnce() {
        Job job = jobs.create(anIntervalJob("waiting", 3600).build(), "test");
        clock.advance(Duration.ofHours(1));
        triggerWithNoWorkerFree();
        Execution queued = only(history(job));
        assertThat(executions.cancel(queued.id()).status()).isEqualTo(ExecutionStatus.CANCELLED);
        assertThat(engine.runDueOnce()).isZero();
    }

    @Test
    void forbidRecordsAnOverlappingSlotAsSkipped() {
        Job job = jobs.create(
                anIntervalJob("forbid", 60).template("test_block", Map.of()).build(), "test");
        clock.advance(Duration.ofSeconds(60));
        engine.triggerOnce();
        engine.startDue();
        awaitStarted("forbid");

        clock.advance(Duration.ofSeconds(60));
        engine.triggerOnce();
        TestTemplates.Block.release("forbid");
        engine.awaitIdle(Duration.ofSeconds(10));

        List<Execution> history = history(job);
        assertThat(history)
                .extracting(Execution::status)
                .containsExactly(ExecutionStatus.SKIPPED, ExecutionStatus.SUCCEEDED);
        assertThat(history.get(0).reason()).isEqualTo("overlap");
        assertThat(history.get(0).slotKey()).endsWith("@2026-06-01T10:02:00Z");
    }

    @Test
    void replaceCancelsTheRunningExecutionAndStartsTheNewSlot() {
        Job job = jobs.create(
                anIntervalJob("replace", 60)
                        .template("test_block", Map.of())
                        .concurrency("replace")
                        .build(),
                "test");
        clock.advance(Duration.ofSeconds(60));
        engine.triggerOnce();
        engine.startDue();
        awaitStarted("replace");
        Execution first = only(history(job));

        clock.advance(Duration.ofSeconds(60));
        engine.triggerOnce();
        engine.heartbeat();
        awaitStatus(first, ExecutionStatus.CANCELLED);
        engine.startDue();
        TestTemplates.Block.release("replace");
        engine.awaitIdle(Duration.ofSeconds(10));

        assertThat(history(job))
                .extracting(Execution::status, Execution::reason)
                .containsExactly(tuple(ExecutionStatus.SUCCEEDED, null), tuple(ExecutionStatus.CANCELLED, "replaced"));
        // said as a replacement, not as someone's cancel, in the run's log too
        assertThat(executions.logs(first.id(), 0))
                .extracting(line -> line.message())
                .contains("stopped: cancelled (replaced by a newer run of the job)");
    }

    /**
     * Two slots found by one pass (a node back after 40 s, both still within the misfire threshold): under replace the
     * later one replaces the earlier as it would a run queued before the pass, so the two never run side by side.
     */
    @Test
    void replaceLetsOnlyTheLastOfTheSlotsOnePassFindsRun() {
        Job job = jobs.create(
                anIntervalJob("replace-in-one-pass", 20)
                        .template("test_block", Map.of())
                        .concurrency("replace")
                        .build(),
                "test");
        clock.advance(Duration.ofSeconds(40));
        assertThat(engine.runDueOnceWithoutWaiting())
                .as("started as written or claimed, one run")
                .hasSize(1);
        awaitStarted("replace-in-one-pass");
        TestTemplates.Block.release("replace-in-one-pass");
        engine.awaitIdle(Duration.ofSeconds(10));

        // both written at one instant: their order in the history is not the slots' order
        List<Execution> runs = history(job);
        assertThat(runs)
                .extracting(Execution::status, Execution::reason)
                .containsExactlyInAnyOrder(
                        tuple(ExecutionStatus.SUCCEEDED, null), tuple(ExecutionStatus.CANCELLED, "replaced"));
        Instant ran = runs.stream()
                .filter(e -> e.status() == ExecutionStatus.SUCCEEDED)
                .findFirst()
                .orElseThrow()
                .scheduledFor();
        Instant replaced = runs.stream()
                .filter(e -> e.status() == ExecutionStatus.CANCELLED)
                .findFirst()
                .orElseThrow()
                .scheduledFor();
        assertThat(ran).as("the later slot runs").isAfter(replaced);
    }

    /** Someone's cancel after a replacement asked for one ends the run as cancelled by them, not as replaced. */
    @Test
    void aCancelAfterAReplacementAskedForOneEndsTheRunAsCancelled() {
        Job job = jobs.create(
                anIntervalJob("cancelled-last", 60)
                        .template("test_block", Map.of())
                        .build(),
                "test");
        clock.advance(Duration.ofSeconds(60));
        engine.triggerOnce();
        engine.startDue();
        awaitStarted("cancelled-last");
        Execution running = only(history(job));

        store.replace(running.id(), clock.instant());
        executions.cancel(running.id());
        engine.heartbeat();
        awaitStatus(running, ExecutionStatus.CANCELLED);
        TestTemplates.Block.release("cancelled-last");
        engine.awaitIdle(Duration.ofSeconds(10));

        assertThat(executions.get(running.id()).reason()).isEqualTo("cancelled");
    }

    @Test
    void allowRunsOverlappingSlotsSideBySide() {
        Job job = jobs.create(
                anIntervalJob("allow", 60)
                        .template("test_block", Map.of())
                        .concurrency("allow")
                        .build(),
                "test");
        clock.advance(Duration.ofSeconds(60));
        engine.triggerOnce();
        engine.startDue();
        clock.advance(Duration.ofSeconds(60));
        engine.triggerOnce();
        engine.startDue();
        assertThat(history(job))
                .extracting(Execution::status)
                .containsOnly(ExecutionStatus.RUNNING)
                .hasSize(2);
        TestTemplates.Block.release("allow");
        engine.awaitIdle(Duration.ofSeconds(10));
        assertThat(history(job)).extracting(Execution::status).containsOnly(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void runOnceCatchesUpOneMissedSlotAndRecordsTheOthersAsMissed() {
        Job job = jobs.create(aCronJob("catch-once", "*/10 * * * *").build(), "test");
        clock.set(Instant.parse("2026-06-01T11:05:00Z"));
        engine.runDueOnce();

        List<Execution> history = history(job);
        assertThat(history).hasSize(6);
        assertThat(history)
                .filteredOn(e -> e.status() == ExecutionStatus.SUCCEEDED)
                .singleElement()
                .extracting(Execution::scheduledFor)
                .isEqualTo(Instant.parse("2026-06-01T11:00:00Z"));
        assertThat(history)
                .filteredOn(e -> e.status() == ExecutionStatus.SKIPPED)
                .hasSize(5)
                .allMatch(e -> "missed".equals(e.reason()));
        assertThat(jobs.get(job.id()).nextRunAt()).isEqualTo(Instant.parse("2026-06-01T11:10:00Z"));
    }

    @Test
    void skipRecordsEveryMissedSlotWithoutRunning() {
        Job job = jobs.create(
                aCronJob("catch-none", "*/10 * * * *").misfire("skip", null).build(), "test");
        clock.set(Instant.parse("2026-06-01T11:05:00Z"));
        engine.runDueOnce();
        assertThat(history(job)).hasSize(6).allMatch(e -> e.status() == ExecutionStatus.SKIPPED);
    }

    @Test
    void runAllCatchesUpTheSlotsInsideTheWindow() {
        Job job = jobs.create(
                aCronJob("catch-all", "*/10 * * * *").misfire("run_all", 1800).build(), "test");
        clock.set(Instant.parse("2026-06-01T11:05:00Z"));
        engine.runDueOnce();
        List<Execution> history = history(job);
        assertThat(history)
                .filteredOn(e -> e.status() == ExecutionStatus.SUCCEEDED)
                .extracting(Execution::scheduledFor)
                .containsExactlyInAnyOrder(
                        Instant.parse("2026-06-01T10:40:00Z"),
                        Instant.parse("2026-06-01T10:50:00Z"),
                        Instant.parse("2026-06-01T11:00:00Z"));
        assertThat(history)
                .filteredOn(e -> e.status() == ExecutionStatus.SKIPPED)
                .hasSize(3);
    }

    @Test
    void runAllQueuesTheSlotDueNowWithTheCatchUpRunsUnderForbid() {
        Job job = jobs.create(
                aCronJob("catch-up-and-now", "* * * * *")
                        .misfire("run_all", 150)
                        .build(),
                "test");
        // back after four minutes: 10:03 was missed but is inside the window, 10:04 is 58 s late (on time)
        clock.set(Instant.parse("2026-06-01T10:04:58Z"));
        engine.runDueOnce();

        List<Execution> history = history(job);
        assertThat(history)
                .filteredOn(e -> e.status() == ExecutionStatus.SUCCEEDED)
                .extracting(Execution::scheduledFor)
                .containsExactlyInAnyOrder(
                        Instant.parse("2026-06-01T10:03:00Z"), Instant.parse("2026-06-01T10:04:00Z"));
        assertThat(history)
                .filteredOn(e -> e.status() == ExecutionStatus.SKIPPED)
                .allMatch(e -> "missed".equals(e.reason()))
                .extracting(Execution::scheduledFor)
                .containsExactlyInAnyOrder(
                        Instant.parse("2026-06-01T10:01:00Z"), Instant.parse("2026-06-01T10:02:00Z"));
    }

    @Test
    void runAllSkipsItsCatchUpAsOverlapWhileARunFromBeforeThePassGoesOnUnderForbid() {
        Job job = jobs.create(
                aCronJob("catch-up-behind", "* * * * *")
                        .template("test_block", Map.of())
                        .misfire("run_all", 150)
                        .build(),
                "test");
        clock.set(Instant.parse("2026-06-01T10:01:00Z"));
        engine.triggerOnce();
        engine.startDue();
        awaitStarted("catch-up-behind");

        clock.set(Instant.parse("2026-06-01T10:04:58Z"));
        engine.triggerOnce();
        TestTemplates.Block.release("catch-up-behind");
        engine.awaitIdle(Duration.ofSeconds(10));

        List<Execution> history = history(job);
        assertThat(history)
                .filteredOn(e -> e.status() == ExecutionStatus.SUCCEEDED)
                .extracting(Execution::scheduledFor)
                .containsExactly(Instant.parse("2026-06-01T10:01:00Z"));
        assertThat(history)
                .filteredOn(e -> "overlap".equals(e.reason()))
                .extracting(Execution::scheduledFor)
                .containsExactlyInAnyOrder(
                        Instant.parse("2026-06-01T10:03:00Z"), Instant.parse("2026-06-01T10:04:00Z"));
        assertThat(history)
                .filteredOn(e -> "missed".equals(e.reason()))
                .extracting(Execution::scheduledFor)
                .containsExactly(Instant.parse("2026-06-01T10:02:00Z"));
    }

    @Test
    void aSuccessTriggersTheJobsThatDependOnIt() {
        Job upstream = jobs.create(anIntervalJob("extract", 60).build(), "test");
        Job downstream = jobs.create(
                anIntervalJob("load", 86_400).dependsOn(upstream.id()).build(), "test");
        Job disabled = jobs.create(
                anIntervalJob("report", 86_400)
                        .dependsOn(upstream.id())
                        .disabled()
                        .build(),
                "test");
        clock.advance(Duration.ofSeconds(60));
        engine.runDueOnce();

        Execution trigger = only(history(upstream));
        Execution dependent = only(history(downstream));
        assertThat(dependent.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(dependent.triggeredBy()).isEqualTo("dependency:" + trigger.id());
        assertThat(dependent.slotKey()).isNull();
        Execution skipped = only(history(disabled));
        assertThat(skipped.status()).isEqualTo(ExecutionStatus.SKIPPED);
        assertThat(skipped.reason()).isEqualTo("disabled");
    }

    /**
     * A run a dependency starts keeps the job's concurrency policy as a slot does: under {@code forbid}, an upstream
     * success while the job's run still goes on records {@code skipped/overlap}; under {@code allow} both run.
     */
    @Test
    void aDependencyRunOverlappingARunOfTheJobIsSkippedUnderForbid() {
        Job upstream = jobs.create(anIntervalJob("feeds", 86_400).build(), "test");
        Job forbids = jobs.create(
                anIntervalJob("loads-alone", 86_400)
                        .template("test_block", Map.of())
                        .concurrency("forbid")
                        .dependsOn(upstream.id())
                        .build(),
                "test");
        Job allows = jobs.create(
                anIntervalJob("loads-beside", 86_400)
                        .template("test_block", Map.of())
                        .concurrency("allow")
                        .dependsOn(upstream.id())
                        .build(),
                "test");
        try {
            runToItsEnd(upstream);
            engine.startDue();
            awaitStarted("loads-alone");
            awaitStarted("loads-beside");

            runToItsEnd(upstream);

            assertThat(history(forbids))
                    .extracting(e -> e.status() + " " + e.reason())
                    .containsExactlyInAnyOrder("RUNNING null", "SKIPPED overlap");
            assertThat(history(allows))
                    .filteredOn(e -> e.status() != ExecutionStatus.SKIPPED)
                    .hasSize(2);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            TestTemplates.Block.release("loads-alone");
            TestTemplates.Block.release("loads-beside");
            engine.awaitIdle(Duration.ofSeconds(10));
        }
    }

    /**
     * Another node writes a run of a job that forbids overlap (a trigger pass holds the job's row while it does) at the
     * moment an upstream's outcome here starts the job: the outcome waits for that commit and records the trigger as
     * {@code skipped/overlap}, where it read beside the uncommitted run and queued a second one.
     */
    @Test
    void aDependencyRunWaitsForARunAnotherNodeIsWritingOfTheJobUnderForbid() throws Exception {
        Job upstream = jobs.create(anIntervalJob("feeds", 86_400).build(), "test");
        Job forbids = jobs.create(
                anIntervalJob("loads-alone", 86_400)
                        .concurrency("forbid")
                        .dependsOn(upstream.id())
                        .build(),
                "test");
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        ExecutorService nodes = Executors.newFixedThreadPool(2);
        try {
            Future<?> otherNode = nodes.submit(() -> transactions.executeWithoutResult(s -> {
                store.lockJob(forbids.id());
                Instant now = clock.instant();
                store.enqueue(List.of(NewExecutions.queued(forbids, null, now, "manual", Map.of(), false, now)));
                written.countDown();
                try {
                    commit.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> outcome = nodes.submit(() -> {
                runToItsEnd(upstream);
                return null;
            });
            try {
                outcome.get(2, TimeUnit.SECONDS);
            } catch (TimeoutException waitingForTheOtherNode) {
                // as it should: the outcome waits for the other node's commit
            }
            commit.countDown();
            otherNode.get(10, TimeUnit.SECONDS);
            outcome.get(20, TimeUnit.SECONDS);
        } finally {
            commit.countDown();
            nodes.shutdownNow();
        }

        assertThat(history(forbids))
                .extracting(e -> e.status() + " " + e.reason())
                .containsExactlyInAnyOrder("QUEUED null", "SKIPPED overlap");
    }

    /**
     * An outcome whose run starts another job holds both jobs' rows in one order (the one every outcome batch takes)
     * before it takes either. Here another node's batch holds the upstream's row (the lower id) and then needs the
     * dependent's, as its own chain crosses this one: this outcome waits for the upstream's row holding nothing, so
     * the dependent's row stays free, where it held the dependent's first and the two deadlocked.
     */
    @Test
    void anOutcomeStartingAnotherJobHoldsBothRowsInOneOrderSoCrossingChainsCannotDeadlock() throws Exception {
        Job upstream = jobs.create(anIntervalJob("feeds", 86_400).build(), "test");
        Job dependent;
        int n = 0;
        do {
            dependent = jobs.create(
                    anIntervalJob("loads-" + n++, 86_400)
                            .concurrency("forbid")
                            .dependsOn(upstream.id())
                            .build(),
                    "test");
        } while (dependent.id().value().compareTo(upstream.id().value()) < 0);
        Job laterInTheOrder = dependent;
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService nodes = Executors.newFixedThreadPool(2);
        try {
            Future<?> otherNode = nodes.submit(() -> transactions.executeWithoutResult(s -> {
                store.lockJob(upstream.id());
                held.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                store.lockJob(laterInTheOrder.id());
            }));
            assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
            Future<?> outcome = nodes.submit(() -> {
                runToItsEnd(upstream);
                return null;
            });
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> RowLocks.someoneWaits(dataSource));

            List<Map<String, Object>> free =
                    transactions.execute(s -> jdbc.sql("SELECT id FROM jobs WHERE id = :id FOR UPDATE SKIP LOCKED")
                            .param("id", laterInTheOrder.id().value())
                            .query()
                            .listOfRows());
            assertThat(free)
                    .as("the dependent's row while the outcome waits for the upstream's")
                    .hasSize(1);
            release.countDown();
            otherNode.get(10, TimeUnit.SECONDS);
            outcome.get(20, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            nodes.shutdownNow();
        }

        assertThat(history(laterInTheOrder)).extracting(Execution::status).containsExactly(ExecutionStatus.QUEUED);
    }

    /**
     * Under {@code replace}, two upstream successes written in one outcome batch start the job twice: the later run
     * replaces the earlier, which is cancelled as {@code replaced}, as a run queued before the batch would be.
     */
    @Test
    void twoStartsOfAReplacingJobInOneOutcomeBatchLeaveOneRun() throws Exception {
        Job first = jobs.create(anIntervalJob("feeds-a", 86_400).build(), "test");
        Job second = jobs.create(anIntervalJob("feeds-b", 86_400).build(), "test");
        Job replaces = jobs.create(
                anIntervalJob("loads-latest", 86_400)
                        .concurrency("replace")
                        .dependsOn(first.id(), second.id())
                        .build(),
                "test");
        api("POST", "/jobs/" + first.id() + "/run", null);
        api("POST", "/jobs/" + second.id() + "/run", null);
        engine.startDue();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> runs.inFlight() == 0);
        // both outcomes in one batch
        engine.writeOutcomes();

        assertThat(history(replaces))
                .extracting(e -> e.status() + " " + e.reason())
                .containsExactlyInAnyOrder("QUEUED null", "CANCELLED replaced");
    }

    @Test
    void aFailureTriggersNoDependents() {
        Job upstream = jobs.create(
                anIntervalJob("broken", 60).template("test_fail", Map.of()).build(), "test");
        Job downstream = jobs.create(
                anIntervalJob("after-broken", 86_400).dependsOn(upstream.id()).build(), "test");
        clock.advance(Duration.ofSeconds(60));
        engine.runDueOnce();
        assertThat(history(downstream)).isEmpty();
    }

    @Test
    void editsTakeEffectAtTheNextTriggerWithoutTouchingARunningExecution() throws Exception {
        Job job = jobs.create(
                anIntervalJob("edited", 60).template("test_block", Map.of()).build(), "test");
        clock.advance(Duration.ofSeconds(60));
        engine.triggerOnce();
        engine.startDue();
        awaitStarted("edited");

        jobs.update(
                job.id(),
                (tools.jackson.databind.node.ObjectNode) json.readTree(
                        "{\"schedule\":{\"type\":\"interval\",\"interval_seconds\":600},\"timeout_seconds\":7}"),
                "test");
        assertThat(jobs.get(job.id()).nextRunAt()).isEqualTo(clock.instant().plusSeconds(600));
        Execution running = only(history(job));
        assertThat(running.status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(running.timeoutSeconds()).isEqualTo(3600);

        TestTemplates.Block.release("edited");
        engine.awaitIdle(Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(600));
        engine.runDueOnce();
        assertThat(history(job)).hasSize(2);
        assertThat(history(job).get(0).jobVersion()).isEqualTo(2);
    }

    @Test
    void aDisabledJobDoesNotRun() throws Exception {
        Job job = jobs.create(anIntervalJob("off", 60).build(), "test");
        jobs.update(job.id(), (tools.jackson.databind.node.ObjectNode) json.readTree("{\"enabled\":false}"), "test");
        clock.advance(Duration.ofHours(1));
        assertThat(engine.runDueOnce()).isZero();
        assertThat(history(job)).isEmpty();
    }

    @Test
    void deletingAJobLetsItsRunningExecutionFinishAndKeepsHistory() {
        Job job = jobs.create(
                anIntervalJob("doomed", 60).template("test_block", Map.of()).build(), "test");
        clock.advance(Duration.ofSeconds(60));
        engine.triggerOnce();
        engine.startDue();
        awaitStarted("doomed");

        jobs.delete(job.id(), "test");
        TestTemplates.Block.release("doomed");
        engine.awaitIdle(Duration.ofSeconds(10));
        clock.advance(Duration.ofHours(1));
        assertThat(engine.runDueOnce()).isZero();

        assertThat(only(history(job)).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void recoversTheRunsOfANodeThatStoppedHeartbeating() {
        Job job = aRetriedBlockingRunClaimedBy("dead-node", "orphan");

        clock.advance(Duration.ofSeconds(31));
        engine.heartbeat();

        List<Execution> history = assertLostAndRetried(job, "node lost: dead-node stopped heartbeating");
        assertThat(history.get(0).runAfter()).isEqualTo(clock.instant().plusSeconds(5));
    }

    @Test
    void refusesTheOutcomeOfARunWhoseNodeLostItsLease() {
        Job job = jobs.create(
                anIntervalJob("fenced", 3600).template("test_block", Map.of()).build(), "test");
        clock.advance(Duration.ofHours(1));
        engine.triggerOnce();
        engine.startDue();
        awaitStarted("fenced");
        jdbc.sql("UPDATE nodes SET heartbeat_at = :old WHERE id = 'test-node'")
                .param("old", java.time.OffsetDateTime.parse("2026-06-01T00:00:00Z"))
                .update();

        assertThat(recovery.recoverOnce()).isEqualTo(1);
        TestTemplates.Block.release("fenced");
        engine.awaitIdle(Duration.ofSeconds(10));

        Execution run = only(history(job));
        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(run.reason()).isEqualTo("node_lost");
    }

    @Test
    void aNodeThatCannotHeartbeatStopsItsRunsBeforeItsLeaseExpires() {
        Job job = jobs.create(
                anIntervalJob("isolated", 3600).template("test_block", Map.of()).build(), "test");
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        engine.triggerOnce();
        engine.startDue();
        awaitStarted("isolated");

        // the dead-node threshold is 30 s; a node stops its runs after two thirds of it without a heartbeat
        engine.fenceIfLeaseExpiring(clock.instant().plusSeconds(19));
        assertThat(history(job).get(0).status()).isEqualTo(ExecutionStatus.RUNNING);
        engine.fenceIfLeaseExpiring(clock.instant().plusSeconds(20));
        engine.awaitIdle(Duration.ofSeconds(10));

        Execution run = only(history(job));
        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(run.reason()).isEqualTo("node_lost");
        clock.advance(Duration.ofHours(1));
        engine.triggerOnce();
        assertThat(engine.startDue())
                .as("no claims while the lease is in doubt")
                .isEmpty();
        engine.heartbeat();
        assertThat(engine.startDue()).as("claims again once it can heartbeat").hasSize(1);
        TestTemplates.Block.release("isolated");
        engine.awaitIdle(Duration.ofSeconds(10));
    }

    /**
     * A cancel asked through another node while the run's node was cut off never reached it: when that node's run is
     * then recovered as lost, or the node stops it as lost and reports it late, it ends as asked (cancelled, or
     * replaced), and is not retried.
     */
    @Test
    void aRunCancelledWhileItsNodeWasCutOffEndsCancelledAndIsNotRetried() {
        Job recovered = aRetriedBlockingRunClaimedBy("cut-node", "cancelled-orphan");
        executions.cancel(only(history(recovered)).id());
        clock.advance(Duration.ofSeconds(31));
        engine.heartbeat();

        Execution cancelled = only(history(recovered));
        assertThat(cancelled.status()).isEqualTo(ExecutionStatus.CANCELLED);
        assertThat(cancelled.reason()).isEqualTo("cancelled");

        Job stopped = jobs.create(
                anIntervalJob("replaced-while-cut-off", 3600)
                        .template("test_block", Map.of())
                        .retries(1, 5, 1.0)
                        .build(),
                "test");
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        engine.triggerOnce();
        engine.startDue();
        awaitStarted("replaced-while-cut-off");
        // asked of the database by another node; this one, cut off, does not hear of it
        jdbc.sql("UPDATE executions SET cancel_requested = TRUE, reason = 'replaced' WHERE job_id = :job")
                .param("job", stopped.id().value())
                .update();
        engine.fenceIfLeaseExpiring(clock.instant().plusSeconds(20));
        engine.awaitIdle(Duration.ofSeconds(10));

        Execution replaced = only(history(stopped));
        assertThat(replaced.status()).isEqualTo(ExecutionStatus.CANCELLED);
        assertThat(replaced.reason()).isEqualTo("replaced");
        engine.heartbeat();
        TestTemplates.Block.release("replaced-while-cut-off");
    }

    @Test
    void drainingLetsRunsEndWithinTheGraceAndHandsTheRestBackToTheQueue() {
        Job quick = jobs.create(
                anIntervalJob("quick", 3600).template("test_block", Map.of()).build(), "test");
        Job stuck = jobs.create(
                anIntervalJob("stuck", 3600).template("test_block", Map.of()).build(), "test");
        clock.advance(Duration.ofHours(1));
        assertThat(engine.runDueOnceWithoutWaiting()).hasSize(2);
        awaitStarted("quick");
        awaitStarted("stuck");
        TestTemplates.Block.release("quick");
        try {
            engine.drain(Duration.ofSeconds(2));

            assertThat(only(history(quick)).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            Execution handedBack = only(history(stuck));
            assertThat(handedBack.status()).isEqualTo(ExecutionStatus.QUEUED);
            assertThat(handedBack.executionHost()).isNull();
            assertThat(handedBack.startedAt()).isNull();
            engine.heartbeat();
            assertThat(engine.startDue()).as("a draining node claims nothing").isEmpty();
        } finally {
            engine.shutdown();
        }

        assertThat(engine.startDue()).as("the next node takes it at once").hasSize(1);
        TestTemplates.Block.release("stuck");
        engine.awaitIdle(Duration.ofSeconds(10));
        Execution finished = only(history(stuck));
        assertThat(finished.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(finished.attempt()).as("handed back, not retried").isEqualTo(1);
        assertThat(executions.logs(finished.id(), 0))
                .extracting(line -> line.seq())
                .as("the log goes on where the first start left it")
                .doesNotHaveDuplicates()
                .isSorted();
        assertThat(executions.logs(finished.id(), 0))
                .extracting(line -> line.level() + " " + line.message())
                .as("the log says why it started twice")
                .contains("WARN stopped: node test-node is stopping; the run goes back to the queue and starts again"
                        + " on a node, on the same attempt");
    }

    /**
     * Runs this node's id holds as running that started before this process's first heartbeat were started by an
     * earlier process under the same id (restarted before another node saw it die): failed as lost and retried, not
     * handed back as never started.
     */
    @Test
    void theRunsAnEarlierProcessUnderThisNodesIdStartedAreFailedAsLost() {
        Job job = aRetriedBlockingRunClaimedBy("test-node", "restarted");

        clock.advance(Duration.ofSeconds(1));
        assertThat(recovery.recoverEarlierProcess("test-node", clock.instant(), runs::holds))
                .isEqualTo(1);

        assertLostAndRetried(job, "node lost: test-node restarted while it ran this");
        assertThat(recovery.recoverEarlierProcess("test-node", clock.instant(), runs::holds))
                .as("the retry is queued, not running")
                .isZero();
    }

    /** A node silent for twice the dead-node threshold leaves the node list, though it ran nothing to recover. */
    @Test
    void aNodeKilledWhileItRanNothingLeavesTheListAfterTwiceTheThreshold() {
        engine.heartbeat();
        registerNodeIfAbsent("idle-dead", clock.instant());
        clock.advance(Duration.ofSeconds(59));
        engine.heartbeat();
        assertThat(jdbc.sql("SELECT count(*) FROM nodes WHERE id = 'idle-dead'")
                        .query(Long.class)
                        .single())
                .isOne();
        clock.advance(Duration.ofSeconds(2));
        engine.heartbeat();
        assertThat(jdbc.sql("SELECT count(*) FROM nodes WHERE id = 'idle-dead'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    /**
     * A node forgotten while it was cut off (its row removed after twice the threshold) registers again with the time
     * this process first joined, not the time it came back: the node list's start time says when a node restarted.
     */
    @Test
    void aNodeForgottenWhileCutOffKeepsItsStartTimeWhenItComesBack() {
        engine.heartbeat();
        Instant joined = jdbc.sql("SELECT started_at FROM nodes WHERE id = 'test-node'")
                .query(java.time.OffsetDateTime.class)
                .single()
                .toInstant();
        jdbc.sql("DELETE FROM nodes WHERE id = 'test-node'").update();
        clock.advance(Duration.ofMinutes(2));
        engine.heartbeat();

        assertThat(jdbc.sql("SELECT started_at FROM nodes WHERE id = 'test-node'")
                        .query(java.time.OffsetDateTime.class)
                        .single()
                        .toInstant())
                .isEqualTo(joined);
    }

    @Test
    void handsBackARunTheDatabaseGivesThisNodeButItNeverStarted() {
        Job job = jobs.create(anIntervalJob("lost-answer", 3600).build(), "test");
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        triggerWithNoWorkerFree();
        // a claim committed whose answer never reached the node (the connection broke at commit)
        transactionallyClaimAs("test-node", clock.instant());

        clock.advance(Duration.ofSeconds(4));
        engine.heartbeat();
        assertThat(only(history(job)).status())
                .as("a claim younger than a heartbeat interval may still be starting")
                .isEqualTo(ExecutionStatus.RUNNING);
        clock.advance(Duration.ofSeconds(2));
        engine.heartbeat();
        assertThat(only(history(job)).status()).isEqualTo(ExecutionStatus.QUEUED);

        engine.runDueOnce();
        assertThat(only(history(job)).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    /**
     * A trigger pass while every worker of this node is taken: the runs it writes are queued, as on a busy node,
     * instead of written as running and started.
     */
    private void triggerWithNoWorkerFree() {
        int taken = runs.reserve(Integer.MAX_VALUE, false);
        try {
            assertThat(engine.triggerOnce().started()).isEmpty();
        } finally {
            runs.unreserve(taken, false);
        }
    }

    /**
     * A job of {@code test_block} with one retry after 5 s whose run, due an hour on, is queued with no worker free and
     * then claimed by {@code node} at the clock's time, as a node's claim would be.
     */
    private Job aRetriedBlockingRunClaimedBy(String node, String name) {
        Job job = jobs.create(
                anIntervalJob(name, 3600)
                        .template("test_block", Map.of())
                        .retries(1, 5, 1.0)
                        .build(),
                "test");
        clock.advance(Duration.ofHours(1));
        triggerWithNoWorkerFree();
        transactionallyClaimAs(node, clock.instant());
        return job;
    }

    /** The job's run failed as {@code node_lost} with {@code error} and its retry is queued; newest first. */
    private List<Execution> assertLostAndRetried(Job job, String error) {
        List<Execution> history = history(job);
        assertThat(history)
                .extracting(Execution::status)
                .containsExactly(ExecutionStatus.QUEUED, ExecutionStatus.FAILED);
        assertThat(history.get(1).reason()).isEqualTo("node_lost");
        assertThat(history.get(1).error()).isEqualTo(error);
        assertThat(history.get(0).attempt()).isEqualTo(2);
        return history;
    }

    private void registerNodeIfAbsent(String node, Instant at) {
        jdbc.sql("""
                        INSERT INTO nodes (id, host, roles, started_at, heartbeat_at)
                        SELECT :id, 'gone', 'worker', :at, :at WHERE NOT EXISTS (SELECT 1 FROM nodes WHERE id = :id)
                        """)
                .param("id", node)
                .param("at", java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC))
                .update();
    }

    private void transactionallyClaimAs(String node, Instant at) {
        registerNodeIfAbsent(node, at);
        jdbc.sql(
                        "UPDATE executions SET status = 'running', execution_host = :node, started_at = :at WHERE status = 'queued'")
                .param("node", node)
                .param("at", java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC))
                .update();
    }

    private List<Execution> history(Job job) {
        return executions.list(ExecutionQuery.ofJob(job.id(), 500)).stream()
                .sorted(Comparator.comparing(Execution::createdAt)
                        .thenComparing(e -> e.id().value())
                        .reversed())
                .toList();
    }

    private static Execution only(List<Execution> executions) {
        assertThat(executions).hasSize(1);
        return executions.get(0);
    }

    /** A manual run of {@code job}, started and ended, its outcome (and the runs it starts) written. */
    private void runToItsEnd(Job job) throws Exception {
        api("POST", "/jobs/" + job.id() + "/run", null);
        engine.startDue();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            engine.writeOutcomes();
            return history(job).stream().allMatch(e -> e.status() == ExecutionStatus.SUCCEEDED);
        });
    }

    private static void awaitStarted(String key) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> TestTemplates.Block.started(key) > 0);
    }

    private void awaitStatus(Execution execution, ExecutionStatus status) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            engine.writeOutcomes();
            return executions.get(execution.id()).status() == status;
        });
    }
}
