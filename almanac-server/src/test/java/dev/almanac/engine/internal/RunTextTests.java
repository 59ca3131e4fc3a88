package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Text a run brings from outside reaches the history whatever it holds: a U+0000 in a log line, a result (its keys
 * too) or an error is stored as U+FFFD, on PostgreSQL as on H2. PostgreSQL refused it: the log lines of every run
 * flushed with it were dropped, and the outcome could never be written, holding back every later outcome of the
 * node. A batch of log lines the database refuses costs only the lines of the run it is about.
 */
@Timeout(120)
abstract class RunTextTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends RunTextTests {}

    @WithPostgres
    static class OnPostgres extends RunTextTests {}

    @Autowired
    Engine engine;

    @Autowired
    LocalRuns runs;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Test
    void aNulCharacterInALogLineAResultOrAnErrorIsStoredAsAReplacementCharacter() {
        Job nul = echo("says-nul", "a\u0000b");
        Job failing = echo("fails-nul", "fail\u0000now");
        Job plain = echo("says-plain", "fine");

        clock.advance(Duration.ofSeconds(60));
        engine.runDueOnce();

        Execution said = only(nul);
        assertThat(said.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(said.result())
                .containsEntry("message", "echo: a\uFFFDb")
                .extractingByKey("details")
                .isEqualTo(Map.of("text", "a\uFFFDb", "a\uFFFDb", List.of("a\uFFFDb")));
        assertThat(lines(said)).anyMatch(line -> line.equals("echo: a\uFFFDb"));

        Execution failed = only(failing);
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(failed.error()).contains("fail\uFFFDnow").doesNotContain("\u0000");

        assertThat(lines(only(plain))).contains("echo: fine");
    }

    @Test
    void aBatchOfLogLinesTheDatabaseRefusesCostsOnlyTheLinesOfTheRunItIsAbout() {
        Job gone = jobs.create(
                anIntervalJob("blocks-gone", 60)
                        .template("test_block", Map.of())
                        .build(),
                "test");
        Job kept = jobs.create(
                anIntervalJob("blocks-kept", 60)
                        .template("test_block", Map.of())
                        .build(),
                "test");
        try {
            clock.advance(Duration.ofSeconds(60));
            engine.runDueOnceWithoutWaiting();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> TestTemplates.Block.started("blocks-gone") > 0
                            && TestTemplates.Block.started("blocks-kept") > 0);
            Execution deleted = only(gone);
            // the run's row goes while the run still logs: its lines are now refused (their run is gone)
            jdbc.sql("DELETE FROM executions WHERE id = :id")
                    .param("id", deleted.id().value())
                    .update();

            engine.flushLogs();

            assertThat(lines(only(kept))).anyMatch(line -> line.startsWith("Run of 'blocks-kept' started"));
        } finally {
            TestTemplates.Block.release("blocks-gone");
            TestTemplates.Block.release("blocks-kept");
            engine.awaitIdle(Duration.ofSeconds(10));
        }
    }

    /**
     * A run of a template this node does not have (a plugin missing here, or a node of an older release beside newer
     * ones) fails with a sentence that says so, not with a Java exception's class name.
     */
    @Test
    void aRunOfATemplateNotInstalledHereFailsSayingSoInWords() {
        Job job = echo("template-gone", "never said");
        clock.advance(Duration.ofSeconds(60));
        runs.draining(true); // no free worker: the trigger pass queues the run instead of starting it
        try {
            engine.triggerOnce();
        } finally {
            runs.draining(false);
        }
        jdbc.sql("UPDATE executions SET template_type = 'data_sync_gone' WHERE job_id = :job")
                .param("job", job.id().value())
                .update();

        engine.runDueOnce();

        Execution failed = only(job);
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(failed.error())
                .isEqualTo("the template 'data_sync_gone' is not installed on node " + engine.nodeId()
                        + ": install it on every worker node (its plugin jar, or the release that has it)")
                .doesNotContain("Exception");
        assertThat(lines(failed)).anyMatch(line -> line.startsWith("failed: the template 'data_sync_gone'"));
    }

    private Job echo(String name, String text) {
        return jobs.create(
                anIntervalJob(name, 60)
                        .template("test_echo", Map.of("text", text))
                        .build(),
                "test");
    }

    private Execution only(Job job) {
        List<Execution> runs = executions.list(ExecutionQuery.ofJob(job.id(), 10));
        assertThat(runs).hasSize(1);
        return runs.get(0);
    }

    private List<String> lines(Execution run) {
        return executions.logs(run.id(), 0).stream().map(l -> l.message()).toList();
    }
}
