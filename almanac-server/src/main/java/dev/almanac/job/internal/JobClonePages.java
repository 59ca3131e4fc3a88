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
import java.util.List;
import java.util.Map;
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
        // a copy is a new job with no secrets stored: its secrets are typed again, not carried as masks
        if (parameters != null) {
            form.values().keySet().removeIf(parameters::isSecret);
        }
        // nor does it carry the original's webhook URLs, secrets too: e-mail addresses stay, URLs are typed again
        for (String field : List.of("notify_success", "notify_failure", "notify_retry")) {
            form.set(
                    field,
                    form.get(field)
                            .lines()
                            .filter(r -> !Notifications.isUrl(r.strip()))
                            .collect(Collectors.joining("\n")));
        }
        // like the API's clone: a copy never runs on the original's schedule until its owner says so
        form.set("enabled", "false");
        form.set(JobForm.CLONED_FROM, job.name());
        return wizard.show(form, JobForm.PARAMETERS, null, Map.of(), List.of(), model);
    }
}
