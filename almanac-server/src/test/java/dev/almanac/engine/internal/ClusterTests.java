package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.MutableClock;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Three nodes over one PostgreSQL, each with its own trigger and worker loops: ten thousand jobs fall due at the same
 * instant, twice, and every slot runs exactly once. The nodes share one settable clock, so "due at once" is exact.
 */
@Tag("postgres")
@Tag("cluster")
@ExtendWith(WithPostgres.WhenReachable.class)
class ClusterTests {

    static final int JOBS = 10_000;
    static final String FINISHED = "status IN ('succeeded', 'failed', 'timed_out', 'cancelled', 'skipped')";

    final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T10:00:00Z"));
    final List<EngineNode> nodes = new ArrayList<>();

    @BeforeEach
    void startThreeNodes() {
        String url = PostgresTestDatabase.freshSchemaUrl("cluster");
        for (int i = 1; i <= 3; i++) {
            nodes.add(EngineNode.onPostgres(url)
                    .nodeId("cluster-" + i)
                    .clock(clock)
                    // the shared clock jumps by whole minutes; no node is dead here, that is NodeKillTests' subject
                    .set("almanac.engine.dead-node-threshold", "1h")
                    .start());
        }
    }

    @AfterEach
    void stopTheNodes() {
        nodes.forEach(EngineNode::close);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void tenThousandJobsDueAtOnceRunEverySlotExactlyOnceAcrossThreeNodes() throws Exception {
        createJobs(nodes.get(0).bean(JobService.class));
        JdbcClient jdbc = nodes.get(0).jdbc();

        for (int round = 1; round <= 2; round++) {
            clock.advance(Duration.ofSeconds(60));
            long expected = (long) JOBS * round;
            await().atMost(Duration.ofMinutes(4))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> count(jdbc, FINISHED) >= expected);
        }

        Map<String, Object> totals = jdbc.sql("""
                        SELECT COUNT(*) AS runs, COUNT(DISTINCT slot_key) AS slots, COUNT(DISTINCT job_id) AS jobs
                          FROM executions WHERE job_name LIKE 'cluster-%'
                        """).query().singleRow();
        assertThat(((Number) totals.get("runs")).longValue()).isEqualTo(2L * JOBS);
        assertThat(((Number) totals.get("slots")).longValue()).isEqualTo(2L * JOBS);
        assertThat(((Number) totals.get("jobs")).longValue()).isEqualTo(JOBS);
        assertThat(count(jdbc, "status <> 'succeeded'")).isZero();
        assertThat(jdbc.sql("""
                        SELECT job_id FROM executions WHERE job_name LIKE 'cluster-%'
                         GROUP BY job_id
                        HAVING COUNT(*) <> 2
                            OR MIN(scheduled_for) <> :first OR MAX(scheduled_for) <> :second
                        """)
                        .param("first", java.time.OffsetDateTime.parse("2026-06-01T10:01:00Z"))
                        .param("second", java.time.OffsetDateTime.parse("2026-06-01T10:02:00Z"))
                        .query()
                        .listOfRows())
                .as("jobs without exactly their two slots")
                .isEmpty();
        List<String> hosts = jdbc.sql("""
                        SELECT execution_host FROM executions WHERE job_name LIKE 'cluster-%' GROUP BY execution_host
                        """).query(String.class).list();
        assertThat(hosts).as("the nodes that ran slots").hasSizeGreaterThan(1);
    }

    private void createJobs(JobService jobs) throws Exception {
        ExecutorService creators = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> created = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                String name = "cluster-" + i;
                created.add(creators.submit(
                        () -> jobs.create(anIntervalJob(name, 60).build(), "test")));
            }
            for (Future<?> job : created) {
                job.get();
            }
        } finally {
            creators.shutdown();
        }
    }

    private static long count(JdbcClient jdbc, String where) {
        return jdbc.sql("SELECT COUNT(*) FROM executions WHERE job_name LIKE 'cluster-%' AND " + where)
                .query(Long.class)
                .single();
    }
}
