package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The published API description ({@code /v3/api-docs}) as a client generator reads it, walked as a whole so an
 * operation added later is held to the same rules: every operation says what it answers on success, and every error
 * it declares with a body is described by the one problem schema.
 */
@WithH2
@SpringBootTest(properties = {"almanac.data-dir=target/test-data", "almanac.engine.enabled=false"})
class OpenApiContractTests extends AlmanacIntegrationTest {

    private static final String PROBLEM = "#/components/schemas/ProblemDetail";

    @Test
    void everyOperationDeclaresASuccessAndEveryErrorBodyIsAProblem() throws Exception {
        JsonNode docs = new ObjectMapper()
                .readTree(mvc.perform(get("/v3/api-docs"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString(StandardCharsets.UTF_8));

        List<String> withoutSuccess = new ArrayList<>();
        List<String> errorsWithoutProblem = new ArrayList<>();
        int operations = 0;
        for (Map.Entry<String, JsonNode> path : docs.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                if (!method.getValue().has("responses")) {
                    continue;
                }
                operations++;
                String operation = method.getKey().toUpperCase() + " " + path.getKey();
                JsonNode responses = method.getValue().path("responses");
                boolean success = false;
                for (Map.Entry<String, JsonNode> response : responses.properties()) {
                    String code = response.getKey();
                    success |= code.startsWith("2");
                    if (code.startsWith("4") || code.startsWith("5")) {
                        for (Map.Entry<String, JsonNode> media :
                                response.getValue().path("content").properties()) {
                            String ref =
                                    media.getValue().path("schema").path("$ref").asText("");
                            if (!ref.equals(PROBLEM)) {
                                errorsWithoutProblem.add(operation + " " + code + " " + media.getKey());
                            }
                        }
                    }
                }
                if (!success) {
                    withoutSuccess.add(operation);
                }
            }
        }

        assertThat(operations).isGreaterThan(50);
        assertThat(withoutSuccess).as("operations without a 2xx response").isEmpty();
        assertThat(errorsWithoutProblem)
                .as("error responses whose body is not the problem schema")
                .isEmpty();
        assertThat(docs.path("components").path("schemas").path("ProblemDetail").path("properties"))
                .isNotNull();
        assertThat(docs.path("components")
                        .path("schemas")
                        .path("ProblemDetail")
                        .path("properties")
                        .has("status"))
                .isTrue();
        // refusals a client meets in ordinary use: resuming a job that is not paused, ending a freeze twice
        assertThat(docs.at("/paths/~1api~1admin~1scheduler~1jobs~1{id}~1resume/post/responses/409/content"))
                .isNotEmpty();
        assertThat(docs.at("/paths/~1api~1admin~1scheduler~1freezes~1{id}/delete/responses/404/content"))
                .isNotEmpty();
    }
}
