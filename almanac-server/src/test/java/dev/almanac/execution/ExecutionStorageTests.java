package dev.almanac.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.JdbcTime;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

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

        /** Their WHERE keeps only the rows they are read for; a version outside it writes no entry (V12). */
        @Test
        void theNodeStartAndEndIndexesHoldOnlyTheRowsTheyAreReadFor() {
            Map<String, String> definitions = new LinkedHashMap<>();
            jdbc.sql("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'executions'"
                            + " AND schemaname = current_schema()")
                    .query(rs -> {
                        definitions.put(rs.getString(1), rs.getString(2));
                    });

            assertThat(definitions.get("ix_executions_running_host"))
                    .endsWith("WHERE ((status)::text = 'running'::text)");
            assertThat(definitions.get("ix_executions_started")).endsWith("WHERE (started_at IS NOT NULL)");
            assertThat(definitions.get("ix_executions_completed_status")).endsWith("WHERE (completed_at IS NOT NULL)");
            assertThat(definitions).doesNotContainKey("ix_executions_host");
            assertThat(definitions.get("ix_executions_claim"))
                    .as("the claim's index holds the queue, not the history (V45)")
                    .endsWith("WHERE (((status)::text = 'queued'::text) AND (execution_host IS NULL))");
            assertThat(definitions.get("ix_executions_ended_status")).contains("WHERE ((status)::text <> ALL");
        }

        /**
         * The history filtered by an end status reads that status's entries in the history's order (V45): before, the
         * claim's index (status first) served it, and once it held only the queue a count read the whole table.
         */
        @Test
        void theHistoryOfOneEndStatusReadsItsOwnIndex() throws SQLException {
            ExecutionQuery failed = new ExecutionQuery(
                    null, ExecutionStatus.FAILED, null, null, null, null, null, ExecutionQuery.DEFAULT_LIMIT);
            StringBuilder where = new StringBuilder();
            Map<String, Object> params = new HashMap<>();
            failed.appendWhere(where, params);
            try (Connection connection = dataSource.getConnection()) {
                JdbcClient one = JdbcClient.create(new SingleConnectionDataSource(connection, true));
                one.sql("SET enable_seqscan = off").update();
                try {
                    assertThat(plan(one.sql("EXPLAIN SELECT id FROM executions WHERE 1 = 1" + where
                                            + " ORDER BY created_at DESC, id DESC LIMIT 50")
                                    .params(params)))
                            .contains("ix_executions_ended_status")
                            .doesNotContain("Sort");
                    assertThat(plan(one.sql("EXPLAIN SELECT COUNT(*) FROM executions WHERE 1 = 1" + where)
                                    .params(params)))
                            .contains("ix_executions_ended_status");
                } finally {
                    one.sql("RESET enable_seqscan").update();
                }
            }
        }

        /** A job without a silence alert writes no entry into the index of those that have one (V46). */
        @Test
        void onlyJobsWithASilenceAlertAreInItsIndex() throws SQLException {
            assertThat(jdbc.sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_jobs_alert'"
                                    + " AND schemaname = current_schema()")
                            .query(String.class)
                            .single())
                    .endsWith("WHERE (alert_after_seconds IS NOT NULL)");
            try (Connection connection = dataSource.getConnection()) {
                JdbcClient one = JdbcClient.create(new SingleConnectionDataSource(connection, true));
                one.sql("SET enable_seqscan = off").update();
                try {
                    assertThat(plan(one.sql("EXPLAIN SELECT id FROM jobs j WHERE j.alert_after_seconds IS NOT NULL")))
                            .contains("ix_jobs_alert");
                } finally {
                    one.sql("RESET enable_seqscan").update();
                }
            }
        }

        /**
         * Each query those indexes serve can use them: PostgreSQL proves the query's WHERE implies the index's. With
         * sequential scans off, so that the plan of a tiny table shows which index it would take.
         */
        @Test
        void theQueriesOfThePartialIndexesCanUseThem() throws SQLException {
            try (Connection connection = dataSource.getConnection()) {
                JdbcClient one = JdbcClient.create(new SingleConnectionDataSource(connection, true));
                one.sql("SET enable_seqscan = off").update();
                try {
                    Instant now = Instant.parse("2026-11-29T10:00:00Z");
                    assertThat(plan(one.sql("EXPLAIN " + ExecutionRepository.STARTS_SINCE)
                                    .param("since", JdbcTime.utc(now))
                                    .param("limit", 10)))
                            .contains("ix_executions_started");
                    assertThat(plan(one.sql("EXPLAIN " + ExecutionRepository.FINISHED_PER_BUCKET.formatted(""))
                                    .param("bucket_seconds", 3600)
                                    .param("since", JdbcTime.utc(now))))
                            .contains("ix_executions_completed_status");
                } finally {
                    one.sql("RESET enable_seqscan").update();
                }
            }
        }

        /** Room on a job's page for the versions its runs write, so that an outcome stays heap-only (V46). */
        @Test
        void aJobsOutcomeFindsRoomOnItsPage() {
            assertThat(jdbc.sql("SELECT unnest(reloptions) FROM pg_class WHERE oid = 'jobs'::regclass")
                            .query(String.class)
                            .list())
                    .contains("fillfactor=70");
        }

        @Test
        void everyMigrationOfThisDatabaseRan() {
            assertThat(jdbc.sql("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")
                            .query(String.class)
                            .list())
                    .contains("9", "10", "11", "12", "44", "45", "46");
        }
    }

    @Autowired
    DataSource dataSource;

    @Autowired
    JobService service;

    @Test
    void theLastDayIsCountedFromAnIndexThatHoldsTheStatus() throws SQLException {
        Map<String, List<String>> indexes = indexesOf("executions");

        assertThat(indexes).containsEntry("ix_executions_completed_status", List.of("completed_at", "status"));
        assertThat(indexes).doesNotContainKey("ix_executions_completed");
    }

    private static String plan(JdbcClient.StatementSpec explain) {
        return String.join("\n", explain.query(String.class).list());
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
