package dev.almanac.schedule.internal;

import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A validated UNIX cron expression (5 fields, or 6 with a leading second), compiled to bit masks so that
 * finding the next matching local date-time costs a few bit operations per day.
 *
 * <p>Semantics follow Vixie cron: day-of-week 0 and 7 are Sunday; when both day-of-month and day-of-week
 * are restricted a day matches if <em>either</em> does, and a field whose text starts with {@code *}
 * (including {@code *}{@code /2}) counts as unrestricted for that rule. {@code a/n} means {@code a-max/n}.
 *
 * <p>cron-utils parses every accepted expression too, with a definition built here rather than its
 * {@code @Cron} validator (CVE-2021-41269), so nothing passes that it would reject. Evaluation is ours,
 * not its {@code ExecutionTime}, so that the DST policy is exactly ours and every search has a bound.
 */
public final class CronPattern {

    public static final int MAX_LENGTH = 200;

    /** A day pattern that fires at all fires within one 400-year Gregorian cycle. */
    private static final int CYCLE_YEARS = 400;

    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");

    private static final String MACRO_LIST = "@yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly";
    private static final Pattern ALLOWED = Pattern.compile("[0-9A-Za-z*,/\\- \\t]*");
    private static final Pattern NAME = Pattern.compile("[A-Za-z]+");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    /** Expressions parsed so far (only valid ones), as given; at most {@link #MAX_PARSED}. */
    private static final Map<String, CronPattern> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    private static final int MAX_PARSED = 10_000;
    private static final CronParser FIVE_FIELDS = new CronParser(definition(false));
    private static final CronParser SIX_FIELDS = new CronParser(definition(true));

    private final String expression;
    private final boolean withSeconds;
    private final boolean fixedHour;
    private final long seconds;
    private final long minutes;
    private final long hours;
    private final long daysOfMonth;
    private final long months;
    private final long daysOfWeek;
    private final boolean dayOfMonthStar;
    private final boolean dayOfWeekStar;

    private CronPattern(String expression, boolean withSeconds, String hourText, long[] masks, String[] texts) {
        this.expression = expression;
        this.withSeconds = withSeconds;
        this.fixedHour = !(hourText.contains("*") || hourText.contains("/"));
        this.seconds = masks[0];
        this.minutes = masks[1];
        this.hours = masks[2];
        this.daysOfMonth = masks[3];
        this.months = masks[4];
        this.daysOfWeek = masks[5];
        this.dayOfMonthStar = texts[3].startsWith("*");
        this.dayOfWeekStar = texts[5].startsWith("*");
    }

    /**
     * Parses {@code raw}; the problems in the exception each name the cron field they concern. Patterns parsed before
     * are reused: every job read from the database parses its schedule, and a page of the job list reads dozens.
     *
     * @throws InvalidCronException listing every problem found
     */
    public static CronPattern parse(String raw) {
        if (raw == null) {
            return parseAnew(null);
        }
        CronPattern known = PARSED.get(raw);
        if (known != null) {
            return known;
        }
        CronPattern parsed = parseAnew(raw);
        if (PARSED.size() >= MAX_PARSED) {
            PARSED.clear(); // bounded without bookkeeping: a registry has far fewer distinct expressions
        }
        PARSED.put(raw, parsed);
        return parsed;
    }

    private static CronPattern parseAnew(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new InvalidCronException(List.of("is required"));
        }
        if (raw.length() > MAX_LENGTH) {
            throw new InvalidCronException(
                    List.of("must be at most " + MAX_LENGTH + " characters, got " + raw.length()));
        }
        String trimmed = raw.strip();
        String body = trimmed.startsWith("@") ? trimmed.substring(1) : trimmed;
        if (!ALLOWED.matcher(body).matches()) {
            throw new InvalidCronException(List.of("may contain only digits, month and weekday names, '*', ',', '-',"
                    + " '/' and spaces; found " + disallowed(body)));
        }
        String normalised = String.join(" ", trimmed.split("[ \\t]+"));
        String fieldsText = normalised;
        if (normalised.startsWith("@")) {
            normalised = normalised.toLowerCase(Locale.ROOT);
            fieldsText = MACROS.get(normalised);
            if (fieldsText == null) {
                throw new InvalidCronException(List.of("unknown macro '" + normalised + "'; use " + MACRO_LIST));
            }
        }
        String[] parts = fieldsText.split(" ");
        if (parts.length != 5 && parts.length != 6) {
            throw new InvalidCronException(List.of("has " + parts.length
                    + " fields; expected 5 (minute hour day-of-month month day-of-week)"
                    + " or 6 with a leading second"));
        }
        boolean withSeconds = parts.length == 6;
        String[] texts = new String[6];
        texts[0] = withSeconds ? parts[0] : "0";
        System.arraycopy(parts, withSeconds ? 1 : 0, texts, 1, 5);

