package dev.almanac.common;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Locale;

/**
 * The product's one rule for a local time in a zone that skips or repeats it (DST): a time in a gap is the first
 * instant after the gap (02:30 on a Berlin spring day is 03:00 CEST), a time that occurs twice is its first
 * occurrence. Schedules, calendars, pauses and freezes all read local times by it, and say where it moved one.
 * ({@code LocalDateTime.atZone} differs in the gap: it moves the time forward by the gap's length, 02:15 to 03:15.)
 */
public final class LocalTimes {

    private LocalTimes() {}

    /** The instant {@code local} means in a zone of {@code rules}. */
    public static Instant resolve(LocalDateTime local, ZoneRules rules) {
        List<ZoneOffset> offsets = rules.getValidOffsets(local);
        if (offsets.size() == 1) {
            return local.toInstant(offsets.get(0));
        }
        ZoneOffsetTransition transition = rules.getTransition(local);
        return transition.isGap() ? transition.getInstant() : local.toInstant(transition.getOffsetBefore());
    }

    /** The instant {@code local} means in {@code zone}. */
    public static Instant resolve(LocalDateTime local, ZoneId zone) {
        return resolve(local, zone.getRules());
    }

    /**
     * How {@link #resolve} read a local time the zone skips, for the reader: "2027-03-28T02:15 does not exist in
     * Europe/Berlin (clocks go forward); read as 03:00 CEST"; null when the time exists (once or twice).
     */
    public static String gapNote(LocalDateTime local, ZoneId zone) {
        ZoneRules rules = zone.getRules();
        if (!rules.getValidOffsets(local).isEmpty()) {
            return null;
        }
        return "%s does not exist in %s (clocks go forward); read as %s"
                .formatted(
                        DateTimeFormatter.ofPattern(
                                        local.getSecond() == 0 ? "yyyy-MM-dd'T'HH:mm" : "yyyy-MM-dd'T'HH:mm:ss")
                                .format(local),
                        zone.getId(),
                        DateTimeFormatter.ofPattern("HH:mm zzz", Locale.ENGLISH)
                                .format(resolve(local, rules).atZone(zone)));
    }
}
