package dev.almanac.calendar;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** A calendar as the API carries it; on the way in every field may be missing, and validation names what is wrong. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Calendar", description = "A named calendar: dates, date ranges, weekly windows and iCalendar events")
public record CalendarSpec(
        @Schema(
                description = "Name, unique among the global calendars and those of its namespace: letters, digits,"
                        + " '_', '-', '.'",
                example = "public-holidays")
        String name,

        @Schema(
                description = "The namespace the calendar belongs to; absent or null: a global calendar, which every"
                        + " job may list",
                example = "team-a")
        String namespace,

        @Schema(
                description = "IANA time zone the dates and windows are read in (default UTC)",
                example = "Europe/Berlin")
        String timezone,

        @Schema(description = "What the calendar is for") String description,

        @Schema(description = "Whole days", example = "[\"2026-12-25\"]")
        List<String> dates,

        @Schema(
                description =
                        "Ranges: whole days (2026-12-24..2026-12-26, both included) or local date-times (end excluded)")
        List<Window> ranges,

        @Schema(description = "Weekly windows, e.g. FRI 18:00 to MON 06:00 (end excluded)")
        List<Window> weekly,

        @Schema(description = "An iCalendar (.ics) file's text; all-day events block whole days, RRULEs are honoured")
        String ics,

        @JsonProperty("created_by") String createdBy,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("updated_at") Instant updatedAt) {

    /** Whether this calendar is global rather than one namespace's. */
    @JsonIgnore
    public boolean global() {
        return namespace == null;
    }

    /** A window from one time to another. */
    public record Window(String from, String to) {}

    public CalendarSpec {
        namespace = namespace == null || namespace.isBlank() ? null : namespace.strip();
        dates = dates == null ? List.of() : List.copyOf(dates);
        ranges = ranges == null ? List.of() : List.copyOf(ranges);
        weekly = weekly == null ? List.of() : List.copyOf(weekly);
    }
}