        List<String> problems = new ArrayList<>();
        long[] masks = new long[6];
        CronField[] fields = CronField.values();
        for (int i = 0; i < fields.length; i++) {
            masks[i] = parseField(fields[i], texts[i], problems);
        }
        if (!problems.isEmpty()) {
            throw new InvalidCronException(problems);
        }
        CronPattern pattern = new CronPattern(normalised, withSeconds, texts[2], masks, texts);
        if (pattern.firstMatchingDay(LocalDate.of(2000, 1, 1), LocalDate.of(2000 + CYCLE_YEARS, 1, 1)) == null) {
            throw new InvalidCronException(List.of(pattern.neverFiresMessage(texts)));
        }
        crossCheckWithCronUtils(texts, withSeconds);
        return pattern;
    }

    /** The expression as given, trimmed, with single spaces; a macro is kept as the macro, lower-case. */
    public String expression() {
        return expression;
    }

    public boolean hasSeconds() {
        return withSeconds;
    }

    /**
     * Whether the hour field names fixed hours; {@code *} or a step means the job runs at every real instant
     * that matches, so the DST policy treats it differently.
     */
    public boolean hasFixedHour() {
        return fixedHour;
    }

    public boolean matches(LocalDateTime time) {
        return time.getNano() == 0
                && dayMatches(time.toLocalDate())
                && bit(hours, time.getHour())
                && bit(minutes, time.getMinute())
                && bit(seconds, time.getSecond());
    }

    /**
     * The first matching local date-time at or after {@code from} and before {@code until}, or null. The
     * search never passes {@code until}, nor one 400-year cycle after {@code from}, so it always ends.
     */
    public LocalDateTime firstAtOrAfter(LocalDateTime from, LocalDateTime until) {
        if (from.getNano() > 0) {
            from = from.withNano(0).plusSeconds(1);
        }
        LocalDate cycleEnd = from.toLocalDate().plusYears(CYCLE_YEARS);
        LocalDate lastDate = until == null || until.toLocalDate().isAfter(cycleEnd) ? cycleEnd : until.toLocalDate();
        LocalDate date = from.toLocalDate();
        LocalTime time = from.toLocalTime();
        while (!date.isAfter(lastDate)) {
            if (!bit(months, date.getMonthValue())) {
                date = date.withDayOfMonth(1).plusMonths(1);
                time = LocalTime.MIDNIGHT;
                continue;
            }
            if (dayMatches(date)) {
                LocalTime found = firstTimeAtOrAfter(time);
                if (found != null) {
                    LocalDateTime match = date.atTime(found);
                    return until == null || match.isBefore(until) ? match : null;
                }
            }
            date = date.plusDays(1);
            time = LocalTime.MIDNIGHT;
        }
        return null;
    }

    private LocalDate firstMatchingDay(LocalDate from, LocalDate until) {
        for (LocalDate date = from; date.isBefore(until); ) {
            if (!bit(months, date.getMonthValue())) {
                date = date.withDayOfMonth(1).plusMonths(1);
            } else if (dayMatches(date)) {
                return date;
            } else {
                date = date.plusDays(1);
            }
        }
        return null;
    }

    private boolean dayMatches(LocalDate date) {
        if (!bit(months, date.getMonthValue())) {
            return false;
        }
        boolean dayOfMonth = bit(daysOfMonth, date.getDayOfMonth());
        boolean dayOfWeek = bit(daysOfWeek, date.getDayOfWeek().getValue() % 7);
        return dayOfMonthStar || dayOfWeekStar ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek;
    }

    private LocalTime firstTimeAtOrAfter(LocalTime from) {
        int h0 = from.getHour();
        int m0 = from.getMinute();
        int s0 = from.getSecond();
        for (int h = next(hours, h0); h >= 0; h = next(hours, h + 1)) {
            for (int m = next(minutes, h == h0 ? m0 : 0); m >= 0; m = next(minutes, m + 1)) {
                int s = next(seconds, h == h0 && m == m0 ? s0 : 0);
                if (s >= 0) {
                    return LocalTime.of(h, m, s);
                }
            }
        }
        return null;
    }

    private String neverFiresMessage(String[] texts) {
        String days = "day-of-month '" + texts[3] + "' in month '" + texts[4] + "'";
        if (dayOfWeekStar && !texts[5].equals("*")) {
            days += " on day-of-week '" + texts[5] + "'";
        }
        return "never fires: no calendar date has " + days;
    }

    private static long parseField(CronField field, String text, List<String> problems) {
        long mask = 0;
        for (String item : text.split(",", -1)) {
            String problem = null;
            try {
                mask |= parseItem(field, item);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
            if (problem != null) {
                problems.add(field.label + ": " + problem);
            }
        }
        if (field == CronField.DAY_OF_WEEK && bit(mask, 7)) {
            mask = (mask | 1L) & ~(1L << 7);
        }
        return mask;
    }

    private static long parseItem(CronField field, String item) {
        if (item.isEmpty()) {
            throw new IllegalArgumentException("empty entry in a list");
        }
        String[] stepParts = item.split("/", -1);
        if (stepParts.length > 2) {
            throw new IllegalArgumentException("'" + item + "' has more than one '/'");
        }
        int step = 1;
        if (stepParts.length == 2) {
            if (!DIGITS.matcher(stepParts[1]).matches()) {
                throw new IllegalArgumentException("step '" + stepParts[1] + "' in '" + item + "' is not a number");
            }
            step = number(stepParts[1]);
            if (step < 1 || step > field.max) {
                throw new IllegalArgumentException("step " + stepParts[1] + " out of range 1-" + field.max);
            }
        }
        String base = stepParts[0];
        int from;
        int to;
        if (base.equals("*")) {
            from = field.min;
            to = field == CronField.DAY_OF_WEEK ? 6 : field.max;
        } else {
            String[] range = base.split("-", -1);
            if (range.length > 2) {
                throw new IllegalArgumentException("'" + base + "' has more than one '-'");
            }
            from = value(field, range[0]);
            if (range.length == 2) {
                to = value(field, range[1]);
                if (field == CronField.DAY_OF_WEEK
                        && to == 0
                        && from > 0
                        && NAME.matcher(range[1]).matches()) {
                    to = 7;
                }
                if (from > to) {
                    throw new IllegalArgumentException("range " + base + " goes backwards");
                }
            } else {
                to = stepParts.length == 2 ? field.max : from;
            }
        }
        long mask = 0;
        for (int v = from; v <= to; v += step) {
            mask |= 1L << v;
        }
        return mask;
    }

    private static int value(CronField field, String token) {
        if (token.isEmpty()) {
            throw new IllegalArgumentException("missing value");
        }
        if (DIGITS.matcher(token).matches()) {
            int value = number(token);
            if (value < field.min || value > field.max) {
                throw new IllegalArgumentException("value " + token + " out of range " + field.min + "-" + field.max);
            }
            return value;
        }
        int named = field.valueOfName(token);
        if (named < 0) {
            throw new IllegalArgumentException(
                    field.hasNames()
                            ? "'" + token + "' is neither a number nor a " + field.label + " name"
                            : "'" + token + "' is not a number");
        }
        return named;
    }

    private static int number(String digits) {
        return digits.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(digits);
    }

    private static boolean bit(long mask, int index) {
        return (mask & (1L << index)) != 0;
    }

    private static int next(long mask, int from) {
        if (from > 63) {
            return -1;
        }
        long rest = mask & (-1L << from);
        return rest == 0 ? -1 : Long.numberOfTrailingZeros(rest);
    }

    private static String disallowed(String text) {
        Set<String> found = new LinkedHashSet<>();
        text.codePoints()
                .filter(c -> !ALLOWED.matcher(Character.toString(c)).matches())
                .forEach(c ->
                        found.add(c >= 0x20 && c < 0x7f ? "'" + Character.toString(c) + "'" : "U+%04X".formatted(c)));
        return found.stream().collect(Collectors.joining(" "));
    }

    private static void crossCheckWithCronUtils(String[] texts, boolean withSeconds) {
        StringBuilder numeric = new StringBuilder();
        CronField[] fields = CronField.values();
        for (int i = withSeconds ? 0 : 1; i < fields.length; i++) {
            numeric.append(numeric.length() == 0 ? "" : " ").append(namesAsNumbers(fields[i], texts[i]));
        }
        try {
            (withSeconds ? SIX_FIELDS : FIVE_FIELDS).parse(numeric.toString()).validate();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage() == null ? "rejected" : e.getMessage();
            throw new InvalidCronException(List.of(message.replace("Failed to parse cron expression. ", "")));
        }
    }

    // cron-utils maps SUN to 7, which makes SUN-SAT a backwards range; our numbers say what we mean.
    private static String namesAsNumbers(CronField field, String text) {
        Matcher names = NAME.matcher(text);
        StringBuilder out = new StringBuilder();
        while (names.find()) {
            int value = field.valueOfName(names.group());
            boolean endOfRange = names.start() > 0 && text.charAt(names.start() - 1) == '-';
            names.appendReplacement(
                    out, String.valueOf(field == CronField.DAY_OF_WEEK && value == 0 && endOfRange ? 7 : value));
        }
        names.appendTail(out);
        return out.toString();
    }

    private static CronDefinition definition(boolean withSeconds) {
        CronDefinitionBuilder builder = CronDefinitionBuilder.defineCron();
        if (withSeconds) {
            builder = builder.withSeconds()
                    .withValidRange(0, 59)
                    .withStrictRange()
                    .and();
        }
        return builder.withMinutes()
                .withValidRange(0, 59)
                .withStrictRange()
                .and()
                .withHours()
                .withValidRange(0, 23)
                .withStrictRange()
                .and()
                .withDayOfMonth()
                .withValidRange(1, 31)
                .withStrictRange()
                .and()
                .withMonth()
                .withValidRange(1, 12)
                .withStrictRange()
                .and()
                .withDayOfWeek()
                .withValidRange(0, 7)
                .withMondayDoWValue(1)
                .withIntMapping(7, 0)
                .withStrictRange()
                .and()
                .instance();
    }
}
