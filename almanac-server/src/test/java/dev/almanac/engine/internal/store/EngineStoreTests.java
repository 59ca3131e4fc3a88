package dev.almanac.engine.internal.store;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.JdbcTime;
import dev.almanac.engine.internal.store.EngineStore.JobAdvance;
import dev.almanac.engine.internal.store.EngineStore.JobOutcome;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobScheduling;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine's store on each database: what it writes into the job registry in batches (next runs, the latest outcome
 * of each job however its runs' outcomes arrive), and on PostgreSQL the plans its claim and node queries get.
 */
abstract class EngineStoreTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends EngineStoreTests {}

    @WithPostgres
    static class OnPostgres extends EngineStoreTests {

        /** With sequential scans off, so that the plan of a tiny table shows which index it would take (V12). */
        @Test
        void theNodeQueriesUseThePartialIndexOfRunningExecutions() throws SQLException {
            try (Connection connection = dataSource.getConnection()) {
                JdbcClient one = JdbcClient.create(new SingleConnectionDataSource(connection, true));
                one.sql("SET enable_seqscan = off").update();
                try {
                    assertThat(plan(one.sql("EXPLAIN " + PostgresEngineStore.LOCK_RUNNING_ON)
                                    .param("node", "node-a")))
                            .contains("ix_executions_running_host");
                    assertThat(plan(one.sql("EXPLAIN " + PostgresEngineStore.CANCEL_REQUESTED_ON)
                                    .param("node", "node-a")))
                            .contains("ix_executions_running_host");
                } finally {
                    one.sql("RESET enable_seqscan").update();
                }
            }
        }

        /**
         * A claim planned once would keep a plan made for the tables as they were: analyzed while empty (a fresh
         * install, autovacuum's first pass), that plan read the whole log for every run it claimed, however long the
         * log had grown since (almanac-bench: a 20 000-job drain at 484 runs/s). The claim is planned once, in its
         * transaction, where the planner has only index paths left; in auto-commit, where those settings are gone by
         * the next statement, at every call. Both kinds of call come first here, on the empty tables.
         */
        @Test
        void aClaimReadsTheLogThroughItsIndexAfterTheTablesWereAnalyzedEmpty() throws SQLException {
            Job job = service.create(anIntervalJob("claimed", 60).build(), "test");
            Instant now = clock.instant();
            onOneConnectionAfterAnalyzingEmptyTables((connection, sql, store) -> {
                for (int call = 0; call < 20; call++) {
                    assertThat(store.claimRuns("node-a", now, 10)).isEmpty();
                    claimNothingInATransaction(connection, store, now);
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
                    List<EngineStore.Claimed> claimed = store.claimRuns("node-a", now, 10);

                    assertThat(claimed)
                            .extracting(c -> c.execution().id().value())
                            .containsExactly(queued);
                    assertThat(logScans(sql)).isEqualTo(before);
                });
                assertThat(sql.sql("SELECT statement FROM pg_prepared_statements")
                                .query(String.class)
                                .list())
                        .as("the claim is kept once, from its transaction, and never from auto-commit")
                        .anySatisfy(kept -> assertThat(kept).contains("FOR UPDATE SKIP LOCKED"))
                        .noneSatisfy(kept -> assertThat(kept).contains("auto-commit"));
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
            onOneConnectionAfterAnalyzingEmptyTables((connection, sql, store) -> {
                for (int n = 0; n < 2000; n++) {
                    queue(sql, job, now.minusSeconds(2000 - n));
                }

                inRolledBackTransaction(connection, () -> {
                    long before = queueRowsRead(sql);
                    List<EngineStore.Claimed> claimed = store.claimRuns("node-a", now, 10);

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

        /**
         * The claim's plan is kept with its connection until the table's statistics change. Made on an empty table,
         * it found the runs it had locked by reading all of {@code ix_executions_created} (their ids are that index's
         * second column), a read that grew with the history: one 100 000-run drain ran at 436 runs/s where others
         * of the same build ran at 2 451–2 804 (almanac-bench HISTORY, session 31). It finds them by the address of
         * the row version it locked, whatever the table was then.
         */
        @Test
        void aClaimPlannedOnAnEmptyTableFindsTheRunsItLockedWithoutReadingTheHistory() throws SQLException {
            Job job = service.create(anIntervalJob("kept", 60).build(), "test");
            Instant now = clock.instant();
            onOneConnectionAfterAnalyzingEmptyTables((connection, sql, store) -> {
                for (int call = 0; call < 10; call++) {
                    claimNothingInATransaction(connection, store, now);
                }
                for (int n = 0; n < 200; n++) {
                    queue(sql, job, now.minusSeconds(n));
                }
                String kept = sql.sql("""
                                SELECT name FROM pg_prepared_statements
                                 WHERE statement LIKE '%WHERE ctid = ANY%'
                                """).query(String.class).single();

                inRolledBackTransaction(connection, () -> {
                    sql.sql(PostgresEngineStore.CLAIM_BY_INDEX).query().listOfRows();
                    // EXPLAIN EXECUTE takes no parameters of its own: the values are written into it
                    String claim = plan(sql.sql(
                            "EXPLAIN EXECUTE \"%s\"('node-a', '%s', '%s', '%s', 10)".formatted(kept, now, now, now)));

                    assertThat(claim).contains("Tid Scan on executions").doesNotContain("ix_executions_created");
                    assertThat(store.claimRuns("node-a", now, 10)).hasSize(10);
                });
            });
        }

        /**
         * The batch writes of a trigger pass and of outcomes join their arrays to {@code jobs}: planned on a registry
         * of some thousands of jobs, each batch read the whole table into a hash (almanac-bench: 10 ms of a 39 ms
         * advance of 500 jobs at 20 000 jobs). They read the jobs they write by key; so does a batch of one job, bound
         * as values with no join settings.
         */
        @Test
        void batchWritesOfJobsReadThemByKeyNotTheWholeRegistry() throws SQLException {
            Job first = service.create(anIntervalJob("registry-0", 60).build(), "test");
            jdbc.sql("""
                            INSERT INTO jobs
                            SELECT (jsonb_populate_record(NULL::jobs, to_jsonb(j)
                                    || jsonb_build_object('id', gen_random_uuid(), 'name', 'registry-' || n))).*
                              FROM jobs j, generate_series(1, 3000) AS n
                             WHERE j.id = ?
                            """).params(first.id().value()).update();
            jdbc.sql("ANALYZE jobs").update();
            List<UUID> some = jdbc.sql("SELECT id FROM jobs ORDER BY name LIMIT 200")
                    .query(UUID.class)
                    .list();
            List<JobAdvance> advances = some.stream()
                    .map(id -> new JobAdvance(new JobId(id), LATE, EARLY))
                    .toList();
            List<JobOutcome> outcomes = some.stream()
                    .map(id -> new JobOutcome(new JobId(id), LATE, "succeeded"))
                    .toList();
            try (Connection connection = dataSource.getConnection()) {
                SingleConnectionDataSource one = new SingleConnectionDataSource(connection, true);
                JdbcClient sql = JdbcClient.create(one);
                EngineStore onOne = new PostgresEngineStore(sql, new JdbcTemplate(one), json);
                inRolledBackTransaction(connection, () -> {
                    onOne.advanceJobs(advances);
                    onOne.recordJobOutcomes(outcomes);
                    UUID single = some.get(0);
                    Instant later = LATE.plusSeconds(60);
                    onOne.advanceJobs(List.of(new JobAdvance(new JobId(single), later, LATE)));
                    onOne.recordJobOutcomes(List.of(new JobOutcome(new JobId(single), later, "failed")));

                    assertThat(sql.sql("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relid = 'jobs'::regclass")
                                    .query(Long.class)
                                    .single())
                            .isZero();
                    assertThat(sql.sql("SELECT COUNT(*) FROM jobs WHERE next_run_at = ? AND last_status = 'succeeded'")
                                    .params(JdbcTime.utc(LATE))
                                    .query(Long.class)
                                    .single())
                            .isEqualTo(199);
                    assertThat(sql.sql("SELECT next_run_at = ? AND last_status = 'failed' FROM jobs WHERE id = ?")
                                    .params(JdbcTime.utc(later), single)
                                    .query(Boolean.class)
                                    .single())
                            .as("the batch of one job, written by its own statement")
                            .isTrue();
                });
            }
        }

        /**
         * The batch writes turn hash and merge joins off for their own statement only: the transaction gets back what
         * it had, an operator's setting included, not the planner's defaults.
         */
        @Test
        void batchWritesLeaveTheJoinSettingsAsTheyFoundThem() throws SQLException {
            Job job = service.create(anIntervalJob("settings", 60).build(), "test");
            Job other = service.create(anIntervalJob("settings-2", 60).build(), "test");
            try (Connection connection = dataSource.getConnection()) {
                SingleConnectionDataSource one = new SingleConnectionDataSource(connection, true);
                JdbcClient sql = JdbcClient.create(one);
                EngineStore onOne = new PostgresEngineStore(sql, new JdbcTemplate(one), json);
                inRolledBackTransaction(connection, () -> {
                    sql.sql("SET LOCAL enable_mergejoin = off").update();

                    onOne.recordJobOutcomes(List.of(
                            new JobOutcome(job.id(), LATE, "succeeded"), new JobOutcome(other.id(), LATE, "failed")));

                    assertThat(sql.sql("SELECT current_setting('enable_mergejoin') || ' '"
                                            + " || current_setting('enable_hashjoin')")
                                    .query(String.class)
                                    .single())
                            .isEqualTo("off on");
                });
            }
        }

        /**
         * A trigger pass asks which due jobs have an active run (their overlap policy). Planned while the queue was
         * empty, that check scanned every queued run once per job asked about (almanac-bench: 250-300 ms a pass with
         * 20 000 queued). It reads only the active runs of the jobs asked about (V44), however long the queue, and
         * finds a retry's first attempt (a backfill's run overlaps no slot, nor do its retries) by primary key.
         */
        @Test
        void aCheckForActiveRunsReadsOnlyTheRunsOfTheJobsAskedAbout() throws SQLException {
            Job busy = service.create(anIntervalJob("busy", 60).build(), "test");
            Job quiet = service.create(anIntervalJob("quiet", 60).build(), "test");
            Job idle = service.create(anIntervalJob("idle", 60).build(), "test");
            Instant now = clock.instant();
            onOneConnectionAfterAnalyzingEmptyTables((connection, sql, store) -> {
                for (int call = 0; call < 10; call++) {
                    assertThat(store.withOverlappingRuns(List.of(quiet.id(), idle.id())))
                            .isEmpty();
                }
                for (int n = 0; n < 2000; n++) {
                    queue(sql, busy, now.minusSeconds(n));
                }
                queue(sql, quiet, now);
                UUID backfilled = insert(sql, idle, now, "failed", "backfill:" + UUID.randomUUID(), null);
                insert(sql, idle, now, "queued", "retry", insert(sql, idle, now, "failed", "retry", backfilled));

                inRolledBackTransaction(connection, () -> {
                    long before = queueRowsRead(sql);

                    assertThat(store.withOverlappingRuns(List.of(quiet.id(), idle.id())))
                            .containsExactly(quiet.id());
                    assertThat(queueRowsRead(sql) - before).isLessThan(10);
                });
            });
        }

        /** What a test does on one connection, with a store bound to it. */
        private interface OnOneConnection {
            void run(Connection connection, JdbcClient sql, EngineStore store) throws SQLException;
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
                test.run(connection, sql, new PostgresEngineStore(sql, new JdbcTemplate(one), json));
            }
        }

        /** A claim in a transaction of its own, on an empty queue: the connection keeps the claim's plan. */
        private static void claimNothingInATransaction(Connection connection, EngineStore store, Instant now)
                throws SQLException {
            inRolledBackTransaction(
                    connection,
                    () -> assertThat(store.claimRuns("node-a", now, 10)).isEmpty());
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
            return insert(sql, job, runAfter, "queued", "test", null);
        }

        private static UUID insert(
                JdbcClient sql, Job job, Instant runAfter, String status, String triggeredBy, UUID retryOf) {
            UUID id = UUID.randomUUID();
            sql.sql("""
                            INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, attempt,
                                                    retry_of, run_after, created_at, dry_run, parameters,
                                                    triggered_by, cancel_requested)
                            VALUES (?, ?, 1, ?, ?, ?, 1, ?, ?, ?, FALSE, '{}', ?, FALSE)
                            """)
                    .params(
                            id,
                            job.id().value(),
                            job.name(),
                            job.definition().templateType(),
                            status,
                            retryOf,
                            JdbcTime.utc(runAfter),
                            JdbcTime.utc(runAfter),
                            triggeredBy)
                    .update();
            return id;
        }
    }

    @Autowired
    DataSource dataSource;

    @Autowired
    JobService service;

    @Autowired
    JobScheduling scheduling;

    @Autowired
    EngineStore store;

    @Autowired
    JsonMapper json;

    @Autowired
    TransactionTemplate transactions;

    private static final Instant EARLY = Instant.parse("2026-06-01T10:00:00Z");
    private static final Instant LATE = Instant.parse("2026-06-01T10:05:00Z");

    @Test
    void theLatestRunOfABatchGivesTheJobItsStatusWhateverTheOrder() {
        Job a = service.create(anIntervalJob("a", 60).build(), "test");
        Job b = service.create(anIntervalJob("b", 60).build(), "test");

        record(List.of(
                new JobOutcome(a.id(), LATE, "failed"),
                new JobOutcome(a.id(), EARLY, "succeeded"),
                new JobOutcome(b.id(), EARLY, "failed"),
                new JobOutcome(b.id(), LATE, "succeeded")));

        assertThat(scheduling.find(a.id()).orElseThrow().lastStatus()).isEqualTo("failed");
        assertThat(scheduling.find(a.id()).orElseThrow().lastRunAt()).isEqualTo(LATE);
        assertThat(scheduling.find(b.id()).orElseThrow().lastStatus()).isEqualTo("succeeded");
    }

    @Test
    void anOlderOutcomeArrivingLaterLeavesTheNewerOne() {
        Job a = service.create(anIntervalJob("a", 60).build(), "test");

        record(List.of(new JobOutcome(a.id(), LATE, "succeeded")));
        record(List.of(new JobOutcome(a.id(), EARLY, "failed")));

        assertThat(scheduling.find(a.id()).orElseThrow().lastStatus()).isEqualTo("succeeded");
    }

    @Test
    void aPassAdvancesEveryJobItNames() {
        Job a = service.create(anIntervalJob("a", 60).build(), "test");
        Job b = service.create(anIntervalJob("b", 60).build(), "test");
        List<JobAdvance> next = List.of(new JobAdvance(a.id(), LATE, EARLY), new JobAdvance(b.id(), null, null));

        transactions.executeWithoutResult(s -> store.advanceJobs(next));

        assertThat(scheduling.find(a.id()).orElseThrow().nextRunAt()).isEqualTo(LATE);
        assertThat(scheduling.find(b.id()).orElseThrow().nextRunAt()).isNull();
    }

    private void record(List<JobOutcome> outcomes) {
        transactions.executeWithoutResult(s -> store.recordJobOutcomes(outcomes));
    }

    private static String plan(JdbcClient.StatementSpec explain) {
        return String.join("\n", explain.query(String.class).list());
    }
}
