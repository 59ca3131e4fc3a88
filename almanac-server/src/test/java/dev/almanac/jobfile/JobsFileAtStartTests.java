package dev.almanac.jobfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.almanac.job.Job;
import dev.almanac.job.JobLookups;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.JobRequests;
import dev.almanac.testing.MutableClock;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.WithPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The jobs file ({@code almanac.jobs-file}) is applied before the node runs anything: a job it disables runs no slot
 * that was due when the node started, and an invalid file stops the start before the engine has run a job.
 */
abstract class JobsFileAtStartTests {

    static class OnH2 extends JobsFileAtStartTests {
        @Override
        EngineNode.Builder node() {
            return EngineNode.on(
                    "jdbc:h2:mem:jobs-file-" + database + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;"
                            + "DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
                    "sa",
                    "");
        }
    }

    @Tag("postgres")
    @ExtendWith(WithPostgres.WhenReachable.class)
    static class OnPostgres extends JobsFileAtStartTests {
        private String url;

        @Override
        EngineNode.Builder node() {
            if (url == null) {
                url = PostgresTestDatabase.freshSchemaUrl("jobs_file_start");
            }
            return EngineNode.onPostgres(url);
        }
    }

    /** The database the nodes of one test share. */
    final String database = UUID.randomUUID().toString();

    /** A node without its engine, holding the database and counting runs while the other starts and stops. */
    EngineNode setup;

    abstract EngineNode.Builder node();

    @BeforeEach
    void twoJobsDueEveryHour() {
        setup = node().nodeId("setup")
                .set("almanac.engine.enabled", false)
                .clock(new MutableClock(AlmanacIntegrationTest.START))
                .start();
        for (String name : new String[] {"nightly", "hourly"}) {
            setup.bean(JobService.class)
                    .create(
                            JobRequests.aCronJob(name, "0 * * * *")
                                    .misfire("run_once", null)
                                    .build(),
                            "test");
        }
    }

    @AfterEach
    void stop() {
        setup.close();
    }

    @Test
    void aJobTheFileDisablesRunsNoSlotThatWasDueAtStart() throws Exception {
        Path file = Files.createTempFile("jobs", ".yaml");
        Files.writeString(file, "jobs:\n  - name: nightly\n    enabled: false\n");

        try (EngineNode started = starting(file)) {
            // both jobs were due when the node started; the engine took the one the file left enabled
            await().atMost(Duration.ofSeconds(30)).until(() -> runsOf("hourly") > 0);
            assertThat(runsOf("nightly")).isZero();
            assertThat(started.jdbc()
                            .sql("SELECT enabled FROM jobs WHERE name = 'nightly'")
                            .query(Boolean.class)
                            .single())
                    .isFalse();
        }
    }

    @Test
    void anInvalidFileStopsTheStartBeforeTheEngineRunsAnything() throws Exception {
        Path file = Files.createTempFile("jobs", ".yaml");
        Files.writeString(file, "jobs:\n  - name: nightly\n    priority: 10\n");

        assertThatThrownBy(() -> starting(file).close())
                .hasStackTraceContaining("Jobs file " + file + " has invalid entries")
                .hasStackTraceContaining("priority: must be between 0 and 9");
        assertThat(runsOf("hourly") + runsOf("nightly")).isZero();
    }

    /**
     * A job of the file deleted through the API since the file was exported: its masks stand for no secret now. The
     * start goes on without it, saying which job and fields and how to fix the file; the file's other jobs apply.
     */
    @Test
    void aJobDeletedSinceTheFileWasExportedDoesNotStopTheStart() throws Exception {
        aHookCreatedAndDeleted();
        Path file = Files.createTempFile("jobs", ".yaml");
        Files.writeString(file, """
                jobs:
                  - name: nightly
                    enabled: false
                  - name: hook
                    template_type: webhook_trigger
                    parameters: {url: "https://hooks.example.com/x", signing_secret: "••••"}
                    schedule: {type: cron, expression: "0 * * * *"}
                """);

        try (EngineNode started = starting(file)) {
            assertThat(started.jdbc()
                            .sql("SELECT name FROM jobs WHERE enabled = FALSE")
                            .query(String.class)
                            .list())
                    .containsExactly("nightly");
            assertThat(started.jdbc()
                            .sql("SELECT COUNT(*) FROM jobs WHERE name = 'hook'")
                            .query(Long.class)
                            .single())
                    .isZero();
            JobsFile.AppliedFile again = started.bean(JobsFile.class).apply(file);
            assertThat(again.skipped()).containsExactly("hook");
            assertThat(again.warnings())
                    .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .contains("job 'hook' was not applied", "no job named 'hook' is stored here")
                    .contains("the file comes from another install", "parameters.signing_secret is a mask")
                    .contains("write its secrets into the file or remove it");
        }
    }

