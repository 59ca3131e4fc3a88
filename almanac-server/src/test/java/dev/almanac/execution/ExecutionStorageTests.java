package dev.almanac.execution;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.JdbcTime;
import dev.almanac.common.SqlDialect;
import dev.almanac.job.Job;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import tools.jackson.databind.json.JsonMapper;

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
                    assertThat(plan(one.sql("EXPLAIN " + ExecutionRepository.LOCK_RUNNING_ON)
                                    .param("node", "node-a")))
                            .contains("ix_executions_running_host");
                    assertThat(plan(one.sql("EXPLAIN " + ExecutionRepository.CANCEL_REQUESTED_ON)
                                    .param("node", "node-a")))
                            .contains("ix_executions_running_host");
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

        /**
         * A claim planned once would keep a plan made for the tables as they were: analyzed while empty (a fresh
         * install, autovacuum's first pass), that plan read the whole log for every run it claimed, however long the
         * log had grown since (almanac-bench: a 20 000-job drain at 484 runs/s). The claim is planned at every call.
         */
        @Test
        void aClaimReadsTheLogThroughItsIndexAfterTheTablesWereAnalyzedEmpty() throws SQLException {
            Job job = service.create(anIntervalJob("claimed", 60).build(), "test");
            Instant now = clock.instant();
            onOneConnectionAfterAnalyzingEmptyTables((connection, sql, executions) -> {
                for (int call = 0; call < 20; call++) {
                    assertThat(executions.claimQueued(now, 10, "node-a")).isEmpty();
                }
                UUID finished = queue(sql, job, now.minusSeconds(60));
                sql.sql("""
                                INSERT INTO execution_logs (execution_id, seq, logged_at, log_level, message)
                                SELECT ?, n, now(), 'info', 'line ' || n FROM generate_series(1, 5000) AS n
                                """).params(finished).update();
                sql.sql("UPDATE executions SET status = 'succeeded' WHERE id = ?")
                        .params(finished)
                        .update();
                UUID queued = queue(sql, job, now);

                inRolledBackTransaction(connection, () -> {
                    long before = logScans(sql);
                    List<ExecutionRepository.Claimed> claimed = executions.claimQueued(now, 10, "node-a");

                    assertThat(claimed)
                            .extracting(c -> c.execution().id().value())
                            .containsExactly(queued);
                    assertThat(logScans(sql)).isEqualTo(before);
                });
            });
        }

        /**
         * With a long queue the statistics took for a few rows (analyzed empty, or a history where queued runs are
         * rare), a claim planned for its values read every queued run and sorted them to keep the earliest ten.
         */
        @Test
        void aClaimReadsTheQueueInDueOrderAndStopsAtTheLimitWhateverTheStatisticsSay() throws SQLException {
            Job job = service.create(anIntervalJob("queued", 60).build(), "test");
            Instant now = clock.instant();
            onOneConnectionAfterAnalyzingEmptyTables((connection, sql, executions) -> {
                for (int n = 0; n < 2000; n++) {
                    queue(sql, job, now.minusSeconds(2000 - n));
                }

                inRolledBackTransaction(connection, () -> {
                    long before = queueRowsRead(sql);
                    List<ExecutionRepository.Claimed> claimed = executions.claimQueued(now, 10, "node-a");

                    assertThat(claimed)
                            .extracting(c -> c.execution().runAfter())
                            .isSorted()
                            .first()
                            .isEqualTo(now.minusSeconds(2000));
                    assertThat(claimed).hasSize(10);
                    assertThat(queueRowsRead(sql) - before).isLessThan(100);
                });
            });
        }

        /** What a test does on one connection, with a repository bound to it. */
        private interface OnOneConnection {
            void run(Connection connection, JdbcClient sql, ExecutionRepository executions) throws SQLException;
        }

        /**
         * Analyzes the queue and the log while they are empty, as autovacuum's first pass on a fresh install does,
         * then runs {@code test} on one connection: the driver keeps prepared statements, and PostgreSQL counts what
         * a transaction read, per connection.
         */
        private void onOneConnectionAfterAnalyzingEmptyTables(OnOneConnection test) throws SQLException {
            jdbc.sql("ANALYZE executions, execution_logs").update();
            try (Connection connection = dataSource.getConnection()) {
                SingleConnectionDataSource one = new SingleConnectionDataSource(connection, true);
                JdbcClient sql = JdbcClient.create(one);
                test.run(connection, sql, new ExecutionRepository(sql, new JdbcTemplate(one), json, dialect));
            }
        }

        /** Runs {@code claim} in a transaction that is then rolled back; its reads show in pg_stat_xact_user_tables. */
        private static void inRolledBackTransaction(Connection connection, Runnable claim) throws SQLException {
            connection.setAutoCommit(false);
            try {
                claim.run();
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }

        /** Rows of executions this connection read, by any scan, not yet reported to the statistics. */
        private static long queueRowsRead(JdbcClient sql) {
            return sql.sql("SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables"
                            + " WHERE relid = 'executions'::regclass")
                    .query(Long.class)
                    .single();
        }

        /** Sequential scans of the log by this connection not yet reported to the statistics. */
        private static long logScans(JdbcClient sql) {
            return sql.sql("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relid = 'execution_logs'::regclass")
                    .query(Long.class)
                    .single();
        }

        private static UUID queue(JdbcClient sql, Job job, Instant runAfter) {
            UUID id = UUID.randomUUID();
            sql.sql("""
                            INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, attempt,
                                                    run_after, created_at, dry_run, parameters, triggered_by,
                                                    cancel_requested)
                            VALUES (?, ?, 1, ?, ?, 'queued', 1, ?, ?, FALSE, '{}', 'test', FALSE)
                            """)
                    .params(
                            id,
                            job.id().value(),
                            job.name(),
                            job.definition().templateType(),
                            JdbcTime.utc(runAfter),
                            JdbcTime.utc(runAfter))
                    .update();
            return id;
        }

        @Test
        void aJobsOutcomeFindsRoomOnItsPage() {
            assertThat(jdbc.sql("SELECT unnest(reloptions) FROM pg_class WHERE oid = 'jobs'::regclass")
                            .query(String.class)
                            .list())
                    .contains("fillfactor=90");
        }

        @Test
        void everyMigrationOfThisDatabaseRan() {
            assertThat(jdbc.sql("SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank")
                            .query(String.class)
                            .list())
                    .contains("9", "10", "11", "12");
        }
    }

    @Autowired
    DataSource dataSource;

    @Autowired
    JobService service;

    @Autowired
    JsonMapper json;

    @Autowired
    SqlDialect dialect;

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
