package dev.almanac.template.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.context.WebApplicationContext;

/**
 * A dry run checks what the real run will need and fails, naming what is missing: here no SMTP server is configured,
 * the SSRF guard allows no internal host, and the target {@code dead} points at a port nothing listens on. The
 * passing side (an SMTP server there) is in {@link OutboundTemplatesTests}.
 */
@WithH2
class PreflightTests extends AlmanacIntegrationTest {

    static final String API = "/api/admin/scheduler";

    @DynamicPropertySource
    static void deadTarget(DynamicPropertyRegistry registry) {
        registry.add("almanac.targets.dead.url", () -> "jdbc:postgresql://127.0.0.1:1/nothing");
        registry.add("almanac.targets.dead.user", () -> "nobody");
        registry.add("almanac.targets.dead.tables.tickets", () -> "id,status,created_at");
        registry.add("almanac.export-dir", PreflightTests::exportDirUnderAFile);
    }

    /** An export directory that cannot be created: a plain file stands where its parent should be. */
    static String exportDirUnderAFile() {
        try {
            java.nio.file.Path file = java.nio.file.Path.of("target/test-data/preflight-not-a-directory");
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.writeString(file, "a file, not a directory");
            return file.resolve("exports").toAbsolutePath().toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Autowired
    Engine engine;

    @Autowired
    WebApplicationContext context;

    @Test
    void anEmailDryRunWithoutAnSmtpServerFailsSayingSo() throws Exception {
        String job = createJob("mail", "email_notification", """
                {"recipients":["ops@example.com"],"subject":"hello","body_text":"hi"}""");

        String execution = dryRun(job);

        mvc.perform(get(API + "/executions/" + execution))
                .andExpect(jsonPath("$.execution.status").value("failed"))
                .andExpect(jsonPath("$.execution.error", containsString("no SMTP server configured")))
                .andExpect(jsonPath("$.execution.result.message", containsString("Pre-flight failed")))
                .andExpect(
                        jsonPath("$.execution.result.details.preflight[0].name").value("smtp"))
                .andExpect(
                        jsonPath("$.execution.result.details.preflight[0].ok").value(false));
    }

    @Test
    void aDryRunOfAJobThatNotifiesByEmailFailsWithoutAnSmtpServer() throws Exception {
        String job = createJob("beat", "heartbeat", "{}", """
                ,"notifications":{"on_failure":["ops@example.com"]}""");

        String execution = dryRun(job);

        mvc.perform(get(API + "/executions/" + execution))
                .andExpect(jsonPath("$.execution.status").value("failed"))
                .andExpect(jsonPath(
                        "$.execution.error", containsString("e-mail notifications to 1 address(es) cannot be sent")))
                .andExpect(jsonPath("$.execution.result.details.preflight[*].name", hasItem("notifications")));
    }

    /** Its webhook and Slack URLs are stored sealed: not e-mail addresses, so no SMTP server is needed for them. */
    @Test
    void aDryRunOfAJobThatNotifiesOnlyByWebhookAndSlackNeedsNoSmtpServer() throws Exception {
        String job = createJob("hooked", "heartbeat", "{}", """
                ,"notifications":{"on_failure":["https://hooks.example.com/notify"],
                                  "on_success":["https://hooks.slack.com/services/T0/B0/x"]}""");

        String execution = dryRun(job);

        mvc.perform(get(API + "/executions/" + execution))
                .andExpect(jsonPath("$.execution.status").value("succeeded"))
                .andExpect(jsonPath("$.execution.result.message", not(containsString("SMTP"))));
    }

    @Test
    void aWebhookToAHostTheGuardRefusesFailsPreflight() throws Exception {
        String job = createJob("hook", "webhook_trigger", """
                {"url":"http://preflight.invalid/hook"}""");

        String execution = dryRun(job);

        mvc.perform(get(API + "/executions/" + execution))
                .andExpect(jsonPath("$.execution.status").value("failed"))
                .andExpect(jsonPath(
                        "$.execution.error", containsString("the SSRF guard refuses http://preflight.invalid/hook")))
                .andExpect(jsonPath("$.execution.error", containsString("does not resolve")))
                .andExpect(
                        jsonPath("$.execution.result.details.preflight[0].name").value("url"));
    }

    @Test
    void aWebhookToAnInternalAddressIsRefusedBeforeItsDryRunIsQueued() throws Exception {
        String job = createJob("internal", "webhook_trigger", """
                {"url":"https://example.com/hook"}""");
        // written past the save-time check (by hand, or before it existed): the run's own validation names it
        jdbc.sql("UPDATE jobs SET parameters = ? WHERE id = ?")
                .params("{\"url\":\"http://169.254.169.254/latest/meta-data/\"}", java.util.UUID.fromString(job))
                .update();

        mvc.perform(post(API + "/jobs/" + job + "/run")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"dry_run\":true}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.url"));
    }

    @Test
    void aDatabaseDryRunOnATargetThatDoesNotAnswerFailsNamingIt() throws Exception {
        String cleanup = createJob("cleanup", "database_cleanup", """
                {"target":"dead","table":"tickets","date_column":"created_at","older_than":30}""");
        String export = createJob("export", "data_export", """
                {"target":"dead","table":"tickets"}""");

        long started = System.nanoTime();
        String first = dryRun(cleanup);
        String second = dryRun(export);

        assertThat(System.nanoTime() - started).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(15));
        for (String execution : new String[] {first, second}) {
            mvc.perform(get(API + "/executions/" + execution))
                    .andExpect(jsonPath("$.execution.status").value("failed"))
                    .andExpect(jsonPath("$.execution.error", containsString("target 'dead' does not answer")));
        }
    }

