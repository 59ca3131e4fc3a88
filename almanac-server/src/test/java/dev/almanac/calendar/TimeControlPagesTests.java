package dev.almanac.calendar;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.context.WebApplicationContext;

/** The job page's pause and resume buttons, and the freeze banner every page shows while a freeze lasts. */
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
abstract class TimeControlPagesTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends TimeControlPagesTests {}

    @WithPostgres
    static class OnPostgres extends TimeControlPagesTests {}

    @Autowired
    WebApplicationContext context;

    @Autowired
    JobService jobs;

    /** The pages as a browser session sees them. */
    MockMvc pages;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        pages = securedMvc();
    }

    @Test
    void theJobPagePausesUntilALocalTimeWithAReasonAndResumes() throws Exception {
        Job job =
                jobs.create(aCronJob("hourly", "0 * * * *").in("Europe/Berlin").build(), "test");
        String path = "/jobs/" + job.id();
        assertThat(html(path)).contains("id=\"pause-button\"").doesNotContain("id=\"paused-banner\"");

        // a time not ahead: the page again with the input, the error at the field, 400
        var refused = pages.perform(post(path + "/pause")
                        .with(csrf())
                        .param("until", "2026-01-01T00:00")
                        .param("reason", "year end"))
                .andReturn()
                .getResponse();
        assertThat(refused.getStatus()).isEqualTo(400);
        assertThat(refused.getContentAsString())
                .doesNotContain("400 Bad Request")
                .contains("id=\"pause-form\"", "value=\"year end\"")
                .containsPattern("name=\"until\" value=\"2026-01-01T00:00\"\\s+aria-invalid=\"true\"")
                .contains("id=\"pause-until-error\">must lie ahead; leave it out to pause until resumed<")
                .contains("Definition");
        // the same through htmx: only the form is swapped
        var inPlace = pages.perform(post(path + "/pause")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("until", "yesterday")
                        .param("reason", "year end"))
                .andReturn()
                .getResponse();
        assertThat(inPlace.getStatus()).isEqualTo(400);
        assertThat(inPlace.getHeader("HX-Retarget")).isNull();
        assertThat(inPlace.getContentAsString().strip())
                .startsWith("<form")
                .contains("id=\"pause-form\"", "value=\"yesterday\"", "value=\"year end\"")
                .contains("id=\"pause-until-error\">must be a date and time like 2026-12-20T18:00<")
                .doesNotContain("Definition");
        assertThat(jobs.get(job.id()).pause()).isNull();
        assertThat(html(path)).doesNotContain("pause-until-error");

        // 15:00 in Berlin is 13:00 UTC
        pages.perform(post(path + "/pause")
                        .with(csrf())
                        .param("until", "2026-06-01T15:00")
                        .param("reason", "supplier migration"))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("flash", containsString("paused until 2026-06-01T13:00:00Z")));
        pages.perform(post(path + "/resume").with(csrf())).andExpect(status().is3xxRedirection());
        pages.perform(post(path + "/pause")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("until", "2026-06-01T15:00")
                        .param("reason", "supplier migration"))
                .andExpect(status().isOk())
                .andExpect(header().string("HX-Redirect", "/jobs/" + job.id() + "#pause"));
        assertThat(jobs.get(job.id()).pause().until()).isEqualTo(Instant.parse("2026-06-01T13:00:00Z"));
        assertThat(html(path))
                .contains("id=\"paused-banner\"", "supplier migration", "id=\"resume-button\"")
                .contains("skipped: job paused: supplier migration")
                .doesNotContain("id=\"pause-button\"");

        pages.perform(post(path + "/resume").with(csrf()))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("flash", containsString("the slots it missed stay skipped")));
        assertThat(html(path)).contains("id=\"pause-button\"").doesNotContain("id=\"paused-banner\"");
        assertThat(audited("job.paused")).isEqualTo(2);
        assertThat(audited("job.resumed")).isEqualTo(2);
    }

    @Test
    void aPausedNamespaceShowsOnItsPageItsJobsPagesAndTheJobListAndIsPausedAndResumedThere() throws Exception {
        mvc.perform(post("/api/admin/scheduler/namespaces")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"ops\"}"))
                .andExpect(status().isCreated());
        Job job = jobs.create(
                aCronJob("ops-nightly", "0 2 * * *").namespace("ops").build(), "test");
        Job own = jobs.create(aCronJob("own-pause", "0 3 * * *").build(), "test");
        assertThat(html("/jobs")).doesNotContain(">paused</span>");
        assertThat(html("/namespaces/ops"))
                .contains("id=\"namespace-pause-form\"")
                .doesNotContain("id=\"namespace-paused-banner\"");

        // refused at its field, the input kept
        assertThat(pages.perform(post("/namespaces/ops/pause")
                                .with(csrf())
                                .param("until", "2026-05-01T00:00")
                                .param("reason", "migration"))
                        .andExpect(status().isBadRequest())
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("id=\"namespace-pause-until-error\"", "must lie ahead", "value=\"migration\"");
        pages.perform(post("/namespaces/ops/pause")
                        .with(csrf())
                        .param("until", "2026-06-02T06:00")
                        .param("reason", "migration"))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("flash", "Namespace 'ops' paused until 2026-06-02T06:00:00Z"));
        mvc.perform(post("/api/admin/scheduler/jobs/" + own.id() + "/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"reason\":\"supplier\"}"))
                .andExpect(status().isOk());

        String list = html("/jobs");
        assertThat(list)
                .contains(
                        "title=\"namespace &#39;ops&#39; paused until 2026-06-02T06:00:00Z: migration\">paused</span>")
                .contains("title=\"paused until resumed: supplier\">paused</span>");
        // the State filter's 'paused': the jobs a pause holds, their own or their namespace's
        jobs.create(aCronJob("free-running", "0 4 * * *").build(), "test");
        assertThat(html("/jobs?state=paused"))
                .contains("ops-nightly", "own-pause", "<option value=\"paused\" selected=\"selected\">Paused</option>")
                .doesNotContain("free-running");
        assertThat(html("/jobs?state=enabled")).contains("free-running", "ops-nightly");
        assertThat(html("/jobs/" + job.id()))
                .contains("id=\"paused-badge\"", "id=\"namespace-paused-banner\"", "migration");
        assertThat(html("/namespaces/ops"))
                .contains("id=\"namespace-paused-banner\"", "id=\"namespace-resume-button\"", "migration");

        pages.perform(post("/namespaces/ops/resume").with(csrf()))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("flash", containsString("Namespace 'ops' resumed")));
        assertThat(html("/namespaces/ops")).doesNotContain("id=\"namespace-paused-banner\"");
        assertThat(html("/jobs/" + job.id())).doesNotContain("id=\"paused-badge\"");
        // nothing left to resume: 409, as on the API
        pages.perform(post("/namespaces/ops/resume").with(csrf()))
                .andExpect(status().isConflict())
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
                        .string(org.hamcrest.Matchers.allOf(
                                containsString("namespace &#39;ops&#39; is not paused"),
                                containsString("id=\"namespace-pause-form\""))));
    }

    @Test
    void everyPageShowsTheFreezeAndItsReasonWhileItLasts() throws Exception {
        assertThat(html("/")).doesNotContain("freeze-banner");
        mvc.perform(post("/api/admin/scheduler/freezes")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"from":"2026-06-01T09:00:00Z","to":"2026-06-01T18:00:00Z","scope":"all",
                                 "reason":"year-end release freeze"}
                                """))
                .andExpect(status().isCreated());
        for (String page : new String[] {"/", "/jobs", "/executions"}) {
            assertThat(html(page)).as(page).contains("id=\"freeze-banner\"", "year-end release freeze");
        }
        clock.set(Instant.parse("2026-06-01T18:00:00Z"));
        assertThat(html("/jobs")).doesNotContain("freeze-banner");
    }

    @Test
    void theWizardPreviewStrikesThroughTheRunsACalendarBlocksWithItsName() throws Exception {
        mvc.perform(
                        post("/api/admin/scheduler/calendars")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(
                                        "{\"name\":\"no-tuesdays\",\"weekly\":[{\"from\":\"TUE 00:00\",\"to\":\"WED 00:00\"}]}"))
                .andExpect(status().isCreated());
        LinkedMultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("template_type", "heartbeat");
        form.add("name", "daily");
        form.add("schedule_kind", "cron");
        form.add("cron_expression", "0 12 * * *");
        form.add("timezone", "UTC");
        form.add("blackout_calendars", "no-tuesdays");
        String html = pages.perform(post("/jobs/wizard/preview")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .params(form))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        // 2026-06-02 is a Tuesday, the second run of the preview
        assertThat(html)
                .contains("<del>Tue 2 Jun 2026, 12:00:00 (+00:00)</del>")
                .contains("skipped: blocked by calendar &#39;no-tuesdays&#39;")
                .contains("<span>Wed 3 Jun 2026, 12:00:00 (+00:00)</span>");
    }

    private String html(String path) throws Exception {
        return pages.perform(get(path))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
    }

    private int audited(String action) {
        return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = :action")
                .param("action", action)
                .query(Integer.class)
                .single();
    }
}
