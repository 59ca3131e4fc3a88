package dev.almanac.job;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.InvalidInputException;
import dev.almanac.security.Permissions;
import dev.almanac.security.SecretParameters;
import dev.almanac.template.ParameterForm;
import dev.almanac.template.TemplateRegistry;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/** Jobs as the wizard describes them before they are saved: what a dry run of an unsaved job runs. */
@Component
public class JobDrafts {

    /**
     * The request attribute with why the wizard's dry run was refused, when it was posted without htmx and is
     * forwarded back to the wizard to show the message over the reader's input.
     */
    public static final String REFUSED = "almanac.wizard-refused";

    /** What the wizard says when the job it edits was deleted meanwhile: its steps, its dry run and its save. */
    public static final String DELETED_MEANWHILE =
            "This job was deleted while you were editing it. Your input is kept: saving creates it as a new job.";

    private final JobService jobs;
    private final TemplateRegistry templates;
    private final SecretParameters secrets;
    private final Permissions permissions;

    JobDrafts(JobService jobs, TemplateRegistry templates, SecretParameters secrets, Permissions permissions) {
        this.jobs = jobs;
        this.templates = templates;
        this.secrets = secrets;
        this.permissions = permissions;
    }

    /**
     * The stored job a form names as the one it edits ({@code job_id}), once the current user may change it: an edit
     * form reads that job's stored secrets and notification URLs and files its dry run under that job, so naming a job
     * one may only read (or not see) is refused, 403 (404), before anything of it is used.
     */
    public Job editable(JobId id) {
        Job job = jobs.get(id);
        requireMayChange(job);
        return job;
    }

    private void requireMayChange(Job job) {
        permissions.requireMayActOn(
                job.definition().templateType(),
                "update",
                AuditTrail.Target.of(
                        "job", job.id(), job.name(), job.definition().namespace()));
    }

    /**
     * The job the wizard's fields describe, validated and not saved.
     *
     * @throws InvalidInputException naming every wrong field by its API path
     */
    public Job fromWizard(Map<String, List<String>> fields, String actor) {
        JobForm shown = JobForm.of(fields);
        JobId editing = shown.get("job_id").isEmpty()
                ? null
                : JobId.parse(shown.get("job_id")).orElse(null);
        JobForm form = withStoredSecrets(shown, editing == null ? null : editable(editing));
        JobForm.Built built =
                form.toRequest(templates.form(form.get("template_type")).orElse(null));
        if (!built.errors().isEmpty()) {
            throw new InvalidInputException(built.errors());
        }
        return jobs.draft(built.request(), editing, actor);
    }

    /**
     * The form with every secret left blank while editing set to the stored secret, for the server to read and never
     * to show: stored secrets never travel to the browser, not even in hidden fields, plain or sealed. Refused unless
     * the current user may change {@code editing}.
     */
    public JobForm withStoredSecrets(JobForm shown, Job editing) {
        JobForm form = JobForm.of(shown.values());
        if (editing != null) {
            requireMayChange(editing);
        }
        if (editing == null || !editing.definition().templateType().equals(form.get("template_type"))) {
            return form;
        }
        form.replaceParameters(withStoredSecrets(form.parameterValues(), editing));
        return form;
    }

    /**
     * The parameters an edit form of {@code job} was read into, with every value the form cannot tell from the stored
     * one kept as stored ({@link ParameterForm#keepingUnchanged}), so that saving it untouched changes nothing.
     */
    public Map<String, Object> keepingUnchanged(Map<String, Object> read, Job job) {
        String type = job.definition().templateType();
        ParameterForm parameters = templates.form(type).orElse(null);
        if (parameters == null || read == null) {
            return read;
        }
        return parameters.keepingUnchanged(
                read, secrets.reveal(type, job.definition().parameters()));
    }

    /**
     * The parameter fields of a form of {@code job}'s template with every secret left blank set to the stored secret
     * in plain text (a map's row by its name): for the server to read and never to show.
     */
    public Map<String, List<String>> withStoredSecrets(Map<String, List<String>> submitted, Job job) {
        String type = job.definition().templateType();
        ParameterForm parameters = templates.form(type).orElse(null);
        if (parameters == null) {
            return submitted;
        }
        return parameters.withStoredSecrets(
                submitted, secrets.reveal(type, job.definition().parameters()));
    }
}
