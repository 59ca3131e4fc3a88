package dev.almanac.web;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrlPattern;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.common.Sealed;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobQuery;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.context.WebApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/** Every page of the admin UI, rendered by the real application on H2 and PostgreSQL, asserted on its HTML. */
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
abstract class AdminPagesTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends AdminPagesTests {}

    @WithPostgres
    static class OnPostgres extends AdminPagesTests {}

    private static final Pattern INLINE_SCRIPT = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>");
    private static final Pattern EVENT_HANDLER = Pattern.compile("\\son[a-z]+=\"", Pattern.CASE_INSENSITIVE);

    @Autowired
    WebApplicationContext context;

    /** The pages as a browser session sees them: through the UI's filter chain, as the mock user above. */
    MockMvc mvc;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        mvc = securedMvc();
    }

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    Engine engine;

    @Autowired
    JsonMapper json;

    @Test
    void theDashboardShowsCountsTheChartRecentFailuresAndNodes() throws Exception {
        String empty = page("/");
        assertThat(empty)
                .contains(
                        "Welcome to Almanac",
                        "href=\"/jobs/new\">Create your first job",
                        "href=\"/templates\">Browse the templates")
                .doesNotContain("id=\"stats\"", "No run ended in this period", "Recent failures");

        Job ok = jobs.create(aCronJob("fine", "0 2 * * *").build(), "admin");
        Job bad = jobs.create(
                aCronJob("broken", "0 3 * * *")
                        .template("test_fail", Map.of("key", "dash"))
                        .build(),
                "admin");
        run(ok.id());
        run(bad.id());
        engine.runDueOnce();

        String html = page("/");
        assertThat(html)
                .contains("id=\"stat-total\">2<", "id=\"stat-enabled\">2<", "id=\"stat-failures\"")
                .contains("class=\"bar-succeeded\"", "class=\"bar-failed\"")
                .contains("Recent failures", "broken", "failed on purpose")
                .doesNotContain("Welcome to Almanac");
        assertThat(page("/?range=7d")).contains("7 days", "class=\"bar-succeeded\"");
    }

    @Test
    void theWeekChartLabelsTheBarsThatStartADayAndTheDayChartEveryThirdHour() throws Exception {
        clock.set(Instant.parse("2026-03-06T14:30:00Z"));
        Job ok = jobs.create(aCronJob("fine", "0 2 * * *").build(), "admin");
        run(ok.id());
        engine.runDueOnce();

        List<String> week = labelledBars(page("/?range=7d"));
        assertThat(week).hasSize(7).allSatisfy(title -> assertThat(title).contains(" 00:00 UTC:"));
        assertThat(week.get(0)).startsWith("Sat 28 00:00");
        List<String> day = labelledBars(page("/"));
        assertThat(day)
                .hasSize(8)
                .allSatisfy(title -> assertThat(title).matches("(00|03|06|09|12|15|18|21):00 UTC:.*"));
    }

    /** The titles of the chart's bars that carry a label on the axis. */
    private static List<String> labelledBars(String html) {
        Matcher bar = Pattern.compile("<g><title>([^<]*)</title>(?:<rect[^>]*></rect>)*<text")
                .matcher(html);
        List<String> titles = new ArrayList<>();
        while (bar.find()) {
            titles.add(bar.group(1));
        }
        return titles;
    }

    @Test
    void theDashboardStillLeadsToAFirstJobWhenOnlyTheSeededSystemJobsExist() throws Exception {
        jobs.create(aCronJob("system-heartbeat", "*/5 * * * *").build(), "system");
        jobs.create(aCronJob("system-history-retention", "30 3 * * *").build(), "system");

        // the system jobs' own numbers, failures and unhealthy schedules stay in view below the call to action
        assertThat(page("/"))
                .contains("id=\"first-run\"", "href=\"/jobs/new\">Create your first job", "only the system jobs")
                .contains("id=\"stats\"", "id=\"unhealthy\"");

        // a jobs file's jobs are created by system too, but are not the seeded ones
        Job fromTheFile = jobs.create(aCronJob("from-the-file", "0 4 * * *").build(), "system");
        assertThat(page("/")).contains("id=\"stats\"").doesNotContain("id=\"first-run\"");
        jobs.delete(fromTheFile.id(), "admin");

        jobs.create(aCronJob("mine", "0 2 * * *").build(), "admin");
        assertThat(page("/")).contains("id=\"stats\"", "id=\"stat-total\">3<").doesNotContain("id=\"first-run\"");
    }

    @Test
    void theJobListFiltersSearchesPagesAndSaysWhatToDoWhenEmpty() throws Exception {
        assertThat(page("/jobs")).contains("No jobs yet", "Create a job");
        jobs.create(aCronJob("nightly-cleanup", "0 2 * * 0").in("Europe/Berlin").build(), "admin");
        jobs.create(aCronJob("hourly-ping", "15 * * * *").disabled().build(), "admin");

        String all = page("/jobs");
        assertThat(all)
                .contains("nightly-cleanup", "hourly-ping", "At 02:00 on Sunday, Europe/Berlin")
                .contains("At minute 15 of every hour, UTC", "Run now", "Disable", "Enable", "Clone", "Delete")
                .contains("2 jobs · page 1 of 1");
        assertThat(page("/jobs?search=clean")).contains("nightly-cleanup").doesNotContain("hourly-ping");
        assertThat(page("/jobs?enabled=false")).contains("hourly-ping").doesNotContain("nightly-cleanup");
        assertThat(page("/jobs?search=nothing-like-this")).contains("No job matches these filters");

        String fragment = mvc.perform(get("/jobs").param("search", "ping").header("HX-Request", "true"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(fragment).contains("id=\"results\"", "hourly-ping").doesNotContain("<html");
    }

    @Test
    void theJobListPagesThroughManyJobs() throws Exception {
        for (int i = 0; i < 27; i++) {
            jobs.create(aCronJob(String.format("job-%02d", i), "0 2 * * *").build(), "admin");
        }
        assertThat(page("/jobs")).contains("job-00", "job-24", "Next →").doesNotContain("job-25");
        assertThat(page("/jobs?page=2")).contains("job-25", "job-26", "← Previous", "page 2 of 2");
    }

    @Test
    void theWizardWalksFiveStepsAndCreatesAWeeklyJob() throws Exception {
        assertThat(page("/jobs/new")).contains("Choose a template", "use-heartbeat", "low risk");

        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("step", "1");
        form.add("_action", "template:heartbeat");
        String step2 = wizard(form);
        assertThat(step2).contains("aria-current=\"step\"><span>2. Name and parameters", "name=\"p.message\"");

        form = wizardForm("weekly-report", "heartbeat");
        form.add("p.message", "weekly hello");
        form.set("schedule_kind", "weekly");
        form.add("weekly_days", "MON");
        form.add("weekly_days", "FRI");
        form.set("weekly_time", "07:30");
        form.set("timezone", "Europe/Berlin");
        for (int step = 2; step <= 4; step++) {
            form.set("step", String.valueOf(step));
            form.set("_action", "next");
            String next = wizard(form);
            assertThat(next).contains("aria-current=\"step\"><span>" + (step + 1) + ".");
        }
        form.set("step", "5");
        String review = wizard(form);
        assertThat(review).contains("At 07:30 on Monday and Friday, Europe/Berlin", "weekly hello", "Dry run");

        form.set("_action", "save");
        mvc.perform(post("/jobs/wizard").with(csrf()).params(form))
                .andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrlPattern("/jobs/*"));
        Job created = jobs.list(JobQuery.firstPage(10)).jobs().get(0);
        assertThat(created.name()).isEqualTo("weekly-report");
        assertThat(created.definition().schedule().toSpec().expression()).isEqualTo("30 7 * * MON,FRI");
        assertThat(created.definition().schedule().zone().getId()).isEqualTo("Europe/Berlin");
        assertThat(created.definition().parameters()).containsEntry("message", "weekly hello");
    }

    @Test
    void theWizardShowsTheServersFieldErrorsNextToTheirFields() throws Exception {
        MultiValueMap<String, String> form = wizardForm("", "test_form");
        form.set("step", "2");
        form.add("p.max_rows", "0");
        form.add("p.ratio", "a lot");
        String html = wizard(form, 400);
        assertThat(html)
                .contains("id=\"name-error\">is required<")
                .contains("id=\"f-p-max_rows-error\">must be at least 1<")
                .contains("id=\"f-p-ratio-error\">must be a number<")
                .contains("id=\"f-p-table-error\">is required<")
                .contains("fields need your attention")
                .contains("aria-invalid=\"true\"");

        MultiValueMap<String, String> taken = wizardForm("taken", "heartbeat");
        jobs.create(aCronJob("taken", "0 2 * * *").build(), "admin");
        taken.set("step", "2");
        assertThat(wizard(taken, 400)).contains("id=\"name-error\">a job named &#39;taken&#39; already exists<");
    }

    @Test
    void theParameterFormHasAFieldForEveryKindInTheSchema() throws Exception {
        MultiValueMap<String, String> form = wizardForm("kinds", "test_form");
        form.set("step", "1");
        form.set("_action", "template:test_form");
        String html = wizard(form);
        assertThat(html)
                .contains("type=\"text\" id=\"f-p-table\" name=\"p.table\"", "maxlength=\"64\"")
                .contains("type=\"number\" id=\"f-p-max_rows\" name=\"p.max_rows\"", "value=\"1000\" min=\"1\"")
                .contains("max=\"100000\"", "From 1 to 100000.")
                .contains("name=\"p.ratio\"", "step=\"any\"")
                .contains("type=\"checkbox\" id=\"f-p-vacuum\" name=\"p.vacuum\"", "name=\"_p.vacuum\"")
                .contains("<select id=\"f-p-mode\" name=\"p.mode\"", "<option value=\"archive\">archive</option>")
                .contains("value=\"add:p.recipients\"", "value=\"add:p.conditions\"")
                .contains("name=\"p.target.host\"", "name=\"p.target.port\"")
                .contains("type=\"password\" id=\"f-p-api_key\" name=\"p.api_key\"")
                .contains("value=\"add:p.extra\"", "No entries yet.")
                .contains("Which table to clean", "Reclaim space afterwards", "Fill in the template");

        form.set("step", "2");
        form.set("_action", "add:p.conditions");
        String withItem = wizard(form);
        assertThat(withItem).contains("name=\"p.conditions[0].column\"", "name=\"p.conditions[0].op\"");
        assertThat(withItem).contains("value=\"remove:p.conditions[0]\"");

        form.set("_action", "example");
        assertThat(wizard(form))
                .contains("value=\"sessions\"", "name=\"p.recipients[0]\"", "value=\"ops@example.com\"");
    }

    @Test
    void theScheduleStepPreviewsRunsInWordsWithDaylightSavingNotes() throws Exception {
        clock.set(Instant.parse("2026-03-06T12:00:00Z"));
        MultiValueMap<String, String> form = wizardForm("dst", "heartbeat");
        form.set("schedule_kind", "cron");
        form.set("cron_expression", "30 2 * * *");
        form.set("timezone", "America/New_York");
        String html = mvc.perform(post("/jobs/wizard/preview")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .params(form))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(html)
                .contains("At 02:30 every day, America/New_York")
                .contains("Daylight saving: 02:30 does not exist on 2026-03-08")
                .doesNotContain("<html");

        form.set("cron_expression", "0 0 31 2 *");
        assertThat(mvc.perform(post("/jobs/wizard/preview").with(csrf()).params(form))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("never fires");

        form.set("step", "3");
        form.set("_action", "goto:3");
        assertThat(wizard(form))
                .contains("id=\"schedule-fields\"", "hx-post=\"/jobs/wizard/preview\"", "list=\"zones\"");
    }

    @Test
    void editingKeepsStoredSecretsOutOfThePageAndSavesANewVersion() throws Exception {
        Job job = jobs.create(
                aCronJob("secretive", "0 2 * * *")
                        .template("test_form", Map.of("table", "sessions", "mode", "delete", "api_key", "s3cret"))
                        .build(),
                "admin");
        String edit = page("/jobs/" + job.id() + "/edit");
        assertThat(edit)
                .contains("Edit job secretive", "value=\"sessions\"", "unchanged; type a new value to replace it")
                .doesNotContain("s3cret");
        assertThat(page("/jobs/" + job.id())).contains("api_key").doesNotContain("s3cret");

        MultiValueMap<String, String> form = wizardForm("secretive", "test_form");
        form.add("job_id", job.id().toString());
        form.add("version", "1");
        form.add("p.table", "sessions_old");
        form.add("p.mode", "archive");
        form.add("p.api_key", "");
        form.set("step", "5");
        form.set("_action", "save");
        mvc.perform(post("/jobs/wizard").with(csrf()).params(form))
                .andExpect(status().is3xxRedirection())
                .andExpect(header().string("Location", "/jobs/" + job.id()));
        Job saved = jobs.get(job.id());
        assertThat(saved.version()).isEqualTo(2);
        assertThat(saved.definition().parameters())
                .containsEntry("table", "sessions_old")
                .containsEntry("mode", "archive")
                .containsEntry("api_key", "s3cret");
    }

    @Test
    void cloningStartsANewJobFromACopy() throws Exception {
        Job job = jobs.create(aCronJob("original", "0 2 * * *").build(), "admin");
        assertThat(page("/jobs/" + job.id() + "/clone"))
                .contains("New job", "value=\"original copy\"")
                .doesNotContain("name=\"job_id\"");
    }

    @Test
    void theJobPageShowsTheDefinitionTheNextRunsAndLoadsItsHistory() throws Exception {
        Job job = jobs.create(aCronJob("shown", "0 2 * * *").in("Europe/Berlin").build(), "admin");
        assertThat(page("/jobs/" + job.id()))
                .contains("At 02:00 every day, Europe/Berlin", "Next runs", "It has not run yet")
                .contains("hx-get=\"/executions/table?job_id=" + job.id() + "\"")
                .contains("Run now", "Dry run", "Disable", "all 1 versions, diff and rollback");
        assertThat(page("/executions/table?job_id=" + job.id())).contains("No runs yet");
        run(job.id());
        assertThat(page("/executions/table?job_id=" + job.id())).contains("queued", "All 1 runs of this job");
    }

    @Test
    void disablingAndEnablingGoesBackToWhereTheButtonWas() throws Exception {
        Job job = jobs.create(aCronJob("toggled", "0 2 * * *").build(), "admin");
        mvc.perform(post("/jobs/" + job.id() + "/disable").with(csrf()).param("back", "/jobs?search=tog"))
                .andExpect(status().is3xxRedirection())
                .andExpect(header().string("Location", "/jobs?search=tog"));
        assertThat(jobs.get(job.id()).definition().enabled()).isFalse();
        mvc.perform(post("/jobs/" + job.id() + "/enable").with(csrf()).param("back", "https://elsewhere.example"))
                .andExpect(header().string("Location", "/jobs/" + job.id()));
        assertThat(jobs.get(job.id()).definition().enabled()).isTrue();
    }

    @Test
    void deletingAsksFirstAndIsRefusedWhileOthersDependOnTheJob() throws Exception {
        Job upstream = jobs.create(aCronJob("upstream", "0 2 * * *").build(), "admin");
        Job downstream = jobs.create(
                aCronJob("downstream", "0 3 * * *").dependsOn(upstream.id()).build(), "admin");
        assertThat(page("/jobs/" + upstream.id() + "/delete")).contains("Delete job upstream?", "Delete the job");
        assertThat(mvc.perform(get("/jobs/" + upstream.id() + "/delete").header("HX-Request", "true"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("<dialog", "data-open", "confirm-delete")
                .doesNotContain("<html");

        String refused = mvc.perform(post("/jobs/" + upstream.id() + "/delete").with(csrf()))
                .andExpect(status().isConflict())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(refused).contains("other jobs depend on &#39;upstream&#39;");

        mvc.perform(post("/jobs/" + downstream.id() + "/delete").with(csrf()))
                .andExpect(header().string("Location", "/jobs"));
        assertThat(jobs.find(downstream.id())).isEmpty();
    }

    @Test
    void versionsShowWhatChangedAndRollBack() throws Exception {
        Job job = jobs.create(aCronJob("versioned", "0 2 * * *").build(), "admin");
        jobs.update(
                job.id(),
                (tools.jackson.databind.node.ObjectNode)
                        json.readTree("{\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"}}"),
                "admin");
        assertThat(page("/jobs/" + job.id() + "/versions"))
                .contains("Changes from v1 to v2", "schedule.expression", "0 2 * * *", "0 3 * * *");
        assertThat(page("/jobs/" + job.id() + "/versions?show=1")).contains("Roll back to v1");

        mvc.perform(post("/jobs/" + job.id() + "/rollback")
                        .with(csrf())
                        .param("version", "1")
                        .param("current_version", "2"))
                .andExpect(header().string("Location", "/jobs/" + job.id()));
        Job rolledBack = jobs.get(job.id());
        assertThat(rolledBack.version()).isEqualTo(3);
        assertThat(rolledBack.definition().schedule().toSpec().expression()).isEqualTo("0 2 * * *");

        mvc.perform(post("/jobs/" + job.id() + "/rollback")
                        .with(csrf())
                        .param("version", "2")
                        .param("current_version", "2"))
                .andExpect(status().isConflict())
                .andExpect(header().doesNotExist("Location"))
                .andExpect(content().string(containsString("id=\"rollback-error\"")))
                .andExpect(content().string(containsString("Could not roll back to version 2")))
                .andExpect(content().string(containsString("Roll back to v2")));
        assertThat(jobs.get(job.id()).version()).isEqualTo(3);
    }

    @Test
    void runNowFollowsTheRunToItsLogWithALevelFilter() throws Exception {
        Job job = jobs.create(aCronJob("watched", "0 2 * * *").build(), "admin");
        String location = mvc.perform(post("/jobs/" + job.id() + "/run").with(csrf()))
                .andExpect(status().is3xxRedirection())
                .andReturn()
                .getResponse()
                .getHeader("Location");
        assertThat(location).startsWith("/executions/");
        String id = location.substring("/executions/".length());

        String queued = page(location);
        assertThat(queued).contains("queued", "Cancel this run", "hx-trigger=\"every 2s\"", "id=\"log-tail\"");
        assertThat(page(location + "/status")).contains("hx-trigger=\"every 2s\"");

        engine.runDueOnce();

        String done = page(location);
        assertThat(done)
                .contains("id=\"execution-status\"", ">succeeded<", "heartbeat: alive", "manual:")
                .doesNotContain("Cancel this run", "id=\"log-tail\"");
        assertThat(page(location + "/status")).doesNotContain("hx-trigger");
        assertThat(page(location + "?level=ERROR"))
                .doesNotContain("heartbeat: alive")
                .contains("No lines at this level");
        assertThat(page(location + "/logs?after_seq=1")).doesNotContain("id=\"log-tail\"");
        assertThat(page("/executions/" + id)).contains("Delete this record");
    }

    @Test
    void aQueuedRunCanBeCancelledAndARecordDeletedAfterAConfirmStep() throws Exception {
        Job job = jobs.create(aCronJob("cancelled", "0 2 * * *").build(), "admin");
        String id = run(job.id());
        mvc.perform(post("/executions/" + id + "/cancel").with(csrf()))
                .andExpect(header().string("Location", "/executions/" + id));
        assertThat(page("/executions/" + id)).contains(">cancelled<");
        mvc.perform(post("/executions/" + id + "/cancel").with(csrf()))
                .andExpect(header().string("Location", "/executions/" + id));
        String detail = page("/executions/" + id);
        assertThat(detail)
                .as("the run's page asks first, as every destructive action does")
                .contains("href=\"/executions/" + id + "/delete\"", "hx-get=\"/executions/" + id + "/delete\"")
                .doesNotContain("action=\"/executions/" + id + "/delete\"");
        assertThat(page("/executions/" + id + "/delete"))
                .contains("<html", "Delete this record of a run of cancelled?", "Delete the record", "Keep it")
                .contains("action=\"/executions/" + id + "/delete\"", "href=\"/executions/" + id + "\"");
        assertThat(mvc.perform(get("/executions/" + id + "/delete").header("HX-Request", "true"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .startsWith("<dialog")
                .contains("Delete the record", "data-close-dialog", "action=\"/executions/" + id + "/delete\"");
        assertThat(executions.count(ExecutionQuery.ofJob(job.id(), 10))).isEqualTo(1);
        mvc.perform(post("/executions/" + id + "/delete").with(csrf()))
                .andExpect(header().string("Location", "/executions"));
        assertThat(executions.count(ExecutionQuery.ofJob(job.id(), 10))).isZero();
    }

    @Test
    void theExecutionListFiltersByStatusAndJobName() throws Exception {
        assertThat(page("/executions")).contains("Nothing has run yet");
        Job a = jobs.create(aCronJob("alpha_job", "0 2 * * *").build(), "admin");
        Job b = jobs.create(
                aCronJob("beta-job", "0 2 * * *")
                        .template("test_fail", Map.of())
                        .build(),
                "admin");
        run(a.id());
        run(b.id());
        engine.runDueOnce();
        assertThat(page("/executions")).contains("alpha_job", "beta-job");
        assertThat(page("/executions?status=failed")).contains("beta-job").doesNotContain("alpha_job");
        assertThat(page("/executions?search=ALPHA")).contains("alpha_job").doesNotContain("beta-job");
        assertThat(page("/executions?search=a_j")).contains("alpha_job").doesNotContain("beta-job");
        assertThat(page("/executions?search=%25")).contains("No run matches these filters");
        assertThat(page("/executions?job_id=" + b.id())).contains("Runs of beta-job");
    }

    @Test
    void aRunsParametersAreListedAsItsJobsPageListsThemWithSecretsMasked() throws Exception {
        Job job = jobs.create(
                aCronJob("hook", "0 2 * * *")
                        .template(
                                "webhook_trigger",
                                Map.of(
                                        "url", "https://example.com/hook",
                                        "headers", Map.of("X-Ok", "{{myvar}}"),
                                        "secret_headers", Map.of("Authorization", "Bearer s3cret-token")))
                        .build(),
                "admin");
        String execution = run(job.id());

        String jobPage = page("/jobs/" + job.id());
        String runPage = page("/executions/" + execution);
        assertThat(jobPage).contains("<code>headers.X-Ok</code> = <span>{{myvar}}</span>");
        assertThat(runPage)
                .contains("<dt>headers.X-Ok</dt><dd class=\"mono\">{{myvar}}</dd>")
                .contains("<dt>secret_headers.Authorization</dt><dd class=\"mono\">" + Sealed.MASK + "</dd>")
                .contains("<dt>url</dt><dd class=\"mono\">https://example.com/hook</dd>")
                .doesNotContain("{X-Ok=", "s3cret-token");
        assertThat(jobPage).contains("<code>secret_headers.Authorization</code> = <span>" + Sealed.MASK + "</span>");
    }

    @Test
    void aDryRunFromTheReviewStepRunsTheDraftWithoutSavingIt() throws Exception {
        MultiValueMap<String, String> form = wizardForm("draft-cleanup", "test_form");
        form.add("p.table", "sessions");
        form.add("p.mode", "delete");
        String location = mvc.perform(post("/jobs/wizard/dry-run")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .params(form))
                .andExpect(status().is3xxRedirection())
                .andReturn()
                .getResponse()
                .getHeader("Location");
        assertThat(location).matches("/executions/.+/dry-run");
        assertThat(page(location)).contains("dry run queued", "hx-trigger=\"every 1s\"");

        engine.runDueOnce();

        assertThat(page(location))
                .contains("dry run succeeded", "would delete 1 204 rows of sessions")
                .doesNotContain("hx-trigger");
        assertThat(jobs.counts().total()).isZero();
        // the run's page names the draft without a link to a job page that does not exist
        String run = location.substring(0, location.length() - "/dry-run".length());
        String noJobLink = "href=\"/jobs/[0-9a-f]{8}-";
        assertThat(page(run))
                .contains("<span>draft-cleanup</span>", "id=\"job-gone\">draft, not saved<")
                .doesNotContainPattern(noJobLink);
        assertThat(htmx(run + "/status"))
                .contains("draft-cleanup (draft, not saved)")
                .doesNotContainPattern(noJobLink);
        assertThat(page("/executions")).contains("draft, not saved").doesNotContainPattern(noJobLink);
        assertThat(htmx("/executions")).contains("draft, not saved").doesNotContainPattern(noJobLink);

        Job saved = jobs.create(aCronJob("saved-then-deleted", "0 2 * * *").build(), "admin");
        run(saved.id());
        engine.runDueOnce();
        assertThat(page("/executions")).contains("href=\"/jobs/" + saved.id() + "\"");
        jobs.delete(saved.id(), "admin");
        assertThat(htmx("/executions"))
                .contains("saved-then-deleted", "deleted", "draft, not saved")
                .doesNotContainPattern(noJobLink);

        form.set("name", "");
        assertThat(mvc.perform(post("/jobs/wizard/dry-run")
                                .with(csrf())
                                .header("HX-Request", "true")
                                .params(form))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("cannot start until these are fixed", "name: is required");
    }

    @Test
    void theCatalogueListsTemplatesWithTheirRiskAndParameters() throws Exception {
        assertThat(page("/templates")).contains("Heartbeat", "Test: every field", "high risk", "changes data");
        assertThat(page("/templates/test_form"))
                .contains("max_rows", "minimum: 1", "conditions[].op", "secret", "Create a job from it");
        mvc.perform(get("/templates/no_such_template")).andExpect(status().isNotFound());
    }

    @Test
    void errorsArePagesAndFormsCarryTheirCsrfToken() throws Exception {
        mvc.perform(get("/jobs/" + JobId.generate()))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_HTML))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("no job with id")));
        mvc.perform(get("/executions/not-an-id")).andExpect(status().isNotFound());

        assertThat(page("/jobs/new?template=heartbeat")).contains("name=\"_csrf\"");
        mvc.perform(post("/jobs/wizard").param("step", "1")).andExpect(status().isForbidden());
    }

    @Test
    void noPageCarriesInlineScriptInlineStylesOrEventHandlers() throws Exception {
        Job job = jobs.create(aCronJob("strict", "0 2 * * *").build(), "admin");
        String execution = run(job.id());
        engine.runDueOnce();
        for (String path : List.of(
                "/",
                "/jobs",
                "/jobs/new",
                "/jobs/new?template=test_form",
                "/jobs/" + job.id(),
                "/jobs/" + job.id() + "/edit",
                "/jobs/" + job.id() + "/versions",
                "/jobs/" + job.id() + "/delete",
                "/executions",
                "/executions/" + execution,
                "/templates",
                "/templates/heartbeat")) {
            String html = page(path);
            assertThat(INLINE_SCRIPT.matcher(html).find())
                    .as("inline script on " + path)
                    .isFalse();
            assertThat(EVENT_HANDLER.matcher(html).find())
                    .as("event handler on " + path)
                    .isFalse();
            assertThat(html).as("inline style on " + path).doesNotContain(" style=\"");
            assertThat(html).as(path).contains("<meta name=\"htmx-config\"", "\"includeIndicatorStyles\":false");
            assertThat(html).as(path).contains("<main id=\"main\"", "href=\"#main\"", "lang=\"en\"");
        }
    }

    private String page(String path) throws Exception {
        return tight(mvc.perform(get(path))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    private String htmx(String path) throws Exception {
        return tight(mvc.perform(get(path).header("HX-Request", "true"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    /** The HTML without the whitespace between tags, so assertions can name adjacent elements. */
    private static String tight(String html) {
        return html.replaceAll(">\\s+<", "><");
    }

    private String wizard(MultiValueMap<String, String> form) throws Exception {
        return wizard(form, 200);
    }

    /** The wizard's answer to {@code form}, which has the status {@code status} (400: a step shown with problems). */
    private String wizard(MultiValueMap<String, String> form, int status) throws Exception {
        MockHttpServletRequestBuilder request =
                post("/jobs/wizard").with(csrf()).params(form);
        return tight(mvc.perform(request)
                .andExpect(status().is(status))
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    private String run(JobId job) throws Exception {
        String location = mvc.perform(post("/jobs/" + job + "/run").with(csrf()))
                .andReturn()
                .getResponse()
                .getHeader("Location");
        return location.substring("/executions/".length());
    }

    /** The fields every step of the wizard carries, with the defaults of a new job. */
    static MultiValueMap<String, String> wizardForm(String name, String template) {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("template_type", template);
        form.add("name", name);
        form.add("description", "");
        form.add("tags", "");
        form.add("schedule_kind", "daily");
        form.add("daily_time", "02:00");
        form.add("timezone", "UTC");
        form.add("timeout_seconds", "3600");
        form.add("max_retries", "0");
        form.add("retry_delay_seconds", "60");
        form.add("backoff_multiplier", "2");
        form.add("concurrency_policy", "forbid");
        form.add("misfire_policy", "run_once");
        form.add("catch_up_window_seconds", "3600");
        form.add("enabled", "true");
        return form;
    }
}
