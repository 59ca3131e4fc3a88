package dev.almanac.calendar.internal;

import dev.almanac.common.InvalidInputException;
import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.data.ParserException;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Period;
import net.fortuna.ical4j.model.component.VEvent;

/**
 * The events of an iCalendar file as spans of time, parsed with ical4j: all-day events are whole days in the
 * calendar's zone, floating times are read in it too, and recurrence rules are expanded over the horizon asked for.
 */
final class IcsEvents {

    static final int MAX_LENGTH = 1_000_000;
    static final int MAX_INTERVALS = 100_000;

    private IcsEvents() {}

    static List<Interval> intervals(String ics, ZoneId zone, Instant now, int horizonYears) {
        if (ics.length() > MAX_LENGTH) {
            throw new InvalidInputException("ics", "must be at most " + MAX_LENGTH + " characters");
        }
        Calendar calendar;
        try {
            calendar = new CalendarBuilder().build(new StringReader(ics));
        } catch (ParserException bad) {
            throw new InvalidInputException("ics", "line " + bad.getLineNo() + ": " + problem(bad));
        } catch (IOException | RuntimeException bad) {
            throw new InvalidInputException("ics", "not an iCalendar file: " + problem(bad));
        }
        ZonedDateTime from = now.atZone(zone).minusYears(1);
        ZonedDateTime to = now.atZone(zone).plusYears(horizonYears);
        List<Interval> intervals = new ArrayList<>();
        List<VEvent> events = calendar.getComponents(Component.VEVENT);
        for (VEvent event : events) {
            Set<Period<Temporal>> periods;
            try {
                periods = event.calculateRecurrenceSet(new Period<>(from, to));
            } catch (RuntimeException bad) {
                String summary = event.getSummary() == null
                        ? ""
                        : " '" + event.getSummary().getValue() + "'";
                throw new InvalidInputException("ics", "event" + summary + ": " + problem(bad));
            }
            for (Period<Temporal> period : periods) {
                Instant start = instant(period.getStart(), zone);
                Instant end = period.getEnd() == null ? null : instant(period.getEnd(), zone);
                if (end == null || !end.isAfter(start)) {
                    end = period.getStart() instanceof LocalDate day
                            ? day.plusDays(1).atStartOfDay(zone).toInstant()
                            : start.plusSeconds(1);
                }
                intervals.add(new Interval(start, end));
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
        return intervals;
    }

    private static Instant instant(Temporal t, ZoneId zone) {
        if (t instanceof LocalDate day) {
            return day.atStartOfDay(zone).toInstant();
        }
        if (t instanceof LocalDateTime local) {
            return local.atZone(zone).toInstant();
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
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
