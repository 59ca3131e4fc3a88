package dev.almanac.calendar.internal;

import dev.almanac.common.InvalidInputException;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.data.ParserException;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Period;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.Recur;
import net.fortuna.ical4j.model.component.VEvent;
import net.fortuna.ical4j.model.property.DtStart;
import net.fortuna.ical4j.model.property.RRule;
import net.fortuna.ical4j.transform.recurrence.Frequency;

/**
 * The events of an iCalendar file as spans of time, parsed with ical4j: all-day events are whole days in the
 * calendar's zone, floating times are read in it too, and recurrence rules are expanded over the horizon asked for.
 */
final class IcsEvents {

    static final int MAX_LENGTH = 1_000_000;
    static final int MAX_INTERVALS = 100_000;
    static final int EARLIEST_YEAR = 1900;
    /** The span expanded at a time: at most 44 640 occurrences of a rule recurring every minute. */
    private static final java.time.Period WINDOW = java.time.Period.ofDays(31);

    private static final long WINDOW_SECONDS = 31L * 86_400;
    /** The most candidate times a rule may walk: about 200 MB of ical4j's working set, a few seconds. */
    static final long MAX_CANDIDATES = 500_000;

    private IcsEvents() {}

    static List<Interval> intervals(String ics, ZoneId zone, Instant now, int horizonYears) {
        if (ics.length() > MAX_LENGTH) {
            throw new InvalidInputException("ics", "must be at most " + MAX_LENGTH + " characters");
        }
        Calendar calendar;
        try {
            calendar = new CalendarBuilder().build(new StringReader(ics));
        } catch (ParserException bad) {
            String problem = problem(bad);
            // ical4j's message may already say where
            throw new InvalidInputException(
                    "ics", problem.startsWith("Error at line") ? problem : "line " + bad.getLineNo() + ": " + problem);
        } catch (IOException | RuntimeException bad) {
            throw new InvalidInputException("ics", "not an iCalendar file: " + problem(bad));
        }
        ZonedDateTime from = now.atZone(zone).minusYears(1);
        ZonedDateTime to = now.atZone(zone).plusYears(horizonYears);
        Set<Interval> intervals = new LinkedHashSet<>();
        List<VEvent> events = calendar.getComponents(Component.VEVENT);
        for (VEvent event : events) {
            // a rule walked from the period asked for goes a window at a time, so that one with too many occurrences is
            // refused before they fill the memory; an event without one, or a counted rule (walked from its start
            // whatever the period), is expanded in one call
            boolean windowed = requireBoundedRecurrence(event, zone, to.toInstant());
            java.time.Period window = windowed ? WINDOW : java.time.Period.ofYears(horizonYears + 2);
            for (ZonedDateTime start = from; start.isBefore(to); start = start.plus(window)) {
                ZonedDateTime end = start.plus(window).isBefore(to) ? start.plus(window) : to;
                Set<Period<Temporal>> periods;
                try {
                    periods = event.calculateRecurrenceSet(new Period<>(start, end));
                } catch (RuntimeException bad) {
                    throw new InvalidInputException("ics", "event" + summary(event) + ": " + problem(bad));
                }
                for (Period<Temporal> period : periods) {
                    intervals.add(interval(period, zone));
                }
                if (intervals.size() > MAX_INTERVALS) {
                    throw new InvalidInputException(
                            "ics",
                            "more than " + MAX_INTERVALS + " event occurrences within " + horizonYears + " years");
                }
            }
        }
        if (events.isEmpty()) {
            throw new InvalidInputException("ics", "has no events (VEVENT)");
        }
        return List.copyOf(intervals);
    }

