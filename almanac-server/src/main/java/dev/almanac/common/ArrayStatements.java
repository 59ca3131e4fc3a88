package dev.almanac.common;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.postgresql.PGStatement;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCreator;
import org.springframework.jdbc.core.RowMapper;

/**
 * PostgreSQL statements that write or read a whole list at once, each column of it bound as one array parameter
 * ({@code FROM unnest(CAST(? AS uuid[]), …)}), where a batch would run one statement per row (issue #4: the
 * engine's per-row statements were most of PostgreSQL's work during a drain).
 *
 * <p>One that joins the arrays to a table is planned with the values of its call (a custom plan): the driver prepares
 * it unnamed. A plan kept from an earlier call would have been made for a table as small as it was then, and a plan
 * that scans a whole table to join a few rows stays in use while the table grows (a generic plan made on an empty
 * queue read every execution). Parsing and planning again is about a sixth of PostgreSQL's work during a drain, so
 * an INSERT, which reads no table, is prepared once ({@link #insert}).
 *
 * <p>Bind arrays of what the driver sends as arrays ({@code UUID[]}, {@code String[]}, {@code Long[]},
 * {@code Integer[]}, {@code Boolean[]}) and cast each in the statement; instants go as text ({@link #instants}) and
 * are cast to {@code timestamptz[]}.
 */
public final class ArrayStatements {

    private ArrayStatements() {}

    /** Runs an UPDATE or DELETE that joins the arrays to a table; returns the rows it changed. */
    public static int update(JdbcTemplate jdbc, String sql, Object... args) {
        Integer changed = jdbc.execute(creator(sql, true, args), PreparedStatement::executeUpdate);
        return changed == null ? 0 : changed;
    }

    /**
     * Runs a query, or an UPDATE with RETURNING, that joins the arrays to a table; or any query whose plan must not
     * outlive the size of the tables it reads (the claim of queued runs).
     */
    public static <T> List<T> query(JdbcTemplate jdbc, String sql, RowMapper<T> mapper, Object... args) {
        return jdbc.query(creator(sql, true, args), mapper);
    }

    /**
     * Runs an {@code INSERT … SELECT … FROM unnest(…)}. It reads no table, so its plan cannot go stale: the driver
     * prepares it once per connection, as any other statement, and it is not parsed and planned again at every call.
     */
    public static void insert(JdbcTemplate jdbc, String sql, Object... args) {
        jdbc.execute(creator(sql, false, args), PreparedStatement::executeUpdate);
    }

    /** {@link #insert} with RETURNING: the rows it wrote, as {@code mapper} reads them. */
    public static <T> List<T> insertReturning(JdbcTemplate jdbc, String sql, RowMapper<T> mapper, Object... args) {
        return jdbc.query(creator(sql, false, args), mapper);
    }

    /** One column of {@code rows} as an array to bind. */
    public static <T, V> V[] column(Collection<T> rows, Function<T, V> value, IntFunction<V[]> array) {
        return rows.stream().map(value).toArray(array);
    }

    /** Instants as the text PostgreSQL reads into {@code timestamptz} (ISO-8601 in UTC), null as null. */
    public static <T> String[] instants(Collection<T> rows, Function<T, Instant> instant) {
        return rows.stream()
                .map(instant)
                .map(i -> i == null ? null : i.toString())
                .toArray(String[]::new);
    }

    private static PreparedStatementCreator creator(String sql, boolean planEachCall, Object[] args) {
        return connection -> prepare(connection, sql, planEachCall, args);
    }

    private static PreparedStatement prepare(Connection connection, String sql, boolean planEachCall, Object[] args)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            if (planEachCall) {
                // unnamed, so the server plans it for these values every time (see above)
                statement.unwrap(PGStatement.class).setPrepareThreshold(0);
            }
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }
}
