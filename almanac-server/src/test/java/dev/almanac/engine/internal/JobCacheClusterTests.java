package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.almanac.common.NotFoundException;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobCache;
import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.WithPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

/**
 * The job read cache on two nodes over one PostgreSQL schema: a job one node keeps is read anew there once the other
 * node changed it, ran it or deleted it. Entries live an hour here, so only the nodes' signals can end them; the node
 * that changes jobs runs no engine loops, so its writes reach the other through the signal whatever its role.
 */
@Tag("postgres")
@Tag("cluster")
@ExtendWith(WithPostgres.WhenReachable.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JobCacheClusterTests {

    private static EngineNode api;
    private static EngineNode worker;

    @BeforeAll
    static void startAnApiNodeAndAWorker() {
        String url = PostgresTestDatabase.freshSchemaUrl("job_cache");
        api = EngineNode.onPostgres(url)
                .nodeId("cache-api")
                .set("almanac.engine.enabled", false)
                .set("almanac.security.token-usage-flush-interval", "1h")
                .set("almanac.jobs.read-cache-ttl", "1h")
                .start();
        worker = EngineNode.onPostgres(url)
                .nodeId("cache-worker")
                .set("almanac.jobs.read-cache-ttl", "1h")
                .start();
    }

    @AfterAll
    static void stopThem() {
        if (worker != null) {
            worker.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @BeforeEach
    void bothNodesHearEachOther() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> api.bean(JobCache.class).hearsOtherNodes()
                        && worker.bean(JobCache.class).hearsOtherNodes());
    }

    @Test
    void aKeptJobIsReadWithoutAConnection() {
        Job job = worker.bean(JobService.class)
                .create(aCronJob("kept", "0 0 1 1 *").build(), "test");
        // the node without engine loops takes no connection of its own meanwhile
        JobService jobs = api.bean(JobService.class);
        jobs.get(job.id());
        double before = connectionsTaken(api);

        for (int i = 0; i < 100; i++) {
            assertThat(jobs.get(job.id()).id()).isEqualTo(job.id());
        }

        assertThat(connectionsTaken(api)).isEqualTo(before);
    }

    @Test
    void aJobChangedOnOneNodeIsReadAnewOnTheOther() {
        Job job = api.bean(JobService.class)
                .create(aCronJob("changed-elsewhere", "0 0 1 1 *").build(), "test");
        assertThat(worker.bean(JobService.class).get(job.id()).version()).isEqualTo(1);

        api.bean(JobService.class)
                .update(
                        job.id(),
                        api.bean(JsonMapper.class).createObjectNode().put("description", "changed on the API node"),
                        "test");

        await().atMost(Duration.ofSeconds(2))
                .until(() -> worker.bean(JobService.class).get(job.id()).version() == 2);
        assertThat(worker.bean(JobService.class).get(job.id()).definition().description())
                .isEqualTo("changed on the API node");
    }

    @Test
    void aJobPausedOnOneNodeIsShownPausedOnTheOther() {
        Job job = api.bean(JobService.class)
                .create(aCronJob("paused-elsewhere", "0 0 1 1 *").build(), "test");
        assertThat(worker.bean(JobService.class).get(job.id()).pause()).isNull();

        api.bean(JobService.class).pause(job.id(), null, "maintenance");

        await().atMost(Duration.ofSeconds(2))
                .until(() -> worker.bean(JobService.class).get(job.id()).pause() != null);
    }

    @Test
    void aRunOnOneNodeShowsInTheJobTheOtherKept() {
        Job job = api.bean(JobService.class)
                .create(aCronJob("ran-elsewhere", "0 0 1 1 *").build(), "test");
        assertThat(api.bean(JobService.class).get(job.id()).lastStatus()).isNull();

        Execution run = api.bean(ManualRuns.class).run(job, Map.of(), false, "test");
        ExecutionService executions = api.bean(ExecutionService.class);
        await().atMost(Duration.ofMinutes(1))
                .until(() -> executions.get(run.id()).status() == ExecutionStatus.SUCCEEDED);

        // the worker wrote the job's last outcome; the API node kept the job from before the run
        await().atMost(Duration.ofSeconds(2))
                .until(() -> "succeeded"
                        .equals(api.bean(JobService.class).get(job.id()).lastStatus()));
    }

    @Test
    void aJobDeletedOnOneNodeIsGoneOnTheOther() {
        Job job = api.bean(JobService.class)
                .create(aCronJob("deleted-elsewhere", "0 0 1 1 *").build(), "test");
        worker.bean(JobService.class).get(job.id());

        api.bean(JobService.class).delete(job.id(), "test");

        await().atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThatThrownBy(
                                () -> worker.bean(JobService.class).get(job.id()))
                        .isInstanceOf(NotFoundException.class));
    }

    private static double connectionsTaken(EngineNode node) {
        return node.bean(MeterRegistry.class)
                .get("hikaricp.connections.acquire")
                .tag("pool", "almanac")
                .timer()
                .count();
    }
}
