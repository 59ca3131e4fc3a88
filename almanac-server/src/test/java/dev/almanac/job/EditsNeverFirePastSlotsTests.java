package dev.almanac.job;

import static dev.almanac.testing.JobRequests.aCronJob;
import static dev.almanac.testing.JobRequests.aOneTimeJob;
import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.JobRequests;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Editing or re-enabling a job never runs the slots that lie in the past (issue #21; Kubernetes CronJob users lost a
 * thousand e-mails to this): for every schedule type and every misfire policy, only slots after the change run.
 */
abstract class EditsNeverFirePastSlotsTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends EditsNeverFirePastSlotsTests {}

    @WithPostgres
    static class OnPostgres extends EditsNeverFirePastSlotsTests {}

    static final List<String> MISFIRE_POLICIES = List.of("run_once", "skip", "run_all");

    /** Each schedule type, and a change to its schedule whose own slots also lie partly in the past. */
    record Kind(String name, Function<String, JobRequests> job, String changedSchedule) {}

    static final List<Kind> KINDS = List.of(
            new Kind("cron", n -> aCronJob(n, "0 * * * *"), "{\"type\":\"cron\",\"expression\":\"30 * * * *\"}"),
            new Kind("interval", n -> anIntervalJob(n, 3600), "{\"type\":\"interval\",\"interval_seconds\":1800}"),
            new Kind("once", n -> aOneTimeJob(n, "2026-06-01T11:00:00Z"), null));

    @Autowired
    Engine engine;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    JsonMapper json;

    @Test
    void reEnablingAJobWhoseSlotsLieInThePastRunsNoneOfThem() {
        for (Kind kind : KINDS) {
            for (String misfire : MISFIRE_POLICIES) {
                clock.set(START);
                String name = "re-enabled " + kind.name() + " " + misfire;
                Job job = jobs.create(
                        kind.job().apply(name).misfire(misfire, 86_400).build(), "test");
                update(job, "{\"enabled\":false}");
                clock.set(START.plus(Duration.ofHours(3)).plusSeconds(600));
                engine.runDueOnce();
                Job enabled = update(job, "{\"enabled\":true}");

                assertThat(engine.runDueOnce()).as(name).isZero();
                assertThat(history(job)).as(name).isEmpty();
                if (enabled.nextRunAt() != null) {
                    assertThat(enabled.nextRunAt()).as(name).isAfter(clock.instant());
                    clock.set(enabled.nextRunAt().plusSeconds(1));
                    assertThat(engine.runDueOnce()).as(name).isEqualTo(1);
                    assertThat(history(job)).as(name).singleElement().satisfies(e -> {
                        assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
                        assertThat(e.scheduledFor()).isEqualTo(enabled.nextRunAt());
                    });
                } else {
                    assertThat(kind.name())
                            .as(name + ": only a one-time job has no run left")
                            .isEqualTo("once");
                }
            }
        }
    }

    @Test
    void changingTheScheduleOfAJobWhoseSlotsWereMissedRunsNoneOfThePastOnes() {
        for (Kind kind : KINDS) {
            for (String misfire : MISFIRE_POLICIES) {
                clock.set(START);
                String name = "edited " + kind.name() + " " + misfire;
                Job job = jobs.create(
                        kind.job().apply(name).misfire(misfire, 86_400).build(), "test");
                // no node ran for three hours: the job's next run lies in the past when it is edited
                clock.set(START.plus(Duration.ofHours(3)).plusSeconds(600));
                if (kind.changedSchedule() == null) {
                    assertThatThrownBy(() -> update(
                                    job, "{\"schedule\":{\"type\":\"once\"," + "\"run_at\":\"2026-06-01T12:00:00Z\"}}"))
                            .as(name)
                            .isInstanceOfSatisfying(
                                    InvalidInputException.class,
                                    e -> assertThat(e.errors())
                                            .extracting(FieldError::field)
                                            .containsExactly("schedule.run_at"));
                    update(job, "{\"schedule\":{\"type\":\"once\",\"run_at\":\"2026-06-01T14:00:00Z\"}}");
                } else {
                    update(job, "{\"schedule\":" + kind.changedSchedule() + "}");
                }
                assertThat(engine.runDueOnce()).as(name).isZero();
                assertThat(history(job)).as(name).isEmpty();
                Instant next = jobs.get(job.id()).nextRunAt();
                assertThat(next).as(name).isAfter(clock.instant());
                clock.set(next.plusSeconds(1));
                assertThat(engine.runDueOnce()).as(name).isEqualTo(1);
                assertThat(history(job))
                        .as(name)
                        .extracting(Execution::scheduledFor)
                        .containsExactly(next);
            }
        }
    }

    private Job update(Job job, String changes) {
        return jobs.update(job.id(), (ObjectNode) json.readTree(changes), "test")
                .job();
    }

    private List<Execution> history(Job job) {
        return executions.list(ExecutionQuery.ofJob(job.id(), 500));
    }
}
