package dev.almanac.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SchedulesValidationTest {

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                bad(cron("0 0 31 2 *"), "expression", "never fires"),
                bad(cron("0 0 30 2 *"), "expression", "never fires"),
                bad(cron("0 0 31 4,6,9,11 *"), "expression", "never fires"),
                bad(cron("60 * * * *"), "expression", "minute: value 60 out of range 0-59"),
                bad(cron("0 24 * * *"), "expression", "hour: value 24 out of range 0-23"),
                bad(cron("0 0 0 * *"), "expression", "day-of-month: value 0 out of range 1-31"),
                bad(cron("0 0 * 13 *"), "expression", "month: value 13 out of range 1-12"),
                bad(cron("0 0 * * 8"), "expression", "day-of-week: value 8 out of range 0-7"),
                bad(cron("0 0 * FOO *"), "expression", "month: 'FOO' is neither a number nor a month name"),
                bad(cron("0 5-2 * * *"), "expression", "hour: range 5-2 goes backwards"),
                bad(cron("*/0 * * * *"), "expression", "minute: step 0 out of range 1-59"),
                bad(cron("1,,2 * * * *"), "expression", "minute: empty entry in a list"),
                bad(cron("61 0 12 * * *"), "expression", "second: value 61 out of range 0-59"),
                bad(cron("* * * *"), "expression", "has 4 fields; expected 5"),
                bad(cron("* * * * * * *"), "expression", "has 7 fields; expected 5"),
                bad(cron("0 0 * * * ; rm -rf /"), "expression", "found ';'"),
                bad(cron("0 0 L * ?"), "expression", "found '?'"),
                bad(cron("@fortnightly"), "expression", "unknown macro '@fortnightly'"),
                bad(cron("0 0 * * *".repeat(30)), "expression", "at most 200 characters"),
                bad(cron(null), "expression", "is required"),
                bad(cron("   "), "expression", "is required"),
                bad(
                        spec("cron", "0 0 * * *", null, null, "Mars/Olympus"),
                        "timezone",
                        "unknown time zone 'Mars/Olympus'"),
                bad(spec("cron", "0 0 * * *", null, null, "+02:00"), "timezone", "unknown time zone '+02:00'"),
                bad(spec("cron", "0 0 * * *", 60L, null, null), "interval_seconds", "not used by a cron schedule"),
                bad(
                        spec("cron", "0 0 * * *", null, "2026-12-01T09:00:00Z", null),
                        "run_at",
                        "not used by a cron schedule"),
                bad(spec("interval", null, 0L, null, null), "interval_seconds", "must be at least 1"),
                bad(spec("interval", null, -5L, null, null), "interval_seconds", "must be at least 1"),
                bad(spec("interval", null, 366L * 86400 + 1, null, null), "interval_seconds", "must be at most"),
                bad(spec("interval", null, null, null, null), "interval_seconds", "is required"),
                bad(spec("interval", "0 0 * * *", 60L, null, null), "expression", "not used by an interval schedule"),
                bad(spec("once", null, null, null, null), "run_at", "is required"),
                bad(spec("once", null, null, "next tuesday", null), "run_at", "must be an ISO-8601 date-time"),
                bad(spec("once", null, null, "2026-02-30T09:00:00", null), "run_at", "must be an ISO-8601 date-time"),
                bad(spec("once", null, 60L, "2026-12-01T09:00:00Z", null), "interval_seconds", "not used by a once"),
                bad(spec(null, "0 0 * * *", null, null, null), "type", "is required"),
                bad(spec("weekly", null, null, null, null), "type", "must be one of cron, interval, once"));
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @MethodSource("badSpecs")
    void rejectsABrokenRuleNamingTheField(ScheduleSpec spec, String field, String message) {
        InvalidInputException thrown = catchThrowableOfType(InvalidInputException.class, () -> Schedules.parse(spec));

        assertThat(thrown).as("parse(%s)", spec).isNotNull();
        assertThat(thrown.errors()).anySatisfy(error -> {
            assertThat(error.field()).isEqualTo(field);
            assertThat(error.message()).contains(message);
        });
    }

    @Test
    void listsEveryProblemAtOnce() {
        ScheduleSpec spec = spec("cron", "60 24 * * 9", 60L, null, "Mars/Olympus");

        assertThatThrownBy(() -> Schedules.parse(spec))
                .isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).errors())
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.list(FieldError.class))
                .extracting(FieldError::field, FieldError::message)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                                "timezone",
                                "unknown time zone 'Mars/Olympus'; use an IANA zone id such as Europe/Berlin"),
                        org.assertj.core.groups.Tuple.tuple("interval_seconds", "not used by a cron schedule"),
                        org.assertj.core.groups.Tuple.tuple("expression", "minute: value 60 out of range 0-59"),
                        org.assertj.core.groups.Tuple.tuple("expression", "hour: value 24 out of range 0-23"),
                        org.assertj.core.groups.Tuple.tuple("expression", "day-of-week: value 9 out of range 0-7"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0 0 29 2 *",
                "0 0 31 2 mon",
                "0 0 31 * *",
                "5/15 * * * *",
                "0 9-17/2 * * MON-FRI",
                "0 0 * jan,Jul sun",
                "0 0 * * FRI-SUN",
                "0 0 * * 0-7",
                "0 0 1,15 * 7",
                "  0   2  *  *   *  ",
                "\t0 2 * * *",
                "*/10 * * * * *",
                "@daily",
                "@ANNUALLY"
            })
    void acceptsValidCronExpressions(String expression) {
        assertThat(Schedules.parse(cron(expression))).isInstanceOf(CronSchedule.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTC", "Z", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT-2"})
    void acceptsZoneIdsAndUtc(String zone) {
        assertThat(Schedules.parse(spec("cron", "0 0 * * *", null, null, zone))
                        .zone()
                        .getId())
                .isEqualTo(zone.equals("Z") ? "UTC" : zone);
    }

    @Test
    void defaultsToUtcWhenNoZoneIsGiven() {
        assertThat(Schedules.parse(cron("0 0 * * *")).zone().getId()).isEqualTo("UTC");
    }

    /**
     * Impossible dates are found by looking at the calendar, not by searching years of minutes: 400 refusals fit in a
     * timeout that a search would blow by orders of magnitude, however loaded the machine (speed itself is measured
     * in almanac-bench, not here).
     */
    @Test
    @Timeout(30)
    void rejectsImpossibleDatesWithoutSearchingForThem() {
        for (int i = 0; i < 200; i++) {
            assertThatThrownBy(() -> Schedules.parse(cron("0 0 31 2,4 *"))).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> Schedules.parse(cron("0 0 30 2 */2"))).isInstanceOf(InvalidInputException.class);
        }
    }

    private static ScheduleSpec cron(String expression) {
        return spec("cron", expression, null, null, null);
    }

    private static ScheduleSpec spec(String type, String expression, Long interval, String runAt, String zone) {
        return new ScheduleSpec(type, expression, interval, runAt, zone);
    }

    private static Arguments bad(ScheduleSpec spec, String field, String message) {
        return Arguments.of(spec, field, message);
    }
}
