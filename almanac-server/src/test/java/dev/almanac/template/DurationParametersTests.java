package dev.almanac.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every template parameter that holds an age or a duration ({@code "format": "duration"}) refuses, when the job is
 * saved, a value too large to subtract from now (a 400 naming the parameter, never a 500 or a job whose every run
 * fails), and takes the largest it documents: 36500 days. A template added later is walked too.
 */
abstract class DurationParametersTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends DurationParametersTests {}

    @WithPostgres
    static class OnPostgres extends DurationParametersTests {}

    static final List<Object> TOO_LARGE =
            List.of("PT2562047788015215H", 9999999999999L, "P36501D", 36501, "P200Y", "PT876025H");

    static final List<Object> LARGEST = List.of(36500, "P36500D", "PT876000H");

    @Autowired
    TemplateRegistry templates;

    @Autowired
    JsonMapper json;

    @Test
    void everyDurationParameterRefusesTooLargeAValueWhenTheJobIsSavedAndTakesTheLargest() throws Exception {
        List<String> walked = new ArrayList<>();
        for (JobTemplate template : templates.all()) {
            String type = template.descriptor().type();
            JsonNode properties =
                    json.readTree(template.descriptor().parametersSchema()).path("properties");
            for (Map.Entry<String, JsonNode> property : properties.properties()) {
                String field = property.getKey();
                if (!"duration".equals(property.getValue().path("format").asString(""))) {
                    continue;
                }
                walked.add(type + "." + field);
                for (Object value : TOO_LARGE) {
                    MockHttpServletResponse saved = save(type, field, value);
                    assertThat(saved.getStatus())
                            .as("%s.%s = %s: %s", type, field, value, saved.getContentAsString())
                            .isEqualTo(400);
                    List<String> fields = JsonPath.read(saved.getContentAsString(), "$.errors[*].field");
                    assertThat(fields).contains("parameters." + field);
                }
                for (Object value : LARGEST) {
                    MockHttpServletResponse saved = save(type, field, value);
                    assertThat(saved.getStatus())
                            .as("%s.%s = %s: %s", type, field, value, saved.getContentAsString())
                            .isEqualTo(201);
                }
            }
        }
        assertThat(walked).contains("database_cleanup.older_than");
    }

    private MockHttpServletResponse save(String type, String field, Object value) throws Exception {
        Map<String, Object> parameters =
                new LinkedHashMap<>(templates.exampleParameters(type).orElse(Map.of()));
        parameters.put(field, value);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", type + "-" + System.nanoTime());
        request.put("template_type", type);
        request.put("parameters", parameters);
        request.put("schedule", Map.of("type", "cron", "expression", "0 3 * * *"));
        return mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(request)))
                .andReturn()
                .getResponse();
    }
}
