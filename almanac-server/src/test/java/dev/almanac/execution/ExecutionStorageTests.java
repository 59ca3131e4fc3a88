package dev.almanac.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * How executions are stored, as the migrations leave them on each database: the indexes the queries rely on, and on
 * PostgreSQL the vacuum settings of the queue (db/vendor/postgresql).
 */
abstract class ExecutionStorageTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends ExecutionStorageTests {}

    @WithPostgres
    static class OnPostgres extends ExecutionStorageTests {

        @Test
        void theQueueIsVacuumedAfterOnePercentOfItChanged() {
            List<String> options = jdbc.sql(
                            "SELECT unnest(reloptions) FROM pg_class WHERE oid = 'executions'::regclass")
                    .query(String.class)
                    .list();

            assertThat(options)
                    .contains(
                            "autovacuum_vacuum_scale_factor=0.01",
                            "autovacuum_vacuum_insert_scale_factor=0.01",
                            "autovacuum_analyze_scale_factor=0.01");
        }

        @Test
        void everyMigrationOfThisDatabaseRan() {
            assertThat(jdbc.sql("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")
                            .query(String.class)
                            .list())
                    .contains("9", "10");
        }
    }

    @Autowired
    DataSource dataSource;

    @Test
    void theLastDayIsCountedFromAnIndexThatHoldsTheStatus() throws SQLException {
        Map<String, List<String>> indexes = indexesOf("executions");

        assertThat(indexes).containsEntry("ix_executions_completed_status", List.of("completed_at", "status"));
        assertThat(indexes).doesNotContainKey("ix_executions_completed");
    }

    private Map<String, List<String>> indexesOf(String table) throws SQLException {
        Map<String, List<String>> indexes = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData meta = connection.getMetaData();
            try (ResultSet rs = meta.getIndexInfo(null, connection.getSchema(), table, false, false)) {
                while (rs.next()) {
                    String name = rs.getString("INDEX_NAME");
                    String column = rs.getString("COLUMN_NAME");
                    if (name != null && column != null) {
                        indexes.computeIfAbsent(name.toLowerCase(java.util.Locale.ROOT), n -> new ArrayList<>())
                                .add(column.toLowerCase(java.util.Locale.ROOT));
                    }
                }
            }
        }
        return indexes;
    }
}
