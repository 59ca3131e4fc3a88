package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WizardWalk;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
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

    private WizardWalk walk;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        walk = new WizardWalk(securedMvc(), mvc, json);
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

                MultiValueMap<String, String> edit = walk.form("/jobs/" + id + "/edit", "wizard");
                edit.set(row + ".key", "LONG");
                edit.set(row + ".value", tooLong);
                edit.set("_action", "next");
                for (boolean htmx : List.of(false, true)) {
                    assertMarkedAt(
                            walk.post(WizardWalk.WIZARD, edit, htmx), row + ".value", type + " wizard, htmx " + htmx);
                }

                MultiValueMap<String, String> run = walk.form("/jobs/" + id + "/run", "run-form");
                run.set(row + ".key", "LONG");
                run.set(row + ".value", tooLong);
                run.set("confirm", "yes");
                assertMarkedAt(walk.post("/jobs/" + id + "/run", run, false), row + ".value", type + " run form");
            }
        }
    }

    private static void assertMarkedAt(MockHttpServletResponse response, String name, String what) throws Exception {
        assertThat(response.getStatus()).as(what).isEqualTo(400);
        WizardWalk.assertMarkedInvalid(WizardWalk.html(response), name, what);
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
        return walk.createJob(Map.of(
                "name",
                "maps of " + type,
                "template_type",
                type,
                "parameters",
                templates.exampleParameters(type).orElseThrow()));
    }
}
