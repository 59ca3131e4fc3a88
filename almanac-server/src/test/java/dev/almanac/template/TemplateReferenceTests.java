package dev.almanac.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The template reference in {@code docs/template-reference.md} is generated from the built-in templates' descriptors and
 * schemas, so it cannot drift from them: this test fails when the file differs from what the descriptors say.
 * Regenerate it with {@code mvn -pl almanac-server test -Dtest=TemplateReferenceTests -Dalmanac.docs.write=true}
 * (surefire passes the property on), then commit the file.
 */
@WithH2
class TemplateReferenceTests extends AlmanacIntegrationTest {

    @Autowired
    TemplateRegistry templates;

    static final Path REFERENCE = Path.of("..", "docs", "template-reference.md");
    static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theTemplateReferenceSaysWhatTheDescriptorsSay() throws IOException {
        String generated = render(templates.all().stream()
                .filter(t -> t.getClass().getPackageName().equals("dev.almanac.template.builtin"))
                .map(JobTemplate::descriptor)
                .sorted(Comparator.comparing(TemplateDescriptor::category).thenComparing(TemplateDescriptor::type))
                .toList());
        if (Boolean.getBoolean("almanac.docs.write")) {
            Files.writeString(REFERENCE, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(REFERENCE))
                .as("%s exists; run this test with -Dalmanac.docs.write=true to write it", REFERENCE)
                .isTrue();
        assertThat(Files.readString(REFERENCE, StandardCharsets.UTF_8))
                .as(
                        "docs/template-reference.md is out of date; run this test with -Dalmanac.docs.write=true and commit it")
                .isEqualTo(generated);
    }

    static String render(List<TemplateDescriptor> templates) {
        StringBuilder md = new StringBuilder();
        md.append("# Template reference\n\n")
                .append(
                        "Generated from the built-in templates' descriptors by `TemplateReferenceTests`; do not edit by")
                .append(
                        " hand.\nThe same information is served by `GET /api/admin/scheduler/templates/{type}`; how each")
                .append(" template behaves, with examples, is in [templates.md](templates.md).\n\n");
        for (TemplateDescriptor t : templates) {
            md.append("- [")
                    .append(t.name())
                    .append("](#")
                    .append(t.type())
                    .append(") — `")
                    .append(t.type())
                    .append("`\n");
        }
        for (TemplateDescriptor t : templates) {
            md.append("\n<a id=\"")
                    .append(t.type())
                    .append("\"></a>\n## ")
                    .append(t.name())
                    .append(" (`")
                    .append(t.type())
                    .append("`)\n\n")
                    .append(t.description())
                    .append("\n\n")
                    .append("| category | risk | destructive | estimated duration | resource usage |\n")
                    .append("|---|---|---|---|---|\n")
                    .append("| ")
                    .append(t.category())
                    .append(" | ")
                    .append(t.riskLevel().name().toLowerCase(Locale.ROOT))
                    .append(" | ")
                    .append(t.destructive() ? "yes" : "no")
                    .append(" | ")
                    .append(t.estimatedDuration().toString().substring(2).toLowerCase(Locale.ROOT))
                    .append(" | ")
                    .append(t.resourceUsage().name().toLowerCase(Locale.ROOT))
                    .append(" |\n\n");
            List<String[]> rows = new ArrayList<>();
            parameters(JSON.readTree(t.parametersSchema()), "", rows);
            if (rows.isEmpty()) {
                md.append("No parameters.\n");
            } else {
                md.append("| parameter | type | required | default | description |\n|---|---|---|---|---|\n");
                for (String[] row : rows) {
                    md.append("| ").append(String.join(" | ", row)).append(" |\n");
                }
            }
            if (t.exampleParameters() != null && !t.exampleParameters().isBlank()) {
                md.append("\nExample parameters:\n\n```json\n")
                        .append(JSON.writerWithDefaultPrettyPrinter()
                                .writeValueAsString(JSON.readTree(t.exampleParameters())))
                        .append("\n```\n");
            }
        }
        return md.toString();
    }

    private static void parameters(JsonNode schema, String prefix, List<String[]> rows) {
        JsonNode properties = schema.path("properties");
        Set<String> required = new HashSet<>();
        schema.path("required").forEach(r -> required.add(r.asString()));
        for (Map.Entry<String, JsonNode> property : properties.properties()) {
            String name = prefix + property.getKey();
            JsonNode p = property.getValue();
            rows.add(new String[] {
                "`" + name + "`",
                type(p),
                required.contains(property.getKey()) ? "yes" : "",
                p.has("default") ? "`" + JSON.writeValueAsString(p.get("default")) + "`" : "",
                cell(description(p))
            });
            if (p.path("properties").size() > 0) {
                parameters(p, name + ".", rows);
            } else if (p.path("items").path("properties").size() > 0) {
                parameters(p.get("items"), name + "[].", rows);
            }
        }
    }

    private static String type(JsonNode p) {
        if (p.has("enum")) {
            List<String> values = new ArrayList<>();
            p.get("enum").forEach(v -> values.add("`" + v.asString() + "`"));
            return "one of " + String.join(", ", values);
        }
        String type = p.path("type").isArray()
                ? p.path("type").toString()
                : p.path("type").asString("any");
        if ("array".equals(type) && p.has("items")) {
            return "array of " + type(p.get("items"));
        }
        return type.isEmpty() ? "any" : type;
    }

    private static String description(JsonNode p) {
        List<String> parts = new ArrayList<>();
        String text = p.path("description").asString(p.path("title").asString(""));
        if (!text.isBlank()) {
            parts.add(text.strip());
        }
        List<String> bounds = new ArrayList<>();
        for (String key :
                List.of("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern", "format")) {
            if (p.has(key)) {
                bounds.add(key + " " + (p.get(key).isString() ? "`" + p.get(key).asString() + "`" : p.get(key)));
            }
        }
        if (!bounds.isEmpty()) {
            parts.add("(" + String.join(", ", bounds) + ")");
        }
        if (p.path("x-secret").asBoolean(false)) {
            parts.add("Secret: encrypted at rest and masked in every response.");
        }
        if (p.path("x-aliases").isArray()) {
            List<String> aliases = new ArrayList<>();
            p.path("x-aliases").values().forEach(alias -> aliases.add("`" + alias.asString() + "`"));
            parts.add("Written " + String.join(" or ", aliases) + ", it is refused with a hint to this name.");
        }
        return String.join(" ", parts);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
