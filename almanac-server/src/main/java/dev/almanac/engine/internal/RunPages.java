package dev.almanac.engine.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.TooManyRequestsException;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQueued;
import dev.almanac.job.Job;
import dev.almanac.job.JobDrafts;
import dev.almanac.job.JobForm;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.job.ParameterForms;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Permissions;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ParameterForm;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.web.AdminPage;
import dev.almanac.web.RefusalStatus;
import dev.almanac.web.Refusals;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The admin UI's "Run now" (with the job's parameters, or others for this run) and "Dry run" buttons: a stored job
 * through {@link ManualRuns}, or the wizard's draft.
 */
@AdminPage
class RunPages {

    private final RunCommands runs;
    private final JobDrafts drafts;
    private final JobService jobs;
    private final ParameterForms parameterForms;
    private final TemplateRegistry templates;
    private final Permissions permissions;
    private final EngineStore store;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final NotificationPreflight notificationPreflight;

    RunPages(
            RunCommands runs,
            JobDrafts drafts,
            JobService jobs,
            ParameterForms parameterForms,
            TemplateRegistry templates,
            Permissions permissions,
            EngineStore store,
            ApplicationEventPublisher events,
            TransactionTemplate transactions,
            Clock clock,
            NotificationPreflight notificationPreflight) {
        this.notificationPreflight = notificationPreflight;
        this.runs = runs;
        this.drafts = drafts;
        this.jobs = jobs;
        this.parameterForms = parameterForms;
        this.templates = templates;
        this.permissions = permissions;
        this.store = store;
        this.events = events;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** "Run now…": the job's parameters in its generated form, to change for this run only. */
    @GetMapping("/jobs/{id}/run")
    String runForm(@PathVariable String id, Model model) {
        Job job = mayRun(jobId(id));
        mayRunWithOtherParameters(job);
        ParameterForm form = form(job, Map.of());
        return runPage(job, form.toForm(job.definition().parameters()), Map.of(), false, model);
    }

    /**
     * Runs the job now, with the parameters of the run form when it sent any (they replace the job's for this run;
     * a secret left blank keeps the stored one). A destructive template runs only once the reader ticked the
     * confirmation naming the job and the template; until then the run form is the confirm step.
     */
    @PostMapping("/jobs/{id}/run")
    String run(
            @PathVariable String id,
            @RequestParam MultiValueMap<String, String> body,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        // a role that may not run it is refused before any confirm step, as the plain button always was
        Job job = mayRun(jobId(id));
        boolean withParameters = body.keySet().stream().anyMatch(RunPages::isParameter);
        ParameterForm form = form(job, withParameters ? body : Map.of());
        Map<String, List<String>> values =
                withParameters ? body : form.toForm(job.definition().parameters());
        String htmxTrigger = htmx.getTriggerName();
        String action = body.getFirst("_action");
        boolean editsItems = action != null && (action.startsWith("add:") || action.startsWith("remove:"));
        if (withParameters || editsItems) {
            // the run form's parameters are for whoever may change the job; a runner runs it as it is
            try {
                mayRunWithOtherParameters(job);
            } catch (ForbiddenException refused) {
                if (htmx.isHtmxRequest()) {
                    throw refused; // said in the page's alert region
                }
                Refusals.status(response, refused);
                model.addAttribute("refusal", refused.getMessage());
                return runPage(job, values, Map.of(), false, model);
            }
        }
        if (htmxTrigger != null && isParameter(htmxTrigger)) {
            // a target or table chosen on the run form: its fields again, with that allowlist offered
            return runPage(job, values, Map.of(), false, model);
        }
        if (editsItems) {
            JobForm edited = JobForm.of(body);
            if (action.startsWith("add:")) {
                edited.addItem(action.substring("add:".length()));
            } else {
                edited.removeItem(action.substring("remove:".length()));
            }
            return runPage(job, edited.values(), Map.of(), false, model);
        }
        Map<String, Object> overrides = null;
        if (withParameters) {
            // a secret left blank keeps the stored one; a row of a map of secrets that was removed stays removed
            ParameterForm.Parsed parsed = form.parse(drafts.withStoredSecrets(body, job));
            if (!parsed.errors().isEmpty()) {
                response.setStatus(HttpStatus.BAD_REQUEST.value());
                return runPage(job, values, errorsByName(form, values, parsed.errors()), false, model);
            }
            overrides = parsed.parameters();
        }
        if (destructive(job) && !"yes".equals(body.getFirst("confirm"))) {
            Map<String, String> errors = withParameters
                    ? Map.of("confirm", "tick the box to confirm that this run may change data")
                    : Map.of();
            return runPage(job, values, errors, true, model);
        }
        Execution execution;
        try {
            execution = runs.run(job.id(), overrides, false);
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            return runPage(job, values, errorsByName(form, values, invalid.errors()), false, model);
        } catch (TooManyRequestsException | ForbiddenException refused) {
            if (!withParameters) {
                throw refused; // the job page's buttons: said in its alert region
            }
            // the manual-run limit, or a namespace's quota: said on this form, the values typed kept
            Refusals.status(response, refused);
            model.addAttribute("refusal", refused.getMessage());
            return runPage(job, values, Map.of(), false, model);
        }
        redirect.addFlashAttribute(
                "flash",
                "Run of '" + execution.jobName() + "' queued"
                        + (overrides == null ? "" : " with the parameters you gave")
                        + "; this page follows it live");
        return toExecution(execution, htmx.isHtmxRequest());
    }

    private String runPage(
            Job job, Map<String, List<String>> values, Map<String, String> errors, boolean confirming, Model model) {
        model.addAttribute("job", job);
        model.addAttribute(
                "template",
                templates
                        .find(job.definition().templateType())
                        .map(JobTemplate::descriptor)
                        .orElse(null));
        model.addAttribute("fields", form(job, values).fields(values, errors, true));
        model.addAttribute("errors", errors);
        model.addAttribute("confirming", confirming);
        model.addAttribute("refreshUrl", "/jobs/" + job.id() + "/run");
        return "jobs/run";
    }

    private Job mayRun(JobId id) {
        Job job = jobs.get(id);
        permissions.requireMayActOn(
                job.definition().templateType(), "run", AuditTrail.Target.of("job", job.id(), job.name()));
        return job;
    }

    /** Refuses the run form to whoever may only run the job: its parameters may send the job's secrets elsewhere. */
    private void mayRunWithOtherParameters(Job job) {
        permissions.requireMayRunWithOtherParameters(
                job.definition().templateType(), AuditTrail.Target.of("job", job.id(), job.name()));
    }

    private ParameterForm form(Job job, Map<String, List<String>> values) {
        return parameterForms
                .of(job.definition().templateType(), values)
                .orElseThrow(() -> new ConflictException(
                        "template_type",
                        "the template '" + job.definition().templateType() + "' is not installed on this node"));
    }

    private boolean destructive(Job job) {
        return templates
                .find(job.definition().templateType())
                .map(t -> t.descriptor().destructive())
                .orElse(true);
    }

    /**
     * Errors by form name: {@code parameters.max_rows} of the service is the form's {@code p.max_rows}, a map's entry
     * {@code parameters.headers.X-Plain} the value of its row, {@code p.headers[0].value}.
     */
    private static Map<String, String> errorsByName(
            ParameterForm form, Map<String, List<String>> values, List<FieldError> errors) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (FieldError error : errors) {
            String field = error.field() == null ? "" : error.field();
            String name = field.startsWith("parameters.")
                    ? form.formNameOf(ParameterForm.PREFIX + field.substring("parameters".length()), values)
                    : field.startsWith(ParameterForm.PREFIX + ".") ? field : "parameters";
            byName.merge(name, error.message(), (a, b) -> a + "; " + b);
        }
        return byName;
    }

