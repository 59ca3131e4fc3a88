package dev.almanac.calendar;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
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
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.context.WebApplicationContext;

/**
 * The job page's time card (the 12-week strip, durations, the backfill button with its preview) and the wizard's
 * schedule hints (how many jobs start at the chosen minute, a quieter one, the strip of planned slots).
 */
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
abstract class TimePagesTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends TimePagesTests {}

    @WithPostgres
    static class OnPostgres extends TimePagesTests {}

    @Autowired
    WebApplicationContext context;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    Engine engine;

    MockMvc pages;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        pages = securedMvc();
    }

    @Test
    void theBackfillButtonPreviewsTheSlotsFirstAndThenStartsThem() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        assertThat(html("/jobs/" + job.id())).contains("hx-get=\"/jobs/" + job.id() + "/time\"");
        String card = html("/jobs/" + job.id() + "/time");
        assertThat(card).contains("id=\"backfill-form\"", "id=\"backfill-button\"", "value=\"2026-05-25\"");

        LinkedMultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("from_date", "2026-05-25");
        form.add("to_date", "2026-05-31");
        form.add("max_parallel", "2");
        String preview = pages.perform(post("/jobs/" + job.id() + "/backfill/preview")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .params(form))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(preview).contains("7 of 7 slots would run", "id=\"backfill-start\"", "Mon 25 May 2026, 02:00");
        assertThat(count(preview, "data-state=\"to_run\"")).isEqualTo(7);
        assertThat(history(job)).isEmpty();

        pages.perform(post("/jobs/" + job.id() + "/backfill").with(csrf()).params(form))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("flash", "Backfill started: 7 of 7 slots to run, at most 2 at once."));
        assertThat(history(job)).hasSize(2).allMatch(e -> e.triggeredBy().startsWith("backfill:"));
        assertThat(html("/jobs/" + job.id() + "/time")).contains("0 of 7 done, 2 running");
        // the same range previewed again: every slot is the running backfill's, none would run twice
        String again = pages.perform(post("/jobs/" + job.id() + "/backfill/preview")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .params(form))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(again).contains("0 of 7 slots would run", "7</span> in a running backfill", "in running backfill ");
        assertThat(count(again, "data-state=\"in_backfill\"")).isEqualTo(7);
        assertThat(again).doesNotContain("id=\"backfill-start\"");

        // the card's Cancel button cancels the backfill as a whole
        java.util.regex.Matcher cancel = java.util.regex.Pattern.compile("action=\"(/backfills/[0-9a-f-]+/cancel)\"")
                .matcher(html("/jobs/" + job.id() + "/time"));
        assertThat(cancel.find()).as("the card's cancel form").isTrue();
        pages.perform(post(cancel.group(1)).with(csrf()))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("flash", org.hamcrest.Matchers.startsWith("Backfill cancelled: ")));
        assertThat(history(job)).allMatch(e -> e.status() == dev.almanac.execution.ExecutionStatus.CANCELLED);

        form.set("to_date", "2026-06-30");
        form.set("max_parallel", "0");
        assertThat(pages.perform(post("/jobs/" + job.id() + "/backfill/preview")
                                .with(csrf())
                                .header("HX-Request", "true")
                                .params(form))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("At once: must be between 1 and 20");
    }

    @Test
    void withoutJavaScriptTheBackfillButtonShowsThePreviewFirstOnTheCardsOwnPage() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        assertThat(html("/jobs/" + job.id())).contains("href=\"/jobs/" + job.id() + "/time\"");
        String page = html("/jobs/" + job.id() + "/time");
        assertThat(page)
                .contains("<html", "id=\"backfill-form\"")
                .contains("action=\"/jobs/" + job.id() + "/backfill/preview\"");

        String preview = pages.perform(post("/jobs/" + job.id() + "/backfill/preview")
                        .with(csrf())
                        .param("from_date", "2026-05-25")
                        .param("to_date", "2026-05-31"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(preview)
                .contains("<html", "7 of 7 slots would run", "id=\"backfill-start\"", "value=\"2026-05-25\"");
        assertThat(history(job)).isEmpty();
    }

    @Test
    void aRefusedBackfillIsAnsweredInPlaceWithItsStatusAndTheInputKept() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        // today is 2026-06-01: a day ahead is refused on the field that names it, as the API does
        assertThat(previewRefused(job, "2026-06-02", "2026-06-03", 400))
                .contains("From: must not be in the future", "To: must not be in the future");
        assertThat(previewRefused(job, "2026-05-20", "2026-06-03", 400))
                .contains("To: must not be in the future")
                .doesNotContain("From:");
        // today itself is backfilled up to now
        pages.perform(post("/jobs/" + job.id() + "/backfill/preview")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("from_date", "2026-06-01")
                        .param("to_date", "2026-06-01"))
                .andExpect(status().isOk());

        for (boolean htmx : new boolean[] {false, true}) {
            var request = post("/jobs/" + job.id() + "/backfill")
                    .with(csrf())
                    .param("from_date", "2026-05-25")
                    .param("to_date", "2026-05-31")
                    .param("max_parallel", "0");
            if (htmx) {
                request.header("HX-Request", "true");
            }
            String refused = pages.perform(request)
                    .andExpect(status().isBadRequest())
                    .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.header()
                            .doesNotExist("Location"))
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(refused).contains("Backfill not started: At once: must be between 1 and 20");
            if (htmx) {
                assertThat(refused).doesNotContain("<html");
            } else {
                assertThat(refused).contains("<html", "id=\"backfill-form\"", "value=\"2026-05-25\"", "value=\"0\"");
            }
        }
        assertThat(history(job)).isEmpty();

        // a backfill that already finished: its cancel is a 409 on the card, not an error page
        String started = pages.perform(post("/jobs/" + job.id() + "/backfill")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("from_date", "2026-05-31")
                        .param("to_date", "2026-05-31"))
                .andExpect(status().is2xxSuccessful())
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.header()
                        .string("HX-Redirect", "/jobs/" + job.id()))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(started).doesNotContain("Backfill not started");
        Matcher cancel = Pattern.compile("action=\"(/backfills/[0-9a-f-]+/cancel)\"")
                .matcher(html("/jobs/" + job.id() + "/time"));
        assertThat(cancel.find()).isTrue();
        engine.runDueOnce();
        engine.runDueOnce();
        for (boolean htmx : new boolean[] {false, true}) {
            var request = post(cancel.group(1)).with(csrf());
            if (htmx) {
                request.header("HX-Request", "true");
            }
            String conflict = pages.perform(request)
                    .andExpect(status().isConflict())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(conflict).contains("id=\"backfill-cancel-error\"", "already finished", "id=\"time\"");
            assertThat(conflict.contains("<html")).isEqualTo(!htmx);
        }
    }

    private String previewRefused(Job job, String from, String to, int status) throws Exception {
        return pages.perform(post("/jobs/" + job.id() + "/backfill/preview")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("from_date", from)
                        .param("to_date", to))
                .andExpect(status().is(status))
                .andReturn()
                .getResponse()
                .getContentAsString();
    }

    @Test
    void theBackfillPreviewTellsTheTwoSlotsOfARepeatedHourApartAndTheListUsesLocalTimes() throws Exception {
        Job job =
                jobs.create(aCronJob("hourly", "0 * * * *").in("Europe/Berlin").build(), "test");
        clock.set(Instant.parse("2026-10-26T12:00:00Z"));
        String preview = pages.perform(post("/jobs/" + job.id() + "/backfill/preview")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("from_date", "2026-10-25")
                        .param("to_date", "2026-10-25"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        // clocks go back at 03:00 CEST: 02:00 comes twice, once in summer time and once in winter time
        assertThat(preview)
                .contains("Sun 25 Oct 2026, 02:00 (+02:00)", "Sun 25 Oct 2026, 02:00 (+01:00)")
                .contains("Sun 25 Oct 2026, 01:00<", "Sun 25 Oct 2026, 03:00<");
        pages.perform(post("/jobs/" + job.id() + "/backfill")
                        .with(csrf())
                        .param("from_date", "2026-10-25")
                        .param("to_date", "2026-10-25"))
                .andExpect(status().is3xxRedirection());
        assertThat(html("/jobs/" + job.id() + "/time"))
                .containsPattern("id=\"backfills\"[\\s\\S]*<time data-local datetime=\"2026-10-2");
    }

    @Test
    void theStripShowsHowPastDaysEndedAndMarksComingDaysACalendarBlocks() throws Exception {
        mvc.perform(post("/api/admin/scheduler/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"no-10th\",\"dates\":[\"2026-06-10\"]}"))
                .andExpect(status().isCreated());
        Job job = jobs.create(
                aCronJob("nightly", "0 2 * * *")
                        .calendars(new CalendarRefs(List.of("no-10th"), List.of()))
                        .build(),
                "test");
        clock.set(Instant.parse("2026-06-02T02:00:01Z"));
        engine.runDueOnce();
        clock.set(Instant.parse("2026-06-03T12:00:00Z"));
        String card = html("/jobs/" + job.id() + "/time");
        assertThat(count(card, "class=\"strip-cell")).isEqualTo(84);
        assertThat(card)
                .contains("data-date=\"2026-06-02\" data-state=\"ok\"")
                .contains("data-date=\"2026-06-10\" data-state=\"blocked\"")
                .contains("data-date=\"2026-06-11\" data-state=\"planned\"")
                .contains("id=\"durations\"")
                .contains("last 1 successful runs");
    }

    @Test
    void theStripPutsEachPastRunOnItsLocalDayWithThatDaysOwnOffsetAcrossTheChangeFromSummerTime() throws Exception {
        clock.set(Instant.parse("2026-10-21T12:00:00Z"));
        Job job = jobs.create(
                aCronJob("after-midnight", "30 0 * * *")
                        .in("Europe/Berlin")
                        .misfire("skip", null)
                        .build(),
                "test");
        // 00:30 in Berlin: 22:30 UTC the day before in summer time (+02:00), 23:30 UTC in winter time (+01:00)
        clock.set(Instant.parse("2026-10-21T22:30:01Z"));
        engine.runDueOnce();
        clock.set(Instant.parse("2026-10-27T23:30:01Z"));
        engine.runDueOnce();
        clock.set(Instant.parse("2026-11-04T12:00:00Z"));

        String card = html("/jobs/" + job.id() + "/time");

        assertThat(card)
                .contains("data-date=\"2026-10-22\" data-state=\"ok\"")
                .contains("data-date=\"2026-10-28\" data-state=\"ok\"")
                .doesNotContain("data-date=\"2026-10-21\" data-state=\"ok\"")
                .doesNotContain("data-date=\"2026-10-27\" data-state=\"ok\"");
    }

    @Test
    void theWizardScheduleStepSaysHowManyJobsStartAtTheChosenMinuteAndOffersAQuieterOne() throws Exception {
        for (int i = 0; i < 3; i++) {
            jobs.create(aCronJob("at-two-" + i, "0 2 * * *").build(), "test");
        }
        jobs.create(aCronJob("at-two-o-one", "1 2 * * *").build(), "test");
        LinkedMultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("template_type", "heartbeat");
        form.add("name", "new-one");
        form.add("schedule_kind", "cron");
        form.add("cron_expression", "0 2 * * *");
        form.add("timezone", "UTC");
        String hints = pages.perform(post("/jobs/wizard/schedule-hints")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .params(form))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(hints)
                .contains("3 jobs already start")
                .contains("01:59 is quieter (0 jobs, -1 min)")
                .contains("Counted: the enabled jobs whose <em>next</em> run")
                .contains("id=\"run-strip\"")
                .contains("id=\"estimated\"");
        // the wizard's preview loads the hints beside it
        String preview = pages.perform(post("/jobs/wizard/preview")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .params(form))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(preview).contains("hx-post=\"/jobs/wizard/schedule-hints\"");

        // H resolves from the job's name, and the preview shows what it became
        form.set("cron_expression", "H 2 * * *");
        String hashed = pages.perform(post("/jobs/wizard/preview")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .params(form))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(hashed).containsPattern("H 2 \\* \\* \\* → [0-9]{1,2} 2 \\* \\* \\*");
    }

    private List<Execution> history(Job job) {
        return executions.list(ExecutionQuery.ofJob(job.id(), 500)).stream()
                .filter(e -> e.status() != ExecutionStatus.SKIPPED)
                .toList();
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private String html(String path) throws Exception {
        return pages.perform(get(path))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
    }
}
