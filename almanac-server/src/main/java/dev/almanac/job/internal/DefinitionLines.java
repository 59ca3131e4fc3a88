package dev.almanac.job.internal;

import dev.almanac.common.Sealed;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.job.ParameterForms;
import dev.almanac.job.Trigger;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.template.ParameterForm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/** A definition's parameters and dependencies as the job page and the wizard's review list them, secrets masked. */
@Component
class DefinitionLines {

    /** A parameter as the definition shows it, secrets masked. */
    public record ParameterLine(String name, String value) {}

    private final JobService jobs;
    private final ParameterForms parameterForms;
    private final NamespaceAccess access;

    DefinitionLines(JobService jobs, ParameterForms parameterForms, NamespaceAccess access) {
        this.jobs = jobs;
        this.parameterForms = parameterForms;
        this.access = access;
    }

    List<ParameterLine> parameters(String type, Map<String, Object> parameters) {
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

    /**
     * The names of the jobs a definition depends on, by id; a deleted one says so, and one of a namespace the reader
     * may not see is not named, as {@link JobService} answers it, whoever posted its id.
     */
    Map<String, String> dependencies(List<JobId> ids) {
        Map<String, String> names = new LinkedHashMap<>();
        for (JobId id : ids) {
            names.put(id.toString(), nameOf(id));
        }
        return names;
    }

    /**
     * The names of the jobs a definition's triggers wait for, by id, as stored ({@code namespace/name} for another
     * namespace's), but not named when the reader may not see that job.
     */
    Map<String, String> triggers(List<Trigger> triggers) {
        Map<String, String> names = new LinkedHashMap<>();
        for (Trigger trigger : triggers) {
            names.put(
                    trigger.job().toString(),
                    jobs.find(trigger.job())
                            .filter(job -> !access.may(job.definition().namespace(), NamespaceAccess.Action.READ))
                            .map(hidden -> JobService.HIDDEN_JOB)
                            .orElse(trigger.jobName()));
        }
        return names;
    }

    private String nameOf(JobId id) {
        return jobs.find(id)
                .map(job -> access.may(job.definition().namespace(), NamespaceAccess.Action.READ)
                        ? job.name()
                        : JobService.HIDDEN_JOB)
                .orElse(id + " (deleted)");
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
