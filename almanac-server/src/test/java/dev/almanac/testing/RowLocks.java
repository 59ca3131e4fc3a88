package dev.almanac.testing;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** What the test database says about sessions waiting for each other's row locks. */
public final class RowLocks {

    private RowLocks() {}

    /** Whether a session of the test's database waits for another's lock now (PostgreSQL or H2). */
    public static boolean someoneWaits(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String sql = c.getMetaData().getDatabaseProductName().equals("PostgreSQL")
                    ? "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            + " AND datname = current_database()"
                    : "SELECT count(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL";
            try (var statement = c.createStatement();
                    var rows = statement.executeQuery(sql)) {
                return rows.next() && rows.getLong(1) > 0;
            }
        }
    }
}
