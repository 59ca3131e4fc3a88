package dev.almanac.job;

import dev.almanac.target.Targets;
import dev.almanac.template.ParameterForm;
import dev.almanac.template.TargetDescription;
import dev.almanac.template.TemplateRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * A template's parameter form as the pages show it: where a parameter names a target, a table or a column
 * ({@code "x-source": "targets" | "tables" | "columns"}), the choices are the configured targets and the allowlist
 * of the target (and table) the form has chosen so far.
 */
@Component
public class ParameterForms {

    private final TemplateRegistry templates;
    private final Targets targets;

    ParameterForms(TemplateRegistry templates, Targets targets) {
        this.templates = templates;
        this.targets = targets;
    }

    /** The form of {@code type} with choices for the values filled in so far, or empty for an unknown template. */
    public Optional<ParameterForm> of(String type, Map<String, List<String>> values) {
        List<TargetDescription> configured = targets.targets();
        Map<String, List<String>> sources = new LinkedHashMap<>();
        // the wizard's namespace (step 1) is offered only the targets granted to it
        String namespace = first(values, "namespace");
        List<TargetDescription> offered = namespace.isEmpty() ? configured : targets.grantedTargets(namespace);
        sources.put("targets", offered.stream().map(TargetDescription::name).toList());
        String target = first(values, ParameterForm.PREFIX + ".target");
        String table = first(values, ParameterForm.PREFIX + ".table");
        configured.stream().filter(t -> t.name().equals(target)).findFirst().ifPresent(chosen -> {
            sources.put("tables", new ArrayList<>(chosen.columns().keySet()));
            if (chosen.columns().containsKey(table)) {
                sources.put("columns", chosen.columns().get(table));
            }
        });
        return templates.form(type).map(form -> form.withSources(sources));
    }

    private static String first(Map<String, List<String>> values, String name) {
        List<String> list = values.get(name);
        return list == null || list.isEmpty() || list.get(0) == null
                ? ""
                : list.get(0).strip();
    }
}
