package dev.almanac.calendar.internal;

import dev.almanac.calendar.CalendarSpec;
import dev.almanac.calendar.CalendarSpec.Window;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.IsoTimes;
import dev.almanac.common.LocalTimes;
import dev.almanac.common.TimeZones;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A calendar compiled for lookups: whether an instant lies inside it. */
public final class CalendarRules {

    static final int MAX_ENTRIES = 1000;
    private static final Pattern WEEKLY = Pattern.compile("(MON|TUE|WED|THU|FRI|SAT|SUN)[A-Z]*\\s+(\\d{1,2}):(\\d{2})");
    private static final int MINUTES_PER_WEEK = 7 * 24 * 60;

    private final String name;
    private final ZoneId zone;
    private final Set<LocalDate> dates;
    private final List<Interval> intervals;
    private final List<int[]> weekly;

    private CalendarRules(
            String name, ZoneId zone, Set<LocalDate> dates, List<Interval> intervals, List<int[]> weekly) {
        this.name = name;
        this.zone = zone;
        this.dates = dates;
        this.intervals = Interval.merged(intervals);
        this.weekly = weekly;
    }

    public String name() {
        return name;
    }

    /** Whether {@code at} lies inside the calendar: on one of its days, in a range, window or event. */
    public boolean contains(Instant at) {
        ZonedDateTime local = at.atZone(zone);
        if (dates.contains(local.toLocalDate())) {
            return true;
        }
        if (!weekly.isEmpty()) {
            int minute = (local.getDayOfWeek().getValue() - 1) * 24 * 60 + local.getHour() * 60 + local.getMinute();
            for (int[] window : weekly) {
                boolean inside = window[0] <= window[1]
                        ? minute >= window[0] && minute < window[1]
                        : minute >= window[0] || minute < window[1];
                if (inside) {
                    return true;
                }
            }
        }
        return Interval.contains(intervals, at);
    }

    /**
     * Compiles a calendar, naming every field that is wrong. iCalendar recurrences are expanded from a year before
     * {@code now} to {@code horizonYears} after it.
     */
    public static CalendarRules compile(CalendarSpec spec, Instant now, int horizonYears) {
        return compile(spec, now, horizonYears, false);
    }

