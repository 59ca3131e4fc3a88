package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.BrowserForm;
import dev.almanac.testing.WithH2;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * A map-shaped parameter (headers, secret headers, a script's secrets) is a list of rows of a name and a value on the
 * wizard and the Run now… form, while the job service names a wrong entry by its path ({@code
 * parameters.headers.X-Plain}): the error is shown next to that row's value, on every map of every template.
 */
@WithH2
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
class WizardMapErrorPagesTests extends AlmanacIntegrationTest {

    @Autowired
    TemplateRegistry templates;

    @Autowired
    JsonMapper json;

    private MockMvc ui;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        ui = securedMvc();
    }

    @Test
    void theServicesErrorOnAMapEntryIsShownAtItsRowOnTheWizardAndTheRunForm() throws Exception {
        approveTheExampleScript();
        Map<String, Map<String, Integer>> maps = boundedMaps();
        assertThat(maps).containsKeys("webhook_trigger", "script");
        for (Map.Entry<String, Map<String, Integer>> template : maps.entrySet()) {
            String type = template.getKey();
            String id = create(type);
            for (Map.Entry<String, Integer> map : template.getValue().entrySet()) {
                String row = "p." + map.getKey() + "[0]";
                String tooLong = "v".repeat(map.getValue() + 1);

                MultiValueMap<String, String> edit = BrowserForm.of(page("/jobs/" + id + "/edit"), "wizard");
                edit.set(row + ".key", "LONG");
                edit.set(row + ".value", tooLong);
                edit.set("_action", "next");
                for (boolean htmx : List.of(false, true)) {
                    MockHttpServletRequestBuilder call =
                            post("/jobs/wizard").with(csrf()).params(edit);
                    assertMarkedAt(
                            ui.perform(htmx ? call.header("HX-Request", "true") : call)
                                    .andReturn()
                                    .getResponse(),
                            row + ".value",
                            type + " wizard, htmx " + htmx);
                }

                MultiValueMap<String, String> run = BrowserForm.of(page("/jobs/" + id + "/run"), "run-form");
                run.set(row + ".key", "LONG");
                run.set(row + ".value", tooLong);
                run.set("confirm", "yes");
                assertMarkedAt(
                        ui.perform(post("/jobs/" + id + "/run").with(csrf()).params(run))
                                .andReturn()
                                .getResponse(),
                        row + ".value",
                        type + " run form");
            }
        }
    }

    private static void assertMarkedAt(MockHttpServletResponse response, String name, String what) throws Exception {
        String html = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as(what).isEqualTo(400);
        String quoted = Pattern.quote("name=\"" + name + "\"");
        assertThat(html)
                .as(what)
                .containsPattern(
                        "<[^>]*(" + quoted + "[^>]*aria-invalid=\"true\"|aria-invalid=\"true\"[^>]*" + quoted + ")");
    }

    /** Every template's top-level maps whose values have a longest length, by template type, from the schemas. */
    private Map<String, Map<String, Integer>> boundedMaps() {
        Map<String, Map<String, Integer>> maps = new TreeMap<>();
        for (var template : templates.all()) {
            var schema = json.readTree(template.descriptor().parametersSchema());
            schema.path("properties").properties().forEach(property -> {
                var entry = property.getValue().path("additionalProperties");
                if (entry.path("maxLength").isNumber()) {
                    maps.computeIfAbsent(template.descriptor().type(), t -> new LinkedHashMap<>())
                            .put(property.getKey(), entry.path("maxLength").asInt());
                }
            });
        }
        return maps;
    }

    private String create(String type) throws Exception {
        String body = json.writeValueAsString(Map.of(
                "name",
                "maps of " + type,
                "template_type",
                type,
                "enabled",
                false,
                "parameters",
                templates.exampleParameters(type).orElseThrow(),
                "schedule",
                Map.of("type", "interval", "interval_seconds", 3600)));
        MockHttpServletResponse response = mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andReturn()
                .getResponse();
        String answer = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as(answer).isEqualTo(201);
        return json.readTree(answer).path("job").path("id").asString();
    }

    private String page(String path) throws Exception {
        MockHttpServletResponse response = ui.perform(get(path)).andReturn().getResponse();
        String html = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as(html).isEqualTo(200);
        return html;
    }
}
