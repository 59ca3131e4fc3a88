package dev.almanac.engine.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.IsoTimes;
import dev.almanac.common.NotFoundException;
import dev.almanac.job.JobId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Backfills over HTTP: preview and start one for a job, follow it, cancel it. */
@RestController
@RequestMapping(path = "/api/admin/scheduler", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Backfills", description = "Run a job's past slots again, a few at a time")
@ApiResponse(
        responseCode = "404",
        description = "No such job or backfill",
        content = @Content(mediaType = "application/problem+json"))
class BackfillController {

    private final Backfills backfills;

    BackfillController(Backfills backfills) {
        this.backfills = backfills;
    }

    /** The slots to run again. */
    record BackfillRequest(
            @Schema(description = "First slot time, included (ISO-8601 with offset)", example = "2026-05-25T00:00:00Z")
            String from,

            @Schema(
                    description = "Last slot time, included; not in the future (ISO-8601 with offset)",
                    example = "2026-06-01T00:00:00Z")
            String to,

            @JsonProperty("dry_run") @Schema(description = "Only list the slots it would run (default false)")
            Boolean dryRun,

            @JsonProperty("max_parallel")
            @Schema(description = "Runs at once, 1.." + Backfills.MAX_PARALLEL + " (default 1)", example = "2")
            Integer maxParallel) {}

    @PostMapping(path = "/jobs/{id}/backfill", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Preview or start a backfill of a job's past slots",
            description = "Lists every slot of the job's schedule from from to to: blocked ones (a calendar or a"
                    + " freeze) with blocked_by, slots whose run succeeded or is under way as already_ran; neither"
                    + " is run. Unless dry_run, runs the others no more than max_parallel at once, each with"
                    + " triggered_by backfill:<id> and its slot as scheduled_for. Whoever may run the job may"
                    + " backfill it; it counts as one manual run. At most " + Backfills.MAX_SLOTS + " slots.")
    @ApiResponse(responseCode = "200", description = "The preview (dry_run)")
    @ApiResponse(responseCode = "201", description = "The backfill, started")
    @ApiResponse(
            responseCode = "400",
            description = "A missing or bad time, a range in the future or with too many slots, a bad max_parallel",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<Backfills.View> start(@PathVariable String id, @RequestBody BackfillRequest request) {
        JobId job = JobId.parse(id).orElseThrow(() -> new NotFoundException("no job with id " + id));
        List<FieldError> errors = new ArrayList<>();
        Instant from = time("from", request.from(), errors);
        Instant to = time("to", request.to(), errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        boolean dryRun = Boolean.TRUE.equals(request.dryRun());
        Backfills.View view = backfills.start(job, from, to, dryRun, request.maxParallel());
        return ResponseEntity.status(dryRun ? HttpStatus.OK : HttpStatus.CREATED)
                .body(view);
    }

    @GetMapping("/backfills/{id}")
    @ApiResponse(responseCode = "200", description = "The backfill and its progress")
    @Operation(summary = "A backfill's slots and progress (pending, running, done, failed)")
    Backfills.View get(@PathVariable String id) {
        return backfills.get(backfillId(id));
    }

    @DeleteMapping("/backfills/{id}")
    @ApiResponse(responseCode = "200", description = "The backfill, cancelled")
    @Operation(
            summary = "Cancel a backfill as a whole",
            description = "Slots not released yet are cancelled, queued runs cancelled, running ones asked to stop.")
    @ApiResponse(
            responseCode = "409",
            description = "It already finished or was cancelled",
            content = @Content(mediaType = "application/problem+json"))
    Backfills.View cancel(@PathVariable String id) {
        return backfills.cancel(backfillId(id));
    }

    static Instant time(String field, String text, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        try {
            return IsoTimes.instant(text.strip());
        } catch (DateTimeParseException bad) {
            errors.add(new FieldError(field, "must be a date-time with an offset, like 2026-06-01T00:00:00Z"));
            return null;
        }
    }

    private static UUID backfillId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException bad) {
            throw new NotFoundException("no backfill with id " + id);
        }
    }
}
