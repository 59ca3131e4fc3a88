package dev.almanac.common;

import java.time.Duration;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reading of a duration a person types: a short form ({@code 30d}, {@code 90m}, {@code 1h30m}, {@code 45s},
 * {@code 2w}), an ISO-8601 duration ({@code PT1H}, {@code P30D}, {@code P1DT12H}) or period ({@code P1M},
 * {@code P2W}), or a bare number in the field's own unit. Every duration field of the UI reads its text here.
 */
public final class Durations {

    /** What a duration field's help says it takes. */
    public static final String ACCEPTED = "such as 30d, 90m, 12h, P30D or PT1H";

    private static final Pattern NUMBER = Pattern.compile("\\d{1,12}");
    private static final Pattern SHORT = Pattern.compile("(?:\\s*(\\d{1,9})\\s*([a-z]+))+\\s*");
    private static final Pattern SHORT_PART = Pattern.compile("(\\d{1,9})\\s*([a-z]+)");

    private Durations() {}

    /**
     * The duration {@code text} names, when it names a fixed one; a bare number counts in {@code bareUnit}.
     * Calendar periods ({@code P1M}, {@code P1Y}) have no fixed length and give nothing here.
     */
    public static Optional<Duration> parse(String text, ChronoUnit bareUnit) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (NUMBER.matcher(t).matches()) {
                return Optional.of(Duration.of(Long.parseLong(t), bareUnit));
            }
            if (t.startsWith("p")) {
                return iso(t.toUpperCase(Locale.ROOT));
            }
            if (SHORT.matcher(t).matches()) {
                Duration total = Duration.ZERO;
                Matcher part = SHORT_PART.matcher(t);
                while (part.find()) {
                    ChronoUnit unit = unit(part.group(2));
                    if (unit == null) {
                        return Optional.empty();
                    }
                    total = total.plus(Duration.ofSeconds(Math.multiplyExact(
                            Long.parseLong(part.group(1)), unit.getDuration().getSeconds())));
                }
                return Optional.of(total);
            }
        } catch (ArithmeticException | DateTimeParseException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The ISO-8601 text of what a person typed: {@code P30D} for {@code 30d}, {@code PT1H30M} for {@code 90m};
     * a calendar period ({@code p1m}) comes back upper-cased. Empty when the text is no positive duration; a bare
     * number too, since its unit is the field's to say.
     */
    public static Optional<String> toIso(String text) {
        if (text == null || text.isBlank() || NUMBER.matcher(text.strip()).matches()) {
            return Optional.empty();
        }
        Optional<Duration> fixed = parse(text, ChronoUnit.SECONDS);
        if (fixed.isPresent()) {
            return fixed.filter(d -> !d.isNegative() && !d.isZero()).map(Durations::iso);
        }
        String upper = text.strip().toUpperCase(Locale.ROOT);
        if (upper.startsWith("P") && !upper.contains("T")) {
            try {
                Period period = Period.parse(upper);
                return period.isNegative() || period.isZero() ? Optional.empty() : Optional.of(upper);
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** {@code P30D} for whole days, otherwise {@link Duration#toString()} ({@code PT1H30M}). */
    public static String iso(Duration duration) {
        if (!duration.isNegative() && !duration.isZero() && duration.toSeconds() % 86_400 == 0) {
            return "P" + duration.toDays() + "D";
        }
        return duration.toString();
    }

    /**
     * A duration as a person writes it in a message: {@code 0.9 s}, {@code 45 s}, {@code 2 min 5 s},
     * {@code 1 h 30 min}, {@code 2 d 3 h}; {@code 40 ms} under a tenth of a second. Precise to the largest two units.
     */
    public static String spoken(Duration duration) {
        if (duration == null) {
            return "";
        }
        if (duration.isNegative()) {
            return "-" + spoken(duration.negated());
        }
        long millis = duration.toMillis();
        if (millis < 100) {
            return millis + " ms";
        }
        if (millis < 10_000) {
            long tenths = Math.round(millis / 100.0);
            return (tenths % 10 == 0 ? Long.toString(tenths / 10) : tenths / 10 + "." + tenths % 10) + " s";
        }
        long seconds = Math.round(millis / 1000.0);
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return pair(seconds / 60, "min", seconds % 60, "s");
        }
        long minutes = Math.round(seconds / 60.0);
        if (minutes < 24 * 60) {
            return pair(minutes / 60, "h", minutes % 60, "min");
        }
        long hours = Math.round(minutes / 60.0);
        return pair(hours / 24, "d", hours % 24, "h");
    }

    private static String pair(long big, String bigUnit, long small, String smallUnit) {
        return big + " " + bigUnit + (small == 0 ? "" : " " + small + " " + smallUnit);
    }

    private static Optional<Duration> iso(String text) {
        try {
            return Optional.of(Duration.parse(text));
        } catch (DateTimeParseException e) {
            // P2W and friends: a period of whole days and weeks is still a fixed length
            Period period = Period.parse(text);
            if (period.getYears() != 0 || period.getMonths() != 0) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofDays(period.getDays()));
        }
    }

    private static ChronoUnit unit(String word) {
        return switch (word) {
            case "s", "sec", "secs", "second", "seconds" -> ChronoUnit.SECONDS;
            case "m", "min", "mins", "minute", "minutes" -> ChronoUnit.MINUTES;
            case "h", "hr", "hrs", "hour", "hours" -> ChronoUnit.HOURS;
            case "d", "day", "days" -> ChronoUnit.DAYS;
            case "w", "wk", "week", "weeks" -> ChronoUnit.WEEKS;
            default -> null;
        };
    }
}