    /**
     * Refuses what ical4j cannot expand in bounded time or memory: a rule recurring more often than once a minute, a
     * recurring event starting before {@value #EARLIEST_YEAR} (its step count from the start overflows, and the
     * expansion never ends), and a rule whose candidate times to walk exceed {@value #MAX_CANDIDATES}: a counted rule
     * ({@code COUNT}) is walked from its start to the horizon's end, another a window at a time. Returns whether the
     * event is expanded a window at a time (it has a rule without {@code COUNT}).
     */
    private static boolean requireBoundedRecurrence(VEvent event, ZoneId zone, Instant to) {
        List<RRule<Temporal>> rules = event.getProperties(Property.RRULE);
        if (rules.isEmpty()) {
            return false;
        }
        Optional<DtStart<Temporal>> dtStart = event.getStartDate();
        Instant start = dtStart.isPresent() ? instant(dtStart.get().getDate(), zone) : to;
        if (start.atZone(ZoneOffset.UTC).getYear() < EARLIEST_YEAR) {
            throw new InvalidInputException(
                    "ics",
                    "event" + summary(event) + ": a recurring event must start in " + EARLIEST_YEAR + " or later");
        }
        boolean windowed = false;
        for (RRule<Temporal> rule : rules) {
            Recur<Temporal> recur = rule.getRecur();
            if (recur.getFrequency() == Frequency.SECONDLY) {
                throw new InvalidInputException(
                        "ics",
                        "event" + summary(event)
                                + ": FREQ=SECONDLY recurs more often than once a minute; not supported");
            }
            boolean counted = recur.getCount() > 0;
            windowed |= !counted;
            long span = counted ? Math.max(0, Duration.between(start, to).getSeconds()) : WINDOW_SECONDS;
            double candidates = (double) span / stepSeconds(recur) * expansion(recur);
            if (candidates > MAX_CANDIDATES) {
                throw new InvalidInputException(
                        "ics",
                        "event" + summary(event) + ": its rule would walk about " + Math.round(candidates)
                                + " candidate times (at most " + MAX_CANDIDATES + ")"
                                + (counted ? " from its start: start it later, or leave COUNT out" : "")
                                + "; recur less often");
            }
        }
        return windowed;
    }

    /** The seconds between two steps of a rule: its frequency's unit times its interval. */
    private static double stepSeconds(Recur<Temporal> recur) {
        long unit = switch (recur.getFrequency()) {
            case SECONDLY -> 1;
            case MINUTELY -> 60;
            case HOURLY -> 3_600;
            case DAILY -> 86_400;
            case WEEKLY -> 604_800;
            case MONTHLY -> 2_419_200;
            case YEARLY -> 31_536_000;
        };
        return (double) unit * Math.max(1, recur.getInterval());
    }

    /** How many candidate times one step of a rule may expand into (its BY... lists; an upper bound). */
    private static double expansion(Recur<Temporal> recur) {
        double times = 1;
        for (List<?> list : List.of(
                recur.getSecondList(),
                recur.getMinuteList(),
                recur.getHourList(),
                recur.getDayList(),
                recur.getMonthDayList(),
                recur.getYearDayList(),
                recur.getWeekNoList(),
                recur.getMonthList())) {
            times *= Math.max(1, list.size());
        }
        return times;
    }

    private static String summary(VEvent event) {
        return event.getSummary() == null ? "" : " '" + event.getSummary().getValue() + "'";
    }

    private static Interval interval(Period<Temporal> period, ZoneId zone) {
        Instant start = instant(period.getStart(), zone);
        Instant end = period.getEnd() == null ? null : instant(period.getEnd(), zone);
        if (end == null || !end.isAfter(start)) {
            end = period.getStart() instanceof LocalDate day
                    ? day.plusDays(1).atStartOfDay(zone).toInstant()
                    : start.plusSeconds(1);
        }
        return new Interval(start, end);
    }

    private static Instant instant(Temporal t, ZoneId zone) {
        if (t instanceof LocalDate day) {
            return day.atStartOfDay(zone).toInstant();
        }
        if (t instanceof LocalDateTime local) {
            return dev.almanac.common.LocalTimes.resolve(local, zone);
        }
        if (t instanceof ZonedDateTime zoned) {
            return zoned.toInstant();
        }
        if (t instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        return Instant.from(t);
    }

    private static String problem(Exception e) {
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if ((message == null || message.isBlank()) && cause != null) {
            message = cause.getMessage();
        }
        return message == null ? e.getClass().getSimpleName() : worded(message);
    }

    /** What java.time says of a date field out of range, as {@code month of year must be from 1 to 12, not 99}. */
    private static final java.util.regex.Pattern OUT_OF_RANGE = java.util.regex.Pattern.compile(
            "Invalid value for ([A-Za-z]+) \\(valid values (-?\\d+) - (?:\\d+/)?(-?\\d+)\\): (-?\\d+)");

    /** {@code message} with java.time's wording of a field out of range put in words (the rest kept). */
    static String worded(String message) {
        java.util.regex.Matcher range = OUT_OF_RANGE.matcher(message);
        if (!range.find()) {
            return message;
        }
        String field = range.group(1).replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
        return range.replaceFirst(java.util.regex.Matcher.quoteReplacement("a date's " + field + " must be from "
                + range.group(2) + " to " + range.group(3) + ", not " + range.group(4)));
    }
}
