package dev.almanac.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.schedule.Schedule;
import dev.almanac.schedule.ScheduleSpec;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The DST policy survives the database: a job saved before a clock change and read back runs at the instants the
 * policy says, on H2 and on PostgreSQL.
 */
abstract class StoredScheduleTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends StoredScheduleTests {}

    @WithPostgres
    static class OnPostgres extends StoredScheduleTests {}

    @Autowired
    JobService jobs;

    @Test
    void berlinAtTwoRunsOnceAtThreeWhenClocksGoForward() {
        assertThat(runsOf("0 2 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", 3))
                .containsExactly(
                        Instant.parse("2026-03-28T01:00:00Z"),
                        Instant.parse("2026-03-29T01:00:00Z"), // 02:00 does not exist: 03:00 CEST
                        Instant.parse("2026-03-30T00:00:00Z"));
    }

    @Test
    void berlinAtTwoRunsOnceWhenClocksGoBack() {
        assertThat(runsOf("0 2 * * *", "Europe/Berlin", "2026-10-23T12:00:00Z", 3))
                .containsExactly(
                        Instant.parse("2026-10-24T00:00:00Z"),
                        Instant.parse("2026-10-25T00:00:00Z"), // the first 02:00, CEST
                        Instant.parse("2026-10-26T01:00:00Z"));
    }

    @Test
    void newYorkAtHalfPastTwoRunsAtThreeOnTheSpringForwardDay() {
        assertThat(runsOf("30 2 * * *", "America/New_York", "2026-03-06T12:00:00Z", 3))
                .containsExactly(
                        Instant.parse("2026-03-07T07:30:00Z"),
                        Instant.parse("2026-03-08T07:00:00Z"),
                        Instant.parse("2026-03-09T06:30:00Z"));
    }

    @Test
    void everyQuarterHourRunsInBothOffsetsOfTheRepeatedHour() {
        List<Instant> runs = runsOf("*/15 * * * *", "America/New_York", "2026-11-01T04:50:00Z", 10);
        for (int i = 1; i < runs.size(); i++) {
            assertThat(runs.get(i)).isEqualTo(runs.get(i - 1).plusSeconds(900));
        }
        assertThat(runs).contains(Instant.parse("2026-11-01T05:00:00Z"), Instant.parse("2026-11-01T06:00:00Z"));
    }

    @Test
    void santiagoAtMidnightNeverSkipsADay() {
        List<Instant> runs = runsOf("0 0 * * *", "America/Santiago", "2026-03-30T12:00:00Z", 200);
        for (int i = 1; i < runs.size(); i++) {
            assertThat(runs.get(i)
                            .atZone(java.time.ZoneId.of("America/Santiago"))
                            .toLocalDate())
                    .isEqualTo(runs.get(i - 1)
                            .atZone(java.time.ZoneId.of("America/Santiago"))
                            .toLocalDate()
                            .plusDays(1));
        }
    }

    @Test
    void everyZoneSurvivesTheRoundTripThroughTheDatabase() {
        clock.set(Instant.parse("2026-03-28T12:00:00Z"));
        for (String zone : new java.util.TreeSet<>(dev.almanac.schedule.Schedules.zoneIds())) {
            Job created =
                    jobs.create(daily("zone " + Integer.toHexString(zone.hashCode()), "30 2 * * *", zone), "test");
            Job stored = jobs.get(created.id());
            assertThat(stored.definition().schedule())
                    .as(zone)
                    .isEqualTo(created.definition().schedule());
            assertThat(stored.nextRunAt()).as(zone).isEqualTo(created.nextRunAt());
        }
    }

    private static JobRequest daily(String name, String cron, String zone) {
        return new JobRequest(
                name,
                null,
                "heartbeat",
                Map.of(),
                new ScheduleSpec("cron", cron, null, null, zone),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    /** Saves a job created at {@code now}, reads it back, and walks its schedule from the stored next run. */
    private List<Instant> runsOf(String cron, String zone, String now, int count) {
        clock.set(Instant.parse(now));
        Job created = jobs.create(daily("dst " + Integer.toHexString(cron.hashCode()), cron, zone), "test");
        Job stored = jobs.get(created.id());
        assertThat(stored.nextRunAt()).isEqualTo(created.nextRunAt());
        Schedule schedule = stored.definition().schedule();
        List<Instant> runs = new ArrayList<>(List.of(stored.nextRunAt()));
        while (runs.size() < count) {
            runs.add(schedule.nextAfter(runs.get(runs.size() - 1)).orElseThrow());
        }
        return runs;
    }
}
