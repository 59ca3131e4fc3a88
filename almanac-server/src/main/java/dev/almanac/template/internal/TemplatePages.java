package dev.almanac.template.internal;

import dev.almanac.template.TemplateDescriptor;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.web.AdminPage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** The template catalogue of the admin UI: every installed template, its risk and its parameters. */
@AdminPage
@RequestMapping("/templates")
public class TemplatePages {

    private final TemplateRegistry registry;
    private final JsonMapper json;

    TemplatePages(TemplateRegistry registry, JsonMapper json) {
        this.registry = registry;
        this.json = json;
    }

    /** One parameter as the catalogue lists it. */
    public record ParameterRow(String name, String type, boolean required, String description, String rules) {}

    @GetMapping
    String list(Model model) {
        Map<String, List<TemplateDescriptor>> byCategory = new LinkedHashMap<>();
        for (RegisteredTemplate registered : registry.registered()) {
            byCategory
                    .computeIfAbsent(registered.descriptor().category(), c -> new ArrayList<>())
                    .add(registered.descriptor());
        }
        model.addAttribute("categories", byCategory);
        return "catalogue/list";
    }

    @GetMapping("/{type}")
    String detail(@PathVariable String type, Model model) {
        RegisteredTemplate registered = registry.registered(type).orElseThrow(() -> TemplateRegistry.notFound(type));
        List<ParameterRow> rows = new ArrayList<>();
        parameters("", registered.schemaDocument(), rows);
        model.addAttribute("t", registered.descriptor());
        model.addAttribute("parameters", rows);
        model.addAttribute("example", pretty(registered.exampleParameters()));
        model.addAttribute("schema", pretty(registered.schemaDocument()));
        return "catalogue/detail";
    }

    @SuppressWarnings("unchecked")
    private static void parameters(String prefix, Map<String, Object> node, List<ParameterRow> rows) {
        if (!(node.get("properties") instanceof Map<?, ?> properties)) {
            return;
        }
        List<?> required = node.get("required") instanceof List<?> list ? list : List.of();
        properties.forEach((key, value) -> {
            if (!(value instanceof Map<?, ?> child)) {
                return;
            }
            Map<String, Object> property = (Map<String, Object>) child;
            String name = prefix + key;
            rows.add(new ParameterRow(
                    name,
                    String.valueOf(property.getOrDefault("type", property.containsKey("enum") ? "choice" : "any")),
                    required.contains(key),
                    property.get("description") instanceof String d ? d : null,
                    rules(property)));
            parameters(name + ".", property, rows);
            if (property.get("items") instanceof Map<?, ?> items) {
                parameters(name + "[].", (Map<String, Object>) items, rows);
            }
        });
    }

    private static String rules(Map<String, Object> property) {
        List<String> rules = new ArrayList<>();
        for (String keyword : List.of(
                "enum", "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "default")) {
            if (property.containsKey(keyword)) {
                rules.add(keyword + ": " + property.get(keyword));
            }
        }
        if (Boolean.TRUE.equals(property.get("writeOnly")) || "password".equals(property.get("format"))) {
            rules.add("secret");
        }
        return String.join("; ", rules);
    }

    private String pretty(Object value) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JacksonException e) {
            return String.valueOf(value);
        }
    }
}
