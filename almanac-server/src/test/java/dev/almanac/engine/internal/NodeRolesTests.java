package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A cluster can split the work: trigger-only nodes turn due slots into queued executions, worker-only nodes run them. */
class NodeRolesTests {

    static final String DATABASE =
            "jdbc:h2:mem:almanac-roles;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";

    @Test
    void aTriggerOnlyNodeQueuesTheSlotsAndAWorkerOnlyNodeRunsThem() {
        try (EngineNode trigger = EngineNode.on(DATABASE, "sa", "")
                        .nodeId("trigger-only")
                        .set("almanac.engine.roles", "trigger")
                        .start();
                EngineNode worker = EngineNode.on(DATABASE, "sa", "")
                        .nodeId("worker-only")
                        .set("almanac.engine.roles", "worker")
                        .start()) {
            assertThat(trigger.bean(EngineLoops.class).loopNames())
                    .containsExactlyInAnyOrder(
                            "almanac-trigger", "almanac-heartbeat", "almanac-lease", "almanac-runs-check");
            assertThat(worker.bean(EngineLoops.class).loopNames())
                    .containsExactlyInAnyOrder(
                            "almanac-worker",
                            "almanac-outcomes",
                            "almanac-supervise",
                            "almanac-heartbeat",
                            "almanac-lease",
                            "almanac-runs-check");

            Job job = trigger.bean(JobService.class)
                    .create(anIntervalJob("split", 1).build(), "test");

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> trigger.jdbc()
                                    .sql("SELECT COUNT(*) FROM executions WHERE job_id = :job AND status = 'succeeded'")
                                    .param("job", job.id().value())
                                    .query(Long.class)
                                    .single()
                            >= 2);
            assertThat(trigger.jdbc()
                            .sql(
                                    "SELECT DISTINCT execution_host FROM executions WHERE job_id = :job AND status = 'succeeded'")
                            .param("job", job.id().value())
                            .query(String.class)
                            .list())
                    .containsOnly("worker-only");
            List<Map<String, Object>> nodes = trigger.jdbc()
                    .sql("SELECT id, roles FROM nodes ORDER BY id")
                    .query()
                    .listOfRows();
            assertThat(nodes)
                    .extracting(n -> n.get("id") + "=" + n.get("roles"))
                    .containsExactly("trigger-only=trigger", "worker-only=worker");
        }
    }
}
