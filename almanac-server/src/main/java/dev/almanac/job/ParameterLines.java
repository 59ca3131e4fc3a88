package dev.almanac.job;

import dev.almanac.common.Sealed;
import dev.almanac.template.ParameterForm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * Parameters as the pages list them, one line per leaf ({@code headers.X-Ok = …}, {@code to[0] = …}), sealed values
 * and the template's secret fields masked: a job's page, the wizard's review and a run's page.
 */
@Component
public class ParameterLines {

    /** A parameter as the pages show it, secrets masked. */
    public record ParameterLine(String name, String value) {}

    private final ParameterForms parameterForms;

    ParameterLines(ParameterForms parameterForms) {
        this.parameterForms = parameterForms;
    }

    /** The lines of {@code parameters} of a {@code type} job, by name. */
    public List<ParameterLine> of(String type, Map<String, Object> parameters) {
        ParameterForm form = parameterForms.of(type, Map.of()).orElse(null);
        Map<String, Object> flat = new TreeMap<>();
        flatten("", Sealed.maskedMap(parameters), flat);
        List<ParameterLine> lines = new ArrayList<>();
        flat.forEach((name, value) -> lines.add(new ParameterLine(
                name,
                form != null && form.isSecret(ParameterForm.PREFIX + "." + name)
                        ? Sealed.MASK
                        : String.valueOf(value))));
        return lines;
    }

    private static void flatten(String prefix, Object value, Map<String, Object> into) {
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty() && !prefix.isEmpty()) {
                into.put(prefix, "{}");
            }
            map.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, into));
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                into.put(prefix, "[]");
            }
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i), into);
            }
        } else if (value != null) {
            into.put(prefix, value);
        }
    }
}
