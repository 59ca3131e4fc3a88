package dev.almanac.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.common.Sealed;
import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.job.JobRequest.RetryPolicyJson;
import dev.almanac.schedule.ScheduleSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A stored job as the API shows it. */
@Schema(name = "Job")
public record JobResponse(
        @Schema(example = "0195f3c2-7a4e-7b61-9d3a-4c2e8f1a6b10")
        String id,

        @Schema(example = "nightly-cleanup") String name,
        String description,

        @JsonProperty("template_type") @Schema(example = "heartbeat")
        String templateType,

        Map<String, Object> parameters,
        ScheduleSpec schedule,
        boolean enabled,

        @Schema(description = "0..9: higher is claimed first when more runs are due than workers", example = "5")
        int priority,

        @JsonProperty("timeout_seconds") int timeoutSeconds,
        @JsonProperty("retry_policy") RetryPolicyJson retryPolicy,

        @JsonProperty("concurrency_policy") @Schema(example = "forbid")
        String concurrencyPolicy,

        @JsonProperty("misfire_policy") @Schema(example = "run_once")
        String misfirePolicy,

        @JsonProperty("catch_up_window_seconds") int catchUpWindowSeconds,
        @JsonProperty("depends_on") List<String> dependsOn,
        NotificationsJson notifications,
        List<String> tags,

        @JsonProperty("created_by") @Schema(example = "admin")
        String createdBy,

        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("updated_at") Instant updatedAt,
        @JsonProperty("last_run_at") Instant lastRunAt,

        @JsonProperty("last_status") @Schema(example = "succeeded")
        String lastStatus,

        @JsonProperty("next_run_at") Instant nextRunAt,

        @Schema(description = "Send it back on update; a stale one is refused with 409", example = "1")
        long version,

        @Schema(description = "The namespace it belongs to", example = "default")
        String namespace) {

    public static JobResponse of(Job job) {
        JobDefinition d = job.definition();
        return new JobResponse(
                job.id().toString(),
                d.name(),
                d.description(),
                d.templateType(),
                Sealed.maskedMap(d.parameters()),
                d.schedule().toSpec(),
                d.enabled(),
                d.priority(),
                d.timeoutSeconds(),
                RetryPolicyJson.of(d.retryPolicy()),
                d.concurrencyPolicy().json(),
                d.misfirePolicy().json(),
                d.catchUpWindowSeconds(),
                d.dependsOn().stream().map(JobId::toString).toList(),
                NotificationsJson.of(d.notifications().shown()),
                d.tags(),
                job.createdBy(),
                job.createdAt(),
                job.updatedAt(),
                job.lastRunAt(),
                job.lastStatus(),
                job.nextRunAt(),
                job.version(),
                d.namespace());
    }
}