    /**
     * The same for a calendar as it is {@code stored}: a raw offset ({@code +05:00}, {@code GMT+2}) that {@link
     * TimeZones} refuses for a new or changed calendar is still read, so a calendar saved before that rule keeps
     * blocking what it blocked.
     */
    public static CalendarRules compile(CalendarSpec spec, Instant now, int horizonYears, boolean stored) {
        List<FieldError> errors = new ArrayList<>();
        ZoneId zone = stored
                ? storedZone(spec.timezone(), errors)
                : TimeZones.parse(spec.timezone(), "timezone", errors).orElse(TimeZones.UTC);
        if (spec.dates().size() + spec.ranges().size() + spec.weekly().size() > MAX_ENTRIES) {
            errors.add(
                    new FieldError("dates", "at most " + MAX_ENTRIES + " dates, ranges and weekly windows together"));
        }
        Set<LocalDate> dates = new HashSet<>();
        for (int i = 0; i < spec.dates().size(); i++) {
            try {
                dates.add(IsoTimes.date(String.valueOf(spec.dates().get(i)).strip()));
            } catch (DateTimeParseException bad) {
                errors.add(new FieldError("dates[" + i + "]", "must be a date like 2026-12-25"));
            }
        }
        List<Interval> intervals = new ArrayList<>();
        for (int i = 0; i < spec.ranges().size(); i++) {
            range(spec.ranges().get(i), zone, "ranges[" + i + "]", errors, intervals);
        }
        List<int[]> weekly = new ArrayList<>();
        for (int i = 0; i < spec.weekly().size(); i++) {
            Window window = spec.weekly().get(i);
            String field = "weekly[" + i + "]";
            Integer from = window == null ? null : minuteOfWeek(window.from());
            Integer to = window == null ? null : minuteOfWeek(window.to());
            if (from == null) {
                errors.add(new FieldError(field + ".from", "must be a day and a time like 'FRI 18:00'"));
            }
            if (to == null) {
                errors.add(new FieldError(field + ".to", "must be a day and a time like 'MON 06:00'"));
            }
            if (from != null && to != null) {
                if (from.equals(to)) {
                    errors.add(new FieldError(field + ".to", "must differ from from"));
                }
                weekly.add(new int[] {from, to});
            }
        }
        if (spec.ics() != null && !spec.ics().isBlank()) {
            try {
                intervals.addAll(IcsEvents.intervals(spec.ics(), zone, now, horizonYears));
            } catch (InvalidInputException bad) {
                errors.addAll(bad.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new CalendarRules(spec.name(), zone, Set.copyOf(dates), intervals, List.copyOf(weekly));
    }

    /**
     * Where a range's local date-time falls in a DST gap of the calendar's zone, and so was read as the first instant
     * after it (as schedules read such a time): one line each, naming the range; empty when none does.
     */
    static List<String> gapNotes(CalendarSpec spec) {
        List<FieldError> ignored = new ArrayList<>();
        ZoneId zone = TimeZones.parse(spec.timezone(), "timezone", ignored).orElse(null);
        List<String> notes = new ArrayList<>();
        for (int i = 0; zone != null && i < spec.ranges().size(); i++) {
            Window range = spec.ranges().get(i);
            for (String end : range == null ? new String[0] : new String[] {range.from(), range.to()}) {
                try {
                    String note = end == null ? null : LocalTimes.gapNote(IsoTimes.localDateTime(end.strip()), zone);
                    if (note != null) {
                        notes.add("range " + (i + 1) + ": " + note);
                    }
                } catch (DateTimeParseException notALocalTime) {
                    // a date, or refused elsewhere
                }
            }
        }
        return notes;
    }

    private static void range(Window range, ZoneId zone, String field, List<FieldError> errors, List<Interval> out) {
        if (range == null || range.from() == null || range.to() == null) {
            errors.add(new FieldError(field, "needs from and to"));
            return;
        }
        try {
            LocalDate from = IsoTimes.date(range.from().strip());
            LocalDate to = IsoTimes.date(range.to().strip());
            if (to.isBefore(from)) {
                errors.add(new FieldError(field + ".to", "is before from"));
                return;
            }
            out.add(new Interval(
                    from.atStartOfDay(zone).toInstant(),
                    to.plusDays(1).atStartOfDay(zone).toInstant()));
            return;
        } catch (DateTimeParseException notDates) {
            // local date-times instead
        }
        try {
            LocalDateTime from = IsoTimes.localDateTime(range.from().strip());
            LocalDateTime to = IsoTimes.localDateTime(range.to().strip());
            if (!to.isAfter(from)) {
                errors.add(new FieldError(field + ".to", "must be after from"));
                return;
            }
            // a time in a DST gap as schedules read it (02:15 in a spring gap is 03:00, not 03:15)
            out.add(new Interval(LocalTimes.resolve(from, zone), LocalTimes.resolve(to, zone)));
        } catch (DateTimeParseException bad) {
            errors.add(new FieldError(
                    field, "from and to must both be dates (2026-12-24) or local date-times (2026-12-24T18:00)"));
        }
    }

    private static Integer minuteOfWeek(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = WEEKLY.matcher(text.strip().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        int hour = Integer.parseInt(m.group(2));
        int minute = Integer.parseInt(m.group(3));
        if (hour > 24 || minute > 59 || (hour == 24 && minute > 0)) {
            return null;
        }
        DayOfWeek day = switch (m.group(1)) {
            case "MON" -> DayOfWeek.MONDAY;
            case "TUE" -> DayOfWeek.TUESDAY;
            case "WED" -> DayOfWeek.WEDNESDAY;
            case "THU" -> DayOfWeek.THURSDAY;
            case "FRI" -> DayOfWeek.FRIDAY;
            case "SAT" -> DayOfWeek.SATURDAY;
            default -> DayOfWeek.SUNDAY;
        };
        return ((day.getValue() - 1) * 24 * 60 + hour * 60 + minute) % MINUTES_PER_WEEK;
    }

    private static ZoneId storedZone(String text, List<FieldError> errors) {
        List<FieldError> refused = new ArrayList<>();
        Optional<ZoneId> zone = TimeZones.parse(text, "timezone", refused);
        if (zone.isPresent()) {
            return zone.get();
        }
        try {
            return ZoneId.of(text.strip());
        } catch (java.time.DateTimeException unknown) {
            errors.addAll(refused);
            return TimeZones.UTC;
        }
    }
}
