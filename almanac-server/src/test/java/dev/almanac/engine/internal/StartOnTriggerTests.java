package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aCronJob;
import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.SkipReason;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A run due now that the triggering node's free workers can take is written as running on that node and starts once
 * the trigger pass commits: no queued version, no claim. Runs beyond the free workers are queued (highest priority
 * started first). While a queued run is due, or the pass queues one of its own (a catch-up run), the pass starts none,
 * so the claim keeps the queue's order. Two workers.
 */
@TestPropertySource(properties = "almanac.engine.workers=2")
abstract class StartOnTriggerTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends StartOnTriggerTests {}

    @WithPostgres
    static class OnPostgres extends StartOnTriggerTests {}

    @Autowired
    Engine engine;

    @Autowired
    EngineStore store;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    TransactionTemplate transactions;

    /** The gates of this class's runs, each opened for good at the end (a reset could race a run still starting). */
    private final List<String> keys = new java.util.ArrayList<>();

    @AfterEach
    void releaseAll() {
        keys.forEach(TestTemplates.Block::release);
        engine.awaitIdle(Duration.ofSeconds(10));
    }

    @Test
    void aRunDueNowIsWrittenAsRunningAndStartsWithoutAClaim() {
        Job first = blocking("first", 5);
        Job second = blocking("second", 5);
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();

        TriggerPass.Result pass = engine.triggerOnce();

        assertThat(pass.queued()).isZero();
        assertThat(pass.started()).hasSize(2);
        for (Job job : List.of(first, second)) {
            Execution run = only(job);
            assertThat(run.status()).isEqualTo(ExecutionStatus.RUNNING);
            assertThat(run.executionHost()).isEqualTo(engine.nodeId());
            assertThat(run.attempt()).isEqualTo(1);
            assertThat(run.startedAt()).isNotNull();
            assertThat(pass.started()).contains(run.id());
        }
        awaitStarted("first");
        awaitStarted("second");
        assertThat(engine.startDue()).as("no worker left to claim for").isEmpty();

        release("first");
        release("second");
        engine.awaitIdle(Duration.ofSeconds(10));
        for (Job job : List.of(first, second)) {
            Execution run = only(job);
            assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(executions.logs(run.id(), 0))
                    .extracting(line -> line.message())
                    .contains("blocking on start-on-trigger-" + job.name());
        }
    }

    @Test
    void moreRunsDueThanFreeWorkersStartTheHighestPriorityAndQueueTheRest() {
        Job low = blocking("low", 2);
        Job normal = blocking("normal", 5);
        Job urgent = blocking("urgent", 8);
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();

        TriggerPass.Result pass = engine.triggerOnce();

        assertThat(pass.started())
                .containsExactlyInAnyOrder(only(normal).id(), only(urgent).id());
        assertThat(pass.queued()).isEqualTo(1);
        Execution waiting = only(low);
        assertThat(waiting.status()).isEqualTo(ExecutionStatus.QUEUED);
        assertThat(waiting.executionHost()).isNull();

        awaitStarted("urgent");
        release("urgent");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engine.freeCapacity() > 0);
        assertThat(engine.startDue()).as("a freed worker claims the queued run").containsExactly(waiting.id());
        awaitStarted("low");
    }

    @Test
    void aPassStartsNoneAsWrittenWhileAQueuedRunIsDue() {
        Job waiting = blocking("waiting", 5);
        Job triggered = blocking("triggered", 9);
        transactions.executeWithoutResult(status -> store.enqueue(List.of(NewExecutions.queued(
                waiting,
                null,
                clock.instant(),
                "manual:test",
                Map.of("key", key("waiting")),
                false,
                clock.instant()))));
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();

        TriggerPass.Result pass = engine.triggerOnce();

        assertThat(pass.started())
                .as("the claim orders the queued run and the new one")
                .isEmpty();
        assertThat(only(triggered).status()).isEqualTo(ExecutionStatus.QUEUED);
        assertThat(engine.startDue()).hasSize(2);
        awaitStarted("waiting");
        awaitStarted("triggered");
    }

    @Test
    void aPassThatQueuesACatchUpRunStartsNoneAsWritten() {
        Job catchUp = jobs.create(
                aCronJob("catch-up", "*/10 * * * *")
                        .template("test_block", Map.of("key", key("catch-up")))
                        .misfire("run_all", 1800)
                        .build(),
                "test");
        Job urgent = blocking("urgent", 9);
        clock.set(Instant.parse("2026-06-01T11:05:00Z"));
        engine.heartbeat();

        TriggerPass.Result pass = engine.triggerOnce();

        assertThat(pass.started())
                .as("the claim orders the catch-up runs and the new one")
                .isEmpty();
        assertThat(only(urgent).status()).isEqualTo(ExecutionStatus.QUEUED);
        assertThat(executions.list(ExecutionQuery.ofJob(catchUp.id(), 10)))
                .filteredOn(e -> e.status() == ExecutionStatus.QUEUED)
                .isNotEmpty();
    }

    @Test
    void aSlotAlreadyWrittenGivesItsWorkerBack() {
        Job written = blocking("written", 5);
        Job other = blocking("other", 5);
        Instant slot = written.nextRunAt();
        transactions.executeWithoutResult(status -> store.enqueue(List.of(
                NewExecutions.skipped(written, slot, SkipReason.OVERLAP, NewExecutions.SCHEDULER, clock.instant()))));
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();

        TriggerPass.Result pass = engine.triggerOnce();

        assertThat(pass.started())
                .as("both reserved a worker; one was written")
                .containsExactly(only(other).id());
        assertThat(only(written).status()).as("the slot's one row").isEqualTo(ExecutionStatus.SKIPPED);
        assertThat(engine.freeCapacity())
                .as("the worker of the slot not written is free again")
                .isEqualTo(1);
    }

    private Job blocking(String name, int priority) {
        return jobs.create(
                anIntervalJob(name, 3600)
                        .template("test_block", Map.of("key", key(name)))
                        .priority(priority)
                        .build(),
                "test");
    }

    private Execution only(Job job) {
        List<Execution> runs = executions.list(ExecutionQuery.ofJob(job.id(), 10));
        assertThat(runs).hasSize(1);
        return runs.get(0);
    }

    private String key(String name) {
        String key = "start-on-trigger-" + name;
        keys.add(key);
        return key;
    }

    private void awaitStarted(String name) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> TestTemplates.Block.started(key(name)) > 0);
    }

    private void release(String name) {
        TestTemplates.Block.release(key(name));
    }
}
