package dev.almanac.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
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
 * (2 356). The other reads of {@link HealthReadings} are not a job's: runs under way are read through the claim index
 * on purpose, missed slots by time.
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
                String ofSeveralJobs = plan(one.sql("EXPLAIN " + HealthReadings.recentSuccessesOf(2))
                        .params(QUIET, 10, ALSO_QUIET, 10));
                String recentEnded =
                        plan(one.sql("EXPLAIN " + HealthReadings.RECENT_ENDED).params(QUIET, 100));

                assertThat(recentSuccesses)
                        .contains("ix_executions_job_created")
                        .doesNotContain("ix_executions_claim");
                assertThat(ofSeveralJobs.split("ix_executions_job_created", -1))
                        .as("one scan of the job's index per job:%n%s", ofSeveralJobs)
                        .hasSize(3);
                assertThat(ofSeveralJobs).doesNotContain("ix_executions_claim");
                assertThat(recentEnded).contains("ix_executions_job_created").doesNotContain("ix_executions_claim");
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
                // the row count an ANALYZE writes outlives a rollback: the next tests plan on the table as it is
                one.sql("ANALYZE executions").update();
            }
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
