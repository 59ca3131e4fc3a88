package dev.almanac.template.builtin;

import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * An age like {@code older_than}: a whole number of days, or an ISO-8601 duration ({@code PT12H}, {@code P30D}) or
 * period ({@code P1M}, {@code P1Y}).
 */
final class Age {

    private Age() {}

    /** Why the value is not a positive age, or {@code null} when it is. */
    static String problem(Object value) {
        if (value instanceof Number days) {
            return days.longValue() >= 1 ? null : "must be at least 1 day";
        }
        if (value instanceof String text) {
            try {
                Instant now = Instant.parse("2000-01-01T00:00:00Z");
                return cutoff(text, now).isBefore(now) ? null : "must be a positive duration";
            } catch (DateTimeParseException | ArithmeticException e) {
                return "must be a number of days or an ISO-8601 duration like P30D or PT12H";
            }
        }
        return "must be a number of days or an ISO-8601 duration like P30D or PT12H";
    }

    /** The instant {@code value} before {@code now}. */
    static Instant cutoff(Object value, Instant now) {
        if (value instanceof Number days) {
            return now.minus(Duration.ofDays(days.longValue()));
        }
        String text = ((String) value).strip().toUpperCase();
        if (text.contains("T")) {
            return now.minus(Duration.parse(text));
        }
        return now.atOffset(ZoneOffset.UTC).minus(Period.parse(text)).toInstant();
    }
}
