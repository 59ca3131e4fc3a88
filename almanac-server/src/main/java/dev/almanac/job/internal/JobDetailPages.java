package dev.almanac.job.internal;

import dev.almanac.common.ConflictException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.IsoTimes;
import dev.almanac.common.LocalTimes;
import dev.almanac.job.Job;
import dev.almanac.job.JobCommands;
import dev.almanac.job.JobDefinition;
import dev.almanac.job.JobHealth;
import dev.almanac.job.JobId;
import dev.almanac.job.JobPause;
import dev.almanac.job.JobService;
import dev.almanac.job.Trigger;
import dev.almanac.schedule.ScheduleText;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Limits;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.NamespacePauses;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.web.AdminPage;
import dev.almanac.web.LocalPaths;
import dev.almanac.web.Refusals;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** A job's page: its definition and next runs, and what its buttons do there (enable, disable, delete, pause). */
@AdminPage
@RequestMapping("/jobs/{id}")
class JobDetailPages {

    /** At or below this many manual runs left, the page says how many, so the limit is no surprise. */
    static final long FEW_RUNS_LEFT = 3;

    private final JobService jobs;
    private final JobCommands commands;
    private final TemplateRegistry templates;
    private final DefinitionLines lines;
    private final SchedulePreviews previews;
    private final Limits limits;
    private final NamespaceAccess access;

    private final Clock clock;
    private final JobHealth health;
    private final NamespacePauses namespacePauses;

    JobDetailPages(
            JobService jobs,
            JobCommands commands,
            TemplateRegistry templates,
            DefinitionLines lines,
            SchedulePreviews previews,
            Limits limits,
            NamespaceAccess access,
            Clock clock,
            JobHealth health,
            NamespacePauses namespacePauses) {
        this.namespacePauses = namespacePauses;
        this.health = health;
        this.clock = clock;
        this.access = access;
        this.jobs = jobs;
        this.commands = commands;
        this.templates = templates;
        this.lines = lines;
        this.previews = previews;
        this.limits = limits;
    }

    @GetMapping
    String detail(@PathVariable String id, Model model) {
        Job job = jobs.show(JobId.fromPath(id));
        JobDefinition definition = job.definition();
        model.addAttribute("job", job);
        model.addAttribute("d", definition);
        model.addAttribute("health", health.of(List.of(job.id())).getOrDefault(job.id(), List.of()));
        model.addAttribute(
                "template",
                templates
                        .find(definition.templateType())
                        .map(JobTemplate::descriptor)
                        .orElse(null));
        model.addAttribute("schedule", ScheduleText.describe(definition.schedule()));
        JobPause pause = job.pauseAt(clock.instant());
        model.addAttribute("pause", pause);
        // the namespace's pause holds the job too: said beside its own
        model.addAttribute(
                "namespacePause",
                namespacePauses.at(definition.namespace(), clock.instant()).orElse(null));
        model.addAttribute(
                "runs",
                definition.enabled()
                        ? previews.runs(
                                job.name(),
                                definition.schedule(),
                                definition.namespace(),
                                definition.calendars(),
                                definition.templateType(),
                                pause,
                                job.nextRunAt())
                        : List.of());
        model.addAttribute("parameters", lines.parameters(definition.templateType(), definition.parameters()));
        model.addAttribute("dependsOn", lines.dependencies(definition.dependsOn()));
        model.addAttribute("triggerNames", lines.triggers(definition.triggers()));
        model.addAttribute("waitingFor", jobs.waitingFor(job));
        model.addAttribute("chain", chain(job));
        model.addAttribute("versionCount", jobs.versions(job.id()).size());
        limits.manualRunsLeft(CurrentActor.name())
                .ifPresent(left -> model.addAttribute("runsLeft", left <= FEW_RUNS_LEFT ? left : null));
        model.addAttribute("pauseForm", Map.of());
        model.addAttribute("pauseErrors", Map.of());
        return "jobs/detail";
    }

