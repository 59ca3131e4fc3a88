package dev.almanac.schedule;

import static dev.almanac.schedule.TestSchedules.cron;
import static dev.almanac.schedule.TestSchedules.interval;
import static dev.almanac.schedule.TestSchedules.once;
import static dev.almanac.schedule.TestSchedules.runsBetween;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScheduleBehaviourTest {

    private static final Instant NEW_YEAR_2026 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void runsACronOnlyStrictlyAfterTheGivenInstant() {
        Schedule daily = cron("0 9 * * *", "UTC");

        assertThat(daily.nextAfter(Instant.parse("2026-05-01T08:59:59.999Z")))
                .contains(Instant.parse("2026-05-01T09:00:00Z"));
        assertThat(daily.nextAfter(Instant.parse("2026-05-01T09:00:00Z")))
                .contains(Instant.parse("2026-05-02T09:00:00Z"));
    }

    @Test
    void runsASecondsCronAtTheGivenSecond() {
        assertThat(cron("30 0 12 * * *", "UTC").nextAfter(NEW_YEAR_2026))
                .contains(Instant.parse("2026-01-01T12:00:30Z"));
        assertThat(runsBetween(cron("*/10 * * * * *", "UTC"), NEW_YEAR_2026, NEW_YEAR_2026.plusSeconds(60)))
                .hasSize(6)
                .last()
                .isEqualTo(NEW_YEAR_2026.plusSeconds(60));
    }

    @ParameterizedTest
    @CsvSource({
        "@yearly,   2027-01-01T00:00:00Z",
        "@annually, 2027-01-01T00:00:00Z",
        "@monthly,  2026-02-01T00:00:00Z",
        "@weekly,   2026-01-04T00:00:00Z",
        "@daily,    2026-01-02T00:00:00Z",
        "@midnight, 2026-01-02T00:00:00Z",
        "@hourly,   2026-01-01T01:00:00Z"
    })
    void runsMacrosAsTheirCronEquivalents(String macro, String expected) {
        assertThat(cron(macro, "UTC").nextAfter(NEW_YEAR_2026)).contains(Instant.parse(expected));
    }

    @Test
    void treatsSevenAsSundayLikeZero() {
        Schedule seven = cron("0 0 * * 7", "UTC");

        assertThat(runsBetween(seven, NEW_YEAR_2026, Instant.parse("2026-03-01T00:00:00Z")))
                .isEqualTo(
                        runsBetween(cron("0 0 * * SUN", "UTC"), NEW_YEAR_2026, Instant.parse("2026-03-01T00:00:00Z")))
                .allSatisfy(
                        at -> assertThat(at.atZone(seven.zone()).getDayOfWeek()).isEqualTo(DayOfWeek.SUNDAY));
    }

    @Test
    void runsWhenEitherDayOfMonthOrDayOfWeekMatchesWhenBothAreRestricted() {
        List<ZonedDateTime> runs =
                runsBetween(cron("0 0 13 * FRI", "UTC"), NEW_YEAR_2026, Instant.parse("2026-04-01T00:00:00Z")).stream()
                        .map(at -> at.atZone(java.time.ZoneOffset.UTC))
                        .toList();

        assertThat(runs)
                .allSatisfy(local -> assertThat(local.getDayOfMonth() == 13 || local.getDayOfWeek() == DayOfWeek.FRIDAY)
                        .isTrue());
        assertThat(runs).hasSize(13 + 3 - 2); // 13 Fridays, three 13ths, two of them (February, March) Fridays
    }

    @Test
    void requiresBothDaysWhenDayOfWeekStartsWithAStar() {
        List<ZonedDateTime> runs =
                runsBetween(cron("0 0 13 * */5", "UTC"), NEW_YEAR_2026, Instant.parse("2027-01-01T00:00:00Z")).stream()
                        .map(at -> at.atZone(java.time.ZoneOffset.UTC))
                        .toList();

        // */5 is Sunday and Friday: Friday the 13th in February, March and November, Sunday in September and
        // December.
        assertThat(runs).extracting(ZonedDateTime::getMonthValue).containsExactly(2, 3, 9, 11, 12);
    }

    @Test
    void acceptsAndRunsTheTwentyNinthOfFebruary() {
        assertThat(cron("0 0 29 2 *", "UTC").nextAfter(NEW_YEAR_2026)).contains(Instant.parse("2028-02-29T00:00:00Z"));
    }

    @Test
    void runsAnIntervalFromTheWholeSecondOfTheLastRun() {
        Schedule everyFiveMinutes = interval(300, "Europe/Berlin");

        assertThat(everyFiveMinutes.nextAfter(Instant.parse("2026-03-29T00:58:20.750Z")))
                .contains(Instant.parse("2026-03-29T01:03:20Z"));
        assertThat(everyFiveMinutes.preview(Instant.parse("2026-03-29T00:50:00Z"), 2))
                .extracting(run -> run.local().toLocalTime().toString())
                .containsExactly("01:55", "03:00");
    }

    @Test
    void findsAnIntervalsFirstRunInPhaseWithOneOfItsRunsFromAnyTime() {
        IntervalSchedule everyMinute = (IntervalSchedule) interval(60, "UTC");
        Instant run = Instant.parse("2026-06-01T00:41:17Z");

        assertThat(everyMinute.firstInPhase(run, Instant.parse("2026-06-01T00:40:00Z")))
                .isEqualTo(Instant.parse("2026-06-01T00:40:17Z"));
        assertThat(everyMinute.firstInPhase(run, Instant.parse("2026-06-01T00:40:17Z")))
                .isEqualTo(Instant.parse("2026-06-01T00:40:17Z"));
        assertThat(everyMinute.firstInPhase(run, Instant.parse("2026-06-01T00:40:17.001Z")))
                .isEqualTo(Instant.parse("2026-06-01T00:41:17Z"));
        assertThat(everyMinute.firstInPhase(run, Instant.parse("2026-06-01T03:00:00Z")))
                .isEqualTo(Instant.parse("2026-06-01T03:00:17Z"));
        assertThat(everyMinute.firstInPhase(run, Instant.parse("2026-05-31T00:00:00Z")))
                .isEqualTo(Instant.parse("2026-05-31T00:00:17Z"));
    }

    @Test
    void runsOnceOnlyBeforeItsTime() {
        Schedule once = once("2026-12-01T09:00:00+01:00", "Europe/Paris");

        assertThat(once.nextAfter(NEW_YEAR_2026)).contains(Instant.parse("2026-12-01T08:00:00Z"));
        assertThat(once.nextAfter(Instant.parse("2026-12-01T08:00:00Z"))).isEmpty();
        assertThat(once.preview(NEW_YEAR_2026, 5)).hasSize(1);
    }

    @Test
    void readsALocalRunAtInTheZoneUnderTheDstPolicy() {
        assertThat(once("2026-12-01T09:00:00", "Europe/Paris").nextAfter(NEW_YEAR_2026))
                .contains(Instant.parse("2026-12-01T08:00:00Z"));
        assertThat(once("2026-03-29T02:30:00", "Europe/Paris").nextAfter(NEW_YEAR_2026))
                .contains(Instant.parse("2026-03-29T01:00:00Z"));
        assertThat(once("2026-10-25T02:30:00", "Europe/Paris").nextAfter(NEW_YEAR_2026))
                .contains(Instant.parse("2026-10-25T00:30:00Z"));
    }

    @Test
    void normalisesTheSpecForStorage() {
        assertThat(cron("  0  2 *\t* MON-FRI ", "Europe/Berlin").toSpec())
                .isEqualTo(new ScheduleSpec("cron", "0 2 * * MON-FRI", null, null, "Europe/Berlin"));
        assertThat(cron("@Daily", null).toSpec()).isEqualTo(new ScheduleSpec("cron", "@daily", null, null, "UTC"));
        assertThat(interval(60, "Z").toSpec()).isEqualTo(new ScheduleSpec("interval", null, 60L, null, "UTC"));
        assertThat(once("2026-12-01T08:00:00Z", "Europe/Paris").toSpec())
                .isEqualTo(new ScheduleSpec("once", null, null, "2026-12-01T09:00:00+01:00", "Europe/Paris"));
    }

    @Test
    void parsesItsOwnSpecBackToAnEqualSchedule() {
        for (Schedule schedule : List.of(
                cron("*/5 9-17 * * 1-5", "Asia/Tokyo"),
                cron("@weekly", null),
                interval(3600, "America/New_York"),
                once("2026-03-08T02:30:00", "America/New_York"))) {
            assertThat(Schedules.parse(schedule.toSpec())).isEqualTo(schedule);
        }
    }

    @Test
    void explainsAMissingTimeInThePreview() {
        List<ScheduledRun> runs =
                cron("30 2 * * *", "America/New_York").preview(Instant.parse("2026-03-07T12:00:00Z"), 2);

        assertThat(runs.get(0).at()).isEqualTo(Instant.parse("2026-03-08T07:00:00Z"));
        assertThat(runs.get(0).note())
                .isEqualTo("02:30 does not exist on 2026-03-08 in America/New_York (clocks go forward);"
                        + " runs at 03:00 EDT instead");
        assertThat(runs.get(1).note()).isNull();
    }

    @Test
    void explainsAOneTimeRunAtALocalTimeTheZoneSkipsOrRepeats() {
        assertThat(once("2027-03-28T02:30:00", "Europe/Berlin")
                        .preview(NEW_YEAR_2026, 1)
                        .get(0)
                        .note())
                .isEqualTo("02:30 does not exist on 2027-03-28 in Europe/Berlin (clocks go forward);"
                        + " runs at 03:00 CEST instead");
        assertThat(once("2026-10-25T02:30:00", "Europe/Berlin")
                        .preview(NEW_YEAR_2026, 1)
                        .get(0)
                        .note())
                .isEqualTo("02:30 occurs twice on 2026-10-25 in Europe/Berlin (clocks go back);"
                        + " runs once, at the first occurrence (UTC+02:00)");
        assertThat(once("2026-12-01T09:00:00", "Europe/Berlin")
                        .preview(NEW_YEAR_2026, 1)
                        .get(0)
                        .note())
                .isNull();
    }

    @Test
    void explainsMergedTimesInThePreview() {
        assertThat(cron("0,30 2 * * *", "America/New_York")
                        .preview(Instant.parse("2026-03-07T12:00:00Z"), 1)
                        .get(0)
                        .note())
                .isEqualTo("merged: 02:00 and 02:30 do not exist on 2026-03-08 in America/New_York"
                        + " (clocks go forward); runs once at 03:00 EDT");
        assertThat(cron("0 2,3 * * *", "America/New_York")
                        .preview(Instant.parse("2026-03-07T12:00:00Z"), 1)
                        .get(0)
                        .note())
                .startsWith("merged: 02:00 does not exist")
                .contains("moves onto the 03:00 run");
    }

    @Test
    void explainsARepeatedTimeInThePreview() {
        List<ScheduledRun> runs =
                cron("30 1 * * *", "America/New_York").preview(Instant.parse("2026-10-31T12:00:00Z"), 2);

        assertThat(runs.get(0).at()).isEqualTo(Instant.parse("2026-11-01T05:30:00Z"));
        assertThat(runs.get(0).note())
                .isEqualTo("01:30 occurs twice on 2026-11-01 in America/New_York (clocks go back);"
                        + " runs once, at the first occurrence (UTC-04:00)");
        assertThat(runs.get(1).note()).isNull();
    }

    @Test
    void marksTheSecondPassThroughARepeatedHourInThePreview() {
        List<ScheduledRun> runs =
                cron("*/30 * * * *", "America/New_York").preview(Instant.parse("2026-11-01T04:50:00Z"), 5);

        assertThat(runs)
                .extracting(ScheduledRun::note)
                .containsExactly(
                        null,
                        null,
                        "repeated hour after clocks go back (UTC-05:00)",
                        "repeated hour after clocks go back (UTC-05:00)",
                        null);
        assertThat(runs.get(2).local().toLocalTime())
                .isEqualTo(runs.get(0).local().toLocalTime());
    }
}
