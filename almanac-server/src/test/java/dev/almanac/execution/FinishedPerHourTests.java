package dev.almanac.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.common.JdbcTime;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The last day's counts, with the hours that ended more than five minutes ago read once and kept for ten: what the
 * status endpoint and the dashboard show, and when a change to settled history shows.
 */
abstract class FinishedPerHourTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends FinishedPerHourTests {}

    @WithPostgres
    static class OnPostgres extends FinishedPerHourTests {}

    private static final UUID JOB = UUID.fromString("00000000-0000-0000-0000-00000000000a");

    @Autowired
    FinishedPerHour finished;

    @Test
    void countsWhatEndedSinceAMomentInsideAnHourAcrossKeptAndFreshHours() {
        Instant now = Instant.parse("2026-06-02T10:20:00Z");
        clock.set(now);
        ended("succeeded", now.minus(Duration.ofHours(25))); // before the window
        ended("succeeded", Instant.parse("2026-06-01T10:19:59Z")); // just before since
        ended("succeeded", Instant.parse("2026-06-01T10:20:00Z")); // since itself: counted
        ended("failed", Instant.parse("2026-06-01T10:45:00Z")); // the partial first hour
        ended("timed_out", Instant.parse("2026-06-01T18:00:00Z")); // a settled hour
        ended("succeeded", Instant.parse("2026-06-02T10:14:00Z")); // the current hour
        ended("running", null); // not ended

        Map<ExecutionStatus, Long> day = finished.since(now.minus(Duration.ofHours(24)));

        assertThat(day)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        ExecutionStatus.SUCCEEDED, 2L, ExecutionStatus.FAILED, 1L, ExecutionStatus.TIMED_OUT, 1L));
    }

    @Test
    void aSettledHourIsReadOnceAndKeptForTenMinutesWhileRecentHoursAreCountedEveryTime() {
        Instant now = Instant.parse("2026-06-02T10:20:00Z");
        clock.set(now);
        UUID settled = ended("failed", Instant.parse("2026-06-02T09:10:00Z")); // hour 09, ended 10:00: settled
        ended("succeeded", Instant.parse("2026-06-02T10:05:00Z"));
        assertThat(finished.since(Instant.parse("2026-06-02T09:00:00Z")))
                .containsEntry(ExecutionStatus.FAILED, 1L)
                .containsEntry(ExecutionStatus.SUCCEEDED, 1L);

        // written behind the engine's back: the kept hour does not see it, the current hour does
        jdbc.sql("DELETE FROM executions WHERE id = ?").param(settled).update();
        ended("succeeded", Instant.parse("2026-06-02T10:15:00Z"));
        assertThat(finished.since(Instant.parse("2026-06-02T09:00:00Z")))
                .containsEntry(ExecutionStatus.FAILED, 1L)
                .containsEntry(ExecutionStatus.SUCCEEDED, 2L);

        clock.set(now.plus(FinishedPerHour.KEPT));
        assertThat(finished.since(Instant.parse("2026-06-02T09:00:00Z")))
                .doesNotContainKey(ExecutionStatus.FAILED)
                .containsEntry(ExecutionStatus.SUCCEEDED, 2L);
    }

    @Test
    void anHourIsNotKeptUntilFiveMinutesAfterItEnded() {
        clock.set(Instant.parse("2026-06-02T10:04:00Z"));
        ended("succeeded", Instant.parse("2026-06-02T09:59:00Z"));
        assertThat(finished.since(Instant.parse("2026-06-02T09:00:00Z"))).containsEntry(ExecutionStatus.SUCCEEDED, 1L);

        // an outcome written late, with the time its run ended, still counts while its hour is not settled
        ended("failed", Instant.parse("2026-06-02T09:58:00Z"));
        assertThat(finished.since(Instant.parse("2026-06-02T09:00:00Z"))).containsEntry(ExecutionStatus.FAILED, 1L);
    }

    @Test
    void deletingARecordThroughTheApiShowsInTheStatusAtOnce() throws Exception {
        Instant now = Instant.parse("2026-06-02T10:20:00Z");
        clock.set(now);
        UUID record = ended("failed", Instant.parse("2026-06-02T03:00:00Z"));
        ended("succeeded", Instant.parse("2026-06-02T04:00:00Z"));
        mvc.perform(get("/api/admin/scheduler/status"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.last_24h.failed").value(1))
                .andExpect(jsonPath("$.last_24h.succeeded").value(1));

        mvc.perform(delete("/api/admin/scheduler/executions/" + record)).andExpect(status().isOk());

        mvc.perform(get("/api/admin/scheduler/status"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.last_24h.failed").value(0))
                .andExpect(jsonPath("$.last_24h.succeeded").value(1));
    }

    /**
     * The dashboard's success rate counts the runs that ran to an outcome, and says beside it how many more were
     * cancelled or skipped, which the chart below counts too.
     */
    @Test
    void theDashboardSaysWhichRunsItsSuccessRateCounts() throws Exception {
        clock.set(Instant.parse("2026-06-02T10:20:00Z"));
        ended("succeeded", Instant.parse("2026-06-02T03:00:00Z"));
        ended("failed", Instant.parse("2026-06-02T04:00:00Z"));
        ended("cancelled", Instant.parse("2026-06-02T05:00:00Z"));
        ended("skipped", Instant.parse("2026-06-02T06:00:00Z"));
        // the cards show once there is a job
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post(
                                "/api/admin/scheduler/jobs")
                        .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"counted\",\"template_type\":\"heartbeat\","
                                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"}}"))
                .andExpect(status().isCreated());
        String page = securedMvc()
                .perform(get("/").with(
                                org.springframework.security.test.web.servlet.request
                                        .SecurityMockMvcRequestPostProcessors.user("test-super-admin")
                                        .roles("SUPER_ADMIN")))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(page)
                .contains("50.0 %")
                .contains("2 ran to an outcome, 2 cancelled or skipped")
                .contains("4 runs ended");
    }

    private UUID ended(String status, Instant completedAt) {
        UUID id = UUID.randomUUID();
        Instant created = completedAt == null ? clock.instant() : completedAt.minusSeconds(1);
        jdbc.sql("""
                        INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, attempt,
                                                run_after, created_at, started_at, completed_at, dry_run, parameters,
                                                triggered_by, cancel_requested)
                        VALUES (:id, :job, 1, 'counted', 'noop', :status, 1, :created, :created, :created, :completed,
                                FALSE, '{}', 'scheduler', FALSE)
                        """)
                .param("id", id)
                .param("job", JOB)
                .param("status", status)
                .param("created", JdbcTime.utc(created))
                .param("completed", completedAt == null ? null : JdbcTime.utc(completedAt))
                .update();
        return id;
    }
}
