package dev.almanac.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.almanac.common.InvalidInputException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** Jenkins' H in the minute and hour fields: a stable value per job name, spread over the range across names. */
class HashedCronPropertiesTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");

    @Property
    void theSameJobGetsTheSameMinuteEveryTimeAndItsRunsFollowIt(
            @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 40) String name) {
        CronSchedule first = parse("H 2 * * *", name);
        CronSchedule again = parse("H 2 * * *", name);
        assertThat(again.resolvedExpression()).isEqualTo(first.resolvedExpression());
        assertThat(first.expression()).isEqualTo("H 2 * * *");
        int minute = Integer.parseInt(first.resolvedExpression().split(" ")[0]);
        assertThat(minute).isBetween(0, 59);
        ZonedDateTime next = first.nextAfter(START).orElseThrow().atZone(ZoneOffset.UTC);
        assertThat(next.getHour()).isEqualTo(2);
        assertThat(next.getMinute()).isEqualTo(minute);
    }

    @Property
    void rangesAndStepsStayInsideWhatTheyName(
            @ForAll @AlphaChars @StringLength(min = 1, max = 30) String name,
            @ForAll @IntRange(min = 0, max = 59) int low,
            @ForAll @IntRange(min = 0, max = 59) int width,
            @ForAll @IntRange(min = 1, max = 30) int step) {
        int high = Math.min(59, low + width);
        int minute = Integer.parseInt(parse("H(" + low + "-" + high + ") * * * *", name)
                .resolvedExpression()
                .split(" ")[0]);
        assertThat(minute).isBetween(low, high);
        String stepped =
                parse("H/" + step + " * * * *", name).resolvedExpression().split(" ")[0];
        assertThat(stepped).endsWith("-59/" + step);
        assertThat(Integer.parseInt(stepped.substring(0, stepped.indexOf('-')))).isBetween(0, step - 1);
        int hour = Integer.parseInt(
                parse("0 H(8-17) * * *", name).resolvedExpression().split(" ")[1]);
        assertThat(hour).isBetween(8, 17);
    }

    @Test
    void differentJobsGetDifferentMinutes() {
        Set<String> minutes = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            minutes.add(parse("H 2 * * *", "nightly-report-" + i).resolvedExpression());
        }
        // 200 names over 60 minutes: a fair hash leaves almost none unused
        assertThat(minutes).hasSizeGreaterThan(50);
        // the same name, parsed anew, keeps its minute (a plain check beside the property above)
        assertThat(parse("H 2 * * *", "backup-orders").resolvedExpression())
                .isEqualTo(parse("H 2 * * *", "backup-orders").resolvedExpression());
        assertThat(parse("H 2 * * *", "backup-orders").resolvedExpression())
                .isNotEqualTo(parse("H 2 * * *", "backup-invoices").resolvedExpression());
    }

    @Test
    void hOutsideTheMinuteAndHourFieldsOrWithoutAJobNameIsRejectedOnTheExpression() {
        assertThatThrownBy(() -> parse("0 2 H * *", "job"))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(
                                ((InvalidInputException) e).errors().get(0).field())
                        .isEqualTo("expression"));
        assertThatThrownBy(() -> parse("H(50-10) 2 * * *", "job")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Schedules.parse(new ScheduleSpec("cron", "H 2 * * *", null, null, null)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("name");
        // weekday names that contain an H are not H
        assertThat(parse("0 2 * * MON-THU", "job").hashed()).isFalse();
    }

    private static CronSchedule parse(String expression, String name) {
        return (CronSchedule) Schedules.parse(new ScheduleSpec("cron", expression, null, null, "UTC"), name);
    }
}
