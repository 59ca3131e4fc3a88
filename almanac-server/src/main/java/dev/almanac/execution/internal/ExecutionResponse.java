package dev.almanac.execution.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.common.Sealed;
import dev.almanac.execution.Execution;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;

/** An execution as the API shows it. */
@Schema(name = "Execution")
public record ExecutionResponse(
        String id,
        @JsonProperty("job_id") String jobId,
        @JsonProperty("job_version") long jobVersion,
        @JsonProperty("job_name") String jobName,
        @JsonProperty("template_type") String templateType,

        @Schema(allowableValues = {"queued", "running", "succeeded", "failed", "timed_out", "cancelled", "skipped"})
        String status,

        @Schema(
                description = "Why it was skipped or stopped: overlap, missed, disabled, timeout, cancelled,"
                        + " replaced, node_lost, job_deleted")
        String reason,

        int attempt,
        @JsonProperty("retry_of") String retryOf,
        @JsonProperty("slot_key") String slotKey,
        @JsonProperty("scheduled_for") Instant scheduledFor,
        @JsonProperty("run_after") Instant runAfter,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("completed_at") Instant completedAt,
        @JsonProperty("duration_ms") Long durationMs,
        @JsonProperty("dry_run") boolean dryRun,
        Map<String, Object> parameters,
        Map<String, Object> result,
        String error,

        @JsonProperty("triggered_by")
        @Schema(description = "scheduler, manual:<user>, retry, dependency:<execution id>, api:<token>")
        String triggeredBy,

        @JsonProperty("execution_host") String executionHost,
        @JsonProperty("heartbeat_at") Instant heartbeatAt,
        @JsonProperty("cancel_requested") boolean cancelRequested,
        @JsonProperty("timeout_seconds") Integer timeoutSeconds,

        @JsonProperty("waiting_reason")
        @Schema(
                description = "Why a queued run has not started although it is due, when a quota holds it back"
                        + " (its namespace's runs_at_once); null otherwise. Read by GET /executions/{id}")
        String waitingReason) {

    public static ExecutionResponse of(Execution e) {
        return of(e, null);
    }

    public static ExecutionResponse of(Execution e, String waitingReason) {
        return new ExecutionResponse(
                e.id().toString(),
                e.jobId().toString(),
                e.jobVersion(),
                e.jobName(),
                e.templateType(),
                e.status().json(),
                e.reason(),
                e.attempt(),
                e.retryOf() == null ? null : e.retryOf().toString(),
                e.slotKey(),
                e.scheduledFor(),
                e.runAfter(),
                e.createdAt(),
                e.startedAt(),
                e.completedAt(),
                e.durationMs(),
                e.dryRun(),
                Sealed.maskedMap(e.parameters()),
                e.result(),
                e.error(),
                e.triggeredBy(),
                e.executionHost(),
                e.heartbeatAt(),
                e.cancelRequested(),
                e.timeoutSeconds(),
                waitingReason);
    }
}
