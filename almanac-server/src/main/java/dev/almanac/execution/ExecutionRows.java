package dev.almanac.execution;

import static dev.almanac.common.JdbcTime.instant;

import dev.almanac.job.JobId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** An {@code executions} row read into an {@link Execution}: one mapping for the history reads and the engine's store. */
public final class ExecutionRows {

    public static final String COLUMNS = """
            id, job_id, job_version, job_name, template_type, status, reason, attempt, retry_of, slot_key,
            scheduled_for, run_after, created_at, started_at, completed_at, duration_ms, dry_run, parameters, result,
            error, triggered_by, execution_host, heartbeat_at, cancel_requested, timeout_seconds
            """;

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

    private ExecutionRows() {}

    /** Reads the {@link #COLUMNS} of a row; JSON columns through {@code json}. */
    public static RowMapper<Execution> mapper(JsonMapper json) {
        return (rs, n) -> map(rs, json);
    }

    public static Execution map(ResultSet rs, JsonMapper json) throws SQLException {
        UUID retryOf = rs.getObject("retry_of", UUID.class);
        String result = rs.getString("result");
        return new Execution(
                new ExecutionId(rs.getObject("id", UUID.class)),
                new JobId(rs.getObject("job_id", UUID.class)),
                rs.getLong("job_version"),
                rs.getString("job_name"),
                rs.getString("template_type"),
                ExecutionStatus.fromJson(rs.getString("status")).orElseThrow(),
                rs.getString("reason"),
                rs.getInt("attempt"),
                retryOf == null ? null : new ExecutionId(retryOf),
                rs.getString("slot_key"),
                instant(rs, "scheduled_for"),
                instant(rs, "run_after"),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "completed_at"),
                rs.getObject("duration_ms", Long.class),
                rs.getBoolean("dry_run"),
                json.readValue(rs.getString("parameters"), JSON_OBJECT),
                result == null ? null : json.readValue(result, JSON_OBJECT),
                rs.getString("error"),
                rs.getString("triggered_by"),
                rs.getString("execution_host"),
                instant(rs, "heartbeat_at"),
                rs.getBoolean("cancel_requested"),
                rs.getObject("timeout_seconds", Integer.class));
    }
}
