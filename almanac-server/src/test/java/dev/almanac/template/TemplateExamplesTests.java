package dev.almanac.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import java.util.LinkedHashMap;
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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every installed template's example works on a fresh start: filled in as the UI's "Fill in the template's example"
 * does (through the parameter form and back), it is valid, a job made from it through the API is stored, and the job
 * runs successfully (a dry run for a destructive template) against the demo target, a local HTTP server standing in
 * for any URL, and a local SMTP server. A template added later is covered with no new test.
 */
@WithH2
class TemplateExamplesTests extends AlmanacIntegrationTest {

    static final String API = "/api/admin/scheduler";

    @DynamicPropertySource
    static void outbound(DynamicPropertyRegistry registry) {
        TestOutbound.register(registry);
        // one run per template, however many are installed
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
    void everyTemplatesExampleIsValidAndRunsFromAFreshStart() throws Exception {
        List<JobTemplate> withExamples = templates.all().stream()
                // the fixtures of this test suite (TestTemplates) are not installed anywhere else
                .filter(t -> t.getClass().getEnclosingClass() != TestTemplates.class)
                // the script template's example names a script that must first be written and approved: ScriptTests
                .filter(t -> !t.descriptor().type().equals("script"))
                .filter(t -> !templates
                        .exampleParameters(t.descriptor().type())
                        .orElse(Map.of())
                        .isEmpty())
                .toList();
        assertThat(withExamples)
                .extracting(t -> t.descriptor().type())
                .contains("webhook_trigger", "database_cleanup", "data_export", "countdown");

        for (JobTemplate template : withExamples) {
            String type = template.descriptor().type();
            Map<String, Object> parameters = filledInThroughTheForm(type);
            assertThat(templates.validateParameters(type, parameters))
                    .as("%s's example", type)
                    .isEmpty();

            String job = create(type, TestOutbound.reachableAt(server, parameters));
            boolean dryRun = template.descriptor().destructive();
            server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
            String execution = JsonPath.read(
                    mvc.perform(post(API + "/jobs/" + job + "/run")
                                    .contentType(MediaType.APPLICATION_JSON)
                                    .content("{\"dry_run\":" + dryRun + "}"))
                            .andExpect(status().isAccepted())
                            .andReturn()
                            .getResponse()
                            .getContentAsString(),
                    "$.execution_id");
            engine.runDueOnce();

            var ended = executions.get(ExecutionId.parse(execution).orElseThrow());
            assertThat(ended.status())
                    .as("%s's example %s: %s", type, dryRun ? "dry run" : "run", ended.error())
                    .isEqualTo(ExecutionStatus.SUCCEEDED);
        }
        // the webhook's example body reaches the receiver as the JSON object it shows, not a Java map's text
        RecordedRequest webhook = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(webhook).isNotNull();
        assertThat(webhook.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(json.readTree(webhook.getBody().utf8()).get("job").asString())
                .startsWith("example-webhook_trigger");
    }

    /** What the wizard stores after "Fill in the template's example": the example through the form and back. */
    private Map<String, Object> filledInThroughTheForm(String type) {
        ParameterForm form = templates.form(type).orElseThrow();
        Map<String, Object> example = templates.exampleParameters(type).orElseThrow();
        ParameterForm.Parsed parsed = form.parse(form.toForm(example));
        assertThat(parsed.errors()).as("%s's example through the form", type).isEmpty();
        return parsed.parameters();
    }

    private String create(String type, Map<String, Object> parameters) throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", "example-" + type);
        request.put("template_type", type);
        request.put("parameters", parameters);
        request.put("schedule", Map.of("type", "cron", "expression", "0 3 * * *"));
        return JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(json.writeValueAsString(request)))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
    }
}
