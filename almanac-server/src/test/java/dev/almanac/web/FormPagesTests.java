package dev.almanac.web;

import static dev.almanac.testing.JobRequests.aCronJob;
import static dev.almanac.web.AdminPagesTests.wizardForm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionService;
import dev.almanac.job.Job;
import dev.almanac.job.JobQuery;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.util.MultiValueMap;
import org.springframework.web.context.WebApplicationContext;

/** The forms of the admin UI as a first-time user meets them (issue 17, items 7 and 8), asserted on their HTML. */
@WithH2
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
class FormPagesTests extends AlmanacIntegrationTest {

    @Autowired
    WebApplicationContext context;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    MockMvc ui;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        ui = securedMvc();
    }

    @Test
    void aTemplateDurationFieldTakesEveryFormItsHelpNames() throws Exception {
        Map<String, Object> expected = Map.of(
                "30", 30,
                "30d", "P30D",
                "90m", "PT1H30M",
                "P30D", "P30D",
                "PT1H", "PT1H",
                "p1m", "P1M");
        for (Map.Entry<String, Object> typed : expected.entrySet()) {
            MultiValueMap<String, String> form = cleanup("cleanup-typed-" + typed.getKey());
            form.set("p.older_than", typed.getKey());
            save(form);
            Job saved = jobs.list(JobQuery.firstPage(100)).jobs().stream()
                    .filter(j -> j.name().equals("cleanup-typed-" + typed.getKey()))
                    .findFirst()
                    .orElseThrow();
            assertThat(saved.definition().parameters().get("older_than"))
                    .as(typed.getKey())
                    .isEqualTo(typed.getValue());
        }
        MultiValueMap<String, String> step2 = cleanup("cleanup-step");
        step2.set("step", "1");
        step2.set("_action", "template:database_cleanup");
        assertThat(wizard(step2))
                .contains("type=\"text\" id=\"f-p-older_than\" name=\"p.older_than\"")
                .doesNotContain("type=\"number\" id=\"f-p-older_than\"");

        MultiValueMap<String, String> bad = cleanup("cleanup-bad");
        bad.set("p.older_than", "soon");
        bad.set("step", "2");
        assertThat(wizard(bad, 400))
                .contains("id=\"f-p-older_than-error\">must be a duration such as 30d, 90m, 12h, P30D or PT1H<")
                .doesNotContain("is required");
    }

    @Test
    void theTimeoutAndRetryDelayTakeDurationsInEveryForm() throws Exception {
        Map<String, Integer> expected = Map.of("7200", 7200, "2d", 172_800, "90m", 5400, "P1D", 86_400, "PT1H", 3600);
        for (Map.Entry<String, Integer> typed : expected.entrySet()) {
            MultiValueMap<String, String> form = wizardForm("timeout-" + typed.getValue(), "heartbeat");
            form.set("timeout_seconds", typed.getKey());
            form.set("retry_delay_seconds", "2m");
            save(form);
            Job saved = jobs.list(JobQuery.firstPage(100)).jobs().stream()
                    .filter(j -> j.name().equals("timeout-" + typed.getValue()))
                    .findFirst()
                    .orElseThrow();
            assertThat(saved.definition().timeoutSeconds()).as(typed.getKey()).isEqualTo(typed.getValue());
            assertThat(saved.definition().retryPolicy().retryDelaySeconds()).isEqualTo(120);
        }
        MultiValueMap<String, String> options = wizardForm("options", "heartbeat");
        options.set("step", "3");
        String step4 = wizard(options);
        assertThat(step4)
                .contains("type=\"text\" id=\"timeout_seconds\"", "type=\"text\" id=\"retry_delay_seconds\"")
                .contains("tabindex=\"-1\" data-step-heading");
    }

    @Test
    void theOptionsStepTakesAPriorityAndTheJobPageShowsIt() throws Exception {
        assertThat(page("/jobs/new")).contains("name=\"priority\" value=\"5\"");
        MultiValueMap<String, String> options = wizardForm("prioritised", "heartbeat");
        options.set("step", "3");
        options.set("priority", "5");
        assertThat(wizard(options))
                .contains("type=\"number\" id=\"priority\" name=\"priority\" value=\"5\"")
                .contains("0–9, higher runs first when more runs are due than workers; 5 is normal.");

        MultiValueMap<String, String> wrong = wizardForm("prioritised", "heartbeat");
        wrong.set("step", "4");
        wrong.set("priority", "12");
        assertThat(wizard(wrong, 400))
                .contains("id=\"priority-error\">must be between 0 and 9<")
                .contains("value=\"12\"")
                .contains("data-step-heading>Options<");

        MultiValueMap<String, String> review = wizardForm("prioritised", "heartbeat");
        review.set("step", "4");
        review.set("priority", "8");
        assertThat(wizard(review)).contains("<dt>Priority</dt><dd>8 (ahead of normal)</dd>");
        save(review);
        Job saved = jobs.list(JobQuery.firstPage(100)).jobs().stream()
                .filter(j -> j.name().equals("prioritised"))
                .findFirst()
                .orElseThrow();
        assertThat(saved.definition().priority()).isEqualTo(8);
        assertThat(page("/jobs/" + saved.id())).contains("<dt>Priority</dt><dd>8 (ahead of normal)</dd>");
        assertThat(page("/jobs/" + saved.id() + "/clone")).contains("name=\"priority\" value=\"8\"");
    }

    @Test
    void aStepShowsAllItsErrorsInOneRound() throws Exception {
        jobs.create(aCronJob("taken", "0 2 * * *").build(), "admin");
        MultiValueMap<String, String> form = wizardForm("taken", "database_cleanup");
        form.set("step", "2");
        form.add("p.target", "demo");
        form.add("p.table", "sessions");
        form.add("p.date_column", "created_at");
        form.add("p.older_than", "soon");
        form.add("p.batch_size", "0");
        String html = wizard(form, 400);
        assertThat(html)
                .contains("id=\"name-error\">a job named &#39;taken&#39; already exists<")
                .contains("id=\"f-p-older_than-error\">must be a duration")
                .contains("id=\"f-p-batch_size-error\">must be at least 1<")
                .contains("3 fields need your attention");

        MultiValueMap<String, String> every75 = wizardForm("every-75", "heartbeat");
        every75.set("step", "3");
        every75.set("schedule_kind", "every_minutes");
        every75.set("every_minutes", "75");
        String schedule = wizard(every75, 400);
        assertThat(schedule)
                .contains("must be from 1 to 59; for a longer gap (every 75 minutes) choose &quot;Fixed interval&quot;")
                .doesNotContain("is required")
                .contains("One field needs your attention");
    }

    @Test
    void aCloneIsDisabledUntilItsOwnerEnablesItAndThePageSaysSo() throws Exception {
        Job original = jobs.create(aCronJob("original", "0 2 * * *").build(), "admin");
        String page = page("/jobs/" + original.id() + "/clone");
        assertThat(page)
                .contains("This copy is disabled until you enable it.", "value=\"original copy\"")
                .contains("name=\"enabled\" value=\"false\"");

        MultiValueMap<String, String> form = wizardForm("original copy", "heartbeat");
        form.remove("enabled");
        form.add("enabled", "false");
        form.add("cloned_from", "original");
        form.set("step", "4");
        assertThat(wizard(form)).contains("This copy is disabled until you enable it.");
        form.set("step", "5");
        form.set("_action", "save");
        String flash = ui.perform(post("/jobs/wizard").with(csrf()).params(form))
                .andExpect(status().is3xxRedirection())
                .andReturn()
                .getFlashMap()
                .get("flash")
                .toString();
        assertThat(flash).contains("This copy is disabled until you enable it.");
        Job copy = jobs.list(JobQuery.firstPage(10)).jobs().stream()
                .filter(j -> j.name().equals("original copy"))
                .findFirst()
                .orElseThrow();
        assertThat(copy.definition().enabled()).isFalse();
        assertThat(copy.nextRunAt()).isNull();

        mvc.perform(post("/api/admin/scheduler/jobs/" + original.id() + "/clone"))
                .andExpect(status().is2xxSuccessful())
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath("$.job.enabled")
                        .value(false))
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath("$.message")
                        .value(org.hamcrest.Matchers.containsString("This copy is disabled until you enable it.")));
    }

    @Test
    void aCloneKeepsEmailRecipientsButNotTheOriginalsWebhookUrls() throws Exception {
        Job original = jobs.create(
                aCronJob("notified", "0 2 * * *")
                        .notifications(new dev.almanac.job.JobRequest.NotificationsJson(
                                java.util.List.of(),
                                java.util.List.of(
                                        "ops@example.com",
                                        "slack:https://hooks.slack.com/services/T0/B0/clone-secret")))
                        .build(),
                "admin");
        String copy = page("/jobs/" + original.id() + "/clone");
        // the copy's notice names the webhook it left out by its host, as the job page shows it; the form has none
        assertThat(copy)
                .contains("ops@example.com", "Tell about failures: slack:https://hooks.slack.com/…")
                .doesNotContain("clone-secret");
        assertThat(dev.almanac.testing.BrowserForm.of(copy, "wizard").getFirst("notify_failure"))
                .isEqualTo("ops@example.com");
    }

    @Test
    void theTableAndColumnPickersListTheChosenTargetsAllowlist() throws Exception {
        MultiValueMap<String, String> form = wizardForm("picker", "database_cleanup");
        form.set("step", "1");
        form.set("_action", "template:database_cleanup");
        String step2 = wizard(form);
        assertThat(step2)
                .contains(
                        "<select id=\"f-p-target\" name=\"p.target\"", "hx-post=\"/jobs/wizard\" hx-trigger=\"change\"")
                .contains("hx-select=\"#parameter-fields\"", "id=\"parameter-fields\"")
                .contains("type=\"text\" id=\"f-p-table\" name=\"p.table\"");

        form.set("step", "2");
        form.remove("_action");
        form.add("p.target", "demo");
        String refreshed = tight(ui.perform(post("/jobs/wizard")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .header("HX-Trigger-Name", "p.target")
                        .params(form))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(refreshed)
                .contains("<select id=\"f-p-table\" name=\"p.table\"")
                .contains("<option value=\"users\">users</option>", "<option value=\"sessions\">sessions</option>")
                .contains("<option value=\"tickets\">tickets</option>")
                .doesNotContain("needs your attention", "need your attention");

        form.add("p.table", "sessions");
        String columns = tight(ui.perform(post("/jobs/wizard")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .header("HX-Trigger-Name", "p.table")
                        .params(form))
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(columns)
                .contains("<select id=\"f-p-date_column\" name=\"p.date_column\"")
                .contains("<option value=\"created_at\">created_at</option>", "<option value=\"expires_at\">")
                .doesNotContain("<option value=\"last_login_at\">");
    }

    @Test
    void keyValueRowsAreAddedRemovedAndSubmittedAsAMap() throws Exception {
        MultiValueMap<String, String> form = wizardForm("with-map", "test_form");
        form.add("p.table", "sessions");
        form.add("p.mode", "delete");
        form.set("step", "2");
        form.set("_action", "add:p.extra");
        String oneRow = wizard(form);
        assertThat(oneRow)
                .contains("name=\"p.extra[0].key\"", "name=\"p.extra[0].value\"", "value=\"remove:p.extra[0]\"");

        form.add("p.extra[0].key", "region");
        form.add("p.extra[0].value", "eu-west");
        form.add("p.extra[1].key", "team");
        form.add("p.extra[1].value", "billing");
        form.add("p.extra[2].key", "");
        form.add("p.extra[2].value", "");
        save(form);
        Job saved = jobs.list(JobQuery.firstPage(10)).jobs().get(0);
        assertThat(saved.definition().parameters().get("extra"))
                .isEqualTo(Map.of("region", "eu-west", "team", "billing"));

        String edit = page("/jobs/" + saved.id() + "/edit");
        assertThat(edit).contains("name=\"p.extra[1].key\"", "value=\"team\"", "value=\"billing\"");
    }

    @Test
    void aJsonBodyThatIsNotJsonGetsAFieldError() throws Exception {
        MultiValueMap<String, String> form = wizardForm("hook", "webhook_trigger");
        form.set("step", "2");
        form.add("p.url", "https://hooks.example.com/almanac");
        form.add("p.body", "{\"job\": \"{{job.name}}\", }");
        String html = wizard(form, 400);
        assertThat(html)
                .contains("id=\"f-p-body-error\">must be valid JSON: the text goes wrong at line 1, column")
                .contains("<textarea id=\"f-p-body\" name=\"p.body\"", "data-json=\"json\"", "class=\"mono\"")
                .contains("id=\"f-p-body-json\"");

        form.set("p.body", "plain text, {{job.name}}");
        assertThat(wizard(form)).doesNotContain("id=\"f-p-body-error\"");
    }

    @Test
    void runNowWithParametersOverridesAParameterInTheExecutionsSnapshotOnly() throws Exception {
        Job job = jobs.create(
                aCronJob("greeter", "0 2 * * *")
                        .template("heartbeat", Map.of("message", "hello"))
                        .build(),
                "admin");
        assertThat(page("/jobs/" + job.id())).contains("href=\"/jobs/" + job.id() + "/run\"", "Run now…");
        String form = page("/jobs/" + job.id() + "/run");
        assertThat(form)
                .contains("Run greeter now", "name=\"p.message\"", "value=\"hello\"")
                .doesNotContain("id=\"confirm-step\"", " style=\"")
                .doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>")
                .doesNotContainPattern("\\son[a-z]+=\"");

        String location = ui.perform(
                        post("/jobs/" + job.id() + "/run").with(csrf()).param("p.message", "by hand"))
                .andExpect(status().is3xxRedirection())
                .andReturn()
                .getResponse()
                .getHeader("Location");
        Execution execution = executions.get(
                ExecutionId.parse(location.substring("/executions/".length())).orElseThrow());
        assertThat(execution.parameters()).containsEntry("message", "by hand");
        assertThat(jobs.get(job.id()).definition().parameters()).containsEntry("message", "hello");
    }

    @Test
    void runNowOfADestructiveTemplateAsksFirstNamingTheJobAndTheTemplate() throws Exception {
        Job job = jobs.create(
                aCronJob("wiper", "0 2 * * *")
                        .template("test_destroy", Map.of("key", "old"))
                        .build(),
                "admin");
        String asked = tight(ui.perform(post("/jobs/" + job.id() + "/run").with(csrf()))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(asked)
                .contains("id=\"confirm-step\"", "Confirm before it runs.", "Yes, run wiper (Test: destroy) now")
                .contains("name=\"p.key\"", "value=\"old\"");
        assertThat(executionCount()).isZero();

        String unticked =
                tight(ui.perform(post("/jobs/" + job.id() + "/run").with(csrf()).param("p.key", "new"))
                        .andExpect(status().isOk())
                        .andReturn()
                        .getResponse()
                        .getContentAsString());
        assertThat(unticked).contains("tick the box to confirm that this run may change data", "value=\"new\"");
        assertThat(executionCount()).isZero();

        ui.perform(post("/jobs/" + job.id() + "/run")
                        .with(csrf())
                        .param("p.key", "new")
                        .param("confirm", "yes"))
                .andExpect(status().is3xxRedirection());
        assertThat(executionCount()).isOne();
    }

    @Test
    void theRunFormKeepsSecretsMaskedAndAStoredSecretWhenLeftBlank() throws Exception {
        Job job = jobs.create(
                aCronJob("secret-run", "0 2 * * *")
                        .template("test_form", Map.of("table", "sessions", "mode", "delete", "api_key", "s3cret"))
                        .build(),
                "admin");
        String form = page("/jobs/" + job.id() + "/run");
        assertThat(form).contains("unchanged; type a new value to replace it").doesNotContain("s3cret");

        String location = ui.perform(post("/jobs/" + job.id() + "/run")
                        .with(csrf())
                        .param("p.table", "sessions_old")
                        .param("p.mode", "delete")
                        .param("p.api_key", "")
                        .param("confirm", "yes"))
                .andExpect(status().is3xxRedirection())
                .andReturn()
                .getResponse()
                .getHeader("Location");
        Execution execution = executions.get(
                ExecutionId.parse(location.substring("/executions/".length())).orElseThrow());
        assertThat(execution.parameters())
                .containsEntry("table", "sessions_old")
                .containsKey("api_key");
        assertThat(String.valueOf(execution.parameters().get("api_key"))).isNotEmpty();
    }

    private long executionCount() {
        return jdbc.sql("SELECT COUNT(*) FROM executions").query(Long.class).single();
    }

    private MultiValueMap<String, String> cleanup(String name) {
        MultiValueMap<String, String> form = wizardForm(name, "database_cleanup");
        form.add("p.target", "demo");
        form.add("p.table", "sessions");
        form.add("p.date_column", "created_at");
        form.add("p.older_than", "30");
        form.add("p.dry_run", "true");
        form.add("_p.dry_run", "on");
        return form;
    }

    private void save(MultiValueMap<String, String> form) throws Exception {
        form.set("step", "5");
        form.set("_action", "save");
        var response = ui.perform(post("/jobs/wizard").with(csrf()).params(form))
                .andReturn()
                .getResponse();
        assertThat(response.getStatus()).as(() -> errorsOf(response)).isEqualTo(302);
    }

    private static String errorsOf(org.springframework.mock.web.MockHttpServletResponse response) {
        try {
            return String.join(
                    "; ",
                    java.util.regex.Pattern.compile("class=\"(?:error|flash error)\"[^>]*>([^<]*)<")
                            .matcher(response.getContentAsString())
                            .results()
                            .map(m -> m.group(1))
                            .toList());
        } catch (java.io.UnsupportedEncodingException e) {
            return e.toString();
        }
    }

    private String wizard(MultiValueMap<String, String> form) throws Exception {
        return wizard(form, 200);
    }

    /** The wizard's answer to {@code form}, which has the status {@code status} (400: a step shown with problems). */
    private String wizard(MultiValueMap<String, String> form, int status) throws Exception {
        if (!form.containsKey("_action")) {
            form.set("_action", "next");
        }
        return tight(ui.perform(post("/jobs/wizard").with(csrf()).params(form))
                .andExpect(status().is(status))
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    private String page(String path) throws Exception {
        return tight(ui.perform(get(path))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    private static String tight(String html) {
        return html.replaceAll(">\\s+<", "><");
    }
}
