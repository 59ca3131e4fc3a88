package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aCronJob;
import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A change made on one node wakes the others through PostgreSQL {@code LISTEN/NOTIFY}: the worker node below polls
 * only every ten minutes, so anything it does within the test's minute it did because it was woken.
 */
@Tag("postgres")
@Tag("cluster")
@ExtendWith(WithPostgres.WhenReachable.class)
class ClusterWakeupTests {

    EngineNode api;
    EngineNode worker;

    @BeforeEach
    void startAnApiNodeAndAWorkerThatRarelyPolls() {
        String url = PostgresTestDatabase.freshSchemaUrl("wakeup");
        api = EngineNode.onPostgres(url)
                .nodeId("api-only")
                .set("almanac.engine.enabled", false)
                .start();
        worker = EngineNode.onPostgres(url)
                .nodeId("sleepy-worker")
                .set("almanac.engine.poll-interval", "10m")
                .start();
    }

    @AfterEach
    void stopThem() {
        worker.close();
        api.close();
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aRunQueuedOnOneNodeWakesTheWorkerOnAnother() {
        Job job =
                api.bean(JobService.class).create(aCronJob("woken", "0 0 1 1 *").build(), "test");
        Execution queued = api.bean(ManualRuns.class).run(job, Map.of(), false, "test");

        ExecutionService executions = api.bean(ExecutionService.class);
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> executions.get(queued.id()).status() == ExecutionStatus.SUCCEEDED);
        assertThat(executions.get(queued.id()).executionHost()).isEqualTo("sleepy-worker");
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aJobCreatedOnOneNodeIsScheduledByTheTriggerOfAnother() {
        Job job = api.bean(JobService.class)
                .create(anIntervalJob("every-second", 1).build(), "test");

        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> worker.jdbc()
                                .sql("SELECT COUNT(*) FROM executions WHERE job_id = :job AND status = 'succeeded'")
                                .param("job", job.id().value())
                                .query(Long.class)
                                .single()
                        >= 2);
    }
}
