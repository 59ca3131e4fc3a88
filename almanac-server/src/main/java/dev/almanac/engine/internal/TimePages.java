package dev.almanac.engine.internal;

import dev.almanac.calendar.CalendarRefs;
import dev.almanac.calendar.Calendars;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.IsoTimes;
import dev.almanac.common.TooManyRequestsException;
import dev.almanac.execution.JobRunHistory;
import dev.almanac.job.Job;
import dev.almanac.job.JobDefinition;
import dev.almanac.job.JobForm;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.job.StartLoad;
import dev.almanac.schedule.Schedule;
import dev.almanac.schedule.ScheduleSpec;
import dev.almanac.schedule.Schedules;
import dev.almanac.security.Permissions;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.web.AdminPage;
import dev.almanac.web.Refusals;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The job page's time card (the 12-week strip, how long runs take, backfills and their button) and the wizard's
 * schedule hints (the strip of the planned slots, how many jobs start at the chosen minute and a quieter one nearby).
 */
@AdminPage
class TimePages {

    /** Durations are read from this many latest successful runs, at most this far back. */
    static final int DURATION_SAMPLES = 200;

    static final Duration DURATION_WINDOW = Duration.ofDays(90);
    /** A quieter minute is looked for this many minutes either side of the chosen one. */
    static final int NEARBY_MINUTES = 10;

