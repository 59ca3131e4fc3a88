package dev.almanac.bench;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Almanac job rows written in bulk, with the values the API gives a job it is not told otherwise (forbid overlap,
 * run once after a misfire, one hour timeout, no retries, UTC).
 */
final class JobRows {

    static final String INSERT = """
            INSERT INTO jobs (id, name, description, template_type, parameters, schedule_type, cron_expression,
                              interval_seconds, run_at, timezone, enabled, timeout_seconds, max_retries,
                              retry_delay_seconds, backoff_multiplier, concurrency_policy, misfire_policy,
                              catch_up_window_seconds, notifications, created_by, created_at, updated_at,
                              last_run_at, last_status, next_run_at, version)
            VALUES (?, ?, 'benchmark job', 'bench_noop', ?, ?, ?, NULL, ?, 'UTC', TRUE, 3600, 0, 60, 2.0, 'forbid',
                    'run_once', 3600, '{"on_success":[],"on_failure":[]}', 'bench', ?, ?, NULL, NULL, ?, 1)
            """;

    private JobRows() {}

    static void bind(
            PreparedStatement insert,
            UUID id,
            String name,
            int n,
            String scheduleType,
            String cron,
            Instant runAt,
            Instant now,
            Instant nextRunAt)
            throws SQLException {
        insert.setObject(1, id);
        insert.setString(2, name);
        insert.setString(3, "{\"n\":" + n + "}");
        insert.setString(4, scheduleType);
        if (cron == null) {
            insert.setNull(5, Types.VARCHAR);
        } else {
            insert.setString(5, cron);
        }
        insert.setObject(6, "once".equals(scheduleType) ? utc(runAt) : null, Types.TIMESTAMP_WITH_TIMEZONE);
        insert.setObject(7, utc(now));
        insert.setObject(8, utc(now));
        insert.setObject(9, utc(nextRunAt));
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
