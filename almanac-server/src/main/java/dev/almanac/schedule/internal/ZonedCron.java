package dev.almanac.schedule.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A cron pattern placed in a time zone under Almanac's DST policy (ARCHITECTURE §5).
 *
 * <p>With fixed hours every matching local time L runs once, at: its only instant; the first instant
 * after the gap when L falls in one; the first occurrence when L occurs twice. That map is monotone, so
 * the next run after t comes from the first match after t's local time whose instant is after t; matches
 * that share an instant (several gap times, or a gap time and the time the gap ends on) are one run.
 *
 * <p>With {@code *} or a step in the hour, the job runs at every real instant whose local time matches,
 * so we walk the zone's offset segments and search each one in its own offset.
 */
public final class ZonedCron {

    /** Result of one search; {@code note} explains a DST shift, merge or repeat, else null. */
    public record Run(Instant at, String note) {}

    // Each bound is far above anything a real zone needs; they only guarantee that a search ends.
    private static final int MAX_CANDIDATES = 100_000;
    private static final int MAX_SEGMENTS = 2_000;

    private final CronPattern pattern;
    private final ZoneId zone;
    private final ZoneRules rules;
    private final DateTimeFormatter localTime;
    private final DateTimeFormatter zonedTime;

    public ZonedCron(CronPattern pattern, ZoneId zone) {
        this.pattern = pattern;
        this.zone = zone;
        this.rules = zone.getRules();
        String time = pattern.hasSeconds() ? "HH:mm:ss" : "HH:mm";
        this.localTime = DateTimeFormatter.ofPattern(time, Locale.ROOT);
        this.zonedTime = DateTimeFormatter.ofPattern(time + " zzz", Locale.ENGLISH);
    }

    /** The next run strictly after {@code after}, or null when there is none within the search bounds. */
    public Instant nextAfter(Instant after) {
        if (pattern.hasFixedHour()) {
            LocalDateTime match = nextFixedHourMatch(after);
            return match == null ? null : instantOf(match);
        }
        return nextRealInstant(after);
    }

    /** Like {@link #nextAfter} but also says how the DST policy moved, merged or repeated the run. */
    public Run nextRunAfter(Instant after) {
        if (pattern.hasFixedHour()) {
            LocalDateTime match = nextFixedHourMatch(after);
            return match == null ? null : new Run(instantOf(match), fixedHourNote(match));
        }
        Instant at = nextRealInstant(after);
        return at == null ? null : new Run(at, repeatedHourNote(at));
    }

    private LocalDateTime nextFixedHourMatch(Instant after) {
        LocalDateTime start = localSecondAfter(after);
        ZoneOffsetTransition started = rules.previousTransition(after.plusNanos(1));
        // Inside a repeated hour, matches up to its end already ran at their first occurrence.
        if (started != null && started.isOverlap() && start.isBefore(started.getDateTimeBefore())) {
            start = started.getDateTimeBefore();
        }
        for (int i = 0; i < MAX_CANDIDATES; i++) {
            LocalDateTime match = pattern.firstAtOrAfter(start, null);
            if (match == null) {
                return null;
            }
            if (instantOf(match).isAfter(after)) {
                return match;
            }
            start = match.plusSeconds(1);
        }
        return null;
    }

    private Instant instantOf(LocalDateTime local) {
        return resolve(local, rules);
    }

    /**
     * The instant a fixed local time runs at: its only instant, the first instant after the gap when it
     * does not exist, or its first occurrence when it occurs twice. {@code ZonedDateTime.of} differs in
     * the gap, where it moves the time forward by the gap's length.
     */
    public static Instant resolve(LocalDateTime local, ZoneRules rules) {
        return dev.almanac.common.LocalTimes.resolve(local, rules);
    }

    /**
     * How {@link #resolve} moved a local time the zone skips or repeats, worded as a cron run's note; null when the
     * time exists once.
     */
    public static String resolveNote(LocalDateTime local, ZoneId zone) {
        ZoneRules rules = zone.getRules();
        if (rules.getValidOffsets(local).size() == 1) {
            return null;
        }
        ZoneOffsetTransition transition = rules.getTransition(local);
        DateTimeFormatter time =
                DateTimeFormatter.ofPattern(local.getSecond() == 0 ? "HH:mm" : "HH:mm:ss", Locale.ROOT);
        if (transition.isOverlap()) {
            return "%s occurs twice on %s in %s (clocks go back); runs once, at the first occurrence (%s)"
                    .formatted(
                            time.format(local), local.toLocalDate(), zone.getId(), utc(transition.getOffsetBefore()));
        }
        return "%s does not exist on %s in %s (clocks go forward); runs at %s instead"
                .formatted(
                        time.format(local),
                        local.toLocalDate(),
                        zone.getId(),
                        DateTimeFormatter.ofPattern("HH:mm zzz", Locale.ENGLISH)
                                .format(transition.getInstant().atZone(zone)));
    }