    private static final DateTimeFormatter HOUR_MINUTE = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);

    /** p50 and p95 of the latest runs' durations in milliseconds; null when there are none. */
    record Durations(int samples, Long p50, Long p95) {}

    /** How many jobs start at the chosen minute, and a quieter minute nearby (null: none quieter). */
    record Load(String minute, long starts, String quieter, Long quieterStarts, int offsetMinutes) {}

    private final JobService jobs;
    private final Backfills backfills;
    private final RunStrips strips;
    private final JobRunHistory history;
    private final StartLoad load;
    private final TemplateRegistry templates;
    private final Permissions permissions;
    private final Calendars calendars;
    private final Clock clock;

    TimePages(
            JobService jobs,
            Backfills backfills,
            RunStrips strips,
            JobRunHistory history,
            StartLoad load,
            TemplateRegistry templates,
            Permissions permissions,
            Calendars calendars,
            Clock clock) {
        this.jobs = jobs;
        this.backfills = backfills;
        this.strips = strips;
        this.history = history;
        this.load = load;
        this.templates = templates;
        this.permissions = permissions;
        this.calendars = calendars;
        this.clock = clock;
    }

    /**
     * The card, for the job page's htmx load; without htmx (no JavaScript, or a link) the card on a page of its own,
     * in the layout.
     */
    @GetMapping("/jobs/{id}/time")
    String card(@PathVariable String id, HtmxRequest htmx, Model model) {
        Job job = jobs.getVisible(JobId.fromPath(id));
        cardModel(job, model);
        return htmx.isHtmxRequest() ? "jobs/time :: card" : "jobs/time-page";
    }

    private void cardModel(Job job, Model model) {
        Instant now = clock.instant();
        model.addAttribute("job", job);
        model.addAttribute("strip", strips.of(job, now));
        model.addAttribute("durations", durations(job.id(), now));
        model.addAttribute("backfills", backfills.latestOf(job.id(), 3));
        model.addAttribute(
                "mayRun",
                permissions
                        .onJob(job.definition().templateType(), job.definition().namespace())
                        .run());
        LocalDate today = now.atZone(job.definition().schedule().zone()).toLocalDate();
        model.addAttribute("defaultFrom", today.minusDays(7));
        model.addAttribute("defaultTo", today.minusDays(1));
        model.addAttribute("zone", job.definition().schedule().zone());
    }

    /**
     * The plan of a backfill, shown before it starts: the form posts here with or without htmx (without, the card's
     * page shows it under the form). A refusal answers with its status (400 for the input, 429 past a quota).
     */
    @PostMapping("/jobs/{id}/backfill/preview")
    String preview(
            @PathVariable String id,
            @RequestParam(name = "from_date", required = false) String fromDate,
            @RequestParam(name = "to_date", required = false) String toDate,
            @RequestParam(name = "max_parallel", required = false) String maxParallel,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model) {
        Job job = jobs.getVisible(JobId.fromPath(id));
        keepInput(model, fromDate, toDate, maxParallel);
        try {
            Range range = range(job, fromDate, toDate, maxParallel);
            model.addAttribute("plan", backfills.start(job.id(), range.from(), range.to(), true, range.maxParallel()));
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            model.addAttribute("problems", messages(invalid));
        } catch (TooManyRequestsException limited) {
            Refusals.status(response, limited);
            model.addAttribute("problems", List.of(limited.getMessage()));
        }
        return inPlace(job, htmx, model);
    }

    /**
     * Starts the backfill the preview showed. A refusal is answered where the reader is, with its status (400 for the
     * input, 429 with Retry-After past the per-user limit or the namespace's quota) and the input kept: in the
     * preview's place for htmx, on the card's page otherwise.
     */
    @PostMapping("/jobs/{id}/backfill")
    String start(
            @PathVariable String id,
            @RequestParam(name = "from_date", required = false) String fromDate,
            @RequestParam(name = "to_date", required = false) String toDate,
            @RequestParam(name = "max_parallel", required = false) String maxParallel,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        JobId jobId = JobId.fromPath(id);
        Job job = jobs.getVisible(jobId);
        try {
            Range range = range(job, fromDate, toDate, maxParallel);
            Backfills.View started = backfills.start(jobId, range.from(), range.to(), false, range.maxParallel());
            redirect.addFlashAttribute(
                    "flash",
                    "Backfill started: " + started.progress().toRun() + " of "
                            + started.progress().slots() + " slots to run, at most " + started.maxParallel()
                            + " at once.");
            return toJobPage(htmx, jobId.toString());
        } catch (InvalidInputException invalid) {
            Refusals.status(response, invalid);
            model.addAttribute("problems", notStarted(messages(invalid)));
        } catch (TooManyRequestsException limited) {
            Refusals.status(response, limited);
            model.addAttribute("problems", notStarted(List.of(limited.getMessage())));
        }
        keepInput(model, fromDate, toDate, maxParallel);
        return inPlace(job, htmx, model);
    }

    /**
     * The job page, where the flash says what happened. For htmx without the {@code #time} anchor: the browser is on
     * the job page already, and a location that differs from it only by its anchor scrolls instead of loading, so the
     * flash would never show.
     */
    private static String toJobPage(HtmxRequest htmx, String job) {
        return htmx.isHtmxRequest() ? "redirect:htmx:/jobs/" + job : "redirect:/jobs/" + job + "#time";
    }

    /**
     * Cancels a backfill from the card; one that already ended is a 409 answered on the card (in its place for htmx,
     * on the card's page otherwise), not an error page.
     */
    @PostMapping("/backfills/{id}/cancel")
    String cancel(
            @PathVariable String id,
            HtmxRequest htmx,
            HttpServletResponse response,
            Model model,
            RedirectAttributes redirect) {
        java.util.UUID backfill;
        try {
            backfill = java.util.UUID.fromString(id);
        } catch (IllegalArgumentException bad) {
            throw new dev.almanac.common.NotFoundException("no backfill with id " + id);
        }
        try {
            Backfills.View cancelled = backfills.cancel(backfill);
            redirect.addFlashAttribute(
                    "flash", "Backfill cancelled: " + cancelled.progress().cancelled() + " slots will not run.");
            return toJobPage(htmx, cancelled.jobId());
        } catch (ConflictException ended) {
            Refusals.status(response, ended);
            Job job = jobs.getVisible(JobId.fromPath(backfills.get(backfill).jobId()));
            cardModel(job, model);
            model.addAttribute("cancelProblem", "Not cancelled: " + ended.getMessage());
            return htmx.isHtmxRequest() ? "jobs/time :: card" : "jobs/time-page";
        }
    }

    private static void keepInput(Model model, String fromDate, String toDate, String maxParallel) {
        model.addAttribute("fromDate", fromDate);
        model.addAttribute("toDate", toDate);
        model.addAttribute("maxParallel", maxParallel);
    }

    private static List<String> notStarted(List<String> problems) {
        return problems.stream().map(p -> "Backfill not started: " + p).toList();
    }

    /** The preview's region for htmx; the card's page with it filled in otherwise. */
    private String inPlace(Job job, HtmxRequest htmx, Model model) {
        model.addAttribute("zone", job.definition().schedule().zone());
        if (htmx.isHtmxRequest()) {
            model.addAttribute("job", job);
            return "jobs/time :: backfill-preview";
        }
        cardModel(job, model);
        model.addAttribute("previewShown", true);
        return "jobs/time-page";
    }

    private Optional<Job> visible(JobId id) {
        try {
            return Optional.of(jobs.getVisible(id));
        } catch (dev.almanac.common.NotFoundException missingOrHidden) {
            return Optional.empty();
        }
    }

    /** The schedule step's hints, for the wizard's current fields. */
    @PostMapping("/jobs/wizard/schedule-hints")
    String hints(@RequestParam MultiValueMap<String, String> submitted, Model model) {
        JobForm form = JobForm.of(submitted);
        List<FieldError> errors = new ArrayList<>();
        ScheduleSpec spec = form.scheduleSpec(errors);
        Instant now = clock.instant();
        Optional<Job> editing = Optional.ofNullable(form.get("job_id"))
                .filter(s -> !s.isBlank())
                .flatMap(JobId::parse)
                // the form names the job: one of a namespace the reader may not see shows nothing of its history
                .flatMap(this::visible);
        editing.ifPresent(job -> model.addAttribute("durations", durations(job.id(), now)));
        Optional.ofNullable(form.get("template_type"))
                .flatMap(templates::find)
                .ifPresent(t -> model.addAttribute("estimated", t.descriptor().estimatedDuration()));
        if (errors.isEmpty()) {
            try {
                Schedule schedule = Schedules.parse(spec, form.get("name"));
                CalendarRefs refs = form.calendars();
                model.addAttribute(
                        "strip",
                        editing.isPresent()
                                        && editing.get().definition().schedule().equals(schedule)
                                ? strips.of(editing.get(), now)
                                : strips.of(schedule, readableNamespaceOf(form), refs, form.get("template_type"), now));
                schedule.nextAfter(now)
                        .ifPresent(next -> model.addAttribute(
                                "load",
                                load(next, schedule.zone(), editing.map(Job::id).orElse(null))));
            } catch (InvalidInputException invalid) {
                // the preview beside it names the problem
            }
        }
        return "jobs/time :: hints";
    }

    private Durations durations(JobId job, Instant now) {
        List<Long> took = new ArrayList<>(history.recentDurations(job, now.minus(DURATION_WINDOW), DURATION_SAMPLES));
        Collections.sort(took);
        return new Durations(took.size(), percentile(took, 0.50), percentile(took, 0.95));
    }

    private Load load(Instant next, ZoneId zone, JobId except) {
        Instant minute = next.truncatedTo(ChronoUnit.MINUTES);
        Map<Instant, Long> starts = load.startsPerMinute(
                minute.minus(Duration.ofMinutes(NEARBY_MINUTES)),
                minute.plus(Duration.ofMinutes(NEARBY_MINUTES + 1)),
                except);
        long here = starts.getOrDefault(minute, 0L);
        Instant quieter = null;
        long fewest = here;
        int offset = 0;
        for (int distance = 1; distance <= NEARBY_MINUTES && here > 0; distance++) {
            for (int sign : new int[] {-1, 1}) {
                Instant candidate = minute.plus(Duration.ofMinutes((long) sign * distance));
                long n = starts.getOrDefault(candidate, 0L);
                if (n < fewest) {
                    fewest = n;
                    quieter = candidate;
                    offset = sign * distance;
                }
            }
        }
        return new Load(
                minute.atZone(zone).format(HOUR_MINUTE),
                here,
                quieter == null ? null : quieter.atZone(zone).format(HOUR_MINUTE),
                quieter == null ? null : fewest,
                offset);
    }

    /** The backfill form's local dates, as instants in the job's zone: from the first day's start to the last's end. */
    private Range range(Job job, String fromDate, String toDate, String maxParallel) {
        ZoneId zone = job.definition().schedule().zone();
        List<FieldError> errors = new ArrayList<>();
        LocalDate from = date("from", fromDate, errors);
        LocalDate to = date("to", toDate, errors);
        Integer parallel = null;
        if (maxParallel != null && !maxParallel.isBlank()) {
            try {
                parallel = Integer.parseInt(maxParallel.strip());
            } catch (NumberFormatException bad) {
                errors.add(new FieldError("max_parallel", "must be a whole number"));
            }
        }
        if (parallel != null && (parallel < 1 || parallel > Backfills.MAX_PARALLEL)) {
            // said with the dates' problems, as the API says them together
            errors.add(new FieldError("max_parallel", "must be between 1 and " + Backfills.MAX_PARALLEL));
        }
        Instant now = clock.instant();
        LocalDate today = now.atZone(zone).toLocalDate();
        // as the API: a day ahead is refused on its own field; today counts up to now, its later slots are ahead
        if (from != null && from.isAfter(today)) {
            errors.add(new FieldError("from", "must not be in the future (today is " + today + " in " + zone + ")"));
        }
        if (to != null && to.isAfter(today)) {
            errors.add(new FieldError(
                    "to",
                    "must not be in the future (today is " + today + " in " + zone
                            + "); the schedule runs those slots"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Instant end = to.plusDays(1).atStartOfDay(zone).toInstant().minusSeconds(1);
        return new Range(from.atStartOfDay(zone).toInstant(), end.isAfter(now) ? now : end, parallel);
    }

    private record Range(Instant from, Instant to, Integer maxParallel) {}

    private static LocalDate date(String field, String text, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        try {
            return IsoTimes.date(text.strip());
        } catch (DateTimeParseException bad) {
            errors.add(new FieldError(field, "must be a date"));
            return null;
        }
    }

    private static List<String> messages(InvalidInputException invalid) {
        return invalid.errors().stream()
                .map(e -> label(e.field()) + ": " + e.message())
                .collect(Collectors.toList());
    }

    private static String label(String field) {
        return switch (field) {
            case "from" -> "From";
            case "to" -> "To";
            case "max_parallel" -> "At once";
            default -> field;
        };
    }

    private static Long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    /**
     * The namespace whose calendars the strip resolves names in: the one the form names (else the default one) when
     * the reader may read it, else none, global calendars only: the strip tells nothing of a namespace the reader may
     * not see (the preview beside it refuses the namespace).
     */
    private String readableNamespaceOf(JobForm form) {
        String namespace = form.get("namespace");
        namespace = namespace == null || namespace.isBlank() ? JobDefinition.DEFAULT_NAMESPACE : namespace.strip();
        return calendars.readable(namespace) ? namespace : null;
    }
}
