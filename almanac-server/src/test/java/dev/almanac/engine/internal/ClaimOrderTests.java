package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.execution.Execution;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** When more runs are due than workers, the worker claims higher priority first, then the earlier due. */
abstract class ClaimOrderTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends ClaimOrderTests {}

    @WithPostgres
    static class OnPostgres extends ClaimOrderTests {}

    @Autowired
    JobService jobs;

    @Autowired
    EngineStore store;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    JsonMapper json;

    private static final Instant NOW = Instant.parse("2026-06-01T10:00:00Z");

    @Test
    void higherPriorityIsClaimedFirstThenTheEarlierDue() {
        queueRunsOfThreePriorities();

        List<String> claimed = new ArrayList<>();
        for (int worker = 0; worker < 5; worker++) {
            List<EngineStore.Claimed> one = transactions.execute(status -> store.claimRuns("test-node", NOW, 1));
            claimed.addAll(described(one));
        }

        assertThat(claimed)
                .as("a run not due yet waits, whatever its priority")
                .containsExactly(
                        "urgent due 10 s ago", "normal due 120 s ago", "normal due 60 s ago", "low due 1800 s ago");
    }

    /** One claim of several runs starts them in the same order (on PostgreSQL its rows come back in no order). */
    @Test
    void runsClaimedTogetherComeInTheSameOrder() {
        queueRunsOfThreePriorities();

        List<EngineStore.Claimed> claimed = transactions.execute(status -> store.claimRuns("test-node", NOW, 10));

        assertThat(described(claimed))
                .containsExactly(
                        "urgent due 10 s ago", "normal due 120 s ago", "normal due 60 s ago", "low due 1800 s ago");
    }

    /** A run waiting for a worker follows its job's priority as it is edited, not as it was when queued. */
    @Test
    void anEditedPriorityReordersTheRunsAlreadyQueued() {
        Job low = queueRunsOfThreePriorities();

        jobs.update(low.id(), (ObjectNode) json.readTree("{\"priority\":9}"), "test");
        List<EngineStore.Claimed> claimed = transactions.execute(status -> store.claimRuns("test-node", NOW, 10));

        assertThat(described(claimed))
                .containsExactly(
                        "low due 1800 s ago", "urgent due 10 s ago", "normal due 120 s ago", "normal due 60 s ago");
    }

    /** Queues the runs and returns the low-priority job. */
    private Job queueRunsOfThreePriorities() {
        Job low = jobs.create(anIntervalJob("low", 3600).priority(2).build(), "test");
        Job normal = jobs.create(anIntervalJob("normal", 3600).build(), "test");
        Job urgent = jobs.create(anIntervalJob("urgent", 3600).priority(8).build(), "test");
        transactions.executeWithoutResult(status -> store.enqueue(List.of(
                due(low, Duration.ofMinutes(30)),
                due(normal, Duration.ofMinutes(1)),
                due(normal, Duration.ofMinutes(2)),
                due(urgent, Duration.ofSeconds(10)),
                due(urgent, Duration.ofMinutes(-5)))));
        return low;
    }

    private static List<String> described(List<EngineStore.Claimed> claimed) {
        return claimed.stream()
                .map(c -> c.execution().jobName() + " due "
                        + Duration.between(c.execution().runAfter(), NOW).toSeconds() + " s ago")
                .toList();
    }

    private static Execution due(Job job, Duration ago) {
        return NewExecutions.queued(job, null, NOW.minus(ago), "manual:test", Map.of(), false, NOW.minus(ago));
    }
}
