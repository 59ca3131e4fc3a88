package dev.almanac.notify.internal;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.QueryParameters;
import dev.almanac.execution.ExecutionAccess;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionService;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Who was told what, and whether it arrived: the notification attempts of an execution or a job. */
@RestController
@RequestMapping(path = "/api/admin/scheduler", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Notifications", description = "Every attempt to tell someone about a job, with its outcome")
public class NotificationController {

    private final NotificationRepository attempts;
    private final ExecutionService executions;
    private final JobService jobs;

    private final ExecutionAccess visibility;

    NotificationController(
            NotificationRepository attempts, ExecutionService executions, JobService jobs, ExecutionAccess visibility) {
        this.visibility = visibility;
        this.attempts = attempts;
        this.executions = executions;
        this.jobs = jobs;
    }

    /** The attempts, oldest first for an execution, newest first for a job. */
    record Attempts(List<NotificationAttempt> notifications) {}

    @GetMapping("/executions/{id}/notifications")
    @Operation(
            summary = "The notifications about one execution",
            description = "Each attempt with its channel, recipient (a webhook URL cut to scheme and host), outcome"
                    + " (sent, failed, suppressed) and detail (message id, HTTP status, error or why it was"
                    + " suppressed).")
    Attempts ofExecution(@PathVariable String id) {
        ExecutionId execution =
                ExecutionId.parse(id).orElseThrow(() -> new NotFoundException("no execution with id " + id));
        visibility.getVisible(execution);
        return new Attempts(attempts.ofExecution(execution));
    }

    @GetMapping("/jobs/{id}/notifications")
    @Operation(
            summary = "A job's latest notifications, newest first",
            description = "Includes missed-run alerts and auto-pause notices, which belong to no execution.")
    Attempts ofJob(
            @PathVariable String id,
            @Parameter(description = "At most this many, 1..500 (default 100)") @RequestParam(required = false)
                    String limit) {
        List<FieldError> errors = new ArrayList<>();
        int atMost = QueryParameters.integer("limit", limit, 100, 1, 500, errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        JobId job = JobId.parse(id).orElseThrow(() -> new NotFoundException("no job with id " + id));
        jobs.getVisible(job);
        return new Attempts(attempts.ofJob(job, atMost));
    }
}
