package dev.almanac.execution.internal;

import static dev.almanac.common.JdbcTime.instant;

import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.LogLine;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code execution_logs} table as the API and pages read it; the engine's store writes the lines in batches. */
@Repository
public class ExecutionLogRepository {

    private static final String LINES_OF = """
            SELECT seq, logged_at, log_level, message FROM execution_logs
             WHERE execution_id = :id AND seq > :after_seq AND seq < :before_seq
             ORDER BY seq
             LIMIT :limit
            """;

    private static final String LAST_LINES_OF = """
            SELECT seq, logged_at, log_level, message FROM execution_logs
             WHERE execution_id = :id AND seq > :after_seq
             ORDER BY seq DESC
             LIMIT :limit
            """;

    private final JdbcClient jdbc;

    ExecutionLogRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<LogLine> linesOf(ExecutionId id, int afterSeq, int limit) {
        return linesBetween(id, afterSeq, Integer.MAX_VALUE, limit);
    }

    /** The first lines after {@code afterSeq} and before {@code beforeSeq}, in order, at most {@code limit}. */
    public List<LogLine> linesBetween(ExecutionId id, int afterSeq, int beforeSeq, int limit) {
        return jdbc.sql(LINES_OF)
                .param("id", id.value())
                .param("after_seq", afterSeq)
                .param("before_seq", beforeSeq)
                .param("limit", limit)
                .query(ExecutionLogRepository::line)
                .list();
    }

    /** The last lines after {@code afterSeq}, at most {@code limit}, in order. */
    public List<LogLine> lastLinesOf(ExecutionId id, int afterSeq, int limit) {
        List<LogLine> lines = new ArrayList<>(jdbc.sql(LAST_LINES_OF)
                .param("id", id.value())
                .param("after_seq", afterSeq)
                .param("limit", limit)
                .query(ExecutionLogRepository::line)
                .list());
        Collections.reverse(lines);
        return lines;
    }

    private static LogLine line(ResultSet rs, int row) throws SQLException {
        return new LogLine(
                rs.getInt("seq"), instant(rs, "logged_at"), rs.getString("log_level"), rs.getString("message"));
    }
}
