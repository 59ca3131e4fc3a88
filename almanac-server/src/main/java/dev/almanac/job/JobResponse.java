package dev.almanac.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.calendar.CalendarRefs;
import dev.almanac.common.Sealed;
import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.job.JobRequest.RetryPolicyJson;
import dev.almanac.schedule.ScheduleSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

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

        @JsonProperty("template_version")
        @Schema(description = "The version of the template the parameters were last validated against", example = "1")
        String templateVersion,

        @JsonProperty("invalid_reason")
        @Schema(
                description = "Why the parameters no longer validate against the installed template (its runs are"
                        + " skipped with reason invalid until a valid definition is saved); absent while they do")
        String invalidReason,

        @Schema(description = "Runs of other jobs whose end starts this one")
        List<TriggerView> triggers,

        @JsonProperty("trigger_mode") @Schema(example = "any")
        String triggerMode,

        @JsonProperty("trigger_window") @Schema(description = "For trigger_mode all", example = "P1D")
        String triggerWindow,

        @JsonProperty("waiting_for")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @Schema(
                description = "For trigger_mode all, on GET /jobs/{id}: the upstream jobs (and outcome) it still"
                        + " waits for",
                example = "[\"export (succeeded)\"]")
        List<String> waitingFor,

        @Schema(description = "Calendars by name: blackout and only")
        CalendarRefs calendars,

        @JsonProperty("paused_since") @Schema(description = "Set while the job is paused")
        Instant pausedSince,

        @JsonProperty("paused_until")
        @Schema(description = "When a pause lifts by itself; null with paused_since set: until resumed")
        Instant pausedUntil,

        @JsonProperty("pause_reason") String pauseReason,

        @Schema(description = "The namespace it belongs to", example = "default")
        String namespace,

        @JsonProperty("expected_duration")
        @Schema(description = "How long a run is expected to take, when set", example = "PT10M")
        String expectedDuration,

        @Schema(description = "The history it keeps, when it sets its own")
        JobRequest.RetentionJson retention) {

    /** A trigger as the API shows it: the upstream job by name (what a client may send back) and by id. */
    public record TriggerView(
            @Schema(example = "nightly-cleanup") String job,
            @JsonProperty("job_id") String jobId,
            @Schema(example = "succeeded") String on,
            @Schema(example = "result.records_affected > 0") String condition) {}

    /** This response with what a fan-in still waits for. */
    public JobResponse withWaitingFor(List<String> waiting) {
        return new JobResponse(
                id,
                name,
                description,
                templateType,
                parameters,
                schedule,
                enabled,
                priority,
                timeoutSeconds,
                retryPolicy,
                concurrencyPolicy,
                misfirePolicy,
                catchUpWindowSeconds,
                dependsOn,
                notifications,
                tags,
                createdBy,
                createdAt,
                updatedAt,
                lastRunAt,
                lastStatus,
                nextRunAt,
                version,
                templateVersion,
                invalidReason,
                triggers,
                triggerMode,
                triggerWindow,
                waiting,
                calendars,
                pausedSince,
                pausedUntil,
                pauseReason,
                namespace,
                expectedDuration,
                retention);
    }

    /**
     * The job with each trigger's upstream named by {@code upstreamName} (given the stored name, {@code namespace/name}
     * for another namespace's job), so a reader who may not see that namespace is not told the name.
     */
    public static JobResponse of(Job job, UnaryOperator<String> upstreamName, Instant now) {
        JobDefinition d = job.definition();
        // a pause whose time has passed holds the job no more, though the engine lifts it only at the job's next slot
        JobPause pause = job.pauseAt(now);
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
                job.templateVersion(),
                job.invalidReason(),
                d.triggers().stream()
                        .map(t -> new TriggerView(
                                upstreamName.apply(t.jobName()), t.job().toString(), t.on().json(), t.condition()))
                        .toList(),
                d.triggerMode().json(),
                d.triggerWindow() == null ? null : d.triggerWindow().toString(),
                null,
                d.calendars().isEmpty() ? null : d.calendars(),
                pause == null ? null : pause.since(),
                pause == null ? null : pause.until(),
                pause == null ? null : pause.reason(),
                d.namespace(),
                d.expectedDuration() == null ? null : d.expectedDuration().toString(),
                JobRequest.RetentionJson.of(d.retention()));
    }
}
