package dev.almanac.engine.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.IsoTimes;
import dev.almanac.common.NotFoundException;
import dev.almanac.job.JobId;
import dev.almanac.job.JobResponse;
import dev.almanac.job.JobService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.format.DateTimeParseException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Timed pause and resume of a job over HTTP. */
@RestController
@RequestMapping(path = "/api/admin/scheduler/jobs/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Jobs")
@ApiResponse(
        responseCode = "404",
        description = "No such job",
        content = @Content(mediaType = "application/problem+json"))
class PauseController {

    private final JobPauses pauses;
    private final JobService jobs;

    PauseController(JobPauses pauses, JobService jobs) {
        this.pauses = pauses;
        this.jobs = jobs;
    }

    /** How long and why. */
    record PauseRequest(
            @Schema(
                    description = "When the pause lifts by itself (ISO-8601 with offset); absent: until resumed",
                    example = "2026-12-27T06:00:00Z")
            String until,

            @Schema(description = "Why, shown on the job and in the skipped runs", example = "supplier migration")
            String reason) {}

    /** Whether to run once for the slots the pause skipped. */
    record ResumeRequest(
            @JsonProperty("catch_up") @Schema(description = "Queue exactly one run now (default false)")
            Boolean catchUp) {}

    /** The job after the change. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PauseAnswer(
            JobResponse job,
            String message,
            @JsonProperty("execution_id") String executionId) {}

    @PostMapping(path = "/pause")
    @ApiResponse(responseCode = "200", description = "The job, paused")
    @Operation(
            summary = "Pause a job",
            description = "Its slots are recorded as skipped with reason paused until the pause lifts (by itself at"
                    + " until, or by resume).")
    @ApiResponse(responseCode = "400", content = @Content(mediaType = "application/problem+json"))
    PauseAnswer pause(@PathVariable String id, @RequestBody(required = false) PauseRequest request) {
        PauseRequest body = request == null ? new PauseRequest(null, null) : request;
        java.time.Instant until = null;
        if (body.until() != null && !body.until().isBlank()) {
            try {
                until = IsoTimes.instant(body.until().strip());
            } catch (DateTimeParseException bad) {
                throw new InvalidInputException(
                        "until", "must be a date-time with an offset, like 2026-12-27T06:00:00Z");
            }
        }
        var job = pauses.pause(jobId(id), until, body.reason());
        return new PauseAnswer(jobs.response(job), job.pause().said(job.name()), null);
    }

    @PostMapping(path = "/resume")
    @ApiResponse(responseCode = "200", description = "The job, resumed")
    @ApiResponse(
            responseCode = "409",
            description = "The job is not paused",
            content = @Content(mediaType = "application/problem+json"))
    @Operation(
            summary = "Resume a paused job",
            description = "The slots it missed are not run, unless catch_up asks for exactly one run now.")
    PauseAnswer resume(@PathVariable String id, @RequestBody(required = false) ResumeRequest request) {
        boolean catchUp = request != null && Boolean.TRUE.equals(request.catchUp());
        JobPauses.Resumed resumed = pauses.resume(jobId(id), catchUp);
        return new PauseAnswer(
                jobs.response(resumed.job()),
                JobPauses.resumed(resumed),
                resumed.catchUp() == null ? null : resumed.catchUp().id().toString());
    }

    private static JobId jobId(String id) {
        return JobId.parse(id).orElseThrow(() -> new NotFoundException("no job with id " + id));
    }
}
