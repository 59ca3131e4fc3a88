package dev.almanac.engine;

import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQueued;
import dev.almanac.execution.ExecutionRepository;
import dev.almanac.job.Job;
import dev.almanac.job.JobDrafts;
import dev.almanac.job.JobId;
import dev.almanac.security.CurrentActor;
import dev.almanac.web.AdminPage;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
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
            @RequestHeader(name = "HX-Request", required = false) String htmx,
            Model model,
            RedirectAttributes redirect) {
        Job draft;
        try {
            draft = drafts.fromWizard(form, CurrentActor.name());
        } catch (InvalidInputException invalid) {
            model.addAttribute("problems", invalid.errors());
            return "jobs/dry-run-refused";
        }
        runs.checkDraftDryRun(draft);
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
        if (htmx == null) {
            redirect.addFlashAttribute("flash", "Dry run queued; the job itself is not saved yet");
            return "redirect:/executions/" + execution.id();
        }
        return "redirect:/executions/" + execution.id() + "/dry-run";
    }

    private static JobId jobId(String text) {
        return JobId.parse(text).orElseThrow(() -> new NotFoundException("no job with id " + text));
    }
}
