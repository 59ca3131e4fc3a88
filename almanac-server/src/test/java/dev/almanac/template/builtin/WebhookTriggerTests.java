package dev.almanac.template.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.WithH2;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/** webhook_trigger's headers, through the API against a real HTTP server (MockWebServer). */
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