    /** A webhook job named hook, with a signing secret, created and deleted: a file's masks for it stand for none. */
    private void aHookCreatedAndDeleted() {
        JobService jobs = setup.bean(JobService.class);
        Job hook = jobs.create(
                JobRequests.aCronJob("hook", "0 * * * *")
                        .template(
                                "webhook_trigger",
                                Map.of("url", "https://hooks.example.com/x", "signing_secret", "0123456789abcdef-s"))
                        .build(),
                "test");
        jobs.delete(hook.id(), "test");
    }

    /** A file of the deleted job and of jobs downstream of it, by {@code depends_on} and by a trigger. */
    private Path aFileWithJobsDownstreamOfADeletedOne(String extra) throws Exception {
        aHookCreatedAndDeleted();
        Path file = Files.createTempFile("jobs", ".yaml");
        Files.writeString(file, """
                jobs:
                  - name: nightly
                    enabled: false
                  - name: after-hook
                    template_type: heartbeat
                    schedule: {type: cron, expression: "0 * * * *"}
                    depends_on: [hook]
                  - name: on-hook
                    template_type: heartbeat
                    schedule: {type: cron, expression: "0 * * * *"}
                    triggers: [{job: after-hook, on: succeeded}]
                  - name: hook
                    template_type: webhook_trigger
                    parameters: {url: "https://hooks.example.com/x", signing_secret: "••••"}
                    schedule: {type: cron, expression: "0 * * * *"}
                """ + extra);
        return file;
    }

    /**
     * Jobs of the file downstream of a job left out for its masks, whose only errors are that upstream, are left out
     * with it, each with its own WARN: the start goes on and nothing stored names a job that is not there.
     */
    @Test
    void jobsDownstreamOfALeftOutJobAreLeftOutWithIt() throws Exception {
        Path file = aFileWithJobsDownstreamOfADeletedOne("");

        try (EngineNode started = starting(file)) {
            assertThat(started.jdbc()
                            .sql("SELECT name FROM jobs WHERE name IN ('hook', 'after-hook', 'on-hook')")
                            .query(String.class)
                            .list())
                    .isEmpty();
            assertThat(started.jdbc()
                            .sql("SELECT enabled FROM jobs WHERE name = 'nightly'")
                            .query(Boolean.class)
                            .single())
                    .isFalse();
            JobsFile.AppliedFile again = started.bean(JobsFile.class).apply(file);
            assertThat(again.skipped()).containsExactly("after-hook", "on-hook", "hook");
            assertThat(again.warnings())
                    .anySatisfy(warning -> assertThat(warning)
                            .contains("job 'after-hook' was not applied: depends_on[0] names 'hook'")
                            .contains("left out with it"))
                    .anySatisfy(warning -> assertThat(warning)
                            .contains("job 'on-hook' was not applied: triggers[0].job names 'after-hook'"))
                    .anySatisfy(warning -> assertThat(warning).contains("no job named 'hook' is stored here"));
        }
    }

