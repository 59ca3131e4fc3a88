package dev.almanac.job.internal;

import dev.almanac.calendar.CalendarRefs;
import dev.almanac.calendar.Calendars;
import dev.almanac.calendar.TimeBlock;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.job.JobDefinition;
import dev.almanac.job.JobForm;
import dev.almanac.job.JobPause;
import dev.almanac.schedule.CronSchedule;
import dev.almanac.schedule.IntervalSchedule;
import dev.almanac.schedule.Schedule;
import dev.almanac.schedule.ScheduleSpec;
import dev.almanac.schedule.ScheduleText;
import dev.almanac.schedule.Schedules;
import dev.almanac.template.TemplateRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/** A schedule's next runs as the job page and the wizard's schedule step show them, in the job's zone. */
@Component
class SchedulePreviews {

    static final int PREVIEW_RUNS = 5;
    static final DateTimeFormatter LOCAL =
            DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm:ss (xxx)", Locale.ENGLISH);

    /** One upcoming run as a page shows it; {@code blocked} says why it will not run (struck through). */
    public record PreviewRun(String local, Instant at, String note, String blocked) {}

    /** A schedule in words with its next runs, or what is wrong with it. */
    public record Preview(String expression, String words, List<PreviewRun> runs, List<String> errors) {}

    private final Clock clock;
    private final Calendars calendars;
    private final TemplateRegistry templates;

    SchedulePreviews(Clock clock, Calendars calendars, TemplateRegistry templates) {
        this.clock = clock;
        this.calendars = calendars;
        this.templates = templates;
    }

    /**
     * The next runs of a job of {@code namespace}, those its pause, its namespace's pause, a freeze or a calendar
     * will block marked with the reason. An interval's runs follow from {@code nextRunAt}, the engine's next run
     * (null: from now), since an interval has no slots of its own but those its last run set.
     */
    List<PreviewRun> runs(
            String name,
            Schedule schedule,
            String namespace,
            CalendarRefs refs,
            String templateType,
            JobPause pause,
            Instant nextRunAt) {
        boolean destructive = templateType != null
                && templates
                        .find(templateType)
                        .map(t -> t.descriptor().destructive())
                        .orElse(false);
        Instant from = schedule instanceof IntervalSchedule interval && nextRunAt != null
                ? nextRunAt.minus(interval.interval())
                : clock.instant();
        return schedule.preview(from, PREVIEW_RUNS).stream()
                .map(run -> new PreviewRun(
                        run.local().format(LOCAL),
                        run.at(),
                        run.note(),
                        blockAt(run.at(), name, namespace, refs, destructive, pause)
                                .map(TimeBlock::message)
                                .orElse(null)))
                .toList();
    }

    private Optional<TimeBlock> blockAt(
            Instant at, String name, String namespace, CalendarRefs refs, boolean destructive, JobPause pause) {
        if (pause != null && pause.holdsAt(at)) {
            return Optional.of(TimeBlock.paused(name, pause.reason()));
        }
        return calendars.scheduledBlockOf(namespace, refs, destructive, at);
    }

    /** The wizard's schedule fields as an expression, in words, with the next runs and their DST notes. */
    Preview of(JobForm form) {
        List<FieldError> errors = new ArrayList<>();
        ScheduleSpec spec = form.scheduleSpec(errors);
        if (!errors.isEmpty()) {
            return new Preview(
                    null,
                    null,
                    List.of(),
                    errors.stream().map(FieldError::message).toList());
        }
        try {
            Schedule schedule = Schedules.parse(spec, form.get("name"));
            CalendarRefs refs = form.calendars() == null ? CalendarRefs.NONE : form.calendars();
            String expression = schedule instanceof CronSchedule cron && cron.hashed()
                    ? cron.expression() + " → " + cron.resolvedExpression()
                    : spec.expression();
            String namespace = readableNamespaceOf(form, errors);
            for (String list : List.of("blackout", "only")) {
                Set<String> unknown =
                        calendars.unknown(namespace, list.equals("blackout") ? refs.blackout() : refs.only());
                if (!unknown.isEmpty()) {
                    errors.add(new FieldError(
                            "calendars." + list, "unknown calendar '" + String.join("', '", unknown) + "'"));
                }
            }
            if (!errors.isEmpty()) {
                return new Preview(
                        expression,
                        null,
                        List.of(),
                        errors.stream().map(e -> e.field() + ": " + e.message()).toList());
            }
            return new Preview(
                    expression,
                    ScheduleText.describe(schedule),
                    runs(form.get("name"), schedule, namespace, refs, form.get("template_type"), null, null),
                    List.of());
        } catch (InvalidInputException invalid) {
            return new Preview(
                    spec.expression(),
                    null,
                    List.of(),
                    invalid.errors().stream()
                            .map(e -> e.field() + ": " + e.message())
                            .toList());
        }
    }

    /**
     * The namespace whose calendars the wizard's preview resolves names in, by the rule of the schedule preview API: the
     * one the form names, refused at {@code namespace} (as a missing one) when the reader may not read it; when it names
     * none, the default namespace if the reader may read it, else none (global calendars only).
     */
    private String readableNamespaceOf(JobForm form, List<FieldError> errors) {
        String namespace = form.get("namespace");
        if (namespace == null || namespace.isBlank()) {
            return calendars.readable(JobDefinition.DEFAULT_NAMESPACE) ? JobDefinition.DEFAULT_NAMESPACE : null;
        }
        namespace = namespace.strip();
        if (!calendars.readable(namespace)) {
            errors.add(new FieldError("namespace", "no namespace named '" + namespace + "'"));
            return null;
        }
        return namespace;
    }
}
