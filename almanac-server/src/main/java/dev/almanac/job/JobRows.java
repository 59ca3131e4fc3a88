package dev.almanac.job;

import static dev.almanac.common.JdbcTime.instant;

import dev.almanac.calendar.CalendarRefs;
import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.schedule.Schedule;
import dev.almanac.schedule.ScheduleSpec;
import dev.almanac.schedule.Schedules;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** A {@code jobs} row read into a {@link Job}: one mapping for the registry and the engine's store. */
public final class JobRows {

    public static final String COLUMNS = """
            j.id, j.name, j.description, j.template_type, j.parameters, j.schedule_type, j.cron_expression,
            j.interval_seconds, j.run_at, j.timezone, j.enabled, j.priority, j.timeout_seconds, j.max_retries,
            j.retry_delay_seconds, j.backoff_multiplier, j.concurrency_policy, j.misfire_policy,
            j.catch_up_window_seconds, j.notifications, j.created_by, j.created_at, j.updated_at, j.last_run_at,
            j.last_status, j.next_run_at, j.version, j.template_version, j.invalid_reason, j.calendars, j.paused_at,
            j.paused_until, j.pause_reason, j.namespace, j.expected_duration_seconds, j.keep_runs, j.keep_days
            """;

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

    private JobRows() {}

    public static RowMapper<Job> mapper(JsonMapper json) {
        return (rs, n) -> map(rs, json);
    }

    /** A jobs row (aliased {@code j}, {@link #COLUMNS}), before its tags and dependencies are read in. */
    public static Job map(ResultSet rs, JsonMapper json) throws SQLException {
        String zone = rs.getString("timezone");
        OffsetDateTime runAt = rs.getObject("run_at", OffsetDateTime.class);
        ScheduleSpec spec = new ScheduleSpec(
                rs.getString("schedule_type"),
                rs.getString("cron_expression"),
                rs.getObject("interval_seconds", Long.class),
                runAt == null
                        ? null
                        : runAt.atZoneSameInstant(ZoneId.of(zone))
                                .toOffsetDateTime()
                                .toString(),
                zone);
        Schedule schedule = Schedules.parse(spec, rs.getString("name"));
        NotificationsJson notifications = json.readValue(rs.getString("notifications"), NotificationsJson.class);
        JobDefinition definition = new JobDefinition(
                rs.getString("name"),
                rs.getString("description"),
                rs.getString("template_type"),
                json.readValue(rs.getString("parameters"), JSON_OBJECT),
                schedule,
                rs.getBoolean("enabled"),
                rs.getInt("priority"),
                rs.getInt("timeout_seconds"),
                new RetryPolicy(
                        rs.getInt("max_retries"), rs.getInt("retry_delay_seconds"), rs.getDouble("backoff_multiplier")),
                ConcurrencyPolicy.fromJson(rs.getString("concurrency_policy")).orElseThrow(),
                MisfirePolicy.fromJson(rs.getString("misfire_policy")).orElseThrow(),
                rs.getInt("catch_up_window_seconds"),
                List.of(),
                notifications.stored(),
                List.of(),
                List.of(),
                Trigger.Mode.ANY,
                null,
                calendars(rs.getString("calendars"), json),
                rs.getString("namespace"),
                expectedDuration(rs),
                new Retention(rs.getObject("keep_runs", Integer.class), rs.getObject("keep_days", Integer.class)));
        Instant pausedAt = instant(rs, "paused_at");
        return new Job(
                new JobId(rs.getObject("id", UUID.class)),
                definition,
                rs.getString("created_by"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                instant(rs, "last_run_at"),
                rs.getString("last_status"),
                instant(rs, "next_run_at"),
                rs.getLong("version"),
                rs.getString("template_version"),
                rs.getString("invalid_reason"),
                pausedAt == null
                        ? null
                        : new JobPause(pausedAt, instant(rs, "paused_until"), rs.getString("pause_reason")));
    }

    private static Duration expectedDuration(ResultSet rs) throws SQLException {
        Long seconds = rs.getObject("expected_duration_seconds", Long.class);
        return seconds == null ? null : Duration.ofSeconds(seconds);
    }

    static CalendarRefs calendars(String text, JsonMapper json) {
        return text == null ? CalendarRefs.NONE : json.readValue(text, CalendarRefs.class);
    }
}
