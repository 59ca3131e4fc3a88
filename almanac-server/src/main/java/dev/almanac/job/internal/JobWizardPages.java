package dev.almanac.job.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.ConflictException;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.job.Job;
import dev.almanac.job.JobCommands;
import dev.almanac.job.JobDefinition;
import dev.almanac.job.JobDrafts;
import dev.almanac.job.JobForm;
import dev.almanac.job.JobId;
import dev.almanac.job.JobRequest;
import dev.almanac.job.JobService;
import dev.almanac.security.Permissions;
import dev.almanac.template.ParameterForm;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.web.AdminPage;
import dev.almanac.web.Refusals;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The five-step create and edit wizard. Its fields are read as a whole {@link JobForm}, not bound to a class: the
 * parameter fields come from the template's JSON Schema ({@code p.*}, arrays, nested objects), every step carries the
 * others in hidden fields, and each error is found by {@link JobForm} and the job service together so that a step
 * shows all of them in one round, next to their fields, over the reader's input.
 */
@AdminPage
@RequestMapping("/jobs")
class JobWizardPages {

    private final JobService jobs;
    private final JobCommands commands;
    private final JobDrafts drafts;
    private final JobWizard wizard;
    private final SchedulePreviews previews;
    private final TemplateRegistry templates;
    private final Permissions permissions;
    private final JsonMapper json;

    JobWizardPages(
            JobService jobs,
            JobCommands commands,
            JobDrafts drafts,
            JobWizard wizard,
            SchedulePreviews previews,
            TemplateRegistry templates,
            Permissions permissions,
            JsonMapper json) {
        this.jobs = jobs;
        this.commands = commands;
        this.drafts = drafts;
        this.wizard = wizard;
        this.previews = previews;
        this.templates = templates;
        this.permissions = permissions;
        this.json = json;
    }

    @GetMapping("/new")
    String create(@RequestParam(required = false) String template, Model model, HttpServletResponse response) {
        JobForm form = JobForm.blank();
        form.set("namespace", wizard.startingNamespace());
        if (template != null && !template.isBlank() && templates.find(template).isEmpty()) {
            // an old or mistyped link: say so over the list to pick from, instead of showing it as if nothing was asked
            response.setStatus(HttpStatus.NOT_FOUND.value());
            return wizard.show(
                    form,
                    JobForm.TEMPLATE,
                    null,
                    Map.of(),
                    List.of("There is no template '" + template + "'; pick one below."),
                    model);
        }
        if (template != null && templates.find(template).isPresent()) {
            form.set("template_type", template);
            String whyNot = permissions.onJob(template, form.get("namespace")).whyNotChange();
            if (whyNot != null) {
                return wizard.locked(form, template, whyNot, null, model);
            }
            return wizard.show(form, JobForm.PARAMETERS, null, Map.of(), List.of(), model);
        }
        return wizard.show(form, JobForm.TEMPLATE, null, Map.of(), List.of(), model);
    }

    @GetMapping("/{id}/edit")
    String edit(@PathVariable String id, Model model) {
        Job job = jobs.get(JobId.fromPath(id));
        permissions.requireMayActOn(
                job.definition().templateType(), "update", AuditTrail.Target.of("job", job.id(), job.name()));
        JobForm form = JobForm.of(
                job.definition(), wizard.parameterForm(job.definition().templateType()));
        form.set("job_id", job.id().toString());
        form.set("version", String.valueOf(job.version()));
        return wizard.show(form, JobForm.PARAMETERS, job, Map.of(), List.of(), model);
    }

