package dev.almanac.job;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.calendar.CalendarRefs;
import dev.almanac.schedule.ScheduleSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job definition as a client sends it. Every field may be missing; validation names each one that is wrong.
 * The fields the server owns ({@code id}, {@code created_at}, ...) are accepted and ignored, so a job read from
 * the API can be sent back as it is.
 */
@JsonIgnoreProperties(
        value = {
            "id",
            "created_by",
            "created_at",
            "updated_at",
            "last_run_at",
            "last_status",
            "next_run_at",
            "template_version",
            "invalid_reason",
            "waiting_for",
            "paused_until",
            "pause_reason",
            "paused_since"
        },
        allowGetters = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "JobRequest", description = "A job definition. On update, every field sent replaces that field whole.")
public record JobRequest(
        @Schema(description = "Unique name: letters, digits, spaces, '_', '-', '.'", example = "nightly-cleanup")
        String name,

        @Schema(description = "What the job is for", example = "Deletes sessions older than 30 days")
        String description,

        @JsonProperty("template_type")
        @Schema(description = "A template type from GET /templates", example = "heartbeat")
        String templateType,

        @Schema(
                description = "The template's parameters, validated against its JSON Schema",
                example = "{\"message\":\"ping\"}")
        Map<String, Object> parameters,

        @Schema(description = "When the job runs") ScheduleSpec schedule,

        @Schema(description = "Whether the scheduler runs it (default true)", example = "true")
        Boolean enabled,

        @Schema(
                description = "0..9, default 5: when more runs are due than workers, higher priority is claimed first,"
                        + " then the earlier due time",
                example = "5")
        Integer priority,

        @JsonProperty("timeout_seconds")
        @Schema(description = "A run is stopped after this many seconds (1..604800, default 3600)", example = "600")
        Integer timeoutSeconds,

        @JsonProperty("retry_policy") @Schema(description = "Retries of a failed or timed-out run")
        RetryPolicyJson retryPolicy,

        @JsonProperty("concurrency_policy")
        @Schema(
                description = "When a slot falls due while a run is still going",
                allowableValues = {"allow", "forbid", "replace"},
                example = "forbid")
        String concurrencyPolicy,

        @JsonProperty("misfire_policy")
        @Schema(
                description = "What happens to slots missed while no node ran",
                allowableValues = {"run_once", "skip", "run_all"},
                example = "run_once")
        String misfirePolicy,

        @JsonProperty("catch_up_window_seconds")
        @Schema(description = "How far back run_all catches up (0..2592000, default 3600)", example = "3600")
        Integer catchUpWindowSeconds,

        @JsonProperty("depends_on")
        @Schema(
                description = "Names or ids of jobs whose success triggers this one (namespace/name for another"
                        + " namespace's job; '(a job you may not see)', as read, keeps such a stored one)")
        List<String> dependsOn,

        @Schema(description = "Who hears about the final outcome")
        NotificationsJson notifications,

        @Schema(description = "Labels for filtering", example = "[\"nightly\",\"team:billing\"]")
        List<String> tags,

        @Schema(description = "On update: the version you read; a stale one is refused with 409", example = "3")
        Long version,

        @Schema(
                description = "Runs of other jobs whose end starts this one (depends_on is the shorthand for"
                        + " on: succeeded)")
        List<TriggerJson> triggers,

        @JsonProperty("trigger_mode")
        @Schema(
                description = "any (default): each matching upstream run starts this job; all: it starts once each"
                        + " trigger has matched since its last triggered run, within trigger_window",
                allowableValues = {"any", "all"},
                example = "all")
        String triggerMode,

        @JsonProperty("trigger_window")
        @Schema(
                description = "Only with trigger_mode all (refused otherwise): an ISO-8601 duration (PT1M..P30D,"
                        + " default P1D); upstream runs older than this no longer count",
                example = "PT6H")
        String triggerWindow,

        @Schema(description = "Calendars by name: never run inside blackout ones; with only, run only inside one")
        CalendarRefs calendars,

        @Schema(
                description = "The namespace the job belongs to (default 'default'); changing it moves the job",
                example = "billing")
        String namespace,

        @JsonProperty("expected_duration")
        @Schema(
                description = "How long a run usually takes (ISO-8601 or 90m, 2h; PT1S..P7D): schedule health calls a"
                        + " run longer than this slow. Absent: the p95 of its recent runs times a factor, and at least"
                        + " almanac.health.slow-at-least (10 s)",
                example = "PT10M")
        String expectedDuration,

        @Schema(
                description = "How much of its history the job keeps; absent limits take the retention job's default,"
                        + " and the namespace's history quota caps both")
        RetentionJson retention) {

    /** A request without an expected duration or retention of its own. */
    public JobRequest(
            String name,
            String description,
            String templateType,
            Map<String, Object> parameters,
            ScheduleSpec schedule,
            Boolean enabled,
            Integer priority,
            Integer timeoutSeconds,
            RetryPolicyJson retryPolicy,
            String concurrencyPolicy,
            String misfirePolicy,
            Integer catchUpWindowSeconds,
            List<String> dependsOn,
            NotificationsJson notifications,
            List<String> tags,
            Long version,
            List<TriggerJson> triggers,
            String triggerMode,
            String triggerWindow,
            CalendarRefs calendars,
            String namespace) {
        this(
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
                version,
                triggers,
                triggerMode,
                triggerWindow,
                calendars,
                namespace,
                null,
                null);
    }

    /** Retention as JSON carries it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RetentionJson(
            @JsonProperty("keep_runs")
            @Schema(description = "Keep its last N ended runs (1..10000000)", example = "100")
            Integer keepRuns,

            @JsonProperty("keep_days")
            @Schema(description = "Keep runs that ended within this many days (1..36500)", example = "90")
            Integer keepDays) {

        public static RetentionJson of(Retention retention) {
            return retention.isDefault() ? null : new RetentionJson(retention.keepRuns(), retention.keepDays());
        }
    }

    /** A request without triggers on outcomes. */
    public JobRequest(
            String name,
            String description,
            String templateType,
            Map<String, Object> parameters,
            ScheduleSpec schedule,
            Boolean enabled,
            Integer priority,
            Integer timeoutSeconds,
            RetryPolicyJson retryPolicy,
            String concurrencyPolicy,
            String misfirePolicy,
            Integer catchUpWindowSeconds,
            List<String> dependsOn,
            NotificationsJson notifications,
            List<String> tags,
            Long version) {
        this(
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
                version,
                null,
                null,
                null,
                null,
                null);
    }

    /** One trigger as JSON carries it; the {@code job_id} the API shows is accepted and ignored. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(
            value = {"job_id"},
            allowGetters = true)
    public record TriggerJson(
            @Schema(
                    description = "The upstream job: its name or id; '(a job you may not see)', as read, keeps such a"
                            + " stored trigger with its on and condition",
                    example = "nightly-cleanup")
            String job,

            @Schema(
                    description = "Which end counts: succeeded, failed (the final failure, after retries) or any",
                    allowableValues = {"succeeded", "failed", "any"},
                    example = "succeeded")
            String on,

            @Schema(
                    description = "Optional CEL condition over the upstream run: result.records_affected,"
                            + " result.details.<name>, result.message, status, job.name",
                    example = "result.records_affected > 0")
            String condition) {

        static TriggerJson of(Trigger trigger) {
            return new TriggerJson(
                    trigger.jobName() == null ? trigger.job().toString() : trigger.jobName(),
                    trigger.on().json(),
                    trigger.condition());
        }
    }

    /** Retry settings as JSON carries them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RetryPolicyJson(
            @JsonProperty("max_retries") @Schema(description = "0..20, default 0", example = "3")
            Integer maxRetries,

            @JsonProperty("retry_delay_seconds")
            @Schema(description = "Delay before the first retry, 1..86400, default 60", example = "30")
            Integer retryDelaySeconds,

            @JsonProperty("backoff_multiplier")
            @Schema(description = "Each further delay is multiplied by this, 1..10, default 2", example = "2.0")
            Double backoffMultiplier) {

        static RetryPolicyJson of(RetryPolicy policy) {
            return new RetryPolicyJson(policy.maxRetries(), policy.retryDelaySeconds(), policy.backoffMultiplier());
        }
    }

    /** Notification settings as JSON carries them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NotificationsJson(
            @JsonProperty("on_success")
            @Schema(
                    description = "Told when a run succeeds: e-mail addresses, http(s) webhook URLs or slack:<URL>",
                    example = "[]")
            List<String> onSuccess,

            @JsonProperty("on_failure")
            @Schema(
                    description = "Told once per incident when runs fail for good (after retries), when the job"
                            + " recovers, is auto-paused or misses its alert window",
                    example = "[\"ops@example.com\"]")
            List<String> onFailure,

            @JsonProperty("on_retry")
            @Schema(description = "Told each time a failed attempt is retried", example = "[]")
            List<String> onRetry,

            @JsonProperty("alert_if_no_success_within")
            @Schema(
                    description = "Missed-run alert: an ISO-8601 duration (PT1M..P365D); fires once when the job has"
                            + " not succeeded for that long, whatever the reason",
                    example = "PT26H")
            String alertIfNoSuccessWithin,

            @JsonProperty("auto_pause_after_failures")
            @Schema(
                    description = "Disable the job after this many final failures in a row (1..1000); 0 or absent:"
                            + " never",
                    example = "5")
            Integer autoPauseAfterFailures) {

        public NotificationsJson(List<String> onSuccess, List<String> onFailure) {
            this(onSuccess, onFailure, null, null, null);
        }

        public static NotificationsJson of(Notifications n) {
            return new NotificationsJson(
                    n.onSuccess(),
                    n.onFailure(),
                    n.onRetry().isEmpty() ? null : n.onRetry(),
                    n.alertIfNoSuccessWithin() == null
                            ? null
                            : n.alertIfNoSuccessWithin().toString(),
                    n.autoPauseAfterFailures() == 0 ? null : n.autoPauseAfterFailures());
        }

        /** The settings as stored (already validated). */
        public Notifications stored() {
            return new Notifications(
                    onSuccess,
                    onFailure,
                    onRetry,
                    alertIfNoSuccessWithin == null ? null : java.time.Duration.parse(alertIfNoSuccessWithin),
                    autoPauseAfterFailures == null ? 0 : autoPauseAfterFailures);
        }
    }

    /**
     * The JSON name of every field of a definition, in the order a request declares them: every component but {@code
     * version}, which says which version an update read and is no part of what a job is.
     */
    public static final List<String> FIELDS = Arrays.stream(JobRequest.class.getRecordComponents())
            .map(JobRequest::jsonName)
            .filter(name -> !name.equals("version"))
            .toList();

    /**
     * {@code definition} with every field of {@link #FIELDS} it leaves out written as empty: [] for a list, null for
     * any other. A definition as saved or exported leaves out what is null or empty, and an update keeps a field left
     * out; written whole, it clears that field instead. Its fields in the order of {@link #FIELDS}, any other after.
     */
    public static ObjectNode whole(ObjectNode definition) {
        ObjectNode whole = definition.objectNode();
        for (RecordComponent component : JobRequest.class.getRecordComponents()) {
            String field = jsonName(component);
            if (definition.has(field)) {
                whole.set(field, definition.get(field));
            } else if (FIELDS.contains(field)) {
                if (List.class.isAssignableFrom(component.getType())) {
                    whole.putArray(field);
                } else {
                    whole.putNull(field);
                }
            }
        }
        definition.properties().forEach(field -> {
            if (!whole.has(field.getKey())) {
                whole.set(field.getKey(), field.getValue());
            }
        });
        return whole;
    }

    private static String jsonName(RecordComponent component) {
        // @JsonProperty sits on the accessor: it is not an annotation of record components
        JsonProperty named = component.getAccessor().getAnnotation(JsonProperty.class);
        return named == null ? component.getName() : named.value();
    }

    /** The request that would recreate this definition. */
    public static JobRequest of(JobDefinition definition) {
        return new JobRequest(
                definition.name(),
                definition.description(),
                definition.templateType(),
                definition.parameters(),
                definition.schedule().toSpec(),
                definition.enabled(),
                definition.priority(),
                definition.timeoutSeconds(),
                RetryPolicyJson.of(definition.retryPolicy()),
                definition.concurrencyPolicy().json(),
                definition.misfirePolicy().json(),
                definition.catchUpWindowSeconds(),
                definition.dependsOn().stream().map(JobId::toString).toList(),
                NotificationsJson.of(definition.notifications()),
                definition.tags(),
                null,
                definition.triggers().isEmpty()
                        ? null
                        : definition.triggers().stream().map(TriggerJson::of).toList(),
                definition.triggers().isEmpty()
                        ? null
                        : definition.triggerMode().json(),
                definition.triggerWindow() == null
                        ? null
                        : definition.triggerWindow().toString(),
                definition.calendars().isEmpty() ? null : definition.calendars(),
                definition.namespace(),
                definition.expectedDuration() == null
                        ? null
                        : definition.expectedDuration().toString(),
                RetentionJson.of(definition.retention()));
    }
}
