package dev.almanac.execution.internal;

import static dev.almanac.common.JdbcTime.instant;

import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.LogLine;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code execution_logs} table as the API and pages read it; the engine's store writes the lines in batches. */
@Repository
public class ExecutionLogRepository {

    private static final String LINES_OF = """
            SELECT seq, logged_at, log_level, message FROM execution_logs
             WHERE execution_id = :id AND seq > :after_seq
             ORDER BY seq
             LIMIT :limit
            """;

    private final JdbcClient jdbc;

    ExecutionLogRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<LogLine> linesOf(ExecutionId id, int afterSeq, int limit) {
        return jdbc.sql(LINES_OF)
                .param("id", id.value())
                .param("after_seq", afterSeq)
                .param("limit", limit)
                .query((rs, n) -> new LogLine(
                        rs.getInt("seq"), instant(rs, "logged_at"), rs.getString("log_level"), rs.getString("message")))
                .list();
    }
}
