package dev.almanac.execution.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.common.FieldError;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.PageCursor;
import dev.almanac.common.QueryParameters;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionAccess;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.LogLine;
import dev.almanac.execution.WaitingReasons;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.security.NamespaceAccess;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Execution history over HTTP: lists, one execution with its log, cancel, delete. */
@RestController
@RequestMapping(path = "/api/admin/scheduler", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Executions", description = "What ran, when, where, how it ended, and its log")
@ApiResponse(
        responseCode = "400",
        description = "A bad query parameter; each is named in errors",
        content = @Content(mediaType = "application/problem+json"))
class ExecutionController {

    private static final String EXECUTION_EXAMPLE = """
            {"execution":{"id":"0195f3c2-8b1d-7c0e-a3f4-1b2c3d4e5f60","job_id":"0195f3c2-7a4e-7b61-9d3a-4c2e8f1a6b10",
              "job_version":3,"job_name":"nightly-heartbeat","template_type":"heartbeat","status":"succeeded",
              "reason":null,"attempt":1,"retry_of":null,"scheduled_for":"2026-11-24T01:00:00Z",
              "run_after":"2026-11-24T01:00:00Z","created_at":"2026-11-24T01:00:00.004Z",
              "started_at":"2026-11-24T01:00:00.011Z","completed_at":"2026-11-24T01:00:00.019Z","duration_ms":8,
              "dry_run":false,"parameters":{"message":"still here"},
              "result":{"status":"succeeded","message":"heartbeat at 2026-11-24T01:00:00.012Z"},"error":null,
              "triggered_by":"scheduler","execution_host":"node-a","cancel_requested":false,"timeout_seconds":3600},
             "logs":[{"seq":1,"timestamp":"2026-11-24T01:00:00.011Z","level":"INFO","message":"Run of 'nightly-heartbeat' started on node-a (attempt 1)"}]}
            """;

    private final ExecutionService executions;
    private final ExecutionCommands commands;
    private final ExecutionAccess visibility;
    private final NamespaceAccess access;
    private final JobService jobs;
    private final WaitingReasons waits;

    ExecutionController(
            ExecutionService executions,
            ExecutionCommands commands,
            ExecutionAccess visibility,
            NamespaceAccess access,
            JobService jobs,
            WaitingReasons waits) {
        this.waits = waits;
        this.visibility = visibility;
        this.access = access;
        this.jobs = jobs;
        this.executions = executions;
        this.commands = commands;
    }

    /** A page of history; {@code next_before} continues it (null on the last page). */
    record ExecutionPage(
            List<ExecutionResponse> executions,

            @com.fasterxml.jackson.annotation.JsonProperty("next_before")
            String nextBefore) {}

    /** A job's history, with how many executions match in all; {@code next_before} continues it. */
    record JobExecutions(
            List<ExecutionResponse> executions,
            long total,
            @JsonProperty("next_before") String nextBefore) {}

    /** One execution and its log; {@code more_logs}: more lines follow, read them with {@code after_seq}. */
    record ExecutionDetail(
            ExecutionResponse execution,
            List<LogLine> logs,

            @JsonProperty("more_logs")
            @Schema(
                    description = "Whether more log lines follow these (a log longer than one answer, 10 000"
                            + " lines): ask again with after_seq set to the last line's seq")
            boolean moreLogs) {}

    /** The answer to a cancel or delete. */
    record ExecutionMessage(ExecutionResponse execution, String message) {}

    @GetMapping("/executions")
    @Operation(
            summary = "Execution history, newest first",
            description = "Keyset-paged: pass next_before from one page as before to get the next; it goes on"
                    + " where the last page ended even when that execution was deleted meanwhile.")
    @ApiResponse(responseCode = "200", description = "A page of executions")
    ExecutionPage list(
            @RequestParam(name = "job_id", required = false) String jobId,
            @Parameter(description = "queued, running, succeeded, failed, timed_out, cancelled or skipped")
                    @RequestParam(required = false)
                    String status,
            @RequestParam(name = "template_type", required = false) String templateType,
            @Parameter(description = "scheduler, manual, retry, dependency, or an exact value like manual:alice")
                    @RequestParam(name = "triggered_by", required = false)
                    String triggeredBy,
            @Parameter(description = "Created at or after, ISO-8601") @RequestParam(required = false) String from,
            @Parameter(description = "Created before, ISO-8601") @RequestParam(required = false) String to,
            @Parameter(description = "1..500, default 50") @RequestParam(required = false) String limit,
            @Parameter(description = "next_before of the previous page (an execution id is still read)")
                    @RequestParam(required = false)
                    String before,
            @Parameter(description = "Only executions of this namespace's jobs") @RequestParam(required = false)
                    String namespace) {
        List<FieldError> errors = new ArrayList<>();
        JobId job = null;
        if (QueryParameters.text(jobId) != null) {
            job = JobId.parse(jobId.strip()).orElse(null);
            if (job == null) {
                errors.add(new FieldError("job_id", "must be a job id"));
            }
        }
        ExecutionQuery query = new ExecutionQuery(
                job,
                status(status, errors),
                QueryParameters.text(templateType),
                QueryParameters.text(triggeredBy),
                QueryParameters.instant("from", from, errors),
                QueryParameters.instant("to", to, errors),
                cursor(before, errors),
                QueryParameters.integer(
                        "limit", limit, ExecutionQuery.DEFAULT_LIMIT, 1, ExecutionQuery.MAX_LIMIT, errors));
        QueryParameters.ordered(query.from(), query.to(), errors);
        QueryParameters.check(errors);
        List<Execution> rows =
                executions.list(query.oneMore().in(access.visible().restrict(QueryParameters.text(namespace))));
        List<Execution> page = rows.subList(0, Math.min(rows.size(), query.limit()));
        return new ExecutionPage(page.stream().map(ExecutionResponse::of).toList(), next(page, rows, query));
    }

    @GetMapping("/jobs/{id}/executions")
    @Operation(summary = "A job's execution history, newest first")
    @ApiResponse(responseCode = "200", description = "Executions and how many match in all")
    JobExecutions ofJob(
            @PathVariable String id,
            @RequestParam(required = false) String status,
            @Parameter(description = "1..500, default 50") @RequestParam(required = false) String limit,
            @Parameter(description = "next_before of the previous page (an execution id is still read)")
                    @RequestParam(required = false)
                    String before) {
        JobId job = JobId.parse(id).orElseThrow(() -> new NotFoundException("no job with id " + id));
        jobs.requireVisible(job);
        List<FieldError> errors = new ArrayList<>();
        ExecutionQuery query = new ExecutionQuery(
                job,
                status(status, errors),
                null,
                null,
                null,
                null,
                cursor(before, errors),
                QueryParameters.integer(
                        "limit", limit, ExecutionQuery.DEFAULT_LIMIT, 1, ExecutionQuery.MAX_LIMIT, errors));
        QueryParameters.ordered(query.from(), query.to(), errors);
        QueryParameters.check(errors);
        List<Execution> rows = executions.list(query.oneMore());
        List<Execution> page = rows.subList(0, Math.min(rows.size(), query.limit()));
        return new JobExecutions(
                page.stream().map(ExecutionResponse::of).toList(), executions.count(query), next(page, rows, query));
    }

    @GetMapping("/executions/{id}")
    @Operation(
            summary = "One execution with its log",
            description = "Poll with after_seq for new lines of a running one.")
    @ApiResponse(responseCode = "200", content = @Content(examples = @ExampleObject(EXECUTION_EXAMPLE)))
    @ApiResponse(
            responseCode = "404",
            description = "No such execution",
            content = @Content(mediaType = "application/problem+json"))
    ExecutionDetail get(
            @PathVariable String id,
            @Parameter(description = "Only log lines after this sequence number")
                    @RequestParam(name = "after_seq", required = false)
                    String afterSeq) {
        List<FieldError> errors = new ArrayList<>();
        int after = QueryParameters.integer("after_seq", afterSeq, 0, 0, Integer.MAX_VALUE, errors);
        QueryParameters.check(errors);
        ExecutionId executionId = executionId(id);
        Execution execution = visibility.getVisible(executionId);
        ExecutionService.LogPage log = executions.logPage(executionId, after);
        return new ExecutionDetail(
                ExecutionResponse.of(execution, waits.of(execution).orElse(null)), log.lines(), log.more());
    }

    @PostMapping("/executions/{id}/cancel")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(
            summary = "Cancel an execution",
            description = "A queued one is cancelled at once; a running one is interrupted by its node.")
    @ApiResponse(responseCode = "202", description = "Cancelled, or asked to stop")
    @ApiResponse(
            responseCode = "404",
            description = "No such execution",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "409",
            description = "It already ended",
            content = @Content(mediaType = "application/problem+json"))
    ExecutionMessage cancel(@PathVariable String id) {
        visibility.getVisible(executionId(id));
        Execution execution = commands.cancel(executionId(id));
        String message = execution.status() == ExecutionStatus.CANCELLED
                ? "Execution cancelled"
                : "Cancel requested; the run stops at its next check";
        return new ExecutionMessage(ExecutionResponse.of(execution), message);
    }

    @DeleteMapping("/executions/{id}")
    @Operation(summary = "Delete an execution record", description = "Not while it runs; its logs go with it.")
    @ApiResponse(responseCode = "200", description = "Deleted")
    @ApiResponse(
            responseCode = "404",
            description = "No such execution",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "409",
            description = "It is running",
            content = @Content(mediaType = "application/problem+json"))
    ExecutionMessage delete(@PathVariable String id) {
        visibility.getVisible(executionId(id));
        Execution deleted = commands.delete(executionId(id));
        return new ExecutionMessage(ExecutionResponse.of(deleted), "Execution deleted");
    }

    private static ExecutionStatus status(String value, List<FieldError> errors) {
        return QueryParameters.choice(
                "status",
                value,
                ExecutionStatus::fromJson,
                "queued, running, succeeded, failed, timed_out, cancelled, skipped",
                errors);
    }

    private PageCursor cursor(String before, List<FieldError> errors) {
        return PageCursor.read("before", before, this::visibleCursor, "no execution with this id", errors)
                .orElse(null);
    }

    private java.util.Optional<PageCursor> visibleCursor(java.util.UUID id) {
        try {
            return java.util.Optional.of(ExecutionPages.cursorOf(visibility.getVisible(new ExecutionId(id))));
        } catch (NotFoundException unknown) {
            return java.util.Optional.empty();
        }
    }

    /** The cursor of the page after this one, or null when this one was the last. */
    /** The cursor of the page after {@code page}, when {@code rows} (asked one more) show there is one. */
    private static String next(List<Execution> page, List<Execution> rows, ExecutionQuery query) {
        return rows.size() > query.limit()
                ? ExecutionPages.cursorOf(page.get(page.size() - 1)).encoded()
                : null;
    }

    private static ExecutionId executionId(String text) {
        return ExecutionId.parse(text).orElseThrow(() -> new NotFoundException("no execution with id " + text));
    }
}
