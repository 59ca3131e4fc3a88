package dev.almanac.job.internal;

import dev.almanac.audit.Changes;
import dev.almanac.common.ConflictException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.job.Job;
import dev.almanac.job.JobCommands;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.job.JobVersion;
import dev.almanac.web.AdminPage;
import dev.almanac.web.Refusals;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.json.JsonMapper;

/** A job's saved versions: each one with what changed from the one before, and a rollback to it. */
@AdminPage
@RequestMapping("/jobs/{id}")
class JobVersionPages {

    private final JobService jobs;
    private final JobCommands commands;
    private final JsonMapper json;

    JobVersionPages(JobService jobs, JobCommands commands, JsonMapper json) {
        this.jobs = jobs;
        this.commands = commands;
        this.json = json;
    }

    /** One changed field between two versions. */
    public record DiffLine(String field, String before, String after) {}

    @GetMapping("/versions")
    String versions(@PathVariable String id, @RequestParam(required = false) Long show, Model model) {
        JobId jobId = JobId.fromPath(id);
        List<JobVersion> versions =
                jobs.versions(jobId).stream().map(jobs::shown).toList();
        Optional<Job> job = jobs.find(jobId);
        JobVersion shown = versions.stream()
                .filter(v -> show == null || v.version() == show)
                .findFirst()
                .orElseThrow(() -> new NotFoundException("job " + id + " has no version " + show));
        JobVersion previous = versions.stream()
                .filter(v -> v.version() < shown.version())
                .findFirst()
                .orElse(null);
        model.addAttribute("jobId", jobId);
        model.addAttribute("job", job.orElse(null));
        model.addAttribute(
                "name",
                job.map(Job::name).orElse(String.valueOf(shown.definition().get("name"))));
        model.addAttribute("versions", versions);
        model.addAttribute("shown", shown);
        model.addAttribute("previous", previous);
        model.addAttribute("diff", diff(previous == null ? Map.of() : previous.definition(), shown.definition()));
        model.addAttribute(
                "canRollback",
                job.isPresent()
                        && shown.version() != job.get().version()
                        && !shown.change().equals("deleted"));
        return "jobs/versions";
    }

    /**
     * Rolls back to {@code version}; a refusal (a stale {@code current_version}: someone saved meanwhile) is answered
     * in place with its status (409, or 400) on the version's page, the message beside the button.
     */
    @PostMapping("/rollback")
    String rollback(
            @PathVariable String id,
            @RequestParam long version,
            @RequestParam(name = "current_version") long currentVersion,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        JobId jobId = JobId.fromPath(id);
        try {
            JobService.Updated updated = commands.rollback(jobId, version, currentVersion);
            redirect.addFlashAttribute(
                    "flash",
                    updated.changed()
                            ? "Rolled back to version " + version + "; saved as version "
                                    + updated.job().version()
                            : "Version " + version + " is what the job already is; nothing changed");
            return "redirect:/jobs/" + jobId;
        } catch (InvalidInputException | ConflictException refused) {
            String reason = refused instanceof InvalidInputException invalid
                    ? invalid.errors().stream()
                            .map(e -> e.field() + ": " + e.message())
                            .collect(Collectors.joining("; "))
                    : refused.getMessage();
            String page = versions(id, version, model);
            Refusals.status(response, refused);
            model.addAttribute("rollbackError", "Could not roll back to version " + version + ": " + reason);
            return page;
        }
    }

    /** The audit trail's diff, so the page and the trail agree on what changed and both mask sealed values. */
    @SuppressWarnings("unchecked")
    private List<DiffLine> diff(Map<String, Object> before, Map<String, Object> after) {
        List<DiffLine> lines = new ArrayList<>();
        Changes.between(before, after).forEach((field, change) -> {
            Map<String, Object> sides = (Map<String, Object>) change;
            lines.add(new DiffLine(field, shown(sides.get("before")), shown(sides.get("after"))));
        });
        return lines;
    }

    private String shown(Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof Map<?, ?> || value instanceof List<?>
                ? json.writeValueAsString(value)
                : String.valueOf(value);
    }
}
