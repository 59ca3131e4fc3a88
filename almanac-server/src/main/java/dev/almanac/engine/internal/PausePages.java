package dev.almanac.engine.internal;

import dev.almanac.common.InvalidInputException;
import dev.almanac.common.IsoTimes;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.web.AdminPage;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.stream.Collectors;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** The job page's Pause (until a local time, with a reason) and Resume (optionally with one catch-up run) buttons. */
@AdminPage
class PausePages {

    private final JobPauses pauses;
    private final JobService jobs;

    PausePages(JobPauses pauses, JobService jobs) {
        this.pauses = pauses;
        this.jobs = jobs;
    }

    @PostMapping("/jobs/{id}/pause")
    String pause(
            @PathVariable String id,
            @RequestParam(required = false) String until,
            @RequestParam(required = false) String reason,
            RedirectAttributes redirect) {
        JobId jobId = JobId.fromPath(id);
        Job job = jobs.get(jobId);
        try {
            Instant end = null;
            if (until != null && !until.isBlank()) {
                try {
                    // the wall-clock time in the job's zone, as the form says
                    end = IsoTimes.localDateTime(until.strip())
                            .atZone(job.definition().schedule().zone())
                            .toInstant();
                } catch (DateTimeParseException bad) {
                    throw new InvalidInputException("until", "must be a date and time");
                }
            }
            redirect.addFlashAttribute("flash", JobPauses.paused(pauses.pause(jobId, end, reason)));
        } catch (InvalidInputException invalid) {
            redirect.addFlashAttribute(
                    "pauseError",
                    invalid.errors().stream()
                            .map(e -> ("until".equals(e.field()) ? "Pause until: " : "Reason: ") + e.message())
                            .collect(Collectors.joining("; ")));
        }
        return "redirect:/jobs/" + jobId + "#pause";
    }

    @PostMapping("/jobs/{id}/resume")
    String resume(
            @PathVariable String id,
            @RequestParam(name = "catch_up", defaultValue = "false") boolean catchUp,
            RedirectAttributes redirect) {
        JobId jobId = JobId.fromPath(id);
        redirect.addFlashAttribute("flash", JobPauses.resumed(pauses.resume(jobId, catchUp)));
        return "redirect:/jobs/" + jobId;
    }
}
