package dev.almanac.calendar;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.almanac.security.NamespacePause;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Why a slot does not run, as {@code blocked_by: {kind, name, reason}}: a {@code calendar} (named, with the reason it
 * blocks: inside a blackout calendar, or outside every {@code only} one), a {@code freeze} (named by its id, with its
 * reason) or the job being {@code paused} (named by the paused job or namespace, with the pause's reason).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TimeBlock(String kind, String name, String reason) {

    public static final String CALENDAR = "calendar";
    public static final String FREEZE = "freeze";
    public static final String PAUSED = "paused";

    /** A slot inside the blackout calendar {@code name}. */
    public static TimeBlock calendar(String name) {
        return new TimeBlock(CALENDAR, name, "inside blackout calendar '" + name + "'");
    }

    /** A slot outside every one of the job's {@code only} calendars, which the name and the reason list. */
    public static TimeBlock outside(List<String> only) {
        String names = only.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "));
        return new TimeBlock(
                CALENDAR,
                String.join(", ", only),
                "outside " + (only.size() == 1 ? "calendar " : "every one of the calendars ") + names);
    }

    /** A slot inside the freeze {@code id}. */
    public static TimeBlock freeze(UUID id, String reason) {
        return new TimeBlock(FREEZE, id.toString(), reason);
    }

    /** A slot of the job {@code job} skipped because it is paused, with the pause's reason. */
    public static TimeBlock paused(String job, String reason) {
        return new TimeBlock(PAUSED, job, reason);
    }

    /**
     * A slot skipped because its job's namespace is paused, named by the namespace: "paused: namespace 'billing'
     * paused: migration".
     */
    public static TimeBlock paused(NamespacePause pause) {
        return paused(
                pause.namespace(),
                "namespace '" + pause.namespace() + "' paused" + (pause.reason() == null ? "" : ": " + pause.reason()));
    }

    /** What a person reads: "calendar 'holidays'", "freeze: release week". */
    public String message() {
        return switch (kind) {
            case CALENDAR -> "blocked by calendar '" + name + "'";
            case FREEZE -> "blocked by a freeze" + (reason == null ? "" : ": " + reason);
            // a namespace's pause says so itself: "namespace 'a' paused: migration", not "job paused: namespace …"
            default ->
                pausedByNamespace() ? reason : "job paused" + (reason == null || reason.isBlank() ? "" : ": " + reason);
        };
    }

    private boolean pausedByNamespace() {
        return PAUSED.equals(kind) && reason != null && reason.startsWith("namespace '" + name + "' paused");
    }

    /** What the skipped execution's result keeps, so its page and the API say what blocked it. */
    public Map<String, Object> asResult() {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("message", message());
        result.put("blocked_by", kind);
        if (name != null) {
            result.put(CALENDAR.equals(kind) ? "calendar" : kind, name);
        }
        if (reason != null) {
            result.put("reason", reason);
        }
        return result;
    }
}
