package dev.almanac.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void readsShortFormsIsoAndBareNumbersInTheFieldsUnit() {
        assertThat(Durations.parse("30d", ChronoUnit.SECONDS)).contains(Duration.ofDays(30));
        assertThat(Durations.parse("90m", ChronoUnit.SECONDS)).contains(Duration.ofMinutes(90));
        assertThat(Durations.parse("1h 30m", ChronoUnit.SECONDS)).contains(Duration.ofMinutes(90));
        assertThat(Durations.parse("2 hours", ChronoUnit.SECONDS)).contains(Duration.ofHours(2));
        assertThat(Durations.parse("P30D", ChronoUnit.SECONDS)).contains(Duration.ofDays(30));
        assertThat(Durations.parse("pt1h", ChronoUnit.SECONDS)).contains(Duration.ofHours(1));
        assertThat(Durations.parse("P2W", ChronoUnit.SECONDS)).contains(Duration.ofDays(14));
        assertThat(Durations.parse("3600", ChronoUnit.SECONDS)).contains(Duration.ofHours(1));
        assertThat(Durations.parse("30", ChronoUnit.DAYS)).contains(Duration.ofDays(30));
    }

    @Test
    void refusesWhatIsNoFixedDuration() {
        assertThat(Durations.parse("soon", ChronoUnit.SECONDS)).isEmpty();
        assertThat(Durations.parse("30x", ChronoUnit.SECONDS)).isEmpty();
        assertThat(Durations.parse("P1M", ChronoUnit.SECONDS)).isEmpty();
        assertThat(Durations.parse("", ChronoUnit.SECONDS)).isEmpty();
    }

    @Test
    void writesIsoWithWholeDaysAsDaysAndKeepsCalendarPeriods() {
        assertThat(Durations.toIso("30d")).contains("P30D");
        assertThat(Durations.toIso("90m")).contains("PT1H30M");
        assertThat(Durations.toIso("p1m")).contains("P1M");
        assertThat(Durations.toIso("0m")).isEmpty();
        assertThat(Durations.toIso("30")).isEmpty();
    }

    @Test
    void spokenIsHowPeopleWriteADuration() {
        assertThat(Durations.spoken(Duration.ofMillis(40))).isEqualTo("40 ms");
        assertThat(Durations.spoken(Duration.ofMillis(920))).isEqualTo("0.9 s");
        assertThat(Durations.spoken(Duration.ofSeconds(5))).isEqualTo("5 s");
        assertThat(Durations.spoken(Duration.ofMillis(2450))).isEqualTo("2.5 s");
        assertThat(Durations.spoken(Duration.ofSeconds(45))).isEqualTo("45 s");
        assertThat(Durations.spoken(Duration.ofSeconds(125))).isEqualTo("2 min 5 s");
        assertThat(Durations.spoken(Duration.ofMinutes(3))).isEqualTo("3 min");
        assertThat(Durations.spoken(Duration.ofMinutes(90))).isEqualTo("1 h 30 min");
        assertThat(Durations.spoken(Duration.ofHours(51))).isEqualTo("2 d 3 h");
    }
}
