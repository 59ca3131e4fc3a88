package dev.almanac.calendar;

import static dev.almanac.testing.JobRequests.aCronJob;
import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
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
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Backfills through the API with the injected clock and manual engine steps: the preview lists the slots (blocked and
 * already-run ones marked), the engine runs the others no more than max_parallel at once, and a cancel stops the rest.
 */
abstract class BackfillTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends BackfillTests {}

    @WithPostgres
    static class OnPostgres extends BackfillTests {}

    static final String API = "/api/admin/scheduler";

    @Autowired
    Engine engine;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    JsonMapper json;

    @Test
    void aBackfillOfSevenPastDaysPreviewsSevenSlotsAndRunsThemTwoAtATime() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        String range = "\"from\":\"2026-05-25T00:00:00Z\",\"to\":\"2026-06-01T00:00:00Z\",\"max_parallel\":2";
        mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{" + range + ",\"dry_run\":true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("preview"))
                .andExpect(jsonPath("$.slots", hasSize(7)))
                .andExpect(jsonPath("$.slots[0].at").value("2026-05-25T02:00:00Z"))
                .andExpect(jsonPath("$.slots[6].at").value("2026-05-31T02:00:00Z"))
                .andExpect(jsonPath("$.slots[*].state", everyOne("to_run", 7)))
                .andExpect(jsonPath("$.progress.to_run").value(7));
        assertThat(backfillRuns(job)).isEmpty();

        JsonNode started = body(mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{" + range + "}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.status").value("running"))
                .andExpect(jsonPath("$.progress.running").value(2))
                .andExpect(jsonPath("$.progress.pending").value(5)));
        String id = started.path("id").asString();
        assertThat(backfillRuns(job))
                .hasSize(2)
                .allMatch(e -> e.status() == ExecutionStatus.QUEUED)
                .allMatch(e -> e.triggeredBy().equals("backfill:" + id));

        // each engine step releases what the previous one finished: never more than two runs queued or running
        int[] doneAfterStep = {2, 4, 6, 7};
        for (int done : doneAfterStep) {
            engine.runDueOnce();
            List<Execution> runs = backfillRuns(job);
            assertThat(runs)
                    .filteredOn(e -> e.status() == ExecutionStatus.SUCCEEDED)
                    .hasSize(done);
            assertThat(runs).filteredOn(e -> !e.status().isFinal()).isEmpty();
            mvc.perform(get(API + "/backfills/" + id))
                    .andExpect(jsonPath("$.progress.done").value(done))
                    .andExpect(jsonPath("$.progress.running").value(0));
        }
        engine.runDueOnce();
        mvc.perform(get(API + "/backfills/" + id))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("finished"))
                .andExpect(jsonPath("$.progress.done").value(7))
                .andExpect(jsonPath("$.progress.failed").value(0))
                .andExpect(jsonPath("$.slots[*].state", everyOne("succeeded", 7)));
        assertThat(backfillRuns(job))
                .extracting(Execution::scheduledFor)
                .containsExactlyInAnyOrder(
                        Instant.parse("2026-05-25T02:00:00Z"),
                        Instant.parse("2026-05-26T02:00:00Z"),
                        Instant.parse("2026-05-27T02:00:00Z"),
                        Instant.parse("2026-05-28T02:00:00Z"),
                        Instant.parse("2026-05-29T02:00:00Z"),
                        Instant.parse("2026-05-30T02:00:00Z"),
                        Instant.parse("2026-05-31T02:00:00Z"));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'job.backfill'")
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
        // the schedule goes on as before: the backfill's runs hold no slot key
        clock.set(Instant.parse("2026-06-02T02:00:01Z"));
        assertThat(engine.runDueOnce()).isEqualTo(1);
    }

    @Test
    void aBackfillCountsAsOneManualRunAgainstTheNamespaceQuotaOnTheApiAndThePage() throws Exception {
        mvc.perform(post(API + "/namespaces")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"ops\",\"quotas\":{\"manual_runs_per_hour\":1}}"))
                .andExpect(status().isCreated());
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").namespace("ops").build(), "test");
        String first = "{\"from\":\"2026-05-25T00:00:00Z\",\"to\":\"2026-05-27T00:00:00Z\"}";
        JsonNode started = body(mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(first))
                .andExpect(status().isCreated()));
        mvc.perform(get(API + "/namespaces/ops"))
                .andExpect(jsonPath("$.namespace.usage.manual_runs_last_hour").value(1));

        mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"from\":\"2026-05-28T00:00:00Z\",\"to\":\"2026-05-30T00:00:00Z\"}"))
                .andExpect(status().isTooManyRequests())
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("manual_runs_per_hour")));
        mvc.perform(post(API + "/jobs/" + job.id() + "/run")).andExpect(status().isTooManyRequests());
        org.springframework.util.LinkedMultiValueMap<String, String> form =
                new org.springframework.util.LinkedMultiValueMap<>();
        form.add("from_date", "2026-05-28");
        form.add("to_date", "2026-05-30");
        securedMvc()
                .perform(
                        post("/jobs/" + job.id() + "/backfill")
                                .with(org.springframework.security.test.web.servlet.request
                                        .SecurityMockMvcRequestPostProcessors.user("root")
                                        .roles("SUPER_ADMIN"))
                                .with(org.springframework.security.test.web.servlet.request
                                        .SecurityMockMvcRequestPostProcessors.csrf())
                                .params(form))
                .andExpect(status().isTooManyRequests())
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.header()
                        .exists("Retry-After"))
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
                        .string(org.hamcrest.Matchers.containsString("Backfill not started: manual_runs_per_hour")));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'job.backfill'")
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
        // a preview and a cancel start nothing: the used-up quota neither hides a plan nor keeps the backfill going
        mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"from\":\"2026-05-28T00:00:00Z\",\"to\":\"2026-05-30T00:00:00Z\","
                                + "\"dry_run\":true}"))
                .andExpect(status().is2xxSuccessful());
        mvc.perform(delete(API + "/backfills/" + started.path("id").asString())).andExpect(status().isOk());
    }

    @Test
    void aSlotBlockedByACalendarAndOneThatAlreadyRanAreMarkedAndNotRunAgain() throws Exception {
        mvc.perform(post(API + "/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"no-4th\",\"timezone\":\"UTC\",\"dates\":[\"2026-06-04\"]}"))
                .andExpect(status().isCreated());
        Job job = jobs.create(
                aCronJob("nightly", "0 2 * * *")
                        .calendars(new CalendarRefs(List.of("no-4th"), List.of()))
                        .build(),
                "test");
        clock.set(Instant.parse("2026-06-02T02:00:01Z"));
        engine.runDueOnce();
        clock.set(Instant.parse("2026-06-09T12:00:00Z"));
        JsonNode preview = body(mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(
                                "{\"from\":\"2026-06-02T00:00:00Z\",\"to\":\"2026-06-08T23:59:59Z\",\"dry_run\":true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.slots", hasSize(7)))
                .andExpect(jsonPath("$.slots[0].state").value("already_ran"))
                .andExpect(jsonPath("$.slots[0].previous_status").value("succeeded"))
                .andExpect(jsonPath("$.slots[2].state").value("blocked"))
                .andExpect(jsonPath("$.slots[2].blocked_by.kind").value("calendar"))
                .andExpect(jsonPath("$.slots[2].blocked_by.name").value("no-4th"))
                .andExpect(jsonPath("$.progress.to_run").value(5))
                .andExpect(jsonPath("$.progress.blocked").value(1))
                .andExpect(jsonPath("$.progress.already_ran").value(1)));
        assertThat(preview.path("slots").path(0).path("execution_id").asString())
                .isNotBlank();

        JsonNode started = body(mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"from\":\"2026-06-02T00:00:00Z\",\"to\":\"2026-06-08T23:59:59Z\","
                                + "\"max_parallel\":5}"))
                .andExpect(status().isCreated()));
        engine.runDueOnce();
        engine.runDueOnce();
        mvc.perform(get(API + "/backfills/" + started.path("id").asString()))
                .andExpect(jsonPath("$.status").value("finished"))
                .andExpect(jsonPath("$.progress.done").value(5))
                .andExpect(jsonPath("$.slots[0].state").value("already_ran"))
                .andExpect(jsonPath("$.slots[2].state").value("blocked"));
        assertThat(backfillRuns(job))
                .hasSize(5)
                .noneMatch(e -> e.scheduledFor().equals(Instant.parse("2026-06-04T02:00:00Z")));
    }

    @Test
    void aSlotWhoseTimeACalendarOrAFreezeBlocksSincePlanningIsSkippedWithTheReasonAsItIsReleased() throws Exception {
        mvc.perform(post(API + "/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"maintenance\",\"timezone\":\"UTC\",\"dates\":[\"2026-12-25\"]}"))
                .andExpect(status().isCreated());
        Job job = jobs.create(
                aCronJob("nightly", "0 2 * * *")
                        .calendars(new CalendarRefs(List.of("maintenance"), List.of()))
                        .build(),
                "test");
        String id = body(mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"from\":\"2026-05-27T00:00:00Z\",\"to\":\"2026-06-01T00:00:00Z\"}"))
                        .andExpect(status().isCreated())
                        .andExpect(jsonPath("$.progress.to_run").value(5))
                        .andExpect(jsonPath("$.progress.blocked").value(0)))
                .path("id")
                .asString();

        mvc.perform(put(API + "/calendars/maintenance")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"maintenance\",\"timezone\":\"UTC\",\"dates\":[\"2026-05-28\"]}"))
                .andExpect(status().isOk());
        engine.runDueOnce();
        engine.runDueOnce();
        mvc.perform(post(API + "/freezes")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                        {"from": "2026-05-30T00:00:00Z", "to": "2026-05-30T06:00:00Z", "scope": "all",
                         "reason": "release week"}
                        """))
                .andExpect(status().isCreated());
        engine.runDueOnce();
        engine.runDueOnce();
        engine.runDueOnce();

        mvc.perform(get(API + "/backfills/" + id))
                .andExpect(jsonPath("$.status").value("finished"))
                .andExpect(jsonPath(
                        "$.slots[*].state",
                        org.hamcrest.Matchers.contains("succeeded", "skipped", "succeeded", "skipped", "succeeded")))
                .andExpect(jsonPath("$.slots[1].blocked_by.kind").value("calendar"))
                .andExpect(jsonPath("$.slots[1].blocked_by.name").value("maintenance"))
                .andExpect(jsonPath("$.slots[1].blocked_by.reason").value("inside blackout calendar 'maintenance'"))
                .andExpect(jsonPath("$.slots[3].blocked_by.kind").value("freeze"))
                .andExpect(jsonPath("$.slots[3].blocked_by.name")
                        .value(jdbc.sql("SELECT id FROM freezes")
                                .query(String.class)
                                .single()))
                .andExpect(jsonPath("$.slots[3].blocked_by.reason").value("release week"))
                .andExpect(jsonPath("$.progress.done").value(3))
                .andExpect(jsonPath("$.progress.blocked").value(2));
        List<Execution> runs = backfillRuns(job);
        assertThat(runs)
                .extracting(Execution::status)
                .containsExactly(
                        ExecutionStatus.SUCCEEDED,
                        ExecutionStatus.SKIPPED,
                        ExecutionStatus.SUCCEEDED,
                        ExecutionStatus.SKIPPED,
                        ExecutionStatus.SUCCEEDED);
        assertThat(runs.get(1).reason()).isEqualTo("calendar");
        assertThat(runs.get(1).result()).containsEntry("calendar", "maintenance");
        assertThat(runs.get(1).triggeredBy()).isEqualTo("backfill:" + id);
        assertThat(runs.get(3).reason()).isEqualTo("freeze");
    }

    /** A freeze long over still blocks the slots of its time: a backfill does not run what it kept free. */
    @Test
    void aBackfillKeepsToAFreezeThatEndedWeeksAgo() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        mvc.perform(post(API + "/freezes")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                        {"from": "2026-05-01T00:00:00Z", "to": "2026-05-03T00:00:00Z", "scope": "all",
                         "reason": "migration"}
                        """))
                .andExpect(status().isCreated());

        mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(
                                "{\"from\":\"2026-04-30T00:00:00Z\",\"to\":\"2026-05-04T00:00:00Z\",\"dry_run\":true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.slots", hasSize(4)))
                .andExpect(jsonPath("$.slots[1].state").value("blocked"))
                .andExpect(jsonPath("$.slots[2].state").value("blocked"))
                .andExpect(jsonPath("$.progress.to_run").value(2));
    }

    @Test
    void aFreezeGoingOnNowHoldsEverySlotPendingAndTheBackfillRunsThemAfterItEnds() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        mvc.perform(post(API + "/freezes")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                        {"from": "2026-06-01T09:55:00Z", "to": "2026-06-01T10:10:00Z", "scope": "all",
                         "reason": "deploy"}
                        """))
                .andExpect(status().isCreated());
        String id = body(mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"from\":\"2026-05-27T00:00:00Z\",\"to\":\"2026-06-01T00:00:00Z\","
                                        + "\"max_parallel\":2}"))
                        .andExpect(status().isCreated())
                        .andExpect(jsonPath("$.progress.to_run").value(5))
                        .andExpect(jsonPath("$.progress.running").value(0))
                        .andExpect(jsonPath("$.progress.pending").value(5)))
                .path("id")
                .asString();

        // while the freeze is on: nothing released, nothing skipped, however many passes
        engine.runDueOnce();
        clock.set(Instant.parse("2026-06-01T10:09:59Z"));
        engine.runDueOnce();
        assertThat(backfillRuns(job)).isEmpty();
        mvc.perform(get(API + "/backfills/" + id))
                .andExpect(jsonPath("$.status").value("running"))
                .andExpect(jsonPath("$.progress.pending").value(5))
                .andExpect(jsonPath("$.progress.blocked").value(0))
                .andExpect(jsonPath("$.slots[*].state", everyOne("pending", 5)));

        // once it ended, the passes release the slots two at a time and every one runs
        clock.set(Instant.parse("2026-06-01T10:10:00Z"));
        for (int pass = 0; pass < 6; pass++) {
            engine.runDueOnce();
        }
        mvc.perform(get(API + "/backfills/" + id))
                .andExpect(jsonPath("$.status").value("finished"))
                .andExpect(jsonPath("$.progress.done").value(5))
                .andExpect(jsonPath("$.progress.blocked").value(0))
                .andExpect(jsonPath("$.slots[*].state", everyOne("succeeded", 5)));
        assertThat(backfillRuns(job)).hasSize(5).allMatch(e -> e.status() == ExecutionStatus.SUCCEEDED);
    }

    @Test
    void anIntervalJobsBackfillListsTheSlotsOfItsOwnPhaseAndThoseThatRanAsAlreadyRan() throws Exception {
        clock.set(Instant.parse("2026-06-01T09:59:17Z"));
        Job job = jobs.create(anIntervalJob("every-minute", 60).build(), "test");
        for (String at : List.of("10:00:17", "10:01:17", "10:02:17")) {
            clock.set(Instant.parse("2026-06-01T" + at + "Z"));
            assertThat(engine.runDueOnce()).isEqualTo(1);
        }
        clock.set(Instant.parse("2026-06-01T10:02:40Z"));
        String range = "\"from\":\"2026-06-01T10:00:00Z\",\"to\":\"2026-06-01T10:02:30Z\"";

        mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{" + range + ",\"dry_run\":true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath(
                        "$.slots[*].at",
                        org.hamcrest.Matchers.contains(
                                "2026-06-01T10:00:17Z", "2026-06-01T10:01:17Z", "2026-06-01T10:02:17Z")))
                .andExpect(jsonPath("$.slots[*].state", everyOne("already_ran", 3)))
                .andExpect(jsonPath("$.progress.to_run").value(0));
        // the page sends whole days: the slots still keep the job's phase
        mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"from\":\"2026-06-01T00:00:00Z\",\"to\":\"2026-06-01T10:02:30Z\","
                                + "\"dry_run\":true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.slots[0].at").value("2026-06-01T00:00:17Z"))
                .andExpect(jsonPath("$.slots", hasSize(603)))
                .andExpect(jsonPath("$.progress.already_ran").value(3));

        // started, a range whose slots all ran is refused: nothing to backfill, nothing run
        mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{" + range + "}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].message")
                        .value("none of the range's 3 slots would run (3 already ran): there is nothing to backfill"));
        assertThat(engine.runDueOnce()).isZero();
        assertThat(backfillRuns(job)).isEmpty();
    }

    @Test
    void anIntervalJobReEnabledInTheRangeKeepsTheSlotsItRanAndRunsNoneOfThemAgain() throws Exception {
        clock.set(Instant.parse("2026-06-01T09:59:17Z"));
        Job job = jobs.create(anIntervalJob("every-minute", 60).build(), "test");
        for (String at : List.of("10:00:17", "10:01:17")) {
            clock.set(Instant.parse("2026-06-01T" + at + "Z"));
            engine.runDueOnce();
        }
        clock.set(Instant.parse("2026-06-01T10:01:30Z"));
        jobs.update(job.id(), json.createObjectNode().put("enabled", false), "test");
        // enabled again: its next run, a minute later, sets a new phase
        clock.set(Instant.parse("2026-06-01T10:03:45Z"));
        jobs.update(job.id(), json.createObjectNode().put("enabled", true), "test");
        clock.set(Instant.parse("2026-06-01T10:04:45Z"));
        engine.runDueOnce();
        clock.set(Instant.parse("2026-06-01T10:05:00Z"));

        mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"from\":\"2026-06-01T10:00:00Z\",\"to\":\"2026-06-01T10:05:00Z\","
                                + "\"dry_run\":true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath(
                        "$.slots[*].at",
                        org.hamcrest.Matchers.contains(
                                "2026-06-01T10:00:17Z",
                                "2026-06-01T10:01:17Z",
                                "2026-06-01T10:02:45Z",
                                "2026-06-01T10:03:45Z",
                                "2026-06-01T10:04:45Z")))
                .andExpect(jsonPath(
                        "$.slots[*].state",
                        org.hamcrest.Matchers.contains(
                                "already_ran", "already_ran", "to_run", "to_run", "already_ran")));
    }

    @Test
    void aBackfillRunGoingOnLeavesTheJobsScheduledSlotToRunUnderForbid() throws Exception {
        Job job = jobs.create(
                aCronJob("five-minutely", "*/5 * * * *")
                        .template("test_block", Map.of())
                        .build(),
                "test");
        String id = startBackfill(job, "{\"from\":\"2026-06-01T09:30:00Z\",\"to\":\"2026-06-01T09:50:00Z\"}");
        assertThat(engine.runDueOnceWithoutWaiting()).hasSize(1);
        awaitStarted("five-minutely");

        clock.set(Instant.parse("2026-06-01T10:05:01Z"));
        engine.runDueOnceWithoutWaiting();
        Execution scheduled = onlyScheduledRun(job);
        assertThat(scheduled.status()).as(scheduled.reason()).isIn(ExecutionStatus.QUEUED, ExecutionStatus.RUNNING);

        TestTemplates.Block.release("five-minutely");
        engine.awaitIdle(Duration.ofSeconds(10));
        engine.runDueOnce();
        assertThat(executions.get(scheduled.id()).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        mvc.perform(get(API + "/backfills/" + id))
                .andExpect(jsonPath("$.progress.done").value(greaterThan(0)));
    }

    @Test
    void aScheduledSlotUnderReplaceLeavesTheBackfillsRunAlone() throws Exception {
        Job job = jobs.create(
                aCronJob("five-minutely", "*/5 * * * *")
                        .template("test_block", Map.of())
                        .concurrency("replace")
                        .build(),
                "test");
        startBackfill(job, "{\"from\":\"2026-06-01T09:30:00Z\",\"to\":\"2026-06-01T09:31:00Z\"}");
        assertThat(engine.runDueOnceWithoutWaiting()).hasSize(1);
        awaitStarted("five-minutely");

        clock.set(Instant.parse("2026-06-01T10:05:01Z"));
        engine.runDueOnceWithoutWaiting();
        assertThat(backfillRuns(job))
                .singleElement()
                .as("no cancel asked of the backfill's run")
                .matches(e -> !e.cancelRequested());
        TestTemplates.Block.release("five-minutely");
        engine.awaitIdle(Duration.ofSeconds(10));
        engine.runDueOnce();

        assertThat(backfillRuns(job))
                .singleElement()
                .extracting(Execution::status)
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(onlyScheduledRun(job).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void theRetryOfABackfillRunLeavesTheJobsScheduledSlotToRunUnderForbid() throws Exception {
        Job job = jobs.create(
                aCronJob("five-minutely", "*/5 * * * *")
                        .template("test_fail", Map.of())
                        .retries(2, 600, 1.0)
                        .build(),
                "test");
        startBackfill(job, "{\"from\":\"2026-06-01T09:30:00Z\",\"to\":\"2026-06-01T09:31:00Z\"}");
        engine.runDueOnce();
        assertThat(executions.list(ExecutionQuery.ofJob(job.id(), 10)))
                .as("the backfill's run failed, its retry waits")
                .anyMatch(e ->
                        e.status() == ExecutionStatus.QUEUED && e.triggeredBy().equals("retry"));

        clock.set(Instant.parse("2026-06-01T10:05:01Z"));
        engine.runDueOnce();
        Execution scheduled = onlyScheduledRun(job);
        assertThat(scheduled.status()).as(scheduled.reason()).isEqualTo(ExecutionStatus.FAILED);
    }

    @Test
    void aBackfillRunsItsSlotsWhileAScheduledRunGoesOnAsRunNowDoes() throws Exception {
        Job job = jobs.create(
                aCronJob("five-minutely", "*/5 * * * *")
                        .template("test_block", Map.of())
                        .build(),
                "test");
        clock.set(Instant.parse("2026-06-01T10:05:01Z"));
        assertThat(engine.runDueOnceWithoutWaiting()).hasSize(1);
        awaitStarted("five-minutely");

        startBackfill(job, "{\"from\":\"2026-06-01T09:30:00Z\",\"to\":\"2026-06-01T09:35:00Z\",\"max_parallel\":2}");
        assertThat(engine.runDueOnceWithoutWaiting()).hasSize(2);
        TestTemplates.Block.release("five-minutely");
        engine.awaitIdle(Duration.ofSeconds(10));
        engine.runDueOnce();

        assertThat(backfillRuns(job)).hasSize(2).allMatch(e -> e.status() == ExecutionStatus.SUCCEEDED);
        assertThat(onlyScheduledRun(job).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void cancellingABackfillCancelsItsQueuedRunAndEverySlotNotReleasedYet() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        JsonNode started = body(mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"from\":\"2026-05-27T00:00:00Z\",\"to\":\"2026-06-01T00:00:00Z\"}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.max_parallel").value(1))
                .andExpect(jsonPath("$.progress.running").value(1))
                .andExpect(jsonPath("$.progress.pending").value(4)));
        String id = started.path("id").asString();
        mvc.perform(delete(API + "/backfills/" + id))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("cancelled"))
                .andExpect(jsonPath("$.progress.cancelled").value(5));
        assertThat(engine.runDueOnce()).isZero();
        assertThat(backfillRuns(job))
                .singleElement()
                .extracting(Execution::status)
                .isEqualTo(ExecutionStatus.CANCELLED);
        mvc.perform(delete(API + "/backfills/" + id)).andExpect(status().isConflict());
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'backfill.cancel'")
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void aSecondBackfillOverTheSameRangeLeavesEverySlotTheFirstHoldsToIt() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        String range = "\"from\":\"2026-05-01T00:00:00Z\",\"to\":\"2026-05-10T00:00:00Z\",\"max_parallel\":1";
        String first = startBackfill(job, "{" + range + "}");

        mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{" + range + ",\"dry_run\":true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.slots", hasSize(9)))
                .andExpect(jsonPath("$.slots[*].state", everyOne("in_backfill", 9)))
                .andExpect(jsonPath("$.slots[*].backfill_id", everyOne(first, 9)))
                .andExpect(jsonPath("$.slots[0].previous_status").value("queued"))
                .andExpect(jsonPath("$.progress.in_backfill").value(9))
                .andExpect(jsonPath("$.progress.to_run").value(0));
        // started, the same range is refused as an empty one: nothing created, nothing audited
        mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{" + range + "}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("to"))
                .andExpect(jsonPath("$.errors[0].message")
                        .value("none of the range's 9 slots would run (9 in another running backfill):"
                                + " there is nothing to backfill"));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM backfills WHERE job_id = :job")
                        .param("job", job.id().value())
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'job.backfill'")
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);
        // a wider range: only the two slots the first one does not hold run
        String second = startBackfill(
                job, "{\"from\":\"2026-05-01T00:00:00Z\",\"to\":\"2026-05-12T00:00:00Z\",\"max_parallel\":1}");
        mvc.perform(get(API + "/backfills/" + second))
                .andExpect(jsonPath("$.progress.to_run").value(2))
                .andExpect(jsonPath("$.progress.in_backfill").value(9))
                .andExpect(jsonPath("$.slots[8].state").value("in_backfill"))
                .andExpect(jsonPath("$.slots[8].backfill_id").value(first))
                .andExpect(jsonPath("$.slots[9].state").value("released"));

        runUntilFinished(first, second);
        assertThat(backfillRuns(job))
                .hasSize(11)
                .allMatch(e -> e.status() == ExecutionStatus.SUCCEEDED)
                .extracting(Execution::scheduledFor)
                .doesNotHaveDuplicates();
    }

    @Test
    void twoBackfillsOfTheSameRangeStartedAtOnceRunEachSlotOnce() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        String body = "{\"from\":\"2026-05-01T00:00:00Z\",\"to\":\"2026-05-10T00:00:00Z\",\"max_parallel\":3}";
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.Callable<org.springframework.mock.web.MockHttpServletResponse> start = () -> {
            together.await(10, java.util.concurrent.TimeUnit.SECONDS);
            return mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content(body))
                    .andReturn()
                    .getResponse();
        };
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        List<org.springframework.mock.web.MockHttpServletResponse> answers;
        try {
            List<java.util.concurrent.Future<org.springframework.mock.web.MockHttpServletResponse>> started =
                    threads.invokeAll(List.of(start, start));
            answers = List.of(started.get(0).get(), started.get(1).get());
        } finally {
            threads.shutdownNow();
        }

        // the one that locked the job second finds every slot held by the first: nothing to backfill, not created
        assertThat(answers)
                .extracting(org.springframework.mock.web.MockHttpServletResponse::getStatus)
                .containsExactlyInAnyOrder(201, 400);
        org.springframework.mock.web.MockHttpServletResponse refused =
                answers.stream().filter(a -> a.getStatus() == 400).findFirst().orElseThrow();
        assertThat(refused.getContentAsString()).contains("9 in another running backfill");
        org.springframework.mock.web.MockHttpServletResponse created =
                answers.stream().filter(a -> a.getStatus() == 201).findFirst().orElseThrow();
        List<String> ids =
                List.of(json.readTree(created.getContentAsString()).path("id").asString());
        mvc.perform(get(API + "/backfills/" + ids.get(0)))
                .andExpect(jsonPath("$.progress.to_run").value(9));
        runUntilFinished(ids.toArray(String[]::new));
        assertThat(backfillRuns(job))
                .hasSize(9)
                .extracting(Execution::scheduledFor)
                .doesNotHaveDuplicates();
    }

    /** A run of the backfill that ended before the cancel (here cancelled on its own) is no conflict for it. */
    @Test
    void cancellingABackfillWhoseRunAlreadyEndedCancelsTheRestAndIsAudited() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        String id = startBackfill(
                job, "{\"from\":\"2026-05-27T00:00:00Z\",\"to\":\"2026-06-01T00:00:00Z\",\"max_parallel\":2}");
        List<Execution> released = backfillRuns(job);
        assertThat(released).hasSize(2).allMatch(e -> e.status() == ExecutionStatus.QUEUED);
        mvc.perform(post(API + "/executions/" + released.get(0).id() + "/cancel"))
                .andExpect(status().isAccepted());

        mvc.perform(delete(API + "/backfills/" + id))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("cancelled"))
                .andExpect(jsonPath("$.progress.cancelled").value(5))
                .andExpect(jsonPath("$.slots[*].state", everyOne("cancelled", 5)));
        mvc.perform(get(API + "/backfills/" + id))
                .andExpect(jsonPath("$.status").value("cancelled"));
        assertThat(backfillRuns(job)).hasSize(2).allMatch(e -> e.status() == ExecutionStatus.CANCELLED);
        assertThat(jdbc.sql("SELECT details FROM audit_events WHERE action = 'backfill.cancel'")
                        .query(String.class)
                        .list())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("\"runs_cancelled\":1")
                .contains("\"pending_cancelled\":3");
        assertThat(engine.runDueOnce()).isZero();
    }

    @Test
    void onlyWhoeverMayRunTheJobMayBackfillIt() throws Exception {
        Job destructive = jobs.create(
                aCronJob("nightly-destroy", "0 2 * * *")
                        .template("test_destroy", java.util.Map.of())
                        .build(),
                "test");
        String body = "{\"from\":\"2026-05-25T00:00:00Z\",\"to\":\"2026-06-01T00:00:00Z\"}";
        mvc.perform(post(API + "/jobs/" + destructive.id() + "/backfill")
                        .with(logins.as(dev.almanac.testing.TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(status().isForbidden());
        assertThat(backfillRuns(destructive)).isEmpty();
        mvc.perform(post(API + "/jobs/" + destructive.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(status().isCreated());
    }

    @Test
    void aBackfillIsBoundedAndItsInputIsCheckedFieldByField() throws Exception {
        Job everyMinute = jobs.create(aCronJob("every-minute", "* * * * *").build(), "test");
        String path = API + "/jobs/" + everyMinute.id() + "/backfill";
        mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content("""
                                {"from":"2026-05-30T00:00:00Z","to":"2026-06-01T00:00:00Z","dry_run":true}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("to"));
        mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content("""
                                {"from":"2026-06-01T09:00:00Z","to":"2026-06-01T11:00:00Z","max_parallel":0}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[?(@.field == 'to')]").exists())
                .andExpect(jsonPath("$.errors[?(@.field == 'max_parallel')]").exists());
        mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content("{\"from\":\"yesterday\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[?(@.field == 'from')]").exists())
                .andExpect(jsonPath("$.errors[?(@.field == 'to')]").exists());
        mvc.perform(get(API + "/backfills/0195f3c2-8b1d-7c0e-a3f4-1b2c3d4e5f60"))
                .andExpect(status().isNotFound());
    }

    /**
     * The range includes both ends: one instant holds the slot at it. A range that holds no slot starts nothing (no
     * backfill, no audit event) and says so on {@code to}; its preview is an empty plan.
     */
    @Test
    void aRangeOfOneInstantHoldsTheSlotAtItAndOneWithoutSlotsStartsNothing() throws Exception {
        Job nightly = jobs.create(aCronJob("nightly-one", "0 2 * * *").build(), "test");
        String path = API + "/jobs/" + nightly.id() + "/backfill";
        mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content("""
                                {"from":"2026-05-30T02:00:00Z","to":"2026-05-30T02:00:00Z","dry_run":true}
                                """))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.slots", hasSize(1)))
                .andExpect(jsonPath("$.slots[0].at").value("2026-05-30T02:00:00Z"));
        mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content("""
                                {"from":"2026-05-30T03:00:00Z","to":"2026-05-30T04:00:00Z","dry_run":true}
                                """))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.slots", hasSize(0)));
        mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content("""
                                {"from":"2026-05-30T03:00:00Z","to":"2026-05-30T04:00:00Z"}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("to"))
                .andExpect(jsonPath("$.errors[0].message").value(org.hamcrest.Matchers.containsString("no slot")));
        assertThat(jdbc.sql("SELECT count(*) FROM backfills WHERE job_id = :id")
                        .param("id", nightly.id().value())
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM audit_events WHERE action LIKE 'job.backfill%' AND target_id = :id")
                        .param("id", nightly.id().toString())
                        .query(Long.class)
                        .single())
                .isZero();
        mvc.perform(post(path).contentType(MediaType.APPLICATION_JSON).content("""
                                {"from":"2026-05-30T03:00:00Z","to":"2026-05-30T02:00:00Z"}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].message").value("must not be before from"));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static org.hamcrest.Matcher<Object> everyOne(String state, int count) {
        return (org.hamcrest.Matcher) org.hamcrest.Matchers.contains(
                java.util.Collections.nCopies(count, org.hamcrest.Matchers.equalTo(state)));
    }

    private JsonNode body(org.springframework.test.web.servlet.ResultActions result) throws Exception {
        return json.readTree(result.andReturn().getResponse().getContentAsString());
    }

    private String startBackfill(Job job, String body) throws Exception {
        return body(mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(body))
                        .andExpect(status().isCreated()))
                .path("id")
                .asString();
    }

    private void runUntilFinished(String... ids) throws Exception {
        for (String id : ids) {
            for (int pass = 0; pass < 20 && !backfillStatus(id).equals("finished"); pass++) {
                engine.runDueOnce();
            }
            assertThat(backfillStatus(id)).as("backfill " + id).isEqualTo("finished");
        }
    }

    private String backfillStatus(String backfill) throws Exception {
        return body(mvc.perform(get(API + "/backfills/" + backfill)))
                .path("status")
                .asString();
    }

    private Execution onlyScheduledRun(Job job) {
        List<Execution> scheduled = executions.list(ExecutionQuery.ofJob(job.id(), 500)).stream()
                .filter(e -> e.triggeredBy().equals("scheduler"))
                .toList();
        assertThat(scheduled).hasSize(1);
        return scheduled.get(0);
    }

    private static void awaitStarted(String key) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> TestTemplates.Block.started(key) > 0);
    }

    private List<Execution> backfillRuns(Job job) {
        return executions.list(ExecutionQuery.ofJob(job.id(), 500)).stream()
                .filter(e -> e.triggeredBy().startsWith("backfill:"))
                .sorted(Comparator.comparing(Execution::scheduledFor))
                .toList();
    }
}
