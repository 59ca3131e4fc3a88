package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
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
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * A {@code run_all} catch-up longer than one pass's slots ({@code almanac.engine.max-slots-per-pass}, two here) is
 * written over several passes and stays one batch: under {@code forbid} or {@code replace} the runs a pass queued
 * neither make the next pass's slots overlap nor are cancelled by them. A run from before the catch-up still does.
 */
@TestPropertySource(properties = "almanac.engine.max-slots-per-pass=2")
abstract class CatchUpAcrossPassesTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends CatchUpAcrossPassesTests {}

    @WithPostgres
    static class OnPostgres extends CatchUpAcrossPassesTests {}

    @Autowired
    Engine engine;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Test
    void aCatchUpOfMoreSlotsThanAPassTakesRunsEverySlotUnderForbid() {
        catchesUpEverySlot("catch-up-forbid", "forbid");
    }

    @Test
    void aCatchUpOfMoreSlotsThanAPassTakesCancelsNoneOfItsRunsUnderReplace() {
        catchesUpEverySlot("catch-up-replace", "replace");
    }

    private void catchesUpEverySlot(String name, String concurrency) {
        Job job = jobs.create(
                aCronJob(name, "* * * * *")
                        .concurrency(concurrency)
                        .misfire("run_all", 600)
                        .build(),
                "test");
        // back after eight minutes: 10:01 to 10:07 were missed, 10:08 is on time; three passes write them
        clock.set(Instant.parse("2026-06-01T10:08:30Z"));
        for (int pass = 0; pass < 5; pass++) {
            engine.triggerOnce();
        }
        engine.startDue();
        engine.awaitIdle(Duration.ofSeconds(10));
        while (engine.runDueOnce() > 0) {
            engine.awaitIdle(Duration.ofSeconds(10));
        }

        List<Execution> history = history(job);
        assertThat(history)
                .filteredOn(e -> e.status() != ExecutionStatus.SUCCEEDED)
                .extracting(e -> e.scheduledFor() + " " + e.status() + " " + e.reason())
                .isEmpty();
        assertThat(history)
                .extracting(Execution::scheduledFor)
                .containsExactlyInAnyOrder(
                        slots("10:01", "10:02", "10:03", "10:04", "10:05", "10:06", "10:07", "10:08"));
    }

    @Test
    void aRunFromBeforeTheCatchUpStillMakesEveryPassOverlapUnderForbid() {
        Job job = jobs.create(
                aCronJob("catch-up-behind-a-run", "* * * * *")
                        .template("test_block", Map.of())
                        .concurrency("forbid")
                        .misfire("run_all", 600)
                        .build(),
                "test");
        clock.set(Instant.parse("2026-06-01T10:01:00Z"));
        engine.triggerOnce();
        engine.startDue();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> history(job).stream().anyMatch(e -> e.status() == ExecutionStatus.RUNNING));

        clock.set(Instant.parse("2026-06-01T10:06:30Z"));
        for (int pass = 0; pass < 4; pass++) {
            engine.triggerOnce();
        }
        TestTemplates.Block.release("catch-up-behind-a-run");
        engine.awaitIdle(Duration.ofSeconds(10));

        List<Execution> history = history(job);
        assertThat(history)
                .filteredOn(e -> e.status() == ExecutionStatus.SUCCEEDED)
                .extracting(Execution::scheduledFor)
                .containsExactly(slots("10:01"));
        assertThat(history)
                .filteredOn(e -> "overlap".equals(e.reason()))
                .extracting(Execution::scheduledFor)
                .containsExactlyInAnyOrder(slots("10:02", "10:03", "10:04", "10:05", "10:06"));
    }

    private List<Execution> history(Job job) {
        return executions.list(ExecutionQuery.ofJob(job.id(), 500));
    }

    private static Instant[] slots(String... times) {
        return java.util.Arrays.stream(times)
                .map(t -> Instant.parse("2026-06-01T" + t + ":00Z"))
                .toArray(Instant[]::new);
    }
}
