package dev.almanac.engine.internal;

import dev.almanac.job.JobId;
import dev.almanac.web.AdminPage;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The job page's Resume button, optionally with one catch-up run; its Pause form is the job page's own
 * ({@code JobDetailPages}), which shows it again over the input when refused.
 */
@AdminPage
class PausePages {

    private final JobPauses pauses;

    PausePages(JobPauses pauses) {
        this.pauses = pauses;
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
