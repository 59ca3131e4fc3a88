package dev.almanac.schedule.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.calendar.CalendarRefs;
import dev.almanac.calendar.Calendars;
import dev.almanac.calendar.TimeBlock;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.IsoTimes;
import dev.almanac.common.NameHints;
import dev.almanac.schedule.CronSchedule;
import dev.almanac.schedule.Schedule;
import dev.almanac.schedule.ScheduleSpec;
import dev.almanac.schedule.Schedules;
import dev.almanac.template.TemplateRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Shows when a schedule would run, before anyone saves it. */
@RestController
@RequestMapping(path = "/api/admin/scheduler/schedules", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Schedules", description = "Preview schedules in their time zone, DST shifts included")
public class ScheduleController {

    static final int DEFAULT_COUNT = 10;
    static final int MAX_COUNT = 100;

    private static final String EXAMPLE_REQUEST = """
            {"schedule":{"type":"cron","expression":"30 2 * * *","timezone":"America/New_York"},
             "count":3,"from":"2026-03-06T12:00:00Z"}
            """;
    private static final String EXAMPLE_RESPONSE = """
            {"timezone":"America/New_York","runs":[
              {"at":"2026-03-07T07:30:00Z","local":"2026-03-07T02:30:00-05:00"},
              {"at":"2026-03-08T07:00:00Z","local":"2026-03-08T03:00:00-04:00",
               "note":"02:30 does not exist on 2026-03-08 in America/New_York (clocks go forward); runs at 03:00 instead"},
              {"at":"2026-03-09T06:30:00Z","local":"2026-03-09T02:30:00-04:00"}]}
            """;

    /** The namespace of a job that names none (the job registry's default, which this module cannot import). */
    private static final String DEFAULT_NAMESPACE = "default";

    private final Clock clock;
    private final Calendars calendars;
    private final TemplateRegistry templates;

    ScheduleController(Clock clock, Calendars calendars, TemplateRegistry templates) {
        this.clock = clock;
        this.calendars = calendars;
        this.templates = templates;
    }

    /** What to preview: a schedule, how many runs (1..100, default 10) and from when (default now). */
    record PreviewRequest(
            ScheduleSpec schedule,

            @Schema(description = "How many runs, 1..100", example = "10")
            Integer count,

            @Schema(description = "Preview runs after this instant; default now", example = "2026-03-06T12:00:00Z")
            Instant from,

            @Schema(description = "A job's calendars: runs they block are listed with blocked_by")
            CalendarRefs calendars,

            @Schema(
                    description = "The job's namespace (default 'default'): a calendar name means its calendar of"
                            + " that name, else the global one",
                    example = "team-a")
            String namespace,

            @JsonProperty("template_type")
            @Schema(
                    description = "The job's template, for freezes of destructive templates only",
                    example = "heartbeat")
            String templateType,

            @Schema(
                    description = "The job's name: H in the minute or hour field picks a value from it",
                    example = "nightly-report")
            String name) {}

    /** One run: the instant in UTC, the wall-clock time in the schedule's zone, and a DST note if it moved. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PreviewRun(
            Instant at,
            String local,
            String note,
            @JsonProperty("blocked_by") TimeBlock blockedBy) {}

    /** The next runs of a schedule. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PreviewResponse(
            String timezone,

            @Schema(
                    description = "A cron expression with H: what it resolved to for the job's name",
                    example = "37 2 * * *")
            @JsonProperty("resolved_expression")
            String resolvedExpression,

            List<PreviewRun> runs) {}

    @PostMapping(path = "/preview", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Preview the next runs of a schedule",
            description = "Times in UTC and in the schedule's zone; a note marks a run that a DST shift moved or"
                    + " merged.")
    @ApiResponse(responseCode = "200", content = @Content(examples = @ExampleObject(EXAMPLE_RESPONSE)))
    @ApiResponse(
            responseCode = "400",
            description = "Invalid schedule or count",
            content = @Content(mediaType = "application/problem+json"))
    PreviewResponse preview(
            @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            content = @Content(examples = @ExampleObject(EXAMPLE_REQUEST)))
                    @RequestBody
                    PreviewRequest request) {
        List<FieldError> errors = new ArrayList<>();
        int count = request.count() == null ? DEFAULT_COUNT : request.count();
        if (count < 1 || count > MAX_COUNT) {
            errors.add(new FieldError("count", "must be between 1 and " + MAX_COUNT));
        }
        Schedule schedule = null;
        if (request.schedule() == null) {
            errors.add(new FieldError("schedule", "is required"));
        } else {
            try {
                schedule = Schedules.parse(request.schedule(), request.name());
            } catch (InvalidInputException invalid) {
                invalid.errors().stream().map(e -> e.prefixed("schedule")).forEach(errors::add);
            }
        }
        if (request.from() != null && !IsoTimes.within(request.from())) {
            errors.add(new FieldError("from", IsoTimes.OUT_OF_RANGE));
        }
        CalendarRefs refs = request.calendars() == null ? CalendarRefs.NONE : request.calendars();
        String namespace = request.namespace() == null || request.namespace().isBlank()
                ? null
                : request.namespace().strip();
        if (namespace != null && !calendars.readable(namespace)) {
            errors.add(new FieldError("namespace", "no namespace named '" + namespace + "'"));
            // nor are the calendar names looked up in it: which of them it holds is its own
            namespace = null;
        } else if (namespace == null && calendars.readable(DEFAULT_NAMESPACE)) {
            // as a job that names no namespace: one of the default namespace
            namespace = DEFAULT_NAMESPACE;
        }
        String resolvedIn = namespace;
        for (String list : List.of("blackout", "only")) {
            Set<String> unknown =
                    calendars.unknown(resolvedIn, list.equals("blackout") ? refs.blackout() : refs.only());
            if (!unknown.isEmpty()) {
                errors.add(
                        new FieldError("calendars." + list, "unknown calendar '" + String.join("', '", unknown) + "'"));
            }
        }
        String templateType =
                request.templateType() == null || request.templateType().isBlank()
                        ? null
                        : request.templateType().strip();
        if (templateType != null && templates.find(templateType).isEmpty()) {
            // a typo would preview as if no destructive-only freeze applied: say so instead
            List<String> known =
                    templates.all().stream().map(t -> t.descriptor().type()).toList();
            errors.add(new FieldError(
                    "template_type",
                    "unknown template '" + templateType + "'" + NameHints.didYouMean(templateType, known)));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        boolean destructive = templateType != null
                && templates
                        .find(templateType)
                        .map(t -> t.descriptor().destructive())
                        .orElse(false);
        Instant from = request.from() == null ? clock.instant() : request.from();
        List<PreviewRun> runs = schedule.preview(from, count).stream()
                .map(run -> new PreviewRun(
                        run.at(),
                        run.local().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                        run.note(),
                        calendars
                                .scheduledBlockOf(resolvedIn, refs, destructive, run.at())
                                .orElse(null)))
                .toList();
        String resolved = schedule instanceof CronSchedule cron && cron.hashed() ? cron.resolvedExpression() : null;
        return new PreviewResponse(schedule.zone().getId(), resolved, runs);
    }
}