    private static boolean isParameter(String name) {
        return name.startsWith(ParameterForm.PREFIX + ".")
                || name.startsWith(ParameterForm.CHECKBOX_MARKER + ParameterForm.PREFIX + ".");
    }

    @PostMapping("/jobs/{id}/dry-run")
    String dryRun(@PathVariable String id, HtmxRequest htmx, RedirectAttributes redirect) {
        Execution execution = runs.run(jobId(id), null, true);
        redirect.addFlashAttribute(
                "flash",
                "Dry run of '" + execution.jobName() + "' queued: it says what a run would do, changing nothing");
        return toExecution(execution, htmx.isHtmxRequest());
    }

    /**
     * The run's page. The job page's buttons post through htmx so that a refusal lands in its alert region; their
     * success is then a client-side redirect (HX-Redirect), which keeps the flash message as a plain redirect does.
     */
    private static String toExecution(Execution execution, boolean htmx) {
        String path = "/executions/" + execution.id();
        return htmx ? "redirect:htmx:" + path : "redirect:" + path;
    }

    /**
     * A dry run of the job the wizard describes, before it is saved: the engine runs the template's dry run like any
     * queued execution, under the draft's id (which no stored job has, unless an edit is being reviewed: then only for
     * whoever may change that job).
     */
    @PostMapping("/jobs/wizard/dry-run")
    String draftDryRun(
            @RequestParam MultiValueMap<String, String> form,
            HtmxRequest htmx,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        Job draft;
        try {
            draft = drafts.fromWizard(form, CurrentActor.name());
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            if (!htmx.isHtmxRequest()) {
                // the wizard marks each field that needs fixing
                return "forward:/jobs/wizard";
            }
            model.addAttribute("problems", invalid.errors());
            return "jobs/dry-run-refused :: refusal";
        } catch (ForbiddenException refused) {
            // job_id names a job the reader may not change: neither its secrets nor its id are theirs to run with
            return refused(refused, htmx.isHtmxRequest(), request, response, model);
        } catch (NotFoundException gone) {
            // job_id names a job deleted while it was being edited: the wizard says so over the reader's input
            response.setStatus(HttpStatus.CONFLICT.value());
            if (!htmx.isHtmxRequest()) {
                return "forward:/jobs/wizard";
            }
            model.addAttribute("refusal", JobDrafts.DELETED_MEANWHILE);
            model.addAttribute("problems", List.of());
            return "jobs/dry-run-refused :: refusal";
        }
        try {
            runs.checkDraftDryRun(draft);
        } catch (ForbiddenException | TooManyRequestsException refused) {
            return refused(refused, htmx.isHtmxRequest(), request, response, model);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Execution execution = NewExecutions.queued(
                draft,
                null,
                now,
                "manual:" + CurrentActor.name(),
                draft.definition().parameters(),
                true,
                now);
        notificationPreflight.expectDraft(execution.id(), draft.definition().notifications());
        transactions.executeWithoutResult(status -> store.enqueue(List.of(execution)));
        events.publishEvent(new ExecutionQueued(execution.id()));
        runs.recordDraftDryRun(draft, execution);
        if (!htmx.isHtmxRequest()) {
            redirect.addFlashAttribute("flash", "Dry run queued; the job itself is not saved yet");
            return "redirect:/executions/" + execution.id();
        }
        return "redirect:/executions/" + execution.id() + "/dry-run";
    }

    /**
     * The wizard's dry run refused by role or limit: htmx shows it where the dry run's answer goes; a plain post
     * is forwarded back to the wizard, which shows it over the reader's input.
     */
    private static String refused(
            RuntimeException refused,
            boolean htmx,
            HttpServletRequest request,
            HttpServletResponse response,
            Model model) {
        String message = refused.getMessage();
        RefusalStatus answered = Refusals.status(response, refused);
        if (answered.retryAfterSeconds() != null) {
            message = message + "; try again in " + RefusalStatus.inWords(answered.retryAfterSeconds());
        }
        if (htmx) {
            model.addAttribute("refusal", message);
            model.addAttribute("problems", List.of());
            return "jobs/dry-run-refused :: refusal";
        }
        request.setAttribute(JobDrafts.REFUSED, "The dry run was refused: " + message);
        return "forward:/jobs/wizard";
    }

    private static JobId jobId(String text) {
        return JobId.parse(text).orElseThrow(() -> new NotFoundException("no job with id " + text));
    }
}
