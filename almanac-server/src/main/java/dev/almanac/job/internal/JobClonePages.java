package dev.almanac.job.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.job.Job;
import dev.almanac.job.JobForm;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.job.Notifications;
import dev.almanac.security.Permissions;
import dev.almanac.template.ParameterForm;
import dev.almanac.web.AdminPage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/** Clone: the wizard filled in with a job's definition, as a new, disabled job without the original's secrets. */
@AdminPage
class JobClonePages {

    private final JobService jobs;
    private final JobWizard wizard;
    private final Permissions permissions;

    JobClonePages(JobService jobs, JobWizard wizard, Permissions permissions) {
        this.jobs = jobs;
        this.wizard = wizard;
        this.permissions = permissions;
    }

    /** What a secret field left out of a copy says. */
    static final String NOT_COPIED = "not copied from the original: type it again";

    /** The same for an optional one. */
    static final String NOT_COPIED_OPTIONAL = NOT_COPIED + ", or leave it empty for none";

    /** The notification fields, by the label the Options step gives them. */
    private static final Map<String, String> NOTIFICATIONS = new LinkedHashMap<>();

    static {
        NOTIFICATIONS.put("notify_failure", "Tell about failures");
        NOTIFICATIONS.put("notify_success", "Tell about successes");
        NOTIFICATIONS.put("notify_retry", "Tell about each retry");
    }

    @GetMapping("/jobs/{id}/clone")
    String copy(@PathVariable String id, Model model) {
        Job job = jobs.get(JobId.fromPath(id));
        permissions.requireMayActOn(
                job.definition().templateType(), "create", AuditTrail.Target.of("job", job.id(), job.name()));
        ParameterForm parameters = wizard.parameterForm(job.definition().templateType());
        JobForm form = JobForm.of(job.definition(), parameters);
        // a name at the longest allowed gives up its end to " copy", so the copy never offers the original's name
        String original = job.name();
        int room = 100 - " copy".length();
        form.set("name", (original.length() > room ? original.substring(0, room).strip() : original) + " copy");
        // a copy is a new job with no secrets stored: its secrets are typed again, not carried as masks; the clone's
        // notice names each one left out, and its field is marked
        List<String> retype = new ArrayList<>();
        List<String> retypeFields = new ArrayList<>();
        Map<String, String> marks = new LinkedHashMap<>();
        if (parameters != null) {
            List<String> dropped = form.values().entrySet().stream()
                    .filter(e -> parameters.isSecret(e.getKey()))
                    .filter(e -> e.getValue().stream().anyMatch(v -> v != null && !v.isEmpty()))
                    .map(Map.Entry::getKey)
                    .toList();
            form.values().keySet().removeIf(parameters::isSecret);
            List<ParameterForm.Field> fields = parameters.fields(form.values(), Map.of(), false);
            Map<String, String> labels = labels(fields, "");
            Set<String> required = required(fields);
            for (String name : dropped) {
                String label = labels.getOrDefault(name, name.substring(ParameterForm.PREFIX.length() + 1));
                retype.add(label);
                retypeFields.add(name);
                marks.put(name, required.contains(name) ? NOT_COPIED : NOT_COPIED_OPTIONAL);
            }
        }
        // nor does it carry the original's webhook URLs, secrets too: e-mail addresses stay, URLs are typed again
        for (Map.Entry<String, String> field : NOTIFICATIONS.entrySet()) {
            List<String> lines = form.get(field.getKey()).lines().toList();
            for (String line : lines) {
                if (Notifications.isUrl(line.strip())) {
                    retype.add(field.getValue() + ": " + Notifications.shown(line.strip()));
                    if (!retypeFields.contains(field.getKey())) {
                        retypeFields.add(field.getKey());
                    }
                }
            }
            form.set(
                    field.getKey(),
                    lines.stream().filter(r -> !Notifications.isUrl(r.strip())).collect(Collectors.joining("\n")));
        }
        form.values().put(JobForm.CLONE_RETYPE, retype);
        form.values().put(JobForm.CLONE_RETYPE_FIELDS, retypeFields);
        // like the API's clone: a copy never runs on the original's schedule until its owner says so
        form.set("enabled", "false");
        form.set(JobForm.CLONED_FROM, job.name());
        return wizard.show(form, JobForm.PARAMETERS, null, marks, List.of(), model);
    }

    /**
     * The label of every field by form name, as the page shows it: a group's label before its fields' ("Auth:
     * Password"), a map row's name after the map's label ("Secret headers: X-Api-Key").
     */
    private static Map<String, String> labels(List<ParameterForm.Field> fields, String above) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (ParameterForm.Field field : fields) {
            String label = above.isEmpty() ? field.label() : above + ": " + field.label();
            if (field.kind().equals("map")) {
                for (ParameterForm.Field row : field.children()) {
                    String key = row.children().isEmpty()
                            ? null
                            : row.children().get(0).value();
                    String rowLabel = key == null || key.isBlank() ? row.label() : label + ": " + key.strip();
                    row.children().forEach(part -> labels.put(part.name(), rowLabel));
                }
            } else if (field.isGroup()) {
                labels.putAll(labels(field.children(), label));
            }
            labels.put(field.name(), label);
        }
        return labels;
    }

    /** The form names of the required fields. */
    private static Set<String> required(List<ParameterForm.Field> fields) {
        Set<String> required = new HashSet<>();
        for (ParameterForm.Field field : fields) {
            if (field.required()) {
                required.add(field.name());
            }
            required.addAll(required(field.children()));
        }
        return required;
    }
}