    private Instant nextRealInstant(Instant after) {
        ZoneOffset offset = rules.getOffset(after);
        LocalDateTime start = localSecondAfter(after);
        ZoneOffsetTransition next = rules.nextTransition(after);
        for (int i = 0; i < MAX_SEGMENTS; i++) {
            LocalDateTime end =
                    next == null ? null : next.getInstant().atOffset(offset).toLocalDateTime();
            LocalDateTime match = pattern.firstAtOrAfter(start, end);
            if (match != null) {
                return match.toInstant(offset);
            }
            if (next == null) {
                return null;
            }
            offset = next.getOffsetAfter();
            start = next.getDateTimeAfter();
            next = rules.nextTransition(next.getInstant());
        }
        return null;
    }

    private LocalDateTime localSecondAfter(Instant instant) {
        return LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, rules.getOffset(instant))
                .plusSeconds(1);
    }

    private String fixedHourNote(LocalDateTime match) {
        ZoneOffsetTransition transition = rules.getTransition(match);
        if (transition == null) {
            return null;
        }
        if (transition.isOverlap()) {
            return "%s occurs twice on %s in %s (clocks go back); runs once, at the first occurrence (%s)"
                    .formatted(
                            localTime.format(match),
                            match.toLocalDate(),
                            zone.getId(),
                            utc(transition.getOffsetBefore()));
        }
        LocalDateTime gapEnd = transition.getDateTimeAfter();
        List<LocalDateTime> skipped = new ArrayList<>();
        for (LocalDateTime m = match; m != null && m.isBefore(gapEnd); ) {
            skipped.add(m);
            m = pattern.firstAtOrAfter(m.plusSeconds(1), gapEnd);
        }
        boolean mergedWithGapEnd = pattern.matches(gapEnd);
        ZonedDateTime runs = transition.getInstant().atZone(zone);
        String at = zonedTime.format(runs);
        if (!runs.toLocalDate().equals(match.toLocalDate())) {
            at = runs.toLocalDate() + " " + at;
        }
        String where = "on %s in %s (clocks go forward)".formatted(match.toLocalDate(), zone.getId());
        if (skipped.size() == 1 && !mergedWithGapEnd) {
            return "%s does not exist %s; runs at %s instead".formatted(localTime.format(match), where, at);
        }
        String verb = skipped.size() == 1 ? "does not exist" : "do not exist";
        String onto = mergedWithGapEnd
                ? " and " + (skipped.size() == 1 ? "moves" : "move") + " onto the " + localTime.format(gapEnd) + " run"
                : "";
        return "merged: %s %s %s%s; runs once at %s".formatted(describe(skipped), verb, where, onto, at);
    }

    private String describe(List<LocalDateTime> times) {
        int n = times.size();
        if (n > 3) {
            return "the %d times from %s to %s"
                    .formatted(n, localTime.format(times.get(0)), localTime.format(times.get(n - 1)));
        }
        List<String> formatted = times.stream().map(localTime::format).toList();
        return n == 1
                ? formatted.get(0)
                : String.join(", ", formatted.subList(0, n - 1)) + " and " + formatted.get(n - 1);
    }

    private String repeatedHourNote(Instant at) {
        ZoneOffset offset = rules.getOffset(at);
        LocalDateTime local = LocalDateTime.ofInstant(at, offset);
        ZoneOffsetTransition transition = rules.getTransition(local);
        if (transition == null
                || transition.isGap()
                || !transition.getOffsetAfter().equals(offset)) {
            return null;
        }
        return "repeated hour after clocks go back (%s)".formatted(utc(offset));
    }

    private static String utc(ZoneOffset offset) {
        return "UTC" + (offset.equals(ZoneOffset.UTC) ? "+00:00" : offset.getId());
    }
}