    /**
     * Every button of the wizard posts here with the whole form; {@code _action} says which one. A step shown again
     * with problems marked answers 400 (a role's refusal 403, a conflict 409), as every refused form does.
     */
    @PostMapping("/wizard")
    String step(
            @RequestParam MultiValueMap<String, String> body,
            HtmxRequest htmx,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        String view = answer(body, htmx, request, response, model, redirect);
        boolean problems = model.getAttribute("errors") instanceof Map<?, ?> errors && !errors.isEmpty()
                || model.getAttribute("general") instanceof List<?> general && !general.isEmpty();
        if (problems && response.getStatus() == HttpStatus.OK.value()) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
        }
        return view;
    }

    private String answer(
            MultiValueMap<String, String> body,
            HtmxRequest htmx,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        if (request.getAttribute(JobDrafts.REFUSED) instanceof String refused) {
            // the review step's dry run, posted without htmx and refused (RunPages): shown over the same input
            MultiValueMap<String, String> shown = new LinkedMultiValueMap<>(body);
            shown.remove("_action");
            shown.set("step", String.valueOf(JobForm.REVIEW));
            JobForm form = JobForm.of(shown);
            try {
                return wizard.show(form, JobForm.REVIEW, editedJob(form), Map.of(), List.of(refused), model);
            } catch (NotFoundException gone) {
                return deletedMeanwhile(form, JobForm.REVIEW, List.of(refused), response, model);
            }
        }
        JobForm form = JobForm.of(body);
        int step = Math.min(JobForm.REVIEW, Math.max(JobForm.TEMPLATE, parseInt(form.get("step"), 1)));
        Job editing;
        try {
            editing = editedJob(form);
        } catch (NotFoundException gone) {
            return deletedMeanwhile(form, step, List.of(), response, model);
        }
        String action = form.get("_action").isEmpty() ? "next" : form.get("_action");
        form.remove("_action");
        form.remove("step");

        if (action.startsWith("template:")) {
            String type = action.substring("template:".length());
            if (!type.equals(form.get("template_type"))) {
                form.replaceParameters(Map.of());
            }
            form.set("template_type", type);
            String whyNot = permissions.onJob(type, namespace(form)).whyNotChange();
            if (templates.find(type).isPresent() && whyNot != null) {
                response.setStatus(HttpStatus.FORBIDDEN.value());
                return wizard.locked(form, type, whyNot, editing, model);
            }
            return wizard.validateAndGo(form, JobForm.TEMPLATE, JobForm.PARAMETERS, editing, model);
        }
        String trigger = htmx.getTriggerName();
        if (trigger != null && trigger.startsWith(ParameterForm.PREFIX + ".") && action.equals("next")) {
            // a target or table chosen: the parameter fields again, with that target's tables and columns offered
            return wizard.show(form, JobForm.PARAMETERS, editing, Map.of(), List.of(), model);
        }
        if (action.startsWith("add:")) {
            form.addItem(action.substring("add:".length()));
            return wizard.show(form, JobForm.PARAMETERS, editing, Map.of(), List.of(), model);
        }
        if (action.startsWith("remove:")) {
            form.removeItem(action.substring("remove:".length()));
            return wizard.show(form, JobForm.PARAMETERS, editing, Map.of(), List.of(), model);
        }
        if (action.equals("example")) {
            ParameterForm parameters = wizard.parameterForm(form.get("template_type"));
            templates
                    .exampleParameters(form.get("template_type"))
                    .ifPresent(example -> form.replaceParameters(parameters.toForm(example)));
            return wizard.show(form, JobForm.PARAMETERS, editing, Map.of(), List.of(), model);
        }
        if (action.equals("back")) {
            return wizard.show(form, Math.max(JobForm.TEMPLATE, step - 1), editing, Map.of(), List.of(), model);
        }
        if (action.startsWith("goto:")) {
            int target = Math.min(JobForm.REVIEW, Math.max(JobForm.TEMPLATE, parseInt(action.substring(5), step)));
            if (target <= step) {
                return wizard.show(form, target, editing, Map.of(), List.of(), model);
            }
            return wizard.validateAndGo(form, target - 1, target, editing, model);
        }
        if (action.equals("save")) {
            try {
                return save(form, editing, response, model, redirect);
            } catch (ForbiddenException refused) {
                // a role or the job quota: said on the review step, the reader's input kept
                Refusals.status(response, refused);
                return wizard.show(form, JobForm.REVIEW, editing, Map.of(), List.of(refused.getMessage()), model);
            }
        }
        return wizard.validateAndGo(form, step, Math.min(JobForm.REVIEW, step + 1), editing, model);
    }

    /**
     * The edited job was deleted while it was being edited: step {@code step} again with the reader's input, now a new
     * job's, saying so (after {@code said}), 409.
     */
    private String deletedMeanwhile(
            JobForm form, int step, List<String> said, HttpServletResponse response, Model model) {
        response.setStatus(HttpStatus.CONFLICT.value());
        form.remove("_action");
        form.remove("step");
        form.remove("job_id");
        form.remove("version");
        List<String> general = new ArrayList<>(said);
        general.add(JobDrafts.DELETED_MEANWHILE);
        return wizard.show(form, step, null, Map.of(), general, model);
    }

    private static String namespace(JobForm form) {
        return form.get("namespace").isEmpty() ? JobDefinition.DEFAULT_NAMESPACE : form.get("namespace");
    }

    /** The schedule step's live preview: the expression, in words, and the next runs with DST notes. */
    @PostMapping("/wizard/preview")
    String preview(@RequestParam MultiValueMap<String, String> body, Model model) {
        model.addAttribute("preview", previews.of(JobForm.of(body)));
        return JobWizard.VIEW + " :: preview";
    }

    private String save(
            JobForm form, Job editing, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        JobWizard.Problems problems = wizard.problems(form, editing);
        // a problem with the name alone is left to the save, which answers a taken name 409 as the API does
        if (!problems.byName().isEmpty() && !problems.byName().keySet().equals(Set.of("name"))) {
            return wizard.validateAndGo(form, JobForm.REVIEW, JobForm.REVIEW, editing, model);
        }
        JobRequest request = drafts.withStoredSecrets(form, editing)
                .toRequest(wizard.parameterForm(form.get("template_type")))
                .request();
        try {
            String flash;
            Job saved;
            if (editing == null) {
                saved = commands.create(request);
                flash = form.get(JobForm.CLONED_FROM).isEmpty()
                                || saved.definition().enabled()
                        ? "Job '" + saved.name() + "' created" + nextRunText(saved)
                        : "Job '" + saved.name() + "' created. " + JobForm.CLONE_DISABLED;
            } else {
                ObjectNode changes = json.valueToTree(request);
                if (editing.definition().templateType().equals(request.templateType())) {
                    changes.set("parameters", json.valueToTree(drafts.keepingUnchanged(request.parameters(), editing)));
                }
                // fields the form can empty are sent as null, so emptying them clears them
                for (String clearable : List.of("description", "calendars")) {
                    if (!changes.has(clearable)) {
                        changes.putNull(clearable);
                    }
                }
                changes.put("version", parseLong(form.get("version"), editing.version()));
                JobService.Updated updated;
                try {
                    updated = commands.update(editing.id(), changes);
                } catch (NotFoundException gone) {
                    // deleted between the form's check and this save
                    return deletedMeanwhile(form, JobForm.REVIEW, List.of(), response, model);
                }
                saved = updated.job();
                flash = updated.changed()
                        ? "Job '" + saved.name() + "' saved as version " + saved.version()
                        : "Nothing changed in job '" + saved.name() + "'";
            }
            redirect.addFlashAttribute("flash", flash);
            return "redirect:/jobs/" + saved.id();
        } catch (InvalidInputException invalid) {
            return wizard.validateAndGo(form, JobForm.REVIEW, JobForm.REVIEW, editing, model);
        } catch (ConflictException conflict) {
            Refusals.status(response, conflict);
            if ("name".equals(conflict.field()) || "namespace".equals(conflict.field())) {
                return wizard.show(
                        form,
                        JobForm.stepOfError(conflict.field()),
                        editing,
                        Map.of(conflict.field(), conflict.getMessage()),
                        List.of(),
                        model);
            }
            return wizard.show(form, JobForm.REVIEW, editing, Map.of(), List.of(conflict.getMessage()), model);
        }
    }

    private static String nextRunText(Job job) {
        return job.nextRunAt() == null
                ? "; it is disabled and does not run on its schedule"
                : "; next run at "
                        + job.nextRunAt()
                                .atZone(job.definition().schedule().zone())
                                .format(SchedulePreviews.LOCAL);
    }

    private Job editedJob(JobForm form) {
        return form.get("job_id").isEmpty() ? null : drafts.editable(JobId.fromPath(form.get("job_id")));
    }

    private static int parseInt(String text, int fallback) {
        try {
            return Integer.parseInt(text.strip());
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    private static long parseLong(String text, long fallback) {
        try {
            return Long.parseLong(text.strip());
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
