package dev.almanac.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.JdbcTime;
import dev.almanac.job.JobId;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Schedule health's read of several jobs' recent successes in one statement: each job's own, up to its own limit. */
abstract class HealthReadingsTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends HealthReadingsTests {}

    @WithPostgres
    static class OnPostgres extends HealthReadingsTests {}

    private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    @Autowired
    HealthReadings readings;

    @Test
    void eachJobGetsItsOwnNewestSuccessesUpToItsOwnLimit() {
        JobId busy = new JobId(UUID.randomUUID());
        JobId rare = new JobId(UUID.randomUUID());
        JobId never = new JobId(UUID.randomUUID());
        List<UUID> busyRuns = new ArrayList<>();
        for (int n = 0; n < 5; n++) {
            busyRuns.add(run(busy, "succeeded", n, 10 + n, false));
        }
        run(busy, "failed", 6, 99, false);
        run(busy, "succeeded", 7, 99, true);
        UUID rareRun = run(rare, "succeeded", 1, 7, false);
        run(never, "failed", 2, 3, false);
        Map<JobId, Integer> limits = new LinkedHashMap<>();
        limits.put(busy, 3);
        limits.put(rare, 10);
        limits.put(never, 10);

        Map<JobId, List<HealthReadings.Success>> recent = readings.recentSuccesses(limits);

        assertThat(recent.get(busy))
                .containsExactly(
                        new HealthReadings.Success(new ExecutionId(busyRuns.get(4)), 14),
                        new HealthReadings.Success(new ExecutionId(busyRuns.get(3)), 13),
                        new HealthReadings.Success(new ExecutionId(busyRuns.get(2)), 12));
        assertThat(recent.get(rare)).containsExactly(new HealthReadings.Success(new ExecutionId(rareRun), 7));
        assertThat(recent.get(never)).isEmpty();
    }

    @Test
    void askedAboutNoJobsItAnswersNothing() {
        assertThat(readings.recentSuccesses(Map.of())).isEmpty();
    }

    /** An ended run of {@code job}, {@code minute} minutes after T0, that took {@code durationMs}. */
    private UUID run(JobId job, String status, int minute, long durationMs, boolean dryRun) {
        UUID id = UUID.randomUUID();
        Instant at = T0.plusSeconds(60L * minute);
        jdbc.sql("""
                        INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, attempt,
                                                run_after, created_at, started_at, completed_at, duration_ms,
                                                dry_run, parameters, triggered_by, cancel_requested)
                        VALUES (?, ?, 1, 'job', 'heartbeat', ?, 1, ?, ?, ?, ?, ?, ?, '{}', 'test', FALSE)
                        """)
                .params(
                        id,
                        job.value(),
                        status,
                        JdbcTime.utc(at),
                        JdbcTime.utc(at),
                        JdbcTime.utc(at),
                        JdbcTime.utc(at),
                        durationMs,
                        dryRun)
                .update();
        return id;
    }
}
