package dev.almanac.execution;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Schedule health reads a job's recent runs after every batch of outcomes. Planned on statistics taken while the
 * history was small (a fresh install, autovacuum's first pass), PostgreSQL read every succeeded run of every job
 * through the status index to keep one job's few (almanac-bench: 75 ms a statement, half the database's time in a
 * 20 000-run drain). Each read takes a job's own index, whatever the statistics say.
 */
@WithPostgres
class HealthReadingsPlanTests extends AlmanacIntegrationTest {

    @Autowired
    DataSource dataSource;

    @Autowired
    JobService jobs;

    @Test
    void aJobsRecentRunsAreReadFromItsOwnRunsAfterTheHistoryWasAnalyzedSmall() throws SQLException {
        Job busy = jobs.create(anIntervalJob("busy", 60).build(), "test");
        Job quiet = jobs.create(anIntervalJob("quiet", 60).build(), "test");
        jdbc.sql("ANALYZE executions").update();
        succeeded(busy, 5000);
        succeeded(quiet, 3);

        try (Connection connection = dataSource.getConnection()) {
            JdbcClient sql = JdbcClient.create(new SingleConnectionDataSource(connection, true));
            HealthReadings readings = new HealthReadings(sql);
            // a sequential scan of a table this small is the planner's fair choice; which index it takes is the point
            connection.setAutoCommit(false);
            sql.sql("SET LOCAL enable_seqscan = off").update();
            try {
                long before = rowsRead(sql);

                assertThat(readings.recentSuccesses(Map.of(quiet.id(), 10)).get(quiet.id()))
                        .hasSize(3);
                assertThat(readings.recentDurations(quiet.id(), null, 10)).hasSize(3);
                assertThat(readings.failureStreak(quiet.id(), 100)).isZero();

                assertThat(rowsRead(sql) - before).isLessThan(100);
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
        assertThat(new HealthReadings(jdbc)
                        .recentSuccesses(Map.of(busy.id(), 5))
                        .get(busy.id()))
                .hasSize(5);
    }

    private void succeeded(Job job, int runs) {
        jdbc.sql("""
                        INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, attempt,
                                                run_after, created_at, started_at, completed_at, duration_ms, dry_run,
                                                parameters, triggered_by, cancel_requested)
                        SELECT gen_random_uuid(), ?, 1, ?, ?, 'succeeded', 1, t, t, t, t, 5, FALSE, '{}', 'test', FALSE
                          FROM (SELECT now() - n * INTERVAL '1 second' AS t FROM generate_series(1, ?) AS n) s
                        """)
                .params(job.id().value(), job.name(), job.definition().templateType(), runs)
                .update();
    }

    /** Rows of executions this connection read, by any scan, not yet reported to the statistics. */
    private static long rowsRead(JdbcClient sql) {
        return sql.sql("SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables"
                        + " WHERE relid = 'executions'::regclass")
                .query(Long.class)
                .single();
    }
}