    /**
     * Pauses the job until a local time in its zone (empty: until resumed), with a reason; refused, the page again
     * with the reader's input and each error at its field (400), htmx swapping only the form.
     */
    @PostMapping("/pause")
    String pause(
            @PathVariable String id,
            @RequestParam(required = false) String until,
            @RequestParam(required = false) String reason,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        JobId jobId = JobId.fromPath(id);
        Job job = jobs.get(jobId);
        try {
            Instant end = null;
            String moved = null;
            if (until != null && !until.isBlank()) {
                try {
                    // the wall-clock time in the job's zone, as the form says; one in a DST gap as schedules read it
                    java.time.LocalDateTime local = IsoTimes.localDateTime(until.strip());
                    java.time.ZoneId zone = job.definition().schedule().zone();
                    end = LocalTimes.resolve(local, zone);
                    moved = LocalTimes.gapNote(local, zone);
                } catch (DateTimeParseException bad) {
                    throw new InvalidInputException("until", "must be a date and time like 2026-12-20T18:00");
                }
            }
            Job paused = commands.pause(jobId, end, reason);
            redirect.addFlashAttribute(
                    "flash", paused.pause().said(paused.name()) + (moved == null ? "" : " (" + moved + ")"));
            return (htmx.isHtmxRequest() ? "redirect:htmx:" : "redirect:") + "/jobs/" + jobId + "#pause";
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            detail(id, model);
            Map<String, String> form = new HashMap<>();
            form.put("until", until);
            form.put("reason", reason);
            Map<String, String> errors = new LinkedHashMap<>();
            invalid.errors().forEach(e -> errors.merge(e.field(), e.message(), (a, b) -> a + "; " + b));
            model.addAttribute("pauseForm", form);
            model.addAttribute("pauseErrors", errors);
            return htmx.isHtmxRequest() ? "jobs/detail :: pause-form" : "jobs/detail";
        }
    }

    /** The job's upstream (depends_on and triggers) and downstream jobs, as the page draws them. */
    private ChainView chain(Job job) {
        Map<String, String> upstream =
                new LinkedHashMap<>(lines.dependencies(job.definition().dependsOn()));
        Map<String, String> outcomes = new LinkedHashMap<>();
        Map<String, String> triggerNames = lines.triggers(job.definition().triggers());
        for (Trigger t : job.definition().triggers()) {
            String id = t.job().toString();
            upstream.putIfAbsent(id, triggerNames.get(id));
            outcomes.merge(
                    id,
                    t.on().json() + (t.condition() == null ? "" : " if\u2026"),
                    (a, b) -> a.equals(b) ? a : a + ", " + b);
        }
        Map<String, String> downstream = new LinkedHashMap<>();
        // another team's job that waits for this one is not named to this team
        jobs.downstreamOf(job.id()).forEach((id, name) -> {
            if (access.may(jobs.namespaceOf(id).orElse(null), NamespaceAccess.Action.READ)) {
                downstream.put(id.toString(), name);
            }
        });
        return ChainView.of(job.id().toString(), job.name(), upstream, outcomes, downstream);
    }

    @PostMapping("/enable")
    String enable(@PathVariable String id, @RequestParam(required = false) String back, RedirectAttributes redirect) {
        Job job = commands.setEnabled(JobId.fromPath(id), true).job();
        redirect.addFlashAttribute("flash", "Job '" + job.name() + "' enabled: it runs on its schedule");
        return "redirect:" + LocalPaths.orElse(back, "/jobs/" + job.id());
    }

    @PostMapping("/disable")
    String disable(@PathVariable String id, @RequestParam(required = false) String back, RedirectAttributes redirect) {
        Job job = commands.setEnabled(JobId.fromPath(id), false).job();
        redirect.addFlashAttribute("flash", "Job '" + job.name() + "' disabled: it no longer runs on its schedule");
        return "redirect:" + LocalPaths.orElse(back, "/jobs/" + job.id());
    }

    @GetMapping("/delete")
    String confirmDelete(@PathVariable String id, HtmxRequest htmx, Model model) {
        model.addAttribute("job", jobs.get(JobId.fromPath(id)));
        return htmx.isHtmxRequest() ? "jobs/delete :: dialog" : "jobs/delete";
    }

    @PostMapping("/delete")
    String delete(@PathVariable String id, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        JobId jobId = JobId.fromPath(id);
        try {
            Job deleted = commands.delete(jobId);
            redirect.addFlashAttribute("flash", "Job '" + deleted.name() + "' deleted. Its execution history is kept.");
            return "redirect:/jobs";
        } catch (ConflictException refused) {
            Refusals.status(response, refused);
            model.addAttribute("job", jobs.get(jobId));
            model.addAttribute("problem", refused.getMessage());
            return "jobs/delete";
        }
    }
}
