package dev.almanac.job.internal;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.QueryParameters;
import dev.almanac.job.Job;
import dev.almanac.job.JobCommands;
import dev.almanac.job.JobId;
import dev.almanac.job.JobPage;
import dev.almanac.job.JobQuery;
import dev.almanac.job.JobRequest;
import dev.almanac.job.JobResponse;
import dev.almanac.job.JobService;
import dev.almanac.job.JobVersion;
import dev.almanac.security.NamespaceAccess;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The job registry over HTTP. */
@RestController
@RequestMapping(path = "/api/admin/scheduler/jobs", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Jobs", description = "Create, read, update and delete job definitions")
@ApiResponse(
        responseCode = "400",
        description = "Invalid input; every wrong field is listed in errors",
        content =
                @Content(mediaType = "application/problem+json", examples = @ExampleObject(JobController.PROBLEM_400)))
class JobController {

    static final String PROBLEM_400 = """
            {"type":"about:blank","title":"Bad Request","status":400,
             "detail":"2 fields are invalid","instance":"/api/admin/scheduler/jobs",
             "errors":[{"field":"schedule.expression","message":"never fires: day 31 does not occur in February"},
                       {"field":"parameters.message","message":"must be at most 500 characters"}]}
            """;

    private static final String CREATE_EXAMPLE = """
            {"name":"nightly-heartbeat","description":"Proves the scheduler is alive",
             "template_type":"heartbeat","parameters":{"message":"still here"},
             "schedule":{"type":"cron","expression":"0 2 * * *","timezone":"Europe/Berlin"},"priority":7,
             "timeout_seconds":60,"retry_policy":{"max_retries":3,"retry_delay_seconds":30,"backoff_multiplier":2.0},
             "concurrency_policy":"forbid","misfire_policy":"run_once","tags":["system"]}
            """;

    private static final String JOB_EXAMPLE = """
            {"job":{"id":"0195f3c2-7a4e-7b61-9d3a-4c2e8f1a6b10","name":"nightly-heartbeat","description":null,
             "template_type":"heartbeat","parameters":{"message":"still here"},
             "schedule":{"type":"cron","expression":"0 2 * * *","timezone":"Europe/Berlin"},"enabled":true,
             "priority":5,"timeout_seconds":3600,"retry_policy":{"max_retries":3,"retry_delay_seconds":30,"backoff_multiplier":2.0},
             "concurrency_policy":"forbid","misfire_policy":"run_once","catch_up_window_seconds":3600,
             "depends_on":[],"notifications":{"on_success":[],"on_failure":["ops@example.com"]},"tags":["system"],
             "created_by":"admin","created_at":"2026-11-23T12:00:00Z","updated_at":"2026-11-23T12:00:00Z",
             "last_run_at":null,"last_status":null,"next_run_at":"2026-11-24T01:00:00Z","version":1},
             "message":"Job 'nightly-heartbeat' created"}
            """;

    private static final String LIST_EXAMPLE = """
            {"jobs":[{"id":"0195f3c2-7a4e-7b61-9d3a-4c2e8f1a6b10","name":"nightly-heartbeat","template_type":"heartbeat",
              "enabled":true,"next_run_at":"2026-11-24T01:00:00Z","version":1}],
             "total":41,"page":1,"pages":3,"limit":20}
            """;

    private final JobService jobs;
    private final JobCommands commands;
    private final NamespaceAccess access;

    JobController(JobService jobs, JobCommands commands, NamespaceAccess access) {
        this.access = access;
        this.jobs = jobs;
        this.commands = commands;
    }

    /** The body of a single-job answer. */
    record JobEnvelope(JobResponse job, String message) {}

    /** The body of a job list answer. */
    record JobList(List<JobResponse> jobs, long total, int page, int pages, int limit) {}

    /** The body of an answer that only reports what happened. */
    record Message(String message) {}

    /** The body of a version list. */
    record VersionList(List<JobVersion> versions) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create a job")
    @ApiResponse(
            responseCode = "201",
            description = "Created",
            content = @Content(examples = @ExampleObject(JOB_EXAMPLE)))
    @ApiResponse(
            responseCode = "409",
            description = "A job with this name exists",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "413",
            description = "Body over 1 MiB",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<JobEnvelope> create(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject(name = "cron job", value = CREATE_EXAMPLE)))
                    @RequestBody
                    JobRequest request) {
        Job job = commands.create(request);
        return ResponseEntity.created(URI.create("/api/admin/scheduler/jobs/" + job.id()))
                .body(new JobEnvelope(jobs.response(job), "Job '" + job.name() + "' created"));
    }

    /** How a job's last run may have ended: what {@code last_status} holds, and filters by. */
    private static final List<String> ENDINGS = List.of("succeeded", "failed", "timed_out", "cancelled", "skipped");

    @GetMapping
    @Operation(
            summary = "List jobs",
            description =
                    "Filtered, sorted and paged; page counts from 1. The total includes the node's own writes at once,"
                            + " other nodes' within a second.")
    @ApiResponse(
            responseCode = "200",
            description = "One page of jobs (job objects abridged in this example)",
            content = @Content(examples = @ExampleObject(LIST_EXAMPLE)))
    JobList list(
            @Parameter(description = "Only jobs of this template type")
                    @RequestParam(name = "template_type", required = false)
                    String templateType,
            @Parameter(description = "true or false") @RequestParam(required = false) String enabled,
            @Parameter(description = "Case-insensitive text in the name or description") @RequestParam(required = false)
                    String search,
            @Parameter(description = "Only jobs carrying this tag") @RequestParam(required = false) String tag,
            @Parameter(description = "Only jobs whose last run ended so, e.g. failed")
                    @RequestParam(name = "last_status", required = false)
                    String lastStatus,
            @Parameter(
                            description = "true: only jobs whose parameters no longer validate against the installed"
                                    + " template (their runs are skipped); false: only the others")
                    @RequestParam(required = false)
                    String invalid,
            @Parameter(
                            description =
                                    "name, next_run_at, created_at, updated_at, last_run_at or last_status; a leading - reverses",
                            schema = @Schema(defaultValue = "name"))
                    @RequestParam(required = false)
                    String sort,
            @Parameter(schema = @Schema(defaultValue = "1", minimum = "1")) @RequestParam(required = false) String page,
            @Parameter(schema = @Schema(defaultValue = "20", minimum = "1", maximum = "200"))
                    @RequestParam(required = false)
                    String limit,
            @Parameter(description = "Only jobs of this namespace") @RequestParam(required = false) String namespace) {
        List<FieldError> errors = new ArrayList<>();
        JobQuery query = new JobQuery(
                        QueryParameters.text(templateType),
                        QueryParameters.bool("enabled", enabled, errors),
                        QueryParameters.text(search),
                        tag == null || tag.isBlank() ? null : tag.strip().toLowerCase(Locale.ROOT),
                        QueryParameters.choice(
                                "last_status",
                                lastStatus,
                                value -> Optional.of(value).filter(ENDINGS::contains),
                                String.join(", ", ENDINGS),
                                errors),
                        parseSort(sort, errors),
                        QueryParameters.integer("page", page, 1, 1, Integer.MAX_VALUE / JobQuery.MAX_LIMIT, errors),
                        QueryParameters.integer("limit", limit, 20, 1, JobQuery.MAX_LIMIT, errors))
                .invalid(QueryParameters.bool("invalid", invalid, errors));
        QueryParameters.check(errors);
        JobPage result = jobs.list(query.in(access.visible().restrict(QueryParameters.text(namespace))));
        return new JobList(
                result.jobs().stream().map(jobs::response).toList(),
                result.total(),
                result.page(),
                result.pages(),
                result.limit());
    }

    @GetMapping("/{id}")
    @Operation(summary = "Read a job")
    @ApiResponse(
            responseCode = "200",
            description = "The job",
            content = @Content(examples = @ExampleObject(JOB_EXAMPLE)))
    @ApiResponse(
            responseCode = "404",
            description = "No such job",
            content = @Content(mediaType = "application/problem+json"))
    JobEnvelope get(@PathVariable String id) {
        Job job = jobs.show(jobId(id));
        return new JobEnvelope(jobs.response(job).withWaitingFor(jobs.waitingFor(job)), null);
    }

    @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Update a job",
            description = "Full or partial: every field sent replaces that field whole; fields left out keep their"
                    + " values. Send the version you read to be refused (409) if someone changed the job meanwhile.")
    @ApiResponse(
            responseCode = "200",
            description = "The job as stored now",
            content = @Content(examples = @ExampleObject(JOB_EXAMPLE)))
    @ApiResponse(
            responseCode = "404",
            description = "No such job",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "409",
            description = "Stale version, a taken name, or a rename or move of a job whose results other jobs fill in"
                    + " by its name ({{upstream.<name>.result...}}): the detail names them",
            content = @Content(mediaType = "application/problem+json"))
    JobEnvelope update(
            @PathVariable String id,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content =
                                    @Content(
                                            schema = @Schema(implementation = JobRequest.class),
                                            examples =
                                                    @ExampleObject(
                                                            name = "disable",
                                                            value = "{\"enabled\": false, \"version\": 1}")))
                    @RequestBody
                    JsonNode body) {
        if (!(body instanceof ObjectNode changes)) {
            throw new InvalidInputException("body", "must be a JSON object");
        }
        JobService.Updated updated = commands.update(jobId(id), changes);
        String name = updated.job().name();
        return new JobEnvelope(
                jobs.response(updated.job()),
                updated.changed() ? "Job '" + name + "' updated" : "Job '" + name + "' unchanged");
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete a job", description = "Its execution history and saved versions are kept.")
    @ApiResponse(
            responseCode = "200",
            description = "Deleted",
            content = @Content(examples = @ExampleObject("{\"message\":\"Job 'nightly-heartbeat' deleted\"}")))
    @ApiResponse(
            responseCode = "404",
            description = "No such job",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "409",
            description = "Other jobs depend on it",
            content = @Content(mediaType = "application/problem+json"))
    Message delete(@PathVariable String id) {
        Job deleted = commands.delete(jobId(id));
        return new Message("Job '" + deleted.name() + "' deleted");
    }

    @GetMapping("/{id}/versions")
    @Operation(summary = "A job's saved versions, newest first", description = "Also answers for a deleted job.")
    @ApiResponse(responseCode = "200", description = "Versions with the full definition each")
    @ApiResponse(
            responseCode = "404",
            description = "No such job, now or before",
            content = @Content(mediaType = "application/problem+json"))
    VersionList versions(@PathVariable String id) {
        jobs.requireVisible(jobId(id));
        return new VersionList(jobs.versions(jobId(id)).stream()
                .map(v -> jobs.shown(v).masked())
                .toList());
    }

    @GetMapping("/{id}/versions/{version}")
    @Operation(summary = "One saved version of a job")
    @ApiResponse(responseCode = "200", description = "The version and its definition")
    @ApiResponse(
            responseCode = "404",
            description = "No such job or version",
            content = @Content(mediaType = "application/problem+json"))
    JobVersion version(@PathVariable String id, @PathVariable long version) {
        jobs.requireVisible(jobId(id));
        return jobs.shown(jobs.version(jobId(id), version)).masked();
    }

    private static JobId jobId(String text) {
        return JobId.parse(text).orElseThrow(() -> new NotFoundException("no job with id " + text));
    }

    private static JobQuery.Sort parseSort(String text, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            return JobQuery.Sort.NAME;
        }
        return JobQuery.Sort.fromJson(text.strip()).orElseGet(() -> {
            errors.add(
                    new FieldError(
                            "sort",
                            "must be one of name, next_run_at, created_at, updated_at, last_run_at, last_status, optionally with a leading -"));
            return JobQuery.Sort.NAME;
        });
    }
}
