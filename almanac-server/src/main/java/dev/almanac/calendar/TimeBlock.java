package dev.almanac.calendar;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.almanac.security.NamespacePause;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Why a slot does not run: a {@code calendar} (by name), a {@code freeze} or the job being {@code paused} (with
 * their reason).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TimeBlock(String kind, String name, String reason) {

    public static final String CALENDAR = "calendar";
    public static final String FREEZE = "freeze";
    public static final String PAUSED = "paused";

    public static TimeBlock calendar(String name) {
        return new TimeBlock(CALENDAR, name, null);
    }

    public static TimeBlock freeze(String reason) {
        return new TimeBlock(FREEZE, null, reason);
    }

    public static TimeBlock paused(String reason) {
        return new TimeBlock(PAUSED, null, reason);
    }

    /** A slot skipped because its job's namespace is paused: "paused: namespace 'billing' paused: migration". */
    public static TimeBlock paused(NamespacePause pause) {
        return paused(
                "namespace '" + pause.namespace() + "' paused" + (pause.reason() == null ? "" : ": " + pause.reason()));
    }

    /** What a person reads: "calendar 'holidays'", "freeze: release week". */
    public String message() {
        return switch (kind) {
            case CALENDAR -> "blocked by calendar '" + name + "'";
            case FREEZE -> "blocked by a freeze" + (reason == null ? "" : ": " + reason);
            default -> "job paused" + (reason == null || reason.isBlank() ? "" : ": " + reason);
        };
    }

    /** What the skipped execution's result keeps, so its page and the API say what blocked it. */
    public Map<String, Object> asResult() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("message", message());
        result.put("blocked_by", kind);
        if (name != null) {
            result.put("calendar", name);
        }
        if (reason != null) {
            result.put("reason", reason);
        }
        return result;
    }
}
