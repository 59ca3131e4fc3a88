package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A soak on the real clock: 1 000 jobs on one-minute schedules while 100 long runs hold workers the whole time, for
 * several minutes ({@code -Dalmanac.test.load-minutes}, default 3). Every minute slot of every job runs once, none
 * is skipped or missed, and the long runs are still going at the end. Lateness is printed, never asserted
 * (performance is measured in almanac-bench).
 */
@Tag("slow")
abstract class EngineLoadTests {

    static class OnH2 extends EngineLoadTests {
        @Override
        EngineNode.Builder node() {
            return EngineNode.on(
                    "jdbc:h2:mem:almanac-load;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;"
                            + "DB_CLOSE_DELAY=-1",
                    "sa",
                    "");
        }
    }

    @Tag("postgres")
    @ExtendWith(WithPostgres.WhenReachable.class)
    static class OnPostgres extends EngineLoadTests {
        @Override
        EngineNode.Builder node() {
            return EngineNode.onPostgres(PostgresTestDatabase.freshSchemaUrl("load"));
        }
    }

    static final int MINUTE_JOBS = 1000;
    static final int LONG_RUNS = 100;
    static final int MINUTES = Integer.getInteger("almanac.test.load-minutes", 3);

    abstract EngineNode.Builder node();

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void everyMinuteSlotRunsOnceWhileAHundredLongRunsHoldTheirWorkers() {
        String hold = "load-" + getClass().getSimpleName();
        try (EngineNode node = node().nodeId("load-node")
                .set("almanac.engine.workers", LONG_RUNS + 50)
                .set("spring.datasource.hikari.maximum-pool-size", 20)
                .start()) {
            JobService jobs = node.bean(JobService.class);
            ManualRuns runs = node.bean(ManualRuns.class);
            JdbcClient jdbc = node.jdbc();
            for (int i = 0; i < LONG_RUNS; i++) {
                Job job = jobs.create(
                        aCronJob("long-" + i, "0 0 1 1 *")
                                .template("test_block", Map.of("key", hold))
                                .build(),
                        "test");
                runs.run(job, Map.of(), false, "test");
            }
            List<Job> minuteJobs = new ArrayList<>();
            for (int i = 0; i < MINUTE_JOBS; i++) {
                minuteJobs.add(jobs.create(aCronJob("minute-" + i, "* * * * *").build(), "test"));
            }
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> count(jdbc, "job_name LIKE 'long-%' AND status = 'running'") == LONG_RUNS);

            Instant first = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
            Instant last = first.plus(Duration.ofMinutes(MINUTES - 1));
            await().atMost(Duration.ofMinutes(MINUTES + 2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> count(
                                    jdbc,
                                    "job_name LIKE 'minute-%' AND status = 'succeeded' AND scheduled_for = :slot",
                                    last)
                            == MINUTE_JOBS);

            for (Instant slot = first; !slot.isAfter(last); slot = slot.plus(Duration.ofMinutes(1))) {
                assertThat(count(
                                jdbc,
                                "job_name LIKE 'minute-%' AND status = 'succeeded' AND scheduled_for = :slot",
                                slot))
                        .as("runs of the slot %s", slot)
                        .isEqualTo(MINUTE_JOBS);
                assertThat(count(jdbc, "job_name LIKE 'minute-%' AND scheduled_for = :slot", slot))
                        .as("executions of the slot %s", slot)
                        .isEqualTo(MINUTE_JOBS);
            }
            assertThat(count(jdbc, "status = 'skipped'"))
                    .as("skipped or missed slots")
                    .isZero();
            assertThat(count(jdbc, "job_name LIKE 'long-%' AND status = 'running'"))
                    .as("long runs still holding their workers")
                    .isEqualTo(LONG_RUNS);
            printLateness(jdbc, first, last);

            TestTemplates.Block.release(hold);
            await().atMost(Duration.ofMinutes(1))
                    .until(() -> count(jdbc, "job_name LIKE 'long-%' AND status = 'succeeded'") == LONG_RUNS);
        }
    }

    private void printLateness(JdbcClient jdbc, Instant first, Instant last) {
        List<Long> lateness = jdbc
                .sql("""
                        SELECT scheduled_for, started_at FROM executions
                         WHERE job_name LIKE 'minute-%' AND scheduled_for BETWEEN :first AND :last
                        """)
                .param("first", utc(first))
                .param("last", utc(last))
                .query((rs, n) -> Duration.between(
                                rs.getObject(1, OffsetDateTime.class), rs.getObject(2, OffsetDateTime.class))
                        .toMillis())
                .list()
                .stream()
                .sorted()
                .toList();
        System.out.printf(
                "%s: %d minute-slot runs over %d minutes beside %d long runs; lateness p50 %d ms, p99 %d ms, max %d ms%n",
                getClass().getName(),
                lateness.size(),
                MINUTES,
                LONG_RUNS,
                lateness.get(lateness.size() / 2),
                lateness.get((int) (lateness.size() * 0.99)),
                lateness.get(lateness.size() - 1));
    }

    private static long count(JdbcClient jdbc, String where) {
        return jdbc.sql("SELECT COUNT(*) FROM executions WHERE " + where)
                .query(Long.class)
                .single();
    }

    private static long count(JdbcClient jdbc, String where, Instant slot) {
        return jdbc.sql("SELECT COUNT(*) FROM executions WHERE " + where)
                .param("slot", utc(slot))
                .query(Long.class)
                .single();
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
