package dev.almanac.jobfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.target.internal.DemoDatabase;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The legacy jobs file imports idempotently and its jobs run; the system jobs are seeded once and do their work. */
abstract class JobsAsCodeTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends JobsAsCodeTests {}

    @WithPostgres
    static class OnPostgres extends JobsAsCodeTests {}

    static final Path LEGACY = Path.of("../examples/legacy-jobs.yaml");

    @Autowired
    JobsFile jobsFile;

    @Autowired
    SystemJobs systemJobs;

    @Autowired
    JobService jobs;

    @Autowired
    TemplateRuns runs;

    @Autowired
    DemoDatabase demo;

    @Test
    void importsTheLegacyJobsIdempotentlyAndRunsThem() throws Exception {
        demo.recreate(START);

        JobsFile.Applied first = jobsFile.apply(LEGACY).jobs();
        JobsFile.Applied second = jobsFile.apply(LEGACY).jobs();

        assertThat(first.created()).containsExactly("data_cleanup", "test_scheduler", "auto_delete_resolved_tickets");
        assertThat(second.unchanged()).containsExactlyElementsOf(first.created());
        assertThat(jdbc.sql("SELECT actor || ' ' || action FROM audit_events WHERE action = 'job.imported'")
                        .query(String.class)
                        .list())
                .as("the first apply is in the audit trail as system; the second changed nothing")
                .containsExactly("system job.imported");
        for (String name : first.created()) {
            Job job = byName(name);
            assertThat(job.createdBy()).isEqualTo("system");
            Execution run = runs.run(job, false);
            assertThat(run.status()).as(name + ": " + run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        }
        assertThat(demoCount("SELECT COUNT(*) FROM tickets WHERE status = 'resolved'"
                        + " AND resolved_at < TIMESTAMP WITH TIME ZONE '2026-05-02 10:00:00+00'"))
                .isZero();
        assertThat(demoCount("SELECT COUNT(*) FROM tickets WHERE status = 'resolved'"))
                .isPositive();
    }

    @Test
    void anEditedFileUpdatesOnlyWhatChanged() throws Exception {
        jobsFile.apply(LEGACY);
        Path edited = Files.createTempFile("jobs", ".yaml");
        Files.writeString(edited, Files.readString(LEGACY).replace("interval_seconds: 60", "interval_seconds: 120"));

        JobsFile.Applied applied = jobsFile.apply(edited).jobs();

        assertThat(applied.updated()).containsExactly("test_scheduler");
        assertThat(applied.unchanged()).containsExactly("data_cleanup", "auto_delete_resolved_tickets");
        assertThat(byName("test_scheduler").version()).isEqualTo(2);
        // each job has its own events, with its namespace and what changed, as through the API: found by its name
        assertThat(jdbc.sql("SELECT action || ' ' || target_name || ' ' || namespace FROM audit_events"
                                + " WHERE action IN ('job.created', 'job.updated')")
                        .query(String.class)
                        .list())
                .containsExactlyInAnyOrder(
                        "job.created data_cleanup default",
                        "job.created test_scheduler default",
                        "job.created auto_delete_resolved_tickets default",
                        "job.updated test_scheduler default");
        assertThat(jdbc.sql("SELECT details FROM audit_events WHERE action = 'job.updated'")
                        .query(String.class)
                        .single())
                .contains("interval_seconds")
                .contains("120");
    }

    @Test
    void aJobWithoutAPriorityRunsAtFiveAndAFileThatLeavesItOutKeepsTheStoredOne() throws Exception {
        jobsFile.apply(LEGACY);
        assertThat(byName("test_scheduler").definition().priority()).isEqualTo(5);

        Path urgent = Files.createTempFile("jobs", ".yaml");
        Files.writeString(
                urgent,
                Files.readString(LEGACY).replace("misfire_policy: skip", "misfire_policy: skip\n    priority: 9"));
        assertThat(jobsFile.apply(urgent).jobs().updated()).containsExactly("test_scheduler");
        assertThat(byName("test_scheduler").definition().priority()).isEqualTo(9);

        // like every other field, one the file leaves out keeps what is stored
        assertThat(jobsFile.apply(LEGACY).jobs().unchanged()).contains("test_scheduler");
        assertThat(byName("test_scheduler").definition().priority()).isEqualTo(9);

        Files.writeString(
                urgent,
                Files.readString(LEGACY).replace("misfire_policy: skip", "misfire_policy: skip\n    priority: 10"));
        assertThatThrownBy(() -> jobsFile.apply(urgent))
                .hasMessageContaining("jobs[test_scheduler].priority: must be between 0 and 9");
    }

    @Test
    void anInvalidFileAppliesNothingAndNamesEveryProblem() throws Exception {
        Path broken = Files.createTempFile("jobs", ".yaml");
        Files.writeString(
                broken,
                Files.readString(LEGACY)
                        .replace("table: tickets", "table: pg_authid")
                        .replace("\"0 19 * * *\"", "\"0 25 * * *\""));

        assertThatThrownBy(() -> jobsFile.apply(broken))
                .hasMessageContaining("auto_delete_resolved_tickets")
                .hasMessageContaining("parameters.table")
                .hasMessageContaining("schedule.expression");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isZero();
    }

    @Test
    void seedsTheSystemJobsOnceAndNeverAgain() {
        jdbc.sql("DELETE FROM installation_flags").update();

        systemJobs.seedOnce();
        List<String> names = jdbc.sql("SELECT name FROM jobs ORDER BY name")
                .query(String.class)
                .list();
        jobs.delete(byName("system-heartbeat").id(), "test");
        systemJobs.seedOnce();

        assertThat(names).containsExactly("system-daily-summary", "system-heartbeat", "system-history-retention");
        assertThat(jdbc.sql("SELECT name FROM jobs ORDER BY name")
                        .query(String.class)
                        .list())
                .containsExactly("system-daily-summary", "system-history-retention");

        // an installation seeded before the daily summary existed gets it once, and nothing it deleted comes back
        jobs.delete(byName("system-daily-summary").id(), "test");
        jdbc.sql("DELETE FROM installation_flags WHERE name = ?")
                .param(SystemJobs.SUMMARY_FLAG)
                .update();
        systemJobs.seedOnce();
        systemJobs.seedOnce();
        assertThat(jdbc.sql("SELECT name FROM jobs ORDER BY name")
                        .query(String.class)
                        .list())
                .containsExactly("system-daily-summary", "system-history-retention");
    }

    @Test
    void historyRetentionDeletesOldExecutionsWithTheirLogsAndArtifacts() {
        Job beat = runs.create("beat", "heartbeat", Map.of());
        Execution old = runs.run(beat, false);
        clock.advance(Duration.ofDays(31));
        Execution recent = runs.run(beat, false);
        Job retention = runs.create("retention", "history_retention", Map.of("keep_days", 30, "batch_size", 1));

        Execution run = runs.run(retention, false);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(ids())
                .doesNotContain(old.id().value())
                .contains(recent.id().value(), run.id().value());
        assertThat(jdbc.sql("SELECT COUNT(*) FROM execution_logs WHERE execution_id = ?")
                        .param(old.id().value())
                        .query(Long.class)
                        .single())
                .isZero();
    }

    private List<UUID> ids() {
        return jdbc.sql("SELECT id FROM executions").query(UUID.class).list();
    }

    private Job byName(String name) {
        UUID id = jdbc.sql("SELECT id FROM jobs WHERE name = ?")
                .param(name)
                .query(UUID.class)
                .single();
        return jobs.get(new JobId(id));
    }

    private long demoCount(String sql) throws Exception {
        try (var c = DriverManager.getConnection(
                        "jdbc:h2:file:" + Path.of("target/test-data/demo").toAbsolutePath()
                                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE",
                        "sa",
                        "");
                var s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
