package dev.almanac.engine;

import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.TooManyRequestsException;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQueued;
import dev.almanac.execution.ExecutionRepository;
import dev.almanac.job.Job;
import dev.almanac.job.JobDrafts;
import dev.almanac.job.JobId;
import dev.almanac.security.CurrentActor;
import dev.almanac.web.AdminPage;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The admin UI's "Run now" and "Dry run" buttons: a stored job through {@link ManualRuns}, or the wizard's draft. */
@AdminPage
class RunPages {

    private final RunCommands runs;
    private final JobDrafts drafts;
    private final ExecutionRepository executions;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final NotificationPreflight notificationPreflight;

    RunPages(
            RunCommands runs,
            JobDrafts drafts,
            ExecutionRepository executions,
            ApplicationEventPublisher events,
            TransactionTemplate transactions,
            Clock clock,
            NotificationPreflight notificationPreflight) {
        this.notificationPreflight = notificationPreflight;
        this.runs = runs;
        this.drafts = drafts;
        this.executions = executions;
        this.events = events;
        this.transactions = transactions;
        this.clock = clock;
    }

    @PostMapping("/jobs/{id}/run")
    String run(@PathVariable String id, RedirectAttributes redirect) {
        Execution execution = runs.run(jobId(id), null, false);
        redirect.addFlashAttribute("flash", "Run of '" + execution.jobName() + "' queued; this page follows it live");
        return "redirect:/executions/" + execution.id();
    }

    @PostMapping("/jobs/{id}/dry-run")
    String dryRun(@PathVariable String id, RedirectAttributes redirect) {
        Execution execution = runs.run(jobId(id), null, true);
        redirect.addFlashAttribute(
                "flash",
                "Dry run of '" + execution.jobName() + "' queued: it says what a run would do, changing nothing");
        return "redirect:/executions/" + execution.id();
    }

    /**
     * A dry run of the job the wizard describes, before it is saved: the engine runs the template's dry run like any
     * queued execution, under the draft's id (which no stored job has, unless an edit is being reviewed).
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
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            if (!htmx.isHtmxRequest()) {
                // the wizard marks each field that needs fixing
                return "forward:/jobs/wizard";
            }
            model.addAttribute("problems", invalid.errors());
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
        transactions.executeWithoutResult(status -> executions.insertAll(List.of(execution)));
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
        HttpStatus status = HttpStatus.FORBIDDEN;
        String message = refused.getMessage();
        if (refused instanceof TooManyRequestsException tooMany) {
            status = HttpStatus.TOO_MANY_REQUESTS;
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(tooMany.retryAfterSeconds()));
            message = message + "; try again in " + tooMany.retryAfterSeconds() + " s";
        }
        response.setStatus(status.value());
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
