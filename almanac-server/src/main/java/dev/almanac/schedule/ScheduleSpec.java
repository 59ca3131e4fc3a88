package dev.almanac.schedule;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A schedule as the API and the store carry it. Any field may be null; {@link Schedules#parse} says which
 * are missing or do not belong to the type. A client may also write the short forms the design documents use, read
 * into this canonical form: {@code {"cron": "0 19 * * *"}}, {@code {"interval_seconds": 3600}} or
 * {@code {"run_at": "..."}}, each with an optional {@code timezone} and no {@code type}.
 *
 * @param type {@code cron}, {@code interval} or {@code once}
 * @param expression cron expression, for {@code cron}
 * @param intervalSeconds seconds between runs, for {@code interval}
 * @param runAt ISO-8601 date-time, with an offset or local to {@code timezone}, for {@code once}
 * @param timezone IANA zone id; UTC when absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Schedule", description = "When a job runs: a cron expression, a fixed interval, or once")
public record ScheduleSpec(
        @Schema(
                allowableValues = {"cron", "interval", "once"},
                example = "cron")
        String type,

        @Schema(description = "5 fields, or 6 with leading seconds; for cron", example = "0 2 * * *")
        String expression,

        @JsonProperty("interval_seconds") @Schema(description = "1..31622400; for interval", example = "3600")
        Long intervalSeconds,

        @JsonProperty("run_at")
        @Schema(
                description = "ISO-8601, with an offset or local to timezone; for once",
                example = "2026-12-01T09:00:00Z")
        String runAt,

        @Schema(description = "IANA zone id, default UTC", example = "Europe/Berlin")
        String timezone) {

    /**
     * Reads a schedule from JSON, short forms included: {@code cron} is the expression of a cron schedule, and without
     * a {@code type} the one kind of field present (an expression, {@code interval_seconds} or {@code run_at}) names
     * it.
     */
    @JsonCreator
    static ScheduleSpec fromJson(
            @JsonProperty("type") String type,
            @JsonProperty("expression") String expression,
            @JsonProperty("cron") String cron,
            @JsonProperty("interval_seconds") Long intervalSeconds,
            @JsonProperty("run_at") String runAt,
            @JsonProperty("timezone") String timezone) {
        if (cron != null) {
            if (expression != null && !expression.equals(cron)) {
                throw new IllegalArgumentException("give the cron expression once: as expression or as cron");
            }
            if (type != null && !type.strip().equalsIgnoreCase("cron")) {
                throw new IllegalArgumentException("cron is the expression of a cron schedule, not of " + type);
            }
            expression = cron;
            type = type == null ? "cron" : type;
        }
        if (type == null || type.isBlank()) {
            boolean cronLike = expression != null;
            boolean interval = intervalSeconds != null;
            boolean once = runAt != null;
            if (cronLike && !interval && !once) {
                type = "cron";
            } else if (interval && !cronLike && !once) {
                type = "interval";
            } else if (once && !cronLike && !interval) {
                type = "once";
            }
        }
        return new ScheduleSpec(type, expression, intervalSeconds, runAt, timezone);
    }
}
