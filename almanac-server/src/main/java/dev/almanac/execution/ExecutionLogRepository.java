package dev.almanac.execution;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code execution_logs} table: lines arrive in batches while a run goes on, and are readable at once. */
@Repository
public class ExecutionLogRepository {

    private static final String INSERT_LINE = """
            INSERT INTO execution_logs (execution_id, seq, logged_at, log_level, message)
            VALUES (?, ?, ?, ?, ?)
            """;
    private static final String LINES_OF = """
            SELECT seq, logged_at, log_level, message FROM execution_logs
             WHERE execution_id = :id AND seq > :after_seq
             ORDER BY seq
             LIMIT :limit
            """;

    private static final String LAST_SEQ_OF = """
            SELECT execution_id, MAX(seq) FROM execution_logs
             WHERE execution_id IN (:ids)
             GROUP BY execution_id
            """;

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;

    ExecutionLogRepository(JdbcClient jdbc, JdbcTemplate batch) {
        this.jdbc = jdbc;
        this.batch = batch;
    }

    /** A line bound for one execution's log. */
    public record PendingLine(ExecutionId execution, LogLine line) {}

    public void append(List<PendingLine> lines) {
        if (lines.isEmpty()) {
            return;
        }
        batch.batchUpdate(INSERT_LINE, lines, 1000, (ps, l) -> {
            ps.setObject(1, l.execution().value());
            ps.setInt(2, l.line().seq());
            ps.setObject(3, utc(l.line().timestamp()));
            ps.setString(4, l.line().level());
            ps.setString(5, l.line().message());
        });
    }

    /**
     * The last line number each of {@code ids} has logged, for the executions that have a log already: one handed back
     * to the queue by a stopping node continues its log where it left off.
     */
    public Map<ExecutionId, Integer> lastSeqOf(Collection<ExecutionId> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<ExecutionId, Integer> last = new HashMap<>();
        jdbc.sql(LAST_SEQ_OF)
                .param("ids", ids.stream().map(ExecutionId::value).toList())
                .query(rs -> {
                    last.put(new ExecutionId(rs.getObject(1, UUID.class)), rs.getInt(2));
                });
        return last;
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
