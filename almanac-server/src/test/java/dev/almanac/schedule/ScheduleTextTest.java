package dev.almanac.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Schedules in words, as the job list and the wizard show them. */
class ScheduleTextTest {

    @ParameterizedTest(name = "{0} reads \"{1}\"")
    @CsvSource(
            delimiter = '|',
            value = {
                "0 2 * * 0          | At 02:00 on Sunday",
                "0 2 * * *          | At 02:00 every day",
                "30 7 * * MON,FRI   | At 07:30 on Monday and Friday",
                "0 9 * * 1-5        | At 09:00 on weekdays",
                "0 10 * * SAT,SUN   | At 10:00 on weekends",
                "0 0 1 * *          | At 00:00 on day 1 of the month",
                "0 0 1,15 * *       | At 00:00 on day 1 and 15 of the month",
                "0 6,18 * * *       | At 06:00 and 18:00 every day",
                "*/15 * * * *       | Every 15 minutes",
                "*/45 * * * *       | At minutes 0 and 45 of every hour",
                "*/25 * * * *       | At minutes 0, 25 and 50 of every hour",
                "* * * * *          | Every minute",
                "15 * * * *         | At minute 15 of every hour",
                "0 * * * *          | At the start of every hour",
                "*/10 9-17 * * 1-5  | Every 10 minutes between 09:00 and 17:59 on weekdays",
                "0 */2 * * *        | At the start of every 2nd hour",
                "0 0 1 1 *          | At 00:00 on day 1 of the month in January",
                "0 3 * */3 *        | At 03:00 every day in every 3rd month",
                "@daily             | At 00:00 every day",
                "@hourly            | At the start of every hour",
                "@weekly            | At 00:00 on Sunday",
                "30 0 2 * * *       | At second 30, at 02:00 every day",
                "0 0 13 * 5         | At 00:00 on day 13 of the month or on Friday",
            })
    void describesCronExpressionsInWords(String expression, String words) {
        assertThat(ScheduleText.cron(expression)).isEqualTo(words);
    }

    @ParameterizedTest(name = "{0} s reads \"{1}\"")
    @CsvSource({
        "60, Every minute",
        "900, Every 15 minutes",
        "7200, Every 2 hours",
        "86400, Every day",
        "90, Every 90 seconds"
    })
    void describesIntervalsInTheLargestWholeUnit(long seconds, String words) {
        assertThat(ScheduleText.interval(Duration.ofSeconds(seconds))).isEqualTo(words);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "cron|0 2 * * 0|||Europe/Berlin|At 02:00 on Sunday, Europe/Berlin",
                "interval||3600||UTC|Every hour, UTC",
                "once|||2026-12-01T09:00:00|Europe/Berlin|Once, on 1 December 2026 at 09:00, Europe/Berlin",
            })
    void namesTheZoneOfEverySchedule(
            String type, String expression, Long seconds, String runAt, String zone, String words) {
        Schedule schedule = Schedules.parse(new ScheduleSpec(type, expression, seconds, runAt, zone));
        assertThat(ScheduleText.describe(schedule)).isEqualTo(words);
    }
}
