package dev.almanac.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.job.JobId;
import dev.almanac.target.internal.DemoDatabase;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.WithH2;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mockwebserver3.Dispatcher;
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
 * What a template declares its results hold ({@link JobTemplate#resultDetails()}), against which trigger conditions
 * are checked on save, is what its runs report. For every installed template that declares details, real runs (its
 * example, and the runs listed here for its other outcomes) report each declared detail with the declared type, and a
 * downstream condition reading it holds. A template added later is covered by its example with no new test.
 */
@WithH2
class ResultDetailsTests extends AlmanacIntegrationTest {

    static final String JOBS = "/api/admin/scheduler/jobs";

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
    DemoDatabase demo;

    @Autowired
    JsonMapper json;

    MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return request.getTarget().startsWith("/fail")
                        ? new MockResponse.Builder().code(500).body("down").build()
                        : new MockResponse.Builder()
                                .code(200)
                                .addHeader("Content-Type", "application/json")
                                .body("{}")
                                .build();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyDeclaredResultDetailIsReportedWithItsTypeAndAConditionOnItHolds() throws Exception {
        demo.recreate(START);
        // the outcomes a template's example does not reach, each as changes to the example's parameters
        Map<String, List<Map<String, Object>>> otherRuns = Map.of(
                "webhook_trigger", List.of(Map.of("url", server.url("/fail").toString(), "max_retries", 0)),
                "database_cleanup", List.of(Map.of("dry_run", false)));
        List<JobTemplate> declaring = templates.all().stream()
                .filter(t -> !t.resultDetails().isEmpty())
                .toList();
        assertThat(declaring).extracting(t -> t.descriptor().type()).contains("webhook_trigger", "database_cleanup");

        for (JobTemplate template : declaring) {
            String type = template.descriptor().type();
            Map<String, String> declared = template.resultDetails();
            Map<String, Object> example = TestOutbound.reachableAt(
                    server,
                    templates.exampleParameters(type).orElseThrow(() -> new AssertionError(type + " has no example")));
            List<Map<String, Object>> runs = new java.util.ArrayList<>();
            runs.add(example);
            for (Map<String, Object> changes : otherRuns.getOrDefault(type, List.of())) {
                Map<String, Object> changed = new LinkedHashMap<>(example);
                changed.putAll(changes);
                runs.add(changed);
            }
            Set<String> reported = new LinkedHashSet<>();
            for (int i = 0; i < runs.size(); i++) {
                String upstream = create(Map.of(
                        "name",
                        type + "-" + i,
                        "template_type",
                        type,
                        "parameters",
                        runs.get(i),
                        "schedule",
                        Map.of("type", "cron", "expression", "0 3 * * *")));
                Map<String, String> readers = new LinkedHashMap<>();
                for (Map.Entry<String, String> detail : declared.entrySet()) {
                    readers.put(
                            detail.getKey(),
                            create(Map.of(
                                    "name", type + "-" + i + "-" + detail.getKey(),
                                    "template_type", "heartbeat",
                                    "parameters", Map.of("message", "read"),
                                    "schedule", Map.of("type", "cron", "expression", "0 3 * * *"),
                                    "triggers",
                                            List.of(Map.of(
                                                    "job",
                                                    upstream,
                                                    "on",
                                                    "any",
                                                    "condition",
                                                    anyValueOf(detail.getKey(), detail.getValue()))))));
                }

                mvc.perform(post(JOBS + "/" + upstream + "/run")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"dry_run\":false}"))
                        .andExpect(status().isAccepted());
                engine.runDueOnce();

                Execution run = only(upstream);
                Map<?, ?> details = (Map<?, ?>) run.result().get("details");
                for (Map.Entry<String, String> detail : declared.entrySet()) {
                    Object value = details.get(detail.getKey());
                    if (value == null) {
                        continue;
                    }
                    reported.add(detail.getKey());
                    assertThat(hasType(value, detail.getValue()))
                            .as(
                                    "%s run %d (%s) reports details.%s = %s, declared %s",
                                    type, i, run.status(), detail.getKey(), value, detail.getValue())
                            .isTrue();
                    assertThat(history(readers.get(detail.getKey())))
                            .as("%s run %d: the condition %s", type, i, anyValueOf(detail.getKey(), detail.getValue()))
                            .hasSize(1);
                }
            }
            assertThat(reported)
                    .as("%s declares these details: some run listed here must report each", type)
                    .containsExactlyInAnyOrderElementsOf(declared.keySet());
        }
    }

    /** A condition true for every value of the declared type, and one that cannot be evaluated on any other. */
    private static String anyValueOf(String name, String type) {
        String detail = "result.details." + name;
        return switch (type) {
            case "int" -> detail + " >= 0 || " + detail + " < 0";
            case "double" -> detail + " >= 0.0 || " + detail + " < 0.0";
            case "bool" -> detail + " || !" + detail;
            case "string", "list", "map" -> "size(" + detail + ") >= 0";
            default -> throw new AssertionError("unknown declared type " + type + " of " + name);
        };
    }

    /** The value as the stored result holds it (JSON read back) is of the declared type. */
    private static boolean hasType(Object value, String type) {
        return switch (type) {
            case "int" -> value instanceof Integer || value instanceof Long || value instanceof BigInteger;
            case "double" -> value instanceof Number;
            case "string" -> value instanceof String;
            case "bool" -> value instanceof Boolean;
            case "list" -> value instanceof List;
            case "map" -> value instanceof Map;
            default -> false;
        };
    }

    private String create(Map<String, Object> request) throws Exception {
        return JsonPath.read(
                mvc.perform(post(JOBS)
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(json.writeValueAsString(request)))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
    }

    private List<Execution> history(String job) {
        return executions.list(ExecutionQuery.ofJob(JobId.parse(job).orElseThrow(), 10));
    }

    private Execution only(String job) {
        List<Execution> runs = history(job);
        assertThat(runs).hasSize(1);
        return runs.get(0);
    }
}
