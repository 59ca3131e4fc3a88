package dev.almanac.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import com.icegreen.greenmail.util.GreenMailUtil;
import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.web.context.WebApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * No template reaches another namespace's data from a job in a namespace: the owner of {@code teama} makes a job of
 * every installed template (its example, with the parameters that would reach furthest) and runs it, and nothing of
 * {@code secretns} is deleted, reported, logged or mailed; a template added later is walked too. A job that acts on
 * the whole installation (history retention and the daily summary in {@code default}) is a super admin's alone.
 */
abstract class TemplateReachTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends TemplateReachTests {}

    @WithPostgres
    static class OnPostgres extends TemplateReachTests {}

    static final String API = "/api/admin/scheduler";
    static final String SECRET = "zz-secret-payroll";
    static final RequestPostProcessor ALICE_IN_A_BROWSER = user("alice").roles("USER");

    /** What reaches furthest for the templates that read or delete Almanac's own history. */
    static final Map<String, Map<String, Object>> FURTHEST = Map.of(
            "history_retention", Map.of("keep_days", 1),
            "daily_summary", Map.of("include_super_admins", false, "recipients", List.of("alice@example.com")),
            "report_generation", Map.of("report", "job_activity", "format", "csv", "range", "last_7d"));

    @DynamicPropertySource
    static void outbound(DynamicPropertyRegistry registry) {
        TestOutbound.register(registry);
        registry.add("almanac.security.manual-runs-per-hour", () -> "0");
    }

    @Autowired
    TemplateRegistry templates;

    @Autowired
    Engine engine;

    @Autowired
    ExecutionService executions;

    @Autowired
    JsonMapper json;

    @Autowired
    WebApplicationContext context;

    MockWebServer server;
    MockMvc alice;
    String secretJob;

    @BeforeEach
    void twoTeams() throws Exception {
        server = new MockWebServer();
        server.start();
        api("POST", "/namespaces", "{\"name\":\"teama\"}");
        api("POST", "/namespaces", "{\"name\":\"secretns\"}");
        alice = TestLogins.mvc(context, logins.token("alice", TestLogins.USER, false));
        api("PUT", "/namespaces/teama/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"owner\"}]}");
        secretJob = JsonPath.read(
                api(
                        "POST",
                        "/jobs",
                        "{\"name\":\"" + SECRET + "\",\"namespace\":\"secretns\",\"template_type\":\"test_fail\","
                                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 1 1 *\"}}"),
                "$.job.id");
        // one failure long ago (for the retention), one within the last day (for the summary and the report)
        runAsSuperAdmin(secretJob);
        clock.advance(Duration.ofDays(2));
        runAsSuperAdmin(secretJob);
        clock.advance(Duration.ofMinutes(5));
        TestOutbound.SMTP.purgeEmailFromAllMailboxes();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void noTemplateReachesAnotherNamespacesDataFromAJobInANamespace() throws Exception {
        List<String> ran = new ArrayList<>();
        StringBuilder seen = new StringBuilder();
        for (JobTemplate template : templates.all()) {
            if (template.getClass().getEnclosingClass() == TestTemplates.class) {
                continue;
            }
            String type = template.descriptor().type();
            Map<String, Object> parameters = new LinkedHashMap<>(TestOutbound.reachableAt(
                    server, templates.exampleParameters(type).orElse(Map.of())));
            parameters.putAll(FURTHEST.getOrDefault(type, Map.of()));
            MockHttpServletResponse saved =
                    call(alice, post(API + "/jobs"), job("reach-" + type, "teama", type, parameters));
            if (saved.getStatus() != 201) {
                // refused (a target not granted to teama, a script not approved): it reaches nothing
                assertThat(saved.getStatus())
                        .as("%s: %s", type, saved.getContentAsString())
                        .isIn(400, 403);
                continue;
            }
            String job = JsonPath.read(saved.getContentAsString(), "$.job.id");
            for (boolean dryRun : List.of(true, false)) {
                server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
                MockHttpServletResponse run =
                        call(alice, post(API + "/jobs/" + job + "/run"), "{\"dry_run\":" + dryRun + "}");
                assertThat(run.getStatus())
                        .as("%s: %s", type, run.getContentAsString())
                        .isEqualTo(202);
                engine.runDueOnce();
                seen.append(whatItLeft(JsonPath.read(run.getContentAsString(), "$.execution_id")));
            }
            ran.add(type);
        }

        StringBuilder mails = new StringBuilder();
        for (MimeMessage mail : TestOutbound.SMTP.getReceivedMessages()) {
            mails.append(GreenMailUtil.getWholeMessage(mail));
        }
        SoftAssertions.assertSoftly(softly -> {
            softly.assertThat(ran).contains("history_retention", "daily_summary", "report_generation");
            softly.assertThat(runsOf(secretJob))
                    .as("secretns's runs, old ones included")
                    .isEqualTo(2);
            softly.assertThat(seen.toString())
                    .as("results, logs and artifacts")
                    .doesNotContain(SECRET)
                    .contains("reach-report_generation");
            softly.assertThat(mails.toString())
                    .as("the daily summary to alice")
                    .contains("Almanac daily summary")
                    .doesNotContain(SECRET);
        });
    }

    @Test
    void onlyASuperAdminCreatesChangesOrRunsAJobThatActsOnTheWholeInstallation() throws Exception {
        api("PUT", "/namespaces/default/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"owner\"}]}");
        String retention = JsonPath.read(
                api("POST", "/jobs", job("keeper", "default", "history_retention", Map.of("keep_days", 1))),
                "$.job.id");

        for (String type : List.of("history_retention", "daily_summary")) {
            MockHttpServletResponse refused =
                    call(alice, post(API + "/jobs"), job("mine-" + type, "default", type, Map.of()));
            assertThat(refused.getStatus()).as(refused.getContentAsString()).isEqualTo(403);
            assertThat(refused.getContentAsString())
                    .contains("template '" + type + "' in namespace 'default' acts on every namespace")
                    .contains("only a super admin may create, change or run it");
        }
        MockHttpServletResponse byAnAdmin = mvc.perform(post(API + "/jobs")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(job("admins", "default", "daily_summary", Map.of())))
                .andReturn()
                .getResponse();
        assertThat(byAnAdmin.getStatus()).as(byAnAdmin.getContentAsString()).isEqualTo(403);
        assertThat(call(alice, post(API + "/jobs/" + retention + "/run"), "{}").getStatus())
                .isEqualTo(403);
        assertThat(call(
                                alice,
                                put(API + "/jobs/" + retention),
                                job("keeper", "default", "history_retention", Map.of("keep_days", 2)))
                        .getStatus())
                .isEqualTo(403);
        MockMvc pages = securedMvc();
        assertThat(pages.perform(get("/jobs/" + retention + "/edit").with(ALICE_IN_A_BROWSER))
                        .andReturn()
                        .getResponse()
                        .getStatus())
                .isEqualTo(403);
        assertThat(pages.perform(post("/jobs/" + retention + "/run")
                                .with(ALICE_IN_A_BROWSER)
                                .with(csrf())
                                .header("HX-Request", "true"))
                        .andReturn()
                        .getResponse()
                        .getStatus())
                .isEqualTo(403);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND actor = 'alice'")
                        .query(Long.class)
                        .single())
                .isGreaterThanOrEqualTo(5);
        assertThat(runsOf(secretJob)).isEqualTo(2);

        // the super admin's job in default keeps the whole installation, as the system job does
        runAsSuperAdmin(retention);
        assertThat(runsOf(secretJob))
                .as("the old run of secretns is gone, the recent one kept")
                .isEqualTo(1);
    }

    private String job(String name, String namespace, String type, Map<String, Object> parameters) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", name);
        request.put("namespace", namespace);
        request.put("template_type", type);
        request.put("parameters", parameters);
        request.put("schedule", Map.of("type", "cron", "expression", "0 3 1 1 *"));
        return json.writeValueAsString(request);
    }

    private static MockHttpServletResponse call(MockMvc as, MockHttpServletRequestBuilder request, String body)
            throws Exception {
        return as.perform(request.contentType(MediaType.APPLICATION_JSON).content(body))
                .andReturn()
                .getResponse();
    }

    private void runAsSuperAdmin(String job) throws Exception {
        api("POST", "/jobs/" + job + "/run", null);
        engine.runDueOnce();
    }

    private long runsOf(String job) {
        return jdbc.sql("SELECT COUNT(*) FROM executions WHERE job_id = ?")
                .param(UUID.fromString(job))
                .query(Long.class)
                .single();
    }

    /** Everything a run left to read: its result and error, its log and its artifacts. */
    private String whatItLeft(String id) throws Exception {
        Execution run = executions.get(ExecutionId.parse(id).orElseThrow());
        StringBuilder text = new StringBuilder(String.valueOf(run.result())).append(run.error());
        jdbc.sql("SELECT message FROM execution_logs WHERE execution_id = ?")
                .param(UUID.fromString(id))
                .query(String.class)
                .list()
                .forEach(text::append);
        for (UUID artifact : jdbc.sql("SELECT id FROM artifacts WHERE execution_id = ?")
                .param(UUID.fromString(id))
                .query(UUID.class)
                .list()) {
            text.append(mvc.perform(get(API + "/executions/" + id + "/artifacts/" + artifact))
                    .andReturn()
                    .getResponse()
                    .getContentAsString());
        }
        return text.toString();
    }
}
