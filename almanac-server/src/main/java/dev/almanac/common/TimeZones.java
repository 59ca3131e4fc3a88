package dev.almanac.common;

import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one rule for a time zone that jobs, calendars and freezes name: an IANA region id ({@code Europe/Berlin}),
 * {@code UTC} or {@code Z}; blank means UTC. Raw offsets such as {@code +05:00} or {@code GMT+2} are refused: a
 * schedule follows a place's clock, and {@code Etc/GMT-2} names a fixed offset when one is really meant.
 */
public final class TimeZones {

    public static final ZoneId UTC = ZoneId.of("UTC");

    // ical4j registers zones of its own ("ical4j-local-…") while it reads a calendar file; we name the JDK's zones
    // only. Its legacy SystemV/ ids stay accepted: jobs and calendars saved with one are read by this rule, and a
    // stored job that no longer reads would stop the trigger pass that meets it
    private static final Set<String> IDS = ZoneId.getAvailableZoneIds().stream()
            .filter(id -> !id.startsWith("ical4j"))
            .collect(Collectors.toUnmodifiableSet());
    private static final int MAX_ECHO = 60;

    private TimeZones() {}

    /** The zone ids that may be named. */
    public static Set<String> ids() {
        return IDS;
    }

    /** The zone {@code text} names (UTC when blank), or empty with an error at {@code field} saying what to use. */
    public static Optional<ZoneId> parse(String text, String field, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            return Optional.of(UTC);
        }
        String trimmed = text.strip();
        if (trimmed.equals("Z") || trimmed.equals("UTC")) {
            return Optional.of(UTC);
        }
        if (IDS.contains(trimmed)) {
            return Optional.of(ZoneId.of(trimmed));
        }
        String shown = text.length() > MAX_ECHO ? text.substring(0, MAX_ECHO) + "…" : text;
        // a near miss, in another case first ('utc', 'europe/berlin'), else a typo: the id meant
        String meant = trimmed.length() > MAX_ECHO
                ? null
                : IDS.stream()
                        .filter(id -> id.equalsIgnoreCase(trimmed))
                        .findFirst()
                        .or(() -> trimmed.equalsIgnoreCase("UTC") || trimmed.equalsIgnoreCase("Z")
                                ? Optional.of("UTC")
                                // a region id misspelt; never for a raw offset ('UTC+1' is not 'UTC')
                                : trimmed.contains("/") ? NameHints.closest(trimmed, IDS) : Optional.empty())
                        .orElse(null);
        errors.add(new FieldError(
                field,
                "unknown time zone '" + shown + "'"
                        + (meant != null
                                ? "; did you mean '" + meant + "'?"
                                : "; use an IANA zone id such as Europe/Berlin")));
        return Optional.empty();
    }

    /**
     * The name a zone is stored and shown under: {@code UTC} for {@code Z} or blank, else the id as given;
     * {@code text} itself when it names no zone (its refusal comes from {@link #parse}).
     */
    public static String normalized(String text) {
        return parse(text, "timezone", new java.util.ArrayList<>())
                .map(ZoneId::getId)
                .orElse(text == null ? null : text.strip());
    }
}
