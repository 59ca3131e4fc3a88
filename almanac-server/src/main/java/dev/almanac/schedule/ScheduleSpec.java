package dev.almanac.schedule;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A schedule as the API and the store carry it. Any field may be null; {@link Schedules#parse} says which
 * are missing or do not belong to the type.
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
        String timezone) {}
