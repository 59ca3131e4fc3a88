package dev.almanac.web.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * How pages show times and durations; templates call it as {@code @formats}. Times are written in UTC with a
 * machine-readable {@code datetime}, and the page's script shows them in the reader's zone.
 */
@Component("formats")
public class Formats {

    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final Set<String> ICONS = Set.of(
            "calendar-clock",
            "heart-pulse",
            "database",
            "trash",
            "mail",
            "download",
            "file-text",
            "bar-chart",
            "archive",
            "webhook",
            "globe",
            "bug",
            "pause",
            "puzzle",
            "play",
            "clock",
            "send",
            "hard-drive");

    private final Clock clock;

    Formats(Clock clock) {
        this.clock = clock;
    }

    /** The sprite id for a template's icon name; names the sprite lacks show a generic piece. */
    public String icon(String name) {
        return "/img/icons.svg#" + (name != null && ICONS.contains(name) ? name : "puzzle");
    }

    /** "2026-06-01 10:00:00 UTC", or a dash. */
    public String time(Instant instant) {
        return instant == null ? "—" : UTC_TIME.format(instant);
    }

    /** The ISO-8601 instant for a {@code <time datetime>} attribute. */
    public String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** "in 5 min", "3 h ago", "just now". */
    public String relative(Instant instant) {
        if (instant == null) {
            return "";
        }
        Duration between = Duration.between(clock.instant(), instant);
        boolean future = !between.isNegative();
        Duration size = between.abs();
        if (size.toSeconds() < 5) {
            return "just now";
        }
        String text = span(size);
        return future ? "in " + text : text + " ago";
    }

    /** "850 ms", "12.3 s", "4 min 5 s", "2 h 3 min". */
    public String millis(Long millis) {
        if (millis == null) {
            return "—";
        }
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        return span(Duration.ofMillis(millis));
    }

    /** A file size: "850 B", "12.3 KB", "4.0 MB" (powers of 1024). */
    public String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double size = bytes;
        int unit = -1;
        while (size >= 1024 && unit < units.length - 1) {
            size /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", size, units[unit]);
    }

    /** A number of seconds in words, for settings: "1 h", "30 s", "2 d". */
    public String seconds(long seconds) {
        return span(Duration.ofSeconds(seconds));
    }

    private static String span(Duration size) {
        long seconds = size.toSeconds();
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + " s");
        }
        if (seconds < 86_400) {
            return seconds / 3600 + " h" + (seconds % 3600 / 60 == 0 ? "" : " " + seconds % 3600 / 60 + " min");
        }
        return seconds / 86_400 + " d" + (seconds % 86_400 / 3600 == 0 ? "" : " " + seconds % 86_400 / 3600 + " h");
    }
}
