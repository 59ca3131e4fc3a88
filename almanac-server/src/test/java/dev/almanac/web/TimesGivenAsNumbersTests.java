package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * A time in a request body is text: {@code "until": 1900000000} was read as seconds since 1970 (paused until 2030), a
 * token's {@code expires_at} and a preview's {@code from} likewise. Walks every operation of the API description whose
 * body has a date or date-time field, so a field added later is held to the same rule.
 */
@WithH2
class TimesGivenAsNumbersTests extends AlmanacIntegrationTest {

    @Test
    void theNamedFieldsRefuseANumberAndChangeNothing() throws Exception {
        // quoted too: Jackson reads a string of digits as seconds since 1970 as well
        for (String number : List.of("1900000000", "1e300", "12345.5", "\"1900000000\"", "\"12345.5\"")) {
            mvc.perform(post("/api/admin/scheduler/namespaces/default/pause")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"until\":" + number + "}"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("until"))
                    .andExpect(jsonPath("$.errors[0].message")
                            .value("must be a date and time such as 2026-12-05T10:00:00Z"));
            mvc.perform(post("/api/admin/scheduler/tokens")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"name\":\"n\",\"expires_at\":" + number + "}"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("expires_at"));
            mvc.perform(post("/api/admin/scheduler/schedules/preview")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"},\"from\":" + number
                                    + "}"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("from"));
        }
        mvc.perform(get("/api/admin/scheduler/namespaces/default"))
                .andExpect(jsonPath("$.namespace.paused_since").doesNotExist());
        mvc.perform(post("/api/admin/scheduler/namespaces/default/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"until\":\"2030-01-01T00:00:00Z\"}"))
                .andExpect(status().isOk());
    }

    @Test
    void everyDateOrTimeFieldOfEveryRequestBodyRefusesANumber() throws Exception {
        JsonNode docs = new ObjectMapper()
                .readTree(mvc.perform(get("/v3/api-docs"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString(StandardCharsets.UTF_8));
        JsonNode schemas = docs.path("components").path("schemas");
        List<String> accepted = new ArrayList<>();
        List<String> walked = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : docs.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                JsonNode body = operation
                        .getValue()
                        .path("requestBody")
                        .path("content")
                        .path("application/json")
                        .path("schema");
                List<String> fields = new ArrayList<>();
                timeFields(resolve(body, schemas), schemas, "", fields, 0);
                for (String field : fields) {
                    String address = path.getKey()
                            .replaceAll("\\{[^}]*[iI]d}", UUID.randomUUID().toString())
                            .replaceAll("\\{[^}]*}", "default");
                    MockHttpServletResponse answer = mvc.perform(request(
                                            HttpMethod.valueOf(
                                                    operation.getKey().toUpperCase()),
                                            "/api/admin/scheduler" + address.replaceFirst("^/api/admin/scheduler", ""))
                                    .contentType(MediaType.APPLICATION_JSON)
                                    .content(nested(field, "1900000000")))
                            .andReturn()
                            .getResponse();
                    String what = operation.getKey().toUpperCase() + " " + path.getKey() + " " + field;
                    walked.add(what);
                    String text = answer.getContentAsString(StandardCharsets.UTF_8);
                    if (answer.getStatus() != 400 || !text.contains("\"field\":\"" + field + "\"")) {
                        accepted.add(what + " -> " + answer.getStatus() + " " + text);
                    }
                }
            }
        }
        assertThat(walked).as("the walk found the time fields").hasSizeGreaterThanOrEqualTo(3);
        assertThat(accepted).as("time fields that took a number").isEmpty();
    }

    /** {@code a.b} as {@code {"a":{"b":value}}}. */
    private static String nested(String field, String value) {
        String json = value;
        String[] steps = field.split("\\.");
        for (int i = steps.length - 1; i >= 0; i--) {
            json = "{\"" + steps[i] + "\":" + json + "}";
        }
        return json;
    }

    private static JsonNode resolve(JsonNode schema, JsonNode schemas) {
        String ref = schema.path("$ref").asText("");
        return ref.isEmpty() ? schema : schemas.path(ref.substring(ref.lastIndexOf('/') + 1));
    }

    private static void timeFields(JsonNode schema, JsonNode schemas, String prefix, List<String> into, int depth) {
        if (depth > 3) {
            return;
        }
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            JsonNode value = resolve(property.getValue(), schemas);
            String format = value.path("format").asText("");
            if (format.equals("date-time") || format.equals("date")) {
                into.add(prefix + property.getKey());
            } else if (value.has("properties")) {
                timeFields(value, schemas, prefix + property.getKey() + ".", into, depth + 1);
            }
        }
    }
}
