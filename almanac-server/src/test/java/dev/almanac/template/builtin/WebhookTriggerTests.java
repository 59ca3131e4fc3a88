package dev.almanac.template.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.WithH2;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import tools.jackson.databind.json.JsonMapper;

/** webhook_trigger's headers, through the API and runs against a real HTTP server (MockWebServer). */
@WithH2
class WebhookTriggerTests extends AlmanacIntegrationTest {

    @DynamicPropertySource
    static void outbound(DynamicPropertyRegistry registry) {
        TestOutbound.register(registry);
    }

    @Autowired
    TemplateRuns runs;

    @Autowired
    JsonMapper json;

    @Autowired
    Engine engine;

    MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void refusesASignatureHeaderTheClientWouldNotSend() throws Exception {
        for (String name : List.of("Host", "content-length", "Connection", "Transfer-Encoding", "Upgrade", "Expect")) {
            Map<String, Object> parameters = webhook("/signed");
            parameters.put("signing_secret", "0123456789abcdef0123");
            parameters.put("signature_header", name);

            MockHttpServletResponse saved = save(parameters);

            assertThat(saved.getStatus())
                    .as("%s: %s", name, saved.getContentAsString())
                    .isEqualTo(400);
            assertThat((List<String>) JsonPath.read(saved.getContentAsString(), "$.errors[*].field"))
                    .as(name)
                    .containsExactly("parameters.signature_header");
        }
        Map<String, Object> parameters = webhook("/signed");
        parameters.put("signing_secret", "0123456789abcdef0123");
        parameters.put("signature_header", "X-Hub-Signature-256");
        assertThat(save(parameters).getStatus()).isEqualTo(201);
    }

    @Test
    void checksHeaderValuesWithTheirVariablesFilledIn() throws Exception {
        Map<String, Object> parameters = webhook("/rendered");
        parameters.put("headers", Map.of("X-V", "{{v}}"));
        parameters.put("variables", Map.of("v", "caf\u00e9\u0001x"));

        MockHttpServletResponse saved = save(parameters);

        assertThat(saved.getStatus()).as(saved.getContentAsString()).isEqualTo(400);
        assertThat((String) JsonPath.read(saved.getContentAsString(), "$.errors[0].field"))
                .isEqualTo("parameters.headers.X-V");
        assertThat((String) JsonPath.read(saved.getContentAsString(), "$.errors[0].message"))
                .contains("with variable 'v' filled in");

        // a job saved before this check (changed here by hand): its scheduled run fails naming the header, sending
        // nothing, where the HTTP client threw "invalid header value" with no result
        parameters.put("variables", Map.of("v", "fine"));
        Job job = runs.create("saved-before", "webhook_trigger", parameters);
        parameters.put("variables", Map.of("v", "caf\u00e9\u0001x"));
        jdbc.sql("UPDATE jobs SET parameters = ? WHERE id = ?")
                .params(json.writeValueAsString(parameters), job.id().value())
                .update();
        clock.advance(Duration.ofHours(24));
        engine.runDueOnce();
        Map<String, Object> scheduled = jdbc.sql("SELECT status, result, error FROM executions WHERE job_id = ?")
                .param(job.id().value())
                .query()
                .singleRow();
        assertThat(scheduled.get("status")).as(scheduled.toString()).isEqualTo("failed");
        assertThat(String.valueOf(scheduled.get("result")))
                .as(scheduled.toString())
                .contains("header 'X-V', with its variables filled in, holds characters a header may not")
                .contains("\"attempts\":0");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aContentTypeOfTheUsersReplacesTheDefault() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).build());
        Map<String, Object> parameters = webhook("/xml");
        parameters.put("body", "<ping/>");
        parameters.put("headers", Map.of("content-type", "text/xml"));
        parameters.put("signing_secret", "0123456789abcdef0123");
        parameters.put("secret_headers", Map.of("x-almanac-signature", "overridden by the signature"));

        Execution run = runs.run("webhook_trigger", parameters);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getHeaders().values("Content-Type")).containsExactly("text/xml");
        assertThat(request.getHeaders().values("X-Almanac-Signature"))
                .singleElement()
                .asString()
                .startsWith("sha256=");
        assertThat(request.getBody().utf8()).isEqualTo("<ping/>");
    }

    @Test
    void aRunTheGuardRefusesCountsTheAttemptItsLogAnnounces() throws Exception {
        // an address the guard refuses when the request is made, as a redirect's (or a name's resolved since its save)
        server.enqueue(new MockResponse.Builder()
                .code(302)
                .addHeader("Location", "http://127.0.0.1:9/")
                .build());
        Map<String, Object> parameters = webhook("/guarded");
        parameters.put("follow_redirects", true);
        parameters.put("max_retries", 2);
        Job job = runs.create("guarded", "webhook_trigger", parameters);

        Execution run = runs.run(job, false);

        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        Map<?, ?> details = (Map<?, ?>) run.result().get("details");
        assertThat(details.get("attempts")).isEqualTo(1);
        assertThat((List<?>) details.get("attempt_outcomes"))
                .singleElement()
                .asString()
                .startsWith("refused by the SSRF guard: ");
        List<String> log = jdbc.sql("SELECT message FROM execution_logs WHERE execution_id = ? ORDER BY seq")
                .param(run.id().value())
                .query(String.class)
                .list();
        assertThat(log).contains("attempt 1: POST http://localhost:" + server.getPort() + "/guarded");
        assertThat(log).anySatisfy(line -> assertThat(line).startsWith("attempt 1 refused by the SSRF guard: "));
        String page = securedMvc()
                .perform(get("/executions/" + run.id()).with(user("root").roles("SUPER_ADMIN")))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(page).contains("<dt>details.attempts</dt><dd>1</dd>");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    private MockHttpServletResponse save(Map<String, Object> parameters) throws Exception {
        return mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(Map.of(
                                "name",
                                "hook-" + System.nanoTime(),
                                "template_type",
                                "webhook_trigger",
                                "schedule",
                                Map.of("type", "interval", "interval_seconds", 3600),
                                "parameters",
                                parameters))))
                .andReturn()
                .getResponse();
    }

    private Map<String, Object> webhook(String path) {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("url", "http://localhost:" + server.getPort() + path);
        parameters.put("method", "POST");
        parameters.put("body", Map.of("ping", true));
        return parameters;
    }
}
