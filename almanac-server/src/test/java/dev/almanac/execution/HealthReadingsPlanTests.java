package dev.almanac.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Schedule health reads a job's recent runs after every batch of outcomes. Planned on statistics taken while the
 * history was small, PostgreSQL read every succeeded run of every job through the claim index and kept the job's
 * (almanac-bench: 75 ms a statement, half the database's time in a 20 000-run drain). Each read compares the status
 * as an expression, so only the job's own index can serve it, whatever the statistics say.
 *
 * <p>The statistics here are the ones that made the claim index win: the asked-about jobs have many runs, almost all
 * skipped, and the table holds a few ended runs in all. They are taken by an {@code ANALYZE} of rows inserted in the
 * test's own transaction, sorted by job and time so that the index order's correlation with the table's is the same
 * on every run, then rolled back. Sequential scans are off, so that the plan shows which index a read would take.
 * With the status compared plainly, each of these reads takes the claim index on these statistics (cost 17 against
 * the job's index's 591 on PostgreSQL 15); as written, the job's index (591) against the next best, the time index
 * (2 356); the read of several jobs at once reads each job through the job's index, in the plan for the values and
 * in the generic plan the server may keep (it is one text for any number of jobs). The other reads of
 * {@link HealthReadings} are not a job's: runs under way are read through the claim index on purpose, missed slots by
 * time.
 */
@WithPostgres
class HealthReadingsPlanTests extends AlmanacIntegrationTest {

    private static final UUID QUIET = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private static final UUID ALSO_QUIET = UUID.fromString("00000000-0000-0000-0000-000000000002");
    private static final UUID OTHER = UUID.fromString("00000000-0000-0000-0000-000000000003");

    @Autowired
    DataSource dataSource;

    @Test
    void everyReadOfAJobsRunsTakesTheJobsIndexAndNeverTheClaimIndex() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            JdbcClient one = JdbcClient.create(new SingleConnectionDataSource(connection, true));
            connection.setAutoCommit(false);
            try {
                runs(one, QUIET, 2000, 3);
                runs(one, ALSO_QUIET, 2000, 3);
                runs(one, OTHER, 20_000, 0);
                one.sql("ANALYZE executions").update();
                one.sql("SET LOCAL enable_seqscan = off").update();

                String recentSuccesses = plan(
                        one.sql("EXPLAIN " + HealthReadings.RECENT_SUCCESSES).params(QUIET, 11));
                String ofSeveralJobs = plan(one.sql("EXPLAIN " + HealthReadings.RECENT_SUCCESSES_OF_JOBS)
                        .params(new UUID[] {QUIET, ALSO_QUIET}, new Integer[] {21, 21}));
                String ofSeveralJobsKept = keptPlanOfSeveralJobs(one, QUIET, ALSO_QUIET);
                String recentEnded =
                        plan(one.sql("EXPLAIN " + HealthReadings.RECENT_ENDED).params(QUIET, 100));

                assertThat(recentSuccesses)
                        .contains("ix_executions_job_created")
                        .doesNotContain("ix_executions_claim");
                for (String several : List.of(ofSeveralJobs, ofSeveralJobsKept)) {
                    assertThat(several)
                            .as("the job's index, once per job asked about:%n%s", several)
                            .containsPattern("Nested Loop(?s:.*)Function Scan(?s:.*)ix_executions_job_created")
                            .doesNotContain("ix_executions_claim");
                }
                assertThat(recentEnded).contains("ix_executions_job_created").doesNotContain("ix_executions_claim");
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
                // the row count an ANALYZE writes outlives a rollback: the next tests plan on the table as it is
                one.sql("ANALYZE executions").update();
            }
        }
    }

    /**
     * A job with a long run of successes: the read of several jobs walks each job's index newest first and stops at its
     * limit, in the plan made for the values and in the plan the server keeps, rather than reading and sorting all of
     * the job's runs.
     */
    @Test
    void aReadOfSeveralJobsStopsAtTheLimitInAJobWithManySuccesses() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            JdbcClient one = JdbcClient.create(new SingleConnectionDataSource(connection, true));
            connection.setAutoCommit(false);
            try {
                runs(one, QUIET, 0, 20_000);
                runs(one, OTHER, 0, 2_000);
                one.sql("ANALYZE executions").update();

                String forTheValues = plan(one.sql("EXPLAIN " + HealthReadings.RECENT_SUCCESSES_OF_JOBS)
                        .params(new UUID[] {QUIET, OTHER}, new Integer[] {21, 21}));
                String kept = keptPlanOfSeveralJobs(one, QUIET, OTHER);

                for (String plan : List.of(forTheValues, kept)) {
                    assertThat(plan)
                            .as(plan)
                            .contains("Index Scan using ix_executions_job_created")
                            .doesNotContain("Sort Key: e.created_at");
                }
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
                one.sql("ANALYZE executions").update();
            }
        }
    }

    /**
     * The plan the server keeps for the read of several jobs, once the driver has prepared it on the server: its
     * generic plan, made without the values (an {@code EXPLAIN} with bound values shows the plan for those values).
     */
    private static String keptPlanOfSeveralJobs(JdbcClient sql, UUID first, UUID second) {
        sql.sql("PREPARE several(uuid[], integer[]) AS "
                        + HealthReadings.RECENT_SUCCESSES_OF_JOBS
                                .replaceFirst("\\?", "\\$1")
                                .replaceFirst("\\?", "\\$2"))
                .update();
        try {
            sql.sql("SET LOCAL plan_cache_mode = force_generic_plan").update();
            return plan(
                    sql.sql("EXPLAIN EXECUTE several(ARRAY['" + first + "', '" + second + "']::uuid[], '{21,21}')"));
        } finally {
            sql.sql("SET LOCAL plan_cache_mode = auto").update();
            sql.sql("DEALLOCATE several").update();
        }
    }

    /** A job's runs, oldest first: {@code skipped} missed slots, then {@code ended} successes and one failure. */
    private static void runs(JdbcClient sql, UUID job, int skipped, int ended) {
        sql.sql("""
                        INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, reason,
                                                attempt, run_after, created_at, started_at, completed_at,
                                                duration_ms, dry_run, parameters, triggered_by, cancel_requested)
                        SELECT gen_random_uuid(), ?, 1, 'job', 'heartbeat', status,
                               CASE WHEN status = 'skipped' THEN 'missed' END, 1, t, t,
                               CASE WHEN status <> 'skipped' THEN t END, CASE WHEN status <> 'skipped' THEN t END,
                               CASE WHEN status <> 'skipped' THEN 5 END, FALSE, '{}', 'test', FALSE
                          FROM (SELECT TIMESTAMPTZ '2026-06-01 10:00:00+00' + n * INTERVAL '1 minute' AS t,
                                       CASE WHEN n <= ? THEN 'skipped'
                                            WHEN n < ? THEN 'succeeded'
                                            ELSE 'failed' END AS status
                                  FROM generate_series(1, ?) AS n) s
                         ORDER BY t
                        """)
                .params(job, skipped, skipped + ended + 1, skipped + ended + (ended > 0 ? 1 : 0))
                .update();
    }

    private static String plan(JdbcClient.StatementSpec explain) {
        return String.join("\n", explain.query(String.class).list());
    }
}
