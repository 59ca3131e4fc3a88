package dev.almanac.engine.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.common.NotFoundException;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionRepository;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.FinishedPerHour;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.web.LocalWrites;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Running jobs by hand, and the scheduler's state at a glance. */
@RestController
@RequestMapping(path = "/api/admin/scheduler", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Engine", description = "Run a job now, and see how the scheduler and its cluster are doing")
class EngineController {

    static final Duration LATENESS_WINDOW = Duration.ofMinutes(5);
    /** How old a status answer may be: it takes five queries, and a dashboard or a monitor may poll it hard. */
    static final Duration STATUS_MAX_AGE = Duration.ofSeconds(1);

    private final RunCommands runs;
    private final JobService jobs;
    private final ExecutionRepository executions;
    private final FinishedPerHour finished;
    private final NodeRepository nodes;
    private final EngineProperties properties;
    private final Clock clock;
    private final Snapshot<Status> status;

    EngineController(
            RunCommands runs,
            JobService jobs,
            ExecutionRepository executions,
            FinishedPerHour finished,
            NodeRepository nodes,
            EngineProperties properties,
            Clock clock,
            LocalWrites writes) {
        this.runs = runs;
        this.jobs = jobs;
        this.executions = executions;
        this.finished = finished;
        this.nodes = nodes;
        this.properties = properties;
        this.clock = clock;
        this.status = new Snapshot<>(this::readStatus, writes::generation, STATUS_MAX_AGE, System::nanoTime);
    }

    /** A manual run: parameter overrides (merged into the job's parameters) and whether it is a dry run. */
    record RunRequest(
            @Schema(
                    description = "Replace these parameters for this run only; needs the right to change the job",
                    example = "{\"message\":\"by hand\"}")
            Map<String, Object> parameters,

            @JsonProperty("dry_run") @Schema(description = "Say what the job would do, change nothing")
            Boolean dryRun) {}

    /** The queued run. */
    record RunAccepted(@JsonProperty("execution_id") String executionId, String message) {}

    @PostMapping(path = "/jobs/{id}/run")
    @Operation(
            summary = "Run a job now",
            description = "Queues a run at once, enabled or not; follow it with GET /executions/{execution_id}.")
    @ApiResponse(
            responseCode = "202",
            content =
                    @Content(
                            examples =
                                    @ExampleObject(
                                            "{\"execution_id\":\"0195f3c2-8b1d-7c0e-a3f4-1b2c3d4e5f60\",\"message\":\"Run of 'nightly-heartbeat' queued\"}")))
    @ApiResponse(
            responseCode = "400",
            description = "Invalid parameter overrides",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "403",
            description = "The role may not run the job, or (errors naming parameters) may run it but not change it:"
                    + " parameters for one run need the right to change the job",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "404",
            description = "No such job",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<RunAccepted> run(@PathVariable String id, @RequestBody(required = false) RunRequest request) {
        JobId job = JobId.parse(id).orElseThrow(() -> new NotFoundException("no job with id " + id));
        RunRequest body = request == null ? new RunRequest(null, null) : request;
        boolean dryRun = Boolean.TRUE.equals(body.dryRun());
        Execution execution = runs.run(job, body.parameters(), dryRun);
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .body(new RunAccepted(
                        execution.id().toString(),
                        (dryRun ? "Dry run" : "Run") + " of '" + execution.jobName() + "' queued"));
    }

    /** The scheduler's state. */
    record Status(
            JobCounts jobs,
            long running,
            long queued,
            @JsonProperty("last_24h") Last24h last24h,
            Lateness lateness,
            List<NodeView> nodes) {}

    record JobCounts(long total, long enabled) {}

    record Last24h(
            long succeeded,
            long failed,
            @JsonProperty("timed_out") long timedOut,
            long cancelled,
            long skipped,

            @JsonProperty("success_rate")
            @Schema(description = "succeeded / (succeeded + failed + timed_out); null without runs")
            Double successRate) {}

    record Lateness(
            @JsonProperty("window_seconds") long windowSeconds,
            long samples,
            @JsonProperty("p50_ms") Long p50Ms,
            @JsonProperty("p99_ms") Long p99Ms,
            @JsonProperty("max_ms") Long maxMs) {}

    record NodeView(
            String id,
            String host,
            @JsonProperty("started_at") Instant startedAt,
            @JsonProperty("heartbeat_at") Instant heartbeatAt,
            boolean alive,

            @JsonProperty("almanac_version")
            @Schema(
                    description = "The Almanac release the node runs (its jar's version); null for a node of a"
                            + " release from before nodes recorded it")
            String almanacVersion,

            @JsonProperty("schema_version")
            @Schema(
                    description = "The newest schema migration the node's release knows: a node whose number is"
                            + " below the others' runs an older release; null for a node of a release from before nodes"
                            + " recorded it")
            Integer schemaVersion) {}

    @GetMapping("/status")
    @Operation(
            summary = "Job counts, running and queued work, the last 24 hours, lateness and the cluster's nodes",
            description = "The answer is read at most once a second per node and shared by the callers of that"
                    + " second: what the engine did shows within a second, a change made through this node's API or"
                    + " pages (a job created, a run queued, a record deleted) at once."
                    + " last_24h counts executions by the time they ended. lateness is from due to started over the"
                    + " runs started in the last 5 minutes: a run the schedule asked for is due at its slot, any other"
                    + " (a backfill's run of a past slot, a retry, a manual run) when it was queued to run."
                    + " A node reads the counts of an hour"
                    + " once it ended more than 5 minutes ago and keeps them for 10 minutes, so the call stays cheap"
                    + " on a long history: a record deleted through this node shows at once, a change made"
                    + " elsewhere to an hour that old (the history retention job, another node) within 10 minutes.")
    @ApiResponse(responseCode = "200", description = "The scheduler's state")
    Status status() {
        return status.get();
    }

    private Status readStatus() {
        Instant now = clock.instant();
        JobService.Counts counts = jobs.counts();
        Map<ExecutionStatus, Long> active = executions.activeCounts();
        LastDay day = LastDay.before(now, finished);
        List<Long> lateness = new ArrayList<>(executions.latenessSince(now.minus(LATENESS_WINDOW), 100_000));
        Collections.sort(lateness);
        Instant aliveSince = now.minus(properties.deadNodeThreshold());
        return new Status(
                new JobCounts(counts.total(), counts.enabled()),
                active.getOrDefault(ExecutionStatus.RUNNING, 0L),
                active.getOrDefault(ExecutionStatus.QUEUED, 0L),
                new Last24h(
                        day.succeeded(),
                        day.failed(),
                        day.timedOut(),
                        day.cancelled(),
                        day.skipped(),
                        day.successRate()),
                new Lateness(
                        LATENESS_WINDOW.toSeconds(),
                        lateness.size(),
                        percentile(lateness, 0.50),
                        percentile(lateness, 0.99),
                        lateness.isEmpty() ? null : lateness.get(lateness.size() - 1)),
                nodes.all().stream()
                        .map(n -> new NodeView(
                                n.id(),
                                n.host(),
                                n.startedAt(),
                                n.heartbeatAt(),
                                n.aliveSince(aliveSince),
                                n.almanacVersion(),
                                n.schemaVersion()))
                        .toList());
    }

    private static Long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
