package dev.almanac.template;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A target database a run may act on, handed out by {@link JobContext#target(String)}.
 *
 * <p>Connections from {@link #connect()} carry the run's limits: every statement gets a query timeout of the run's
 * remaining time, and the statements still running are cancelled when the run is cancelled or times out. Build SQL
 * only from identifiers the {@linkplain #description() allowlist} names, quoted with {@link #quote(String)}, and
 * bind every value as a parameter.
 */
public interface TargetDatabase {

    /**
     * The target's name, product and allowlist.
     *
     * @return the description
     */
    TargetDescription description();

    /**
     * Opens a connection to the target. Close it (try-with-resources) when done.
     *
     * @return a connection whose statements honour the run's deadline and cancellation
     * @throws SQLException when the database cannot be reached
     * @throws JobCancelledException when the run already has to stop
     */
    Connection connect() throws SQLException;

    /**
     * Checks that the database answers, within a short timeout; for a dry run's pre-flight.
     *
     * @param timeout the most the check may take
     * @throws SQLException when the database cannot be reached or does not answer in time
     */
    default void checkReachable(java.time.Duration timeout) throws SQLException {
        try (Connection connection = connect()) {
            if (!connection.isValid((int) Math.max(1, timeout.toSeconds()))) {
                throw new SQLException("the connection did not answer within " + timeout.toSeconds() + " s");
            }
        }
    }

    /**
     * Environment variables for the database's own command-line client (for PostgreSQL {@code PGHOST},
     * {@code PGPORT}, {@code PGDATABASE}, {@code PGUSER}, {@code PGPASSWORD}, and {@code ALMANAC_SCHEMA}, the schema the
     * target's URL selects), so a template can run e.g. {@code pg_dump} without credentials on a command line.
     *
     * @return the variables, or an empty map when the product has no such client or the URL cannot be mapped
     */
    default java.util.Map<String, String> clientEnvironment() {
        return java.util.Map.of();
    }

    /**
     * Quotes a table or column name for SQL, after checking it is on the allowlist of this target.
     *
     * @param identifier a table, or a column of an allowed table
     * @return the identifier in double quotes
     * @throws IllegalArgumentException when no allowed table or column has this name
     */
    default String quote(String identifier) {
        TargetDescription target = description();
        boolean known = target.allowsTable(identifier)
                || target.columns().values().stream().anyMatch(columns -> columns.contains(identifier));
        if (!known) {
            throw new IllegalArgumentException(
                    "'" + identifier + "' is not an allowed table or column of target '" + target.name() + "'");
        }
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
