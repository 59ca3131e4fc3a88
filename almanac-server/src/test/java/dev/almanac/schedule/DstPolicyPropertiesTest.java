package dev.almanac.schedule;

import static dev.almanac.schedule.TestSchedules.cron;
import static dev.almanac.schedule.TestSchedules.runsBetween;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The DST policy checked in every zone the JDK knows, over ten past years that include Samoa's missing day
 * and many rule changes, and for daily jobs also over the coming ten years.
 */
class DstPolicyPropertiesTest {

    private static final LocalDate FROM = LocalDate.of(2008, 1, 1);
    private static final LocalDate TO = LocalDate.of(2018, 1, 1);

    @Provide
    Arbitrary<String> zones() {
        return Arbitraries.of(Schedules.zoneIds().stream().sorted().toList());
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void runsADailyTwoOClockJobOnEveryDayThatExists(@ForAll("zones") String zone) {
        checkDaily(zone, "0 2 * * *", LocalTime.of(2, 0));
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void runsADailyHalfPastOneJobOnEveryDayThatExists(@ForAll("zones") String zone) {
        checkDaily(zone, "30 1 * * *", LocalTime.of(1, 30));
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void runsAMidnightJobOnEveryDayThatExists(@ForAll("zones") String zone) {
        checkDaily(zone, "0 0 * * *", LocalTime.MIDNIGHT);
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void runsAWeeklyNoonJobOnEveryMonday(@ForAll("zones") String zone) {
        Schedule weekly = cron("0 12 * * 1", zone);
        List<Instant> runs = runs(weekly, FROM, TO);

        assertStrictlyIncreasing(runs);
        Set<LocalDate> dates = localDates(runs, weekly.zone());
        List<LocalDate> missed = new ArrayList<>();
        for (LocalDate d = FROM.plusDays(7); d.isBefore(TO.minusDays(7)); d = d.plusDays(1)) {
            if (d.getDayOfWeek() == DayOfWeek.MONDAY && exists(d, weekly.zone()) && !dates.contains(d)) {
                missed.add(d);
            }
        }
        assertThat(missed).as("Mondays without a run in %s", zone).isEmpty();
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void runsAHalfHourlyJobAtEveryRealHalfHour(@ForAll("zones") String zone) {
        Schedule halfHourly = cron("*/30 * * * *", zone);
        List<Instant> runs = runs(halfHourly, LocalDate.of(2011, 3, 1), LocalDate.of(2012, 1, 1));

        assertStrictlyIncreasing(runs);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            ZonedDateTime local = runs.get(i).atZone(halfHourly.zone());
            if (local.getMinute() % 30 != 0 || local.getSecond() != 0) {
                wrong.add("runs at " + local);
            }
            // Offsets that change by other than whole half hours make some gaps shorter or longer, never an hour.
            if (i > 0 && Duration.between(runs.get(i - 1), runs.get(i)).compareTo(Duration.ofHours(1)) >= 0) {
                wrong.add("nothing between " + runs.get(i - 1) + " and " + runs.get(i));
            }
        }
        assertThat(wrong).as("in %s", zone).isEmpty();
    }

    private static void checkDaily(String zone, String expression, LocalTime time) {
        checkDaily(zone, expression, time, FROM, TO);
        checkDaily(zone, expression, time, LocalDate.of(2026, 1, 1), LocalDate.of(2036, 1, 1));
    }

    private static void checkDaily(String zone, String expression, LocalTime time, LocalDate from, LocalDate to) {
        Schedule daily = cron(expression, zone);
        ZoneId zoneId = daily.zone();
        List<Instant> runs = runs(daily, from, to);

        assertStrictlyIncreasing(runs);
        List<ZonedDateTime> wrongTime = new ArrayList<>();
        for (Instant run : runs) {
            ZoneOffsetTransition transition = zoneId.getRules().previousTransition(run.plusNanos(1));
            boolean atEndOfGap = transition != null
                    && transition.isGap()
                    && transition.getInstant().equals(run);
            if (!run.atZone(zoneId).toLocalTime().equals(time) && !atEndOfGap) {
                wrongTime.add(run.atZone(zoneId));
            }
        }
        assertThat(wrongTime)
                .as("%s runs neither at %s nor at the end of a gap", expression, time)
                .isEmpty();

        Set<LocalDate> dates = localDates(runs, zoneId);
        LocalDate first = runs.get(0).atZone(zoneId).toLocalDate();
        LocalDate last = runs.get(runs.size() - 1).atZone(zoneId).toLocalDate();
        List<LocalDate> missed = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            if (exists(d, zoneId) && !dates.contains(d)) {
                missed.add(d);
            }
        }
        assertThat(missed).as("days without a run in %s", zone).isEmpty();
    }

    private static List<Instant> runs(Schedule schedule, LocalDate from, LocalDate to) {
        return runsBetween(
                schedule,
                from.atStartOfDay(schedule.zone()).toInstant(),
                to.atStartOfDay(schedule.zone()).toInstant());
    }

    /** Strictly increasing also means no instant twice. */
    private static void assertStrictlyIncreasing(List<Instant> runs) {
        assertThat(runs).isNotEmpty();
        List<Instant> outOfOrder = new ArrayList<>();
        for (int i = 1; i < runs.size(); i++) {
            if (!runs.get(i).isAfter(runs.get(i - 1))) {
                outOfOrder.add(runs.get(i));
            }
        }
        assertThat(outOfOrder).isEmpty();
    }

    private static Set<LocalDate> localDates(List<Instant> runs, ZoneId zone) {
        Set<LocalDate> dates = new HashSet<>();
        runs.forEach(run -> dates.add(run.atZone(zone).toLocalDate()));
        return dates;
    }

    /** Whether any local time on {@code date} exists; Samoa's 2011-12-30 does not. */
    private static boolean exists(LocalDate date, ZoneId zone) {
        return date.atStartOfDay(zone).toLocalDate().equals(date);
    }
}
