package dev.almanac.calendar;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * The calendars a job follows: it never runs inside a {@code blackout} calendar, and, when {@code only} names any,
 * runs only inside one of them.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@Schema(description = "Calendars by name: never run inside a blackout one; with only, run only inside one of them")
public record CalendarRefs(
        @Schema(description = "Never run inside these calendars", example = "[\"public-holidays\"]")
        List<String> blackout,

        @Schema(description = "Run only inside one of these calendars", example = "[]")
        List<String> only) {

    public static final CalendarRefs NONE = new CalendarRefs(List.of(), List.of());

    public CalendarRefs {
        blackout = blackout == null ? List.of() : List.copyOf(blackout);
        only = only == null ? List.of() : List.copyOf(only);
    }

    @JsonIgnore
    public boolean isEmpty() {
        return blackout.isEmpty() && only.isEmpty();
    }

    public boolean uses(String calendar) {
        return blackout.contains(calendar) || only.contains(calendar);
    }
}
