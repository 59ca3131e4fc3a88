package dev.almanac.calendar;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Lateness as GET /status and the {@code almanac.execution.lateness} meter report it: a backfill's run of a past slot
 * is due when the backfill released it, not at its slot weeks ago; a scheduled run is still due at its slot.
 */
abstract class BackfillLatenessTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends BackfillLatenessTests {}

    @WithPostgres
    static class OnPostgres extends BackfillLatenessTests {}

    static final String API = "/api/admin/scheduler";

    @Autowired
    Engine engine;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    MeterRegistry meters;

    @Test
    void aBackfillOfLastMonthsSlotsIsLateOnlyByHowLongItsRunsWaitedAfterTheirRelease() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        Timer lateness = meters.get("almanac.execution.lateness").timer();
        long countBefore = lateness.count();
        double secondsBefore = lateness.totalTime(TimeUnit.SECONDS);

        api("POST", "/jobs/" + job.id() + "/backfill", """
                {"from": "2026-05-01T00:00:00Z", "to": "2026-05-03T00:00:00Z", "max_parallel": 2}
                """);
        // released at START, started half a minute later
        clock.set(START.plusSeconds(30));
        engine.runDueOnce();
        assertThat(executions.list(ExecutionQuery.ofJob(job.id(), 10)))
                .hasSize(2)
                .allMatch(e -> e.triggeredBy().startsWith("backfill:") && e.status() == ExecutionStatus.SUCCEEDED);

        mvc.perform(get(API + "/status"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.lateness.samples").value(2))
                .andExpect(jsonPath("$.lateness.p50_ms").value(30_000))
                .andExpect(jsonPath("$.lateness.max_ms").value(30_000));
        assertThat(lateness.count() - countBefore).isEqualTo(2);
        assertThat(lateness.totalTime(TimeUnit.SECONDS) - secondsBefore).isCloseTo(60.0, within(0.5));

        // the schedule's own slot, started 5 s after it fell due, is still 5 s late
        clock.set(Instant.parse("2026-06-02T02:00:05Z"));
        engine.runDueOnce();
        assertThat(executions.list(ExecutionQuery.ofJob(job.id(), 10)))
                .filteredOn(e -> e.triggeredBy().equals("scheduler"))
                .singleElement()
                .extracting(Execution::status)
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(lateness.count() - countBefore).isEqualTo(3);
        assertThat(lateness.totalTime(TimeUnit.SECONDS) - secondsBefore).isCloseTo(65.0, within(0.5));
    }
}
