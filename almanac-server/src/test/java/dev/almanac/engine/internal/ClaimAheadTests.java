package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.context.WebApplicationContext;

/**
 * A node claims its free workers' runs plus a bounded buffer (claim-ahead). A run claimed but not started stays
 * queued, on its node, as the API, the status counts and a cancel see it; a worker that frees starts it with its
 * attempt unchanged; a dead node's, a stopping node's and a stuck node's buffer goes back to the queue without an
 * attempt spent and without {@code node_lost}. One worker and a buffer of two, so three due runs fill both.
 */
@TestPropertySource(properties = {"almanac.engine.workers=1", "almanac.engine.claim-ahead=2"})
abstract class ClaimAheadTests extends AlmanacIntegrationTest {

    static final String API = "/api/admin/scheduler";

    @WithH2
    static class OnH2 extends ClaimAheadTests {}

    @WithPostgres
    static class OnPostgres extends ClaimAheadTests {}

    @Autowired
    Engine engine;

    @Autowired
    EngineStore store;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    WebApplicationContext context;

    @Test
    void aRunClaimedAheadIsQueuedOnItsNodeUntilAWorkerStartsIt() throws Exception {
        List<Job> three = blockingJobs("ahead", 3);
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        engine.triggerOnce();

        assertThat(engine.startDue()).hasSize(1);
        assertThat(engine.claimedAhead()).isEqualTo(2);
        List<Execution> all = runs(three);
        assertThat(all).extracting(Execution::executionHost).containsOnly("test-node");
        assertThat(all).filteredOn(e -> e.status() == ExecutionStatus.QUEUED).hasSize(2);
        Execution waiting = all.stream()
                .filter(e -> e.status() == ExecutionStatus.QUEUED)
                .findFirst()
                .orElseThrow();
        assertThat(waiting.startedAt()).isNull();
        mvc.perform(get(API + "/executions/" + waiting.id()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.execution.status").value("queued"))
                .andExpect(jsonPath("$.execution.execution_host").value("test-node"))
                .andExpect(jsonPath("$.execution.started_at").doesNotExist());
        mvc.perform(get(API + "/status"))
                .andExpect(jsonPath("$.queued").value(2))
                .andExpect(jsonPath("$.running").value(1));
        securedMvc()
                .perform(get("/executions/" + waiting.id()).with(user("admin").roles("SUPER_ADMIN")))
                .andExpect(status().isOk())
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
                        .string(org.hamcrest.Matchers.containsString("queued on test-node")));

        for (int i = 0; i < 3; i++) {
            TestTemplates.Block.release("ahead-" + i);
        }
        engine.awaitIdle(Duration.ofSeconds(10));
        engine.runDueOnce();
        assertThat(runs(three)).extracting(Execution::status).containsOnly(ExecutionStatus.SUCCEEDED);
        assertThat(runs(three)).extracting(Execution::attempt).containsOnly(1);
        assertThat(engine.claimedAhead()).isZero();
    }

    @Test
    void theRunsAKilledNodeClaimedAheadReturnToTheQueueWithTheirAttemptAndNoNodeLost() {
        List<Job> three = blockingJobs("killed", 3);
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        engine.triggerOnce();
        // another node claims one run to start and two ahead, then is killed: it never heartbeats again
        registerNode("doomed", clock.instant());
        List<EngineStore.Claimed> claimed = transactions.execute(s -> store.claimRuns("doomed", clock.instant(), 1, 2));
        assertThat(claimed).hasSize(3);
        assertThat(engine.startDue())
                .as("what another node holds is not claimed")
                .isEmpty();

        clock.advance(Duration.ofSeconds(31));
        engine.heartbeat();

        List<Execution> all = runs(three);
        List<Execution> lost =
                all.stream().filter(e -> "node_lost".equals(e.reason())).toList();
        assertThat(lost).as("only the started run is lost").hasSize(1);
        assertThat(lost.get(0).status()).isEqualTo(ExecutionStatus.FAILED);
        List<Execution> back = all.stream()
                .filter(e -> e.status() == ExecutionStatus.QUEUED && e.retryOf() == null)
                .toList();
        assertThat(back).as("the two claimed ahead, back in the queue").hasSize(2);
        assertThat(back).extracting(Execution::attempt).containsOnly(1);
        assertThat(back).extracting(Execution::executionHost).containsOnlyNulls();
        assertThat(back).extracting(Execution::reason).containsOnlyNulls();
        assertThat(back).extracting(Execution::startedAt).containsOnlyNulls();

        for (int i = 0; i < 3; i++) {
            TestTemplates.Block.release("killed-" + i);
        }
        clock.advance(Duration.ofMinutes(1)); // the retry of the lost run is due too
        engine.runDueOnce();
        List<Execution> finished = runs(three);
        assertThat(finished)
                .filteredOn(e -> e.status() == ExecutionStatus.SUCCEEDED)
                .extracting(Execution::attempt)
                .containsExactlyInAnyOrder(1, 1, 2);
        assertThat(finished).hasSize(4);
    }

    @Test
    void aStoppingNodeHandsItsBufferBackWithoutSpendingAnAttempt() {
        List<Job> three = blockingJobs("stopping", 3);
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        engine.triggerOnce();
        List<Execution> started =
                engine.startDue().stream().map(executions::get).toList();
        assertThat(started).hasSize(1);
        String startedKey = started.get(0).jobName();
        awaitStarted(startedKey);
        TestTemplates.Block.release(startedKey);
        try {
            engine.drain(Duration.ofSeconds(5));
            List<Execution> all = runs(three);
            assertThat(all)
                    .filteredOn(e -> e.status() == ExecutionStatus.SUCCEEDED)
                    .hasSize(1);
            List<Execution> back = all.stream()
                    .filter(e -> e.status() == ExecutionStatus.QUEUED)
                    .toList();
            assertThat(back).hasSize(2);
            assertThat(back).extracting(Execution::executionHost).containsOnlyNulls();
            assertThat(back).extracting(Execution::attempt).containsOnly(1);
            assertThat(engine.claimedAhead()).isZero();
        } finally {
            engine.shutdown();
        }
        for (int i = 0; i < 3; i++) {
            TestTemplates.Block.release("stopping-" + i);
        }
        engine.runDueOnce();
        assertThat(runs(three)).extracting(Execution::status).containsOnly(ExecutionStatus.SUCCEEDED);
        assertThat(runs(three)).extracting(Execution::attempt).containsOnly(1);
    }

    @Test
    void aRunClaimedAheadCanBeCancelledAndNeverStarts() throws Exception {
        List<Job> three = blockingJobs("cancel", 3);
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        engine.triggerOnce();
        assertThat(engine.startDue()).hasSize(1);
        Execution waiting = runs(three).stream()
                .filter(e -> e.status() == ExecutionStatus.QUEUED)
                .findFirst()
                .orElseThrow();

        mvc.perform(post(API + "/executions/" + waiting.id() + "/cancel"))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.message").value("Execution cancelled"));
        assertThat(executions.get(waiting.id()).status()).isEqualTo(ExecutionStatus.CANCELLED);

        for (int i = 0; i < 3; i++) {
            TestTemplates.Block.release("cancel-" + i);
        }
        engine.awaitIdle(Duration.ofSeconds(10));
        engine.runDueOnce();
        assertThat(executions.get(waiting.id()).status()).isEqualTo(ExecutionStatus.CANCELLED);
        assertThat(executions.get(waiting.id()).startedAt()).isNull();
        assertThat(runs(three))
                .extracting(Execution::status)
                .containsExactlyInAnyOrder(
                        ExecutionStatus.SUCCEEDED, ExecutionStatus.SUCCEEDED, ExecutionStatus.CANCELLED);
        assertThat(engine.claimedAhead()).isZero();
    }

    @Test
    void aRunThatWaitsTooLongForAWorkerGoesBackToTheQueue() {
        List<Job> three = blockingJobs("stuck", 3);
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        engine.triggerOnce();
        assertThat(engine.startDue()).hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        engine.superviseOnce();
        assertThat(engine.claimedAhead())
                .as("within claim-ahead-max-wait (2 s)")
                .isEqualTo(2);
        clock.advance(Duration.ofSeconds(2));
        engine.superviseOnce();
        assertThat(engine.claimedAhead()).isZero();
        List<Execution> back = runs(three).stream()
                .filter(e -> e.status() == ExecutionStatus.QUEUED)
                .toList();
        assertThat(back).hasSize(2);
        assertThat(back).extracting(Execution::executionHost).containsOnlyNulls();

        for (int i = 0; i < 3; i++) {
            TestTemplates.Block.release("stuck-" + i);
        }
        engine.awaitIdle(Duration.ofSeconds(10));
        engine.runDueOnce();
        assertThat(runs(three)).extracting(Execution::status).containsOnly(ExecutionStatus.SUCCEEDED);
    }

    @Test
    void theBufferIsFilledByPriorityThenDueTime() {
        Job low = jobs.create(
                anIntervalJob("low", 3600)
                        .template("test_block", Map.of("key", "low"))
                        .build(),
                "test");
        List<Job> high = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            high.add(jobs.create(
                    anIntervalJob("high-" + i, 3600)
                            .template("test_block", Map.of("key", "high-" + i))
                            .priority(9)
                            .build(),
                    "test"));
        }
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        engine.triggerOnce();
        assertThat(engine.startDue()).hasSize(1);
        assertThat(runs(List.of(low))).extracting(Execution::executionHost).containsOnlyNulls();
        assertThat(runs(high)).extracting(Execution::executionHost).containsOnly("test-node");
        TestTemplates.Block.release("low");
        for (int i = 0; i < 3; i++) {
            TestTemplates.Block.release("high-" + i);
        }
        engine.awaitIdle(Duration.ofSeconds(10));
        engine.runDueOnce();
        assertThat(runs(List.of(low))).extracting(Execution::status).containsOnly(ExecutionStatus.SUCCEEDED);
    }

    private List<Job> blockingJobs(String prefix, int count) {
        List<Job> created = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            created.add(jobs.create(
                    anIntervalJob(prefix + "-" + i, 3600)
                            .template("test_block", Map.of("key", prefix + "-" + i))
                            .retries(1, 5, 1.0)
                            .build(),
                    "test"));
        }
        return created;
    }

    private void registerNode(String node, Instant at) {
        jdbc.sql("""
                        INSERT INTO nodes (id, host, roles, started_at, heartbeat_at)
                        VALUES (:id, 'gone', 'worker', :at, :at)
                        """)
                .param("id", node)
                .param("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .update();
    }

    private List<Execution> runs(List<Job> of) {
        List<Execution> all = new ArrayList<>();
        for (Job job : of) {
            all.addAll(executions.list(ExecutionQuery.ofJob(job.id(), 50)));
        }
        all.sort(Comparator.comparing(Execution::createdAt));
        return all;
    }

    private static void awaitStarted(String key) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> TestTemplates.Block.started(key) > 0);
    }
}
