package dev.almanac.execution;

import static dev.almanac.common.ArrayStatements.column;
import static dev.almanac.common.ArrayStatements.instants;
import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.common.ArrayStatements;
import dev.almanac.common.SqlDialect;
import java.util.List;
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
    /** {@link #INSERT_LINE} for a whole batch, for PostgreSQL ({@link ArrayStatements}). */
    private static final String INSERT_LINES = """
            INSERT INTO execution_logs (execution_id, seq, logged_at, log_level, message)
            SELECT * FROM unnest(CAST(? AS uuid[]), CAST(? AS integer[]), CAST(? AS timestamptz[]), CAST(? AS text[]),
                                 CAST(? AS text[]))
            """;

    private static final String LINES_OF = """
            SELECT seq, logged_at, log_level, message FROM execution_logs
             WHERE execution_id = :id AND seq > :after_seq
             ORDER BY seq
             LIMIT :limit
            """;

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final SqlDialect dialect;

    ExecutionLogRepository(JdbcClient jdbc, JdbcTemplate batch, SqlDialect dialect) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.dialect = dialect;
    }

    /** A line bound for one execution's log. */
    public record PendingLine(ExecutionId execution, LogLine line) {}

    public void append(List<PendingLine> lines) {
        if (lines.isEmpty()) {
            return;
        }
        if (dialect.arrayParameters()) {
            for (int from = 0; from < lines.size(); from += 1000) {
                List<PendingLine> chunk = lines.subList(from, Math.min(lines.size(), from + 1000));
                ArrayStatements.insert(
                        batch,
                        INSERT_LINES,
                        column(chunk, l -> l.execution().value(), UUID[]::new),
                        column(chunk, l -> l.line().seq(), Integer[]::new),
                        instants(chunk, l -> l.line().timestamp()),
                        column(chunk, l -> l.line().level(), String[]::new),
                        column(chunk, l -> l.line().message(), String[]::new));
            }
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
