package dev.almanac.template.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.engine.internal.Engine;
import dev.almanac.engine.internal.ManualRuns;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.JobRequests;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The retention system job deletes the runs that ended before its cut-off and keeps the others; a job's own retention
 * replaces the defaults, its namespace's history quota caps it, and queued or running runs are never touched.
 */
abstract class HistoryRetentionTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends HistoryRetentionTests {}

    @WithPostgres
    static class OnPostgres extends HistoryRetentionTests {}

    @Autowired
    TemplateRuns runs;

    @Autowired
    JobService jobs;

    @Autowired
    ManualRuns manualRuns;

    @Autowired
    Engine engine;

    @Autowired
    JsonMapper json;

    @Autowired
    ExecutionService executions;

    @Test
    void deletesRunsThatEndedBeforeTheCutOffAndKeepsTheRest() {
        Execution old = runs.run("heartbeat", Map.of());
        clock.advance(Duration.ofDays(40));
        Execution recent = runs.run("heartbeat", Map.of());

        Execution dryRun = runs.dryRun("history_retention", Map.of("keep_days", 30));
        assertThat(dryRun.result().get("message").toString()).startsWith("Dry run: would delete 1 executions");
        assertThat(exists(old)).as("a dry run deletes nothing").isTrue();

        Execution purge = runs.run("history_retention", Map.of("keep_days", 30));

        assertThat(purge.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(purge.result().get("message").toString()).startsWith("Deleted 1 executions");
        assertThat(exists(old)).isFalse();
        assertThat(exists(recent)).isTrue();
    }

    @Test
    void aJobKeepsItsLastRunsAndItsOwnAgeWhileTheOthersKeepTheDefault() throws Exception {
        Job counted = quiet("counted", "heartbeat", Map.of());
        setRetention(counted, "{\"keep_runs\": 2}");
        Job longer = quiet("longer", "heartbeat", Map.of());
        setRetention(longer, "{\"keep_days\": 60}");
        Job plain = quiet("plain", "heartbeat", Map.of());
        List<Execution> countedRuns = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            countedRuns.add(runs.run(counted, false));
            clock.advance(Duration.ofHours(1));
        }
        Execution longerOld = runs.run(longer, false);
        Execution plainOld = runs.run(plain, false);
        clock.advance(Duration.ofDays(40));
        Execution plainRecent = runs.run(plain, false);

        Execution dryRun = runs.dryRun("history_retention", Map.of("keep_days", 30));
        assertThat(dryRun.result().get("message").toString())
                .as("4 runs of counted (2 beyond its last 2, all 4 older than 30 days) and plain's old one")
                .startsWith("Dry run: would delete 5 executions");

        Execution purge = runs.run("history_retention", Map.of("keep_days", 30, "batch_size", 1));

        assertThat(purge.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(countedRuns).noneMatch(this::exists);
        assertThat(exists(longerOld)).as("keeps 60 days").isTrue();
        assertThat(exists(plainOld)).isFalse();
        assertThat(exists(plainRecent)).isTrue();
    }

    @Test
    void theDefaultKeepRunsKeepsEachJobsNewestRunsAndTheDryRunCountsWhatTheRunDeletes() throws Exception {
        Job wh1 = quiet("wh1", "heartbeat", Map.of());
        List<Execution> wh1Runs = fourRuns(wh1);

        Execution dryRun = runs.dryRun("history_retention", Map.of("keep_days", 30, "keep_runs", 1));
        assertThat(dryRun.result().get("message").toString()).startsWith("Dry run: would delete 3 executions");
        Execution purge = runs.run("history_retention", Map.of("keep_days", 30, "keep_runs", 1));

        assertThat(purge.result().get("message").toString()).startsWith("Deleted 3 executions");
        assertThat(wh1Runs.subList(0, 3)).noneMatch(this::exists);
        assertThat(exists(wh1Runs.get(3))).as("the newest").isTrue();
    }

    @Test
    void aJobsOwnKeepRunsAppliesEvenWhenItEqualsTheDefault() throws Exception {
        Job wh1 = quiet("wh1", "heartbeat", Map.of());
        setRetention(wh1, "{\"keep_runs\": 1}");
        List<Execution> wh1Runs = fourRuns(wh1);

        Execution dryRun = runs.dryRun("history_retention", Map.of("keep_days", 30, "keep_runs", 1));
        assertThat(dryRun.result().get("message").toString()).startsWith("Dry run: would delete 3 executions");
        Execution purge = runs.run("history_retention", Map.of("keep_days", 30, "keep_runs", 1));

        assertThat(purge.result().get("message").toString()).startsWith("Deleted 3 executions");
        assertThat(exists(wh1Runs.get(3))).isTrue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDryRunCountsWhatMaxBatchesLetsTheRunDeleteAndBothSayWhatIsLeft() throws Exception {
        for (String name : List.of("one", "two", "three", "four")) {
            Job job = quiet(name, "heartbeat", Map.of());
            runs.run(job, false);
            clock.advance(Duration.ofHours(1));
            runs.run(job, false);
        }
        Map<String, Object> parameters = Map.of("keep_days", 30, "keep_runs", 1, "batch_size", 3, "max_batches", 2);

        Execution dryRun = runs.dryRun("history_retention", parameters);
        Map<String, Object> dry = (Map<String, Object>) dryRun.result().get("details");
        assertThat(((Number) dry.get("would_delete")).longValue())
                .as("one batch per job, each deleting its one older run")
                .isEqualTo(2);
        assertThat(((Number) dry.get("matching")).longValue()).isEqualTo(4);
        assertThat(((Number) dry.get("jobs_with_own_retention")).longValue())
                .as("keep_runs is the default, no job's own")
                .isZero();
        assertThat((List<String>) dryRun.result().get("warnings"))
                .singleElement()
                .asString()
                .contains("max_batches (2); 2 executions are left");

        Execution purge = runs.run("history_retention", parameters);
        Map<String, Object> real = (Map<String, Object>) purge.result().get("details");
        assertThat(((Number) real.get("executions_deleted")).longValue()).isEqualTo(2);
        assertThat(((Number) real.get("jobs_with_own_retention")).longValue()).isZero();
        assertThat((List<String>) purge.result().get("warnings"))
                .singleElement()
                .asString()
                .contains("max_batches (2); 2 executions are left");
    }

    private List<Execution> fourRuns(Job job) {
        List<Execution> made = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            made.add(runs.run(job, false));
            clock.advance(Duration.ofHours(1));
        }
        return made;
    }

    @Test
    void keepRunsKeepsTheNewestAndNeverTouchesARunningRun() throws Exception {
        Job job = quiet("busy", "test_block", Map.of("key", "busy"));
        setRetention(job, "{\"keep_runs\": 1}");
        TestTemplates.Block.release("busy");
        Execution first = runs.run(job, false);
        clock.advance(Duration.ofMinutes(1));
        Execution second = runs.run(job, false);
        TestTemplates.Block.reset();
        clock.advance(Duration.ofMinutes(1));
        Execution running = manualRuns.run(jobs.get(job.id()), Map.of(), false, "test");
        engine.runDueOnceWithoutWaiting();
        Job retention = quiet("retention", "history_retention", Map.of("keep_days", 30));
        Execution purge = manualRuns.run(retention, Map.of(), false, "test");
        engine.runDueOnceWithoutWaiting();
        // the purge deletes in transactions of its own while the blocked run still runs
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !exists(first));

        assertThat(exists(second)).as("the newest ended run").isTrue();
        assertThat(exists(running)).as("a running run is never deleted").isTrue();
        assertThat(executions.get(running.id()).status()).isEqualTo(ExecutionStatus.RUNNING);
        TestTemplates.Block.release("busy");
        engine.awaitIdle(Duration.ofSeconds(30));
        assertThat(executions.get(purge.id()).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(exists(running)).isTrue();
    }

    @Test
    void theNamespaceQuotaCapsWhatAJobKeeps() throws Exception {
        mvc.perform(post("/api/admin/scheduler/namespaces")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"team\", \"quotas\": {\"history_days\": 5, \"runs_per_job\": 2}}"))
                .andExpect(status().isCreated());
        Job job = quiet("capped", "heartbeat", Map.of());
        jobs.update(
                job.id(),
                (ObjectNode) json.readTree("{\"namespace\": \"team\", \"retention\": {\"keep_runs\": 10}}"),
                "test");
        Execution old = runs.run(job, false);
        clock.advance(Duration.ofDays(6));
        List<Execution> recent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            recent.add(runs.run(job, false));
            clock.advance(Duration.ofMinutes(1));
        }

        runs.run("history_retention", Map.of("keep_days", 30));

        assertThat(exists(old)).as("older than the namespace's 5 days").isFalse();
        assertThat(exists(recent.get(0)))
                .as("beyond the namespace's 2 runs per job")
                .isFalse();
        assertThat(exists(recent.get(1))).isTrue();
        assertThat(exists(recent.get(2))).isTrue();
    }

    @Test
    void retentionIsAJobFieldThatNamesItsErrors() throws Exception {
        mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name": "kept", "template_type": "heartbeat",
                                 "schedule": {"type": "cron", "expression": "0 3 * * *"},
                                 "retention": {"keep_runs": 100, "keep_days": 90}}
                                """))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.retention.keep_runs").value(100))
                .andExpect(jsonPath("$.job.retention.keep_days").value(90));
        mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name": "bad", "template_type": "heartbeat",
                                 "schedule": {"type": "cron", "expression": "0 3 * * *"},
                                 "retention": {"keep_runs": 0}}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("retention.keep_runs"));
    }

    /** A job whose only slot lies years ahead, so that only its manual runs make its history. */
    private Job quiet(String name, String template, Map<String, Object> parameters) {
        return jobs.create(
                JobRequests.aOneTimeJob(name, "2030-01-01T00:00:00Z")
                        .template(template, parameters)
                        .build(),
                "test");
    }

    private void setRetention(Job job, String retention) throws Exception {
        jobs.update(job.id(), (ObjectNode) json.readTree("{\"retention\": " + retention + "}"), "test");
    }

    private boolean exists(Execution execution) {
        return jdbc.sql("SELECT COUNT(*) FROM executions WHERE id = ?")
                        .param(execution.id().value())
                        .query(Long.class)
                        .single()
                > 0;
    }
}