    /**
     * A downstream job with an error of its own stops the start; the failure says why its upstream was left out (the
     * masks and fields), not "see its errors" of a job whose errors were nowhere.
     */
    @Test
    void aFailingStartSaysWhyAnUpstreamWasLeftOut() throws Exception {
        Path file = aFileWithJobsDownstreamOfADeletedOne("""
                  - name: late
                    template_type: heartbeat
                    priority: 10
                    schedule: {type: cron, expression: "0 * * * *"}
                    depends_on: [hook]
                """);

        assertThatThrownBy(() -> starting(file).close())
                .hasStackTraceContaining("has invalid entries; nothing was applied")
                .hasStackTraceContaining("jobs[late].priority: must be between 0 and 9")
                .hasStackTraceContaining("jobs[late].depends_on[0]: the upstream job 'hook' in this file was left out:"
                        + " no job named 'hook' is stored here")
                .hasStackTraceContaining("jobs[hook]: would be left out, which alone would not stop the start:")
                .hasStackTraceContaining("parameters.signing_secret is a mask");
        assertThat(runsOf("hourly") + runsOf("nightly")).isZero();
    }

    /**
     * A stored job whose optional secret was cleared (here: never set) and which the file writes as a mask: the whole
     * job is left out, its other changes too, and the WARN says the stored job has no secret there.
     */
    @Test
    void aStoredJobWithoutTheSecretTheFileMasksKeepsWhatIsStored() throws Exception {
        setup.bean(JobService.class)
                .create(
                        JobRequests.aCronJob("hook", "0 * * * *")
                                .template("webhook_trigger", Map.of("url", "https://hooks.example.com/x"))
                                .build(),
                        "test");
        Path file = Files.createTempFile("jobs", ".yaml");
        Files.writeString(file, """
                jobs:
                  - name: hook
                    description: from the file
                    template_type: webhook_trigger
                    parameters: {url: "https://hooks.example.com/x", signing_secret: "••••"}
                    schedule: {type: cron, expression: "0 * * * *"}
                """);

        try (EngineNode started = starting(file)) {
            assertThat(started.jdbc()
                            .sql("SELECT COUNT(*) FROM jobs WHERE name = 'hook' AND description = 'from the file'")
                            .query(Long.class)
                            .single())
                    .isZero();
            JobsFile.AppliedFile again = started.bean(JobsFile.class).apply(file);
            assertThat(again.skipped()).containsExactly("hook");
            assertThat(again.warnings())
                    .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .contains("the stored job 'hook' has no secret at parameters.signing_secret")
                    .contains("none of the file's changes to it were applied")
                    .doesNotContain("deleted or renamed");
        }
    }

    /**
     * On a database with no jobs but the system jobs, the first start from an export of another install, a mask with
     * nothing stored behind it stops the start: the operator wants those jobs, with their secrets.
     */
    @Test
    void onADatabaseWithNoJobsYetAMaskStopsTheStart() throws Exception {
        JobService jobs = setup.bean(JobService.class);
        for (String name : new String[] {"nightly", "hourly"}) {
            jobs.delete(setup.bean(JobLookups.class).idByName("default", name).orElseThrow(), "test");
        }
        Path file = Files.createTempFile("jobs", ".yaml");
        Files.writeString(file, """
                jobs:
                  - name: other
                    template_type: heartbeat
                    schedule: {type: cron, expression: "0 * * * *"}
                  - name: hook
                    template_type: webhook_trigger
                    parameters: {url: "https://hooks.example.com/x", signing_secret: "••••"}
                    schedule: {type: cron, expression: "0 * * * *"}
                """);

        assertThatThrownBy(() -> starting(file).close())
                .hasStackTraceContaining("has invalid entries; nothing was applied")
                .hasStackTraceContaining("jobs[hook].parameters.signing_secret");
        assertThat(setup.jdbc()
                        .sql("SELECT COUNT(*) FROM jobs WHERE name IN ('other', 'hook')")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    private EngineNode starting(Path file) {
        return node().nodeId("starting")
                .set("almanac.jobs-file", file.toString())
                .clock(new MutableClock(AlmanacIntegrationTest.START.plus(Duration.ofMinutes(150))))
                .start();
    }

    private long runsOf(String job) {
        return setup.jdbc()
                .sql("SELECT COUNT(*) FROM executions e JOIN jobs j ON j.id = e.job_id WHERE j.name = ?")
                .param(job)
                .query(Long.class)
                .single();
    }
}
