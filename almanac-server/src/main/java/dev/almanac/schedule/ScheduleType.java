package dev.almanac.schedule;

import java.util.Locale;
import java.util.Optional;

/** The kind of schedule; lower-case in JSON: {@code cron}, {@code interval}, {@code once}. */
public enum ScheduleType {
    CRON,
    INTERVAL,
    ONCE;

    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type whose {@link #json()} form is exactly {@code value}; empty for anything else, null included. */
    public static Optional<ScheduleType> fromJson(String value) {
        for (ScheduleType type : values()) {
            if (type.json().equals(value)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
