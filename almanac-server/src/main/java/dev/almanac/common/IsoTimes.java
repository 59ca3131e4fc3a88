package dev.almanac.common;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * ISO-8601 dates and times as people and clients send them, within the years 1 to 9999. The ISO parsers take years
 * up to ±999 999 999, which no schedule, calendar or filter means and which overflow the arithmetic done on them
 * afterwards (a zone's offset, the next slot, a database column); such a year is refused like an unreadable value,
 * with the {@link DateTimeParseException} every caller already turns into its field's error.
 */
public final class IsoTimes {

    /** What a field outside the years 1 to 9999 is told, where a caller checks a value it did not parse itself. */
    public static final String OUT_OF_RANGE = "must be between the years 1 and 9999";

    private static final int EARLIEST_YEAR = 1;
    private static final int LATEST_YEAR = 9999;
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private IsoTimes() {}

    /** An instant with an offset or {@code Z}, such as {@code 2026-12-20T18:00:00Z}, within the years in UTC. */
    public static Instant instant(String text) {
        return checked(OffsetDateTime.parse(text).toInstant(), text);
    }

    /** An instant in ISO's offset form, parsed with {@code formatter}, within the years in UTC. */
    public static Instant instant(String text, DateTimeFormatter formatter) {
        return checked(OffsetDateTime.parse(text, formatter).toInstant(), text);
    }

    /** A date such as {@code 2026-12-25}. */
    public static LocalDate date(String text) {
        LocalDate parsed = LocalDate.parse(text);
        return checked(parsed.atStartOfDay(), text, parsed);
    }

    /** A local date-time such as {@code 2026-12-24T18:00}. */
    public static LocalDateTime localDateTime(String text) {
        LocalDateTime parsed = LocalDateTime.parse(text);
        return checked(parsed, text, parsed);
    }

    /** A local date-time parsed with {@code formatter}. */
    public static LocalDateTime localDateTime(String text, DateTimeFormatter formatter) {
        LocalDateTime parsed = LocalDateTime.parse(text, formatter);
        return checked(parsed, text, parsed);
    }

    /**
     * Whether an instant is within the years 1 to 9999 in UTC: compared, not converted, since an instant can lie
     * beyond what a date-time can hold.
     */
    public static boolean within(Instant instant) {
        return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
    }

    private static Instant checked(Instant instant, String text) {
        if (!within(instant)) {
            throw new DateTimeParseException("the year is not between 1 and 9999", text, 0);
        }
        return instant;
    }

    private static <T> T checked(LocalDateTime local, String text, T value) {
        if (local.getYear() < EARLIEST_YEAR || local.getYear() > LATEST_YEAR) {
            throw new DateTimeParseException("the year is not between 1 and 9999", text, 0);
        }
        return value;
    }
}
