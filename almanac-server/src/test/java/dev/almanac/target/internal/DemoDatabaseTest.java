package dev.almanac.target.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The demo target is filled on a fresh start, on the very database URL the application gives it. */
class DemoDatabaseTest {

    @Test
    void aFreshDemoDatabaseIsSeenAsEmptyAndFilledOnce() throws Exception {
        String url = "jdbc:h2:mem:demo-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
            assertThat(DemoDatabase.exists(connection))
                    .as("H2's information_schema.users is not the demo's users table")
                    .isFalse();

            DemoDatabase.create(connection, Instant.parse("2026-06-01T10:00:00Z"), 50);

            assertThat(DemoDatabase.exists(connection)).isTrue();
            try (Statement statement = connection.createStatement();
                    ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM sessions")) {
                count.next();
                assertThat(count.getLong(1)).isPositive();
            }
        }
    }
}
