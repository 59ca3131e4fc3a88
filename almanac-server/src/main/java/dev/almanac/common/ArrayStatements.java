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
 * <p>Each is planned with the values of its call (a custom plan): the driver prepares it unnamed. A plan kept from an
 * earlier call would have been made for a table as small as it was then, and a plan that scans a whole table to join
 * a few rows stays in use while the table grows (a generic plan made on an empty queue read every execution).
 *
 * <p>Bind arrays of what the driver sends as arrays ({@code UUID[]}, {@code String[]}, {@code Long[]},
 * {@code Integer[]}, {@code Boolean[]}) and cast each in the statement; instants go as text ({@link #instants}) and
 * are cast to {@code timestamptz[]}.
 */
public final class ArrayStatements {

    private ArrayStatements() {}

    /** Runs an INSERT, UPDATE or DELETE; returns the rows it changed. */
    public static int update(JdbcTemplate jdbc, String sql, Object... args) {
        Integer changed = jdbc.execute(creator(sql, args), PreparedStatement::executeUpdate);
        return changed == null ? 0 : changed;
    }

    /** Runs a query, or a write with RETURNING. */
    public static <T> List<T> query(JdbcTemplate jdbc, String sql, RowMapper<T> mapper, Object... args) {
        return jdbc.query(creator(sql, args), mapper);
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

    private static PreparedStatementCreator creator(String sql, Object[] args) {
        return connection -> prepare(connection, sql, args);
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object[] args) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            // unnamed, so the server plans it for these values every time (see above)
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
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
