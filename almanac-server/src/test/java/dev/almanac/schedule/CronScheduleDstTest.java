package dev.almanac.schedule;

import static dev.almanac.schedule.TestSchedules.cron;
import static dev.almanac.schedule.TestSchedules.runsBetween;
import static dev.almanac.schedule.TestSchedules.runsOn;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CronScheduleDstTest {

    @Test
    void runsAMissingFixedTimeOnceAtTheEndOfTheGap() {
        Schedule daily = cron("0 2 * * *", "Europe/Berlin");

        assertThat(runsOn(daily, LocalDate.of(2026, 3, 28)))
                .extracting(ZonedDateTime::toInstant)
                .containsExactly(Instant.parse("2026-03-28T01:00:00Z"));
        assertThat(runsOn(daily, LocalDate.of(2026, 3, 29)))
                .extracting(ZonedDateTime::toInstant)
                .containsExactly(Instant.parse("2026-03-29T01:00:00Z"));
        assertThat(runsOn(daily, LocalDate.of(2026, 3, 29)).get(0).toLocalTime())
                .isEqualTo(LocalTime.of(3, 0));
        assertThat(runsOn(daily, LocalDate.of(2026, 3, 30)))
                .extracting(ZonedDateTime::toInstant)
                .containsExactly(Instant.parse("2026-03-30T00:00:00Z"));
    }

    @Test
    void runsARepeatedFixedTimeOnceAtItsFirstOccurrence() {
        Schedule daily = cron("0 2 * * *", "Europe/Berlin");

        assertThat(runsOn(daily, LocalDate.of(2026, 10, 25)))
                .extracting(ZonedDateTime::toInstant)
                .containsExactly(Instant.parse("2026-10-25T00:00:00Z"));
        assertThat(daily.nextAfter(Instant.parse("2026-10-25T00:00:00Z")))
                .contains(Instant.parse("2026-10-26T01:00:00Z"));
    }

    @Test
    void runsAHalfPastTimeInTheGapAtTheTopOfTheNextHour() {
        Schedule daily = cron("30 2 * * *", "America/New_York");

        assertThat(runsOn(daily, LocalDate.of(2026, 3, 8)))
                .extracting(ZonedDateTime::toInstant)
                .containsExactly(Instant.parse("2026-03-08T07:00:00Z"));
    }

    @Test
    void doesNotRunAgainWhenAskedFromInsideTheRepeatedHour() {
        Schedule daily = cron("30 1 * * *", "America/New_York");
        // 06:10Z is 01:10 EST, the second pass through 01:xx; 01:30 already ran at 05:30Z.
        assertThat(daily.nextAfter(Instant.parse("2026-11-01T05:10:00Z")))
                .contains(Instant.parse("2026-11-01T05:30:00Z"));
        assertThat(daily.nextAfter(Instant.parse("2026-11-01T06:10:00Z")))
                .contains(Instant.parse("2026-11-02T06:30:00Z"));
    }

    @Test
    void runsAWildcardHourScheduleAtEveryRealQuarterHourAcrossFallBack() {
        Schedule quarterly = cron("*/15 * * * *", "America/New_York");

        List<Instant> runs =
                runsBetween(quarterly, Instant.parse("2026-11-01T04:00:00Z"), Instant.parse("2026-11-01T08:00:00Z"));

        assertThat(runs).hasSize(16).first().isEqualTo(Instant.parse("2026-11-01T04:15:00Z"));
        assertEvenlySpaced(runs, Duration.ofMinutes(15));
        List<ZonedDateTime> oneThirty = runs.stream()
                .map(at -> at.atZone(quarterly.zone()))
                .filter(local -> local.toLocalTime().equals(LocalTime.of(1, 30)))
                .toList();
        assertThat(oneThirty).extracting(local -> local.getOffset().getId()).containsExactly("-04:00", "-05:00");
    }

    @Test
    void runsAWildcardHourScheduleAtEveryRealQuarterHourAcrossSpringForward() {
        Schedule quarterly = cron("*/15 * * * *", "America/New_York");

        List<Instant> runs =
                runsBetween(quarterly, Instant.parse("2026-03-08T05:00:00Z"), Instant.parse("2026-03-08T09:00:00Z"));

        assertThat(runs).hasSize(16);
        assertEvenlySpaced(runs, Duration.ofMinutes(15));
        assertThat(runs).extracting(at -> at.atZone(quarterly.zone()).getHour()).doesNotContain(2);
        assertThat(runs)
                .contains(Instant.parse("2026-03-08T06:45:00Z"), Instant.parse("2026-03-08T07:00:00Z"))
                .extracting(at -> at.atZone(quarterly.zone()).toLocalTime())
                .containsSubsequence(LocalTime.of(1, 45), LocalTime.of(3, 0));
    }

    @Test
    void runsMidnightJobsEveryDayWhereClocksChangeAtMidnight() {
        for (String zone : List.of("America/Santiago", "Africa/Cairo", "America/Havana", "Asia/Beirut")) {
            Schedule midnight = cron("0 0 * * *", zone);
            ZoneId zoneId = ZoneId.of(zone);
            List<Instant> runs = runsBetween(
                    midnight,
                    LocalDate.of(2019, 12, 31).atStartOfDay(zoneId).toInstant(),
                    LocalDate.of(2030, 1, 1).atStartOfDay(zoneId).toInstant());

            Set<LocalDate> dates = new HashSet<>();
            runs.forEach(at -> assertThat(dates.add(at.atZone(zoneId).toLocalDate()))
                    .as("one run per day in %s at %s", zone, at)
                    .isTrue());
            for (LocalDate d = LocalDate.of(2020, 1, 1); !d.isAfter(LocalDate.of(2029, 12, 31)); d = d.plusDays(1)) {
                assertThat(dates).as("%s in %s", d, zone).contains(d);
            }
        }
    }

    @Test
    void mergesSeveralMissingTimesIntoOneRun() {
        Schedule twiceAt2 = cron("0,30 2 * * *", "America/New_York");

        assertThat(runsOn(twiceAt2, LocalDate.of(2026, 3, 8)))
                .extracting(ZonedDateTime::toInstant)
                .containsExactly(Instant.parse("2026-03-08T07:00:00Z"));
        assertThat(runsOn(twiceAt2, LocalDate.of(2026, 3, 9))).hasSize(2);
    }

    @Test
    void mergesAMissingTimeWithTheRunAtTheEndOfTheGap() {
        Schedule twoAndThree = cron("0 2,3 * * *", "America/New_York");

        assertThat(runsOn(twoAndThree, LocalDate.of(2026, 3, 8)))
                .extracting(ZonedDateTime::toInstant)
                .containsExactly(Instant.parse("2026-03-08T07:00:00Z"));
    }

    @Test
    void runsEveryMinuteOfAMissingFixedHourOnceAtTheEndOfTheGap() {
        Schedule everyMinuteAt2 = cron("* 2 * * *", "America/New_York");

        assertThat(runsOn(everyMinuteAt2, LocalDate.of(2026, 3, 8)))
                .extracting(ZonedDateTime::toInstant)
                .containsExactly(Instant.parse("2026-03-08T07:00:00Z"));
    }

    @Test
    void runsOnTheFirstDayAfterSamoaSkippedADay() {
        Schedule daily = cron("0 2 * * *", "Pacific/Apia");

        assertThat(runsOn(daily, LocalDate.of(2011, 12, 29))).hasSize(1);
        assertThat(runsOn(daily, LocalDate.of(2011, 12, 30))).isEmpty();
        // 30 December's 02:00 never existed; it runs when the gap ends, at midnight on the 31st.
        assertThat(runsOn(daily, LocalDate.of(2011, 12, 31)))
                .extracting(ZonedDateTime::toLocalTime)
                .containsExactly(LocalTime.MIDNIGHT, LocalTime.of(2, 0));
    }

    private static void assertEvenlySpaced(List<Instant> runs, Duration spacing) {
        for (int i = 1; i < runs.size(); i++) {
            assertThat(Duration.between(runs.get(i - 1), runs.get(i)))
                    .as("between %s and %s", runs.get(i - 1), runs.get(i))
                    .isEqualTo(spacing);
        }
    }
}
