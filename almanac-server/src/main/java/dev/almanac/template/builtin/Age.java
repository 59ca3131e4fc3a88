package dev.almanac.template.builtin;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;

/**
 * An age like {@code older_than}: a whole number of days, or an ISO-8601 duration ({@code PT12H}, {@code P30D}) or
 * period ({@code P1M}, {@code P1Y}), at most {@value #MAX_DAYS} days.
 */
final class Age {

    /** The longest age, about a hundred years: beyond it a cut-off no longer fits an instant. */
    static final long MAX_DAYS = 36500;

    private static final String FORMAT = "must be a number of days or an ISO-8601 duration like P30D or PT12H";

    private Age() {}

    /** Why the value is not a positive age of at most {@value #MAX_DAYS} days, or {@code null} when it is. */
    static String problem(Object value) {
        if (value instanceof Number days) {
            if (days.doubleValue() > MAX_DAYS) {
                return "must be at most " + MAX_DAYS + " days";
            }
            return days.longValue() >= 1 ? null : "must be at least 1 day";
        }
        if (value instanceof String text) {
            try {
                Instant now = Instant.parse("2000-01-01T00:00:00Z");
                Instant cutoff = cutoff(text, now);
                if (!cutoff.isBefore(now)) {
                    return "must be a positive duration";
                }
                return cutoff.isBefore(now.minus(Duration.ofDays(MAX_DAYS)))
                        ? "must be at most " + MAX_DAYS + " days"
                        : null;
            } catch (DateTimeException | ArithmeticException e) {
                // DateTimeException: unparsable (its subclass) or past the range of an instant
                return FORMAT + ", of at most " + MAX_DAYS + " days";
            }
        }
        return FORMAT;
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
