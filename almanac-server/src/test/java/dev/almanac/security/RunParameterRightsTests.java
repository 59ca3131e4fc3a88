package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.BrowserForm;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
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
import org.springframework.util.MultiValueMap;

/**
 * Parameters given for one run replace the job's targets, URLs, tables and recipients, and the job's stored secrets
 * go with them: they need the right to change the job. A namespace's runner runs, dry-runs and backfills its jobs as
 * their editors defined them; the API refuses their parameters with a 403 naming {@code parameters}, the job page
 * shows "Run now…" disabled with the reason, and the run form refuses them where they acted. An editor's parameters
 * still carry the stored secrets, as before.
 */
abstract class RunParameterRightsTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends RunParameterRightsTests {}

    @WithPostgres
    static class OnPostgres extends RunParameterRightsTests {}

    @DynamicPropertySource
    static void outbound(DynamicPropertyRegistry registry) {
        TestOutbound.register(registry);
    }

    static final String API = "/api/admin/scheduler";
    static final String STORED_SECRET = "Bearer stored-secret-4711";
    static final String REFUSAL = "your role 'runner' in namespace 'ops' may not run its jobs with other parameters";
    static final RequestPostProcessor RITA = user("rita").roles("USER");
    static final RequestPostProcessor EDDIE = user("eddie").roles("USER");

    @Autowired
    Engine engine;

    MockWebServer server;
    MockMvc secured;
    String rita;
    String eddie;
    String job;

    @BeforeEach
    void aWebhookWithAStoredSecretInNamespaceOps() throws Exception {
        server = new MockWebServer();
        server.start();
        secured = securedMvc();
        rita = logins.token("rita", TestLogins.USER, false);
        eddie = logins.token("eddie", TestLogins.USER, false);
        api("POST", "/namespaces", "{\"name\":\"ops\"}");
        api(
                "PUT",
                "/namespaces/ops/members",
                "{\"members\":[{\"username\":\"rita\",\"role\":\"runner\"},"
                        + "{\"username\":\"eddie\",\"role\":\"editor\"}]}");
        job = JsonPath.read(
                api(
                        "POST",
                        "/jobs",
                        "{\"name\":\"hook\",\"namespace\":\"ops\",\"template_type\":\"webhook_trigger\","
                                + "\"enabled\":false,\"schedule\":{\"type\":\"interval\",\"interval_seconds\":3600},"
                                + "\"parameters\":{\"url\":\"" + server.url("/stored") + "\","
                                + "\"secret_headers\":{\"Authorization\":\"" + STORED_SECRET + "\"}}}"),
                "$.job.id");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private MockHttpServletResponse run(String token, String body) throws Exception {
        return secured.perform(post(API + "/jobs/" + job + "/run")
                        .header("Authorization", "Bearer " + token)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andReturn()
                .getResponse();
    }

    private MockHttpServletResponse page(MockHttpServletRequestBuilder request, RequestPostProcessor who)
            throws Exception {
        return secured.perform(request.with(who).with(csrf())).andReturn().getResponse();
    }

    private long executions() {
        return jdbc.sql("SELECT COUNT(*) FROM executions").query(Long.class).single();
    }

    @Test
    void aRunnersParametersAreRefusedNamingTheFieldAndNothingIsQueued() throws Exception {
        for (String body : List.of(
                "{\"parameters\":{\"url\":\"https://evil.example.com/x\"}}",
                "{\"parameters\":{\"url\":\"https://evil.example.com/x\"},\"dry_run\":true}",
                "{\"parameters\":{\"body\":{\"hello\":\"world\"}}}")) {
            MockHttpServletResponse refused = run(rita, body);

            assertThat(refused.getStatus())
                    .as(body + ": " + refused.getContentAsString())
                    .isEqualTo(403);
            assertThat(refused.getContentType()).startsWith("application/problem+json");
            String problem = refused.getContentAsString();
            assertThat((String) JsonPath.read(problem, "$.detail")).isEqualTo(REFUSAL);
            assertThat((List<String>) JsonPath.read(problem, "$.errors[*].field"))
                    .containsExactly("parameters");
        }
        assertThat(executions()).isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND actor = 'rita'")
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
    }

    @Test
    void aRunnerRunsAndDryRunsTheJobAsItsEditorsDefinedIt() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).build());
        server.enqueue(new MockResponse.Builder().code(200).build());
        for (String body : List.of("{}", "{\"dry_run\":true}", "{\"parameters\":{}}")) {
            MockHttpServletResponse queued = run(rita, body);
            assertThat(queued.getStatus())
                    .as(body + ": " + queued.getContentAsString())
                    .isEqualTo(202);
        }
        engine.runDueOnce();

        // the two runs (the dry run sends nothing), each where the job points, with its secret
        for (int run = 0; run < 2; run++) {
            RecordedRequest sent = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(sent).isNotNull();
            assertThat(sent.getTarget()).isEqualTo("/stored");
            assertThat(sent.getHeaders().get("Authorization")).isEqualTo(STORED_SECRET);
        }
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void anEditorsParametersStillCarryTheStoredSecretWhereTheyPoint() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).build());
        MockHttpServletResponse queued = run(eddie, "{\"parameters\":{\"url\":\"" + server.url("/elsewhere") + "\"}}");
        assertThat(queued.getStatus()).as(queued.getContentAsString()).isEqualTo(202);
        engine.runDueOnce();

        RecordedRequest sent = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(sent).isNotNull();
        assertThat(sent.getTarget()).isEqualTo("/elsewhere");
        assertThat(sent.getHeaders().get("Authorization")).isEqualTo(STORED_SECRET);
    }

    @Test
    void theJobPageShowsRunNowWithOtherParametersDisabledForARunnerWithTheReason() throws Exception {
        String path = "/jobs/" + job;
        String forRita = page(get(path), RITA).getContentAsString(StandardCharsets.UTF_8);
        assertThat(forRita)
                .contains("action=\"" + path + "/run\"", "action=\"" + path + "/dry-run\"")
                .containsPattern(
                        "<button type=\"button\" disabled id=\"run-with\"\\s+aria-describedby=\"locked-reason\">"
                                + "Run now…</button>")
                .contains("Run now…, enable, disable, edit, clone and delete: your role in namespace")
                .contains("(runner) may run its jobs, not create or change them")
                .doesNotContain("href=\"" + path + "/run\"");
        assertThat(page(get(path), EDDIE).getContentAsString(StandardCharsets.UTF_8))
                .contains("href=\"" + path + "/run\"")
                .doesNotContain("disabled id=\"run-with\"");

        // the form itself, opened by its address, is refused with the reason
        MockHttpServletResponse form = page(get(path + "/run"), RITA);
        assertThat(form.getStatus()).isEqualTo(403);
        assertThat(form.getContentAsString(StandardCharsets.UTF_8))
                .contains(REFUSAL.replace("'", "&#39;"))
                .doesNotContain("id=\"run-form\"");
    }

    @Test
    void theRunFormRefusesARunnersParametersWhereTheyActedAndKeepsAnEditorsSecret() throws Exception {
        String path = "/jobs/" + job;
        MockHttpServletResponse opened = page(get(path + "/run"), EDDIE);
        assertThat(opened.getStatus()).isEqualTo(200);
        MultiValueMap<String, String> form =
                BrowserForm.of(opened.getContentAsString(StandardCharsets.UTF_8), "run-form");
        form.set("p.url", "https://evil.example.com/x");

        // a plain post: the form again, with the refusal on it
        MockHttpServletResponse plain = page(post(path + "/run").params(form), RITA);
        assertThat(plain.getStatus()).isEqualTo(403);
        assertThat(plain.getContentAsString(StandardCharsets.UTF_8))
                .contains("id=\"run-refused\"", REFUSAL.replace("'", "&#39;"));
        // through htmx: in the page's alert region
        MockHttpServletResponse htmx = page(post(path + "/run").params(form).header("HX-Request", "true"), RITA);
        assertThat(htmx.getStatus()).isEqualTo(403);
        assertThat(htmx.getHeader("HX-Retarget")).isEqualTo("#alerts");
        assertThat(htmx.getContentAsString(StandardCharsets.UTF_8)).contains(REFUSAL.replace("'", "&#39;"));
        // adding a row to a list of the form is working on parameters too
        MultiValueMap<String, String> adding = new org.springframework.util.LinkedMultiValueMap<>(form);
        adding.set("_action", "add:secret_headers");
        assertThat(page(post(path + "/run").params(adding), RITA).getStatus()).isEqualTo(403);
        assertThat(executions()).isZero();

        // the job page's Run now (no parameters) still runs it for her
        MockHttpServletResponse ran = page(post(path + "/run").header("HX-Request", "true"), RITA);
        assertThat(ran.getStatus()).as(ran.getContentAsString()).isLessThan(400);
        assertThat(executions()).isEqualTo(1);
        assertThat(page(post(path + "/dry-run").header("HX-Request", "true"), RITA)
                        .getStatus())
                .isLessThan(400);
        assertThat(executions()).isEqualTo(2);

        // the editor's run with another URL goes there, the stored secret header filled in
        server.enqueue(new MockResponse.Builder().code(200).build());
        server.enqueue(new MockResponse.Builder().code(200).build());
        form.set("p.url", server.url("/elsewhere").toString());
        MockHttpServletResponse edited = page(post(path + "/run").params(form), EDDIE);
        assertThat(edited.getStatus()).as(edited.getContentAsString()).isEqualTo(302);
        engine.runDueOnce();
        List<RecordedRequest> sent =
                List.of(server.takeRequest(5, TimeUnit.SECONDS), server.takeRequest(5, TimeUnit.SECONDS));
        assertThat(sent).extracting(RecordedRequest::getTarget).containsExactlyInAnyOrder("/stored", "/elsewhere");
        assertThat(sent)
                .allSatisfy(request ->
                        assertThat(request.getHeaders().get("Authorization")).isEqualTo(STORED_SECRET));
    }

    @Test
    void theWizardsDryRunOfADraftIsAnEditorsNotARunners() throws Exception {
        // a runner everywhere the draft's checks look: the default namespace and the job's own
        api("PUT", "/namespaces/default/members", "{\"members\":[{\"username\":\"rita\",\"role\":\"runner\"}]}");
        MockHttpServletRequestBuilder draft = post("/jobs/wizard/dry-run")
                .header("HX-Request", "true")
                .param("job_id", job)
                .param("namespace", "ops")
                .param("template_type", "webhook_trigger")
                .param("name", "hook")
                .param("schedule_kind", "interval")
                .param("interval_value", "1")
                .param("interval_unit", "hours")
                .param("p.url", "https://evil.example.com/x");

        MockHttpServletResponse refused = page(draft, RITA);

        assertThat(refused.getStatus()).as(refused.getContentAsString()).isEqualTo(403);
        // the draft names a job to edit: the runner may not change it, so nothing of it is read
        assertThat(refused.getContentAsString(StandardCharsets.UTF_8))
                .contains("your role &#39;runner&#39; in namespace &#39;ops&#39; may not update its jobs");
        assertThat(executions()).isZero();
        MockHttpServletResponse edited = page(draft, EDDIE);
        assertThat(edited.getStatus()).as(edited.getContentAsString()).isLessThan(400);
        assertThat(executions()).isEqualTo(1);
    }
}