    @Test
    void aTableNotOnTheAllowlistIsNamed() throws Exception {
        String job = createJob("export", "data_export", """
                {"target":"demo","table":"users","columns":["id","email"]}""");
        // the allowlist was narrowed after the job was saved
        jdbc.sql("UPDATE jobs SET parameters = ? WHERE id = ?")
                .params(
                        "{\"target\":\"demo\",\"table\":\"payroll\",\"columns\":[\"id\"]}",
                        java.util.UUID.fromString(job))
                .update();

        mvc.perform(post(API + "/jobs/" + job + "/run")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"dry_run\":true}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.table"))
                .andExpect(jsonPath("$.errors[0].message", containsString("payroll")));
    }

    /**
     * A table left out (or misspelt) is named by the schema alone: the template's checks, which run beside the
     * schema's errors, do not call every column "not an allowed column of demo.null".
     */
    @Test
    void aMissingTableIsNamedWithoutBlamingTheColumns() throws Exception {
        String body = """
                {"name":"no-table","template_type":"data_export","schedule":{"type":"cron","expression":"0 3 * * *"},
                 "parameters":{"target":"demo","tabel":"users","columns":["id","email"],
                               "order_by":[{"column":"id"}]}}""";
        String answer = mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(answer).contains("parameters.table", "parameters.tabel").doesNotContain("not an allowed column");
    }

    @Test
    void anExportToAFileFailsPreflightWhenItsDirectoryIsNotWritable() throws Exception {
        String job = createJob("to-file", "data_export", """
                {"target":"demo","table":"users","columns":["id","email"],"destination":"file"}""");

        String execution = dryRun(job);

        mvc.perform(get(API + "/executions/" + execution))
                .andExpect(jsonPath("$.execution.status").value("failed"))
                .andExpect(jsonPath("$.execution.error", containsString("the export directory")))
                .andExpect(jsonPath("$.execution.error", containsString("is not writable")))
                .andExpect(jsonPath("$.execution.result.details.preflight[*].name", hasItem("target")));
    }

    @Test
    void theWizardsReviewShowsThePreflightLines() throws Exception {
        MockMvc browser = MockMvcBuilders.webAppContextSetup(context)
                .apply(SecurityMockMvcConfigurers.springSecurity())
                .defaultRequest(get("/").with(user("admin").roles("SUPER_ADMIN")))
                .build();
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("template_type", "email_notification");
        form.add("name", "first-mail");
        form.add("p.recipients[0]", "ops@example.com");
        form.add("p.subject", "hello");
        form.add("p.body_text", "hi");
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
        String location = browser.perform(post("/jobs/wizard/dry-run")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .params(form))
                .andExpect(status().is3xxRedirection())
                .andReturn()
                .getResponse()
                .getHeader("Location");

        engine.runDueOnce();

        String page = browser.perform(get(location)).andReturn().getResponse().getContentAsString();
        assertThat(page)
                .contains("dry run failed", "id=\"preflight\"", "Pre-flight", "smtp", "missing")
                .contains("no SMTP server configured: set spring.mail.host");
        assertThat(page.split("Pre-flight failed", -1))
                .as("the failed dry run's message, said once (it is also its error)")
                .hasSize(2);
    }

    private String createJob(String name, String template, String parameters) throws Exception {
        return createJob(name, template, parameters, "");
    }

    private String createJob(String name, String template, String parameters, String more) throws Exception {
        return JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("""
                                        {"name":"%s","template_type":"%s",
                                         "schedule":{"type":"interval","interval_seconds":86400},
                                         "parameters":%s%s}""".formatted(name, template, parameters, more)))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
    }

    private String dryRun(String job) throws Exception {
        ResultActions queued = mvc.perform(post(API + "/jobs/" + job + "/run")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"dry_run\":true}"))
                .andExpect(status().isAccepted());
        String execution = JsonPath.read(queued.andReturn().getResponse().getContentAsString(), "$.execution_id");
        engine.runDueOnce();
        return execution;
    }
}
