package dev.almanac.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/** Small helpers that keep schedule tests reading like the rule they check. */
final class TestSchedules {

    private TestSchedules() {}

    static Schedule cron(String expression, String zone) {
        return Schedules.parse(new ScheduleSpec("cron", expression, null, null, zone));
    }

    static Schedule interval(long seconds, String zone) {
        return Schedules.parse(new ScheduleSpec("interval", null, seconds, null, zone));
    }

    static Schedule once(String runAt, String zone) {
        return Schedules.parse(new ScheduleSpec("once", null, null, runAt, zone));
    }

    /** Every run after {@code from} up to and including {@code to}. */
    static List<Instant> runsBetween(Schedule schedule, Instant from, Instant to) {
        List<Instant> runs = new ArrayList<>();
        Instant at = from;
        while (true) {
            Instant next = schedule.nextAfter(at).orElse(null);
            if (next == null || next.isAfter(to)) {
                return runs;
            }
            runs.add(next);
            at = next;
        }
    }

    /** Runs whose local date in the schedule's zone is {@code date}. */
    static List<ZonedDateTime> runsOn(Schedule schedule, LocalDate date) {
        ZoneId zone = schedule.zone();
        Instant from = date.minusDays(2).atStartOfDay(zone).toInstant();
        Instant to = date.plusDays(2).atStartOfDay(zone).toInstant();
        return runsBetween(schedule, from, to).stream()
                .map(at -> at.atZone(zone))
                .filter(local -> local.toLocalDate().equals(date))
                .toList();
    }
}
