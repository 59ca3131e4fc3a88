package dev.almanac.engine.internal;

import dev.almanac.calendar.CalendarRefs;
import dev.almanac.calendar.Calendars;
import dev.almanac.calendar.TimeBlock;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.JobRunHistory;
import dev.almanac.job.Job;
import dev.almanac.job.JobPause;
import dev.almanac.schedule.Schedule;
import dev.almanac.template.TemplateRegistry;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The 12-week strip of a job's runs, one cell a local day, one column a week (Monday first): the past weeks show how
 * the day's runs ended, the coming weeks its planned slots, those a calendar, a freeze or its pause blocks marked.
 * Bounded: past days are one grouped read, and at most {@link #MAX_SLOTS_PER_DAY} slots of a coming day are looked at.
 */
@Component
class RunStrips {

    static final int WEEKS = 12;
    /** Weeks before the current one; the rest are the current week and those after it. */
    static final int PAST_WEEKS = 8;

    static final int MAX_SLOTS_PER_DAY = 200;

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE d MMM yyyy", Locale.ENGLISH);

    /** One day: its class (ok, failed, skipped, planned, blocked, partly-blocked, none) and what its tooltip says. */
    record Cell(LocalDate date, String state, String title, boolean today) {}

    /** Seven cells, Monday to Sunday. */
    record Week(LocalDate monday, List<Cell> days) {}

    record Strip(List<Week> weeks, String zone) {}

    private final JobRunHistory history;
    private final Calendars calendars;
    private final TemplateRegistry templates;

    RunStrips(JobRunHistory history, Calendars calendars, TemplateRegistry templates) {
        this.history = history;
        this.calendars = calendars;
        this.templates = templates;
    }

    /** The strip of a saved job: its history and its coming slots. */
    Strip of(Job job, Instant now) {
        Schedule schedule = job.definition().schedule();
        ZoneId zone = schedule.zone();
        LocalDate first = firstDay(now, zone);
        Map<LocalDate, Map<ExecutionStatus, Long>> past = new HashMap<>();
        for (JobRunHistory.QuarterHourCount count :
                history.quarterHourCounts(job.id(), first.atStartOfDay(zone).toInstant())) {
            past.computeIfAbsent(count.start().atZone(zone).toLocalDate(), d -> new EnumMap<>(ExecutionStatus.class))
                    .merge(count.status(), count.count(), Long::sum);
        }
        JobPause pause = job.pause();
        return strip(
                job.name(),
                schedule,
                job.definition().namespace(),
                job.definition().calendars(),
                destructive(job.definition().templateType()),
                pause,
                past,
                first,
                now,
                job.definition().enabled());
    }

    /** The strip of a schedule of a job of {@code namespace} not saved yet: only its coming slots. */
    Strip of(Schedule schedule, String namespace, CalendarRefs refs, String templateType, Instant now) {
        return strip(
                null,
                schedule,
                namespace,
                refs,
                destructive(templateType),
                null,
                Map.of(),
                firstDay(now, schedule.zone()),
                now,
                true);
    }

    private Strip strip(
            String name,
            Schedule schedule,
            String namespace,
            CalendarRefs refs,
            boolean destructive,
            JobPause pause,
            Map<LocalDate, Map<ExecutionStatus, Long>> past,
            LocalDate first,
            Instant now,
            boolean planned) {
        ZoneId zone = schedule.zone();
        LocalDate today = now.atZone(zone).toLocalDate();
        CalendarRefs calendarRefs = refs == null ? CalendarRefs.NONE : refs;
        List<Week> weeks = new ArrayList<>(WEEKS);
        for (int w = 0; w < WEEKS; w++) {
            LocalDate monday = first.plusWeeks(w);
            List<Cell> days = new ArrayList<>(7);
            for (int d = 0; d < 7; d++) {
                LocalDate date = monday.plusDays(d);
                Map<ExecutionStatus, Long> ran = past.getOrDefault(date, Map.of());
                Coming coming = date.isBefore(today) || !planned
                        ? Coming.NONE
                        : coming(name, schedule, namespace, calendarRefs, destructive, pause, date, now);
                days.add(cell(date, ran, coming, date.equals(today)));
            }
            weeks.add(new Week(monday, days));
        }
        return new Strip(weeks, zone.getId());
    }

    /** The slots of a coming day (those after now on today), and how many of them something blocks. */
    private record Coming(int slots, int blocked, boolean more, String blockedBy) {
        static final Coming NONE = new Coming(0, 0, false, null);
    }

    private Coming coming(
            String name,
            Schedule schedule,
            String namespace,
            CalendarRefs refs,
            boolean destructive,
            JobPause pause,
            LocalDate date,
            Instant now) {
        ZoneId zone = schedule.zone();
        Instant start = date.atStartOfDay(zone).toInstant();
        Instant end = date.plusDays(1).atStartOfDay(zone).toInstant();
        Instant after = start.isAfter(now) ? start.minusNanos(1) : now;
        int slots = 0;
        int blocked = 0;
        String blockedBy = null;
        Instant slot = schedule.nextAfter(after).orElse(null);
        while (slot != null && slot.isBefore(end)) {
            if (slots == MAX_SLOTS_PER_DAY) {
                return new Coming(slots, blocked, true, blockedBy);
            }
            slots++;
            TimeBlock block = pause != null && pause.holdsAt(slot)
                    ? TimeBlock.paused(name, pause.reason())
                    : calendars
                            .scheduledBlockOf(namespace, refs, destructive, slot)
                            .orElse(null);
            if (block != null) {
                blocked++;
                blockedBy = block.message();
            }
            slot = schedule.nextAfter(slot).orElse(null);
        }
        return new Coming(slots, blocked, false, blockedBy);
    }

    private static Cell cell(LocalDate date, Map<ExecutionStatus, Long> ran, Coming coming, boolean today) {
        long failed = ran.getOrDefault(ExecutionStatus.FAILED, 0L) + ran.getOrDefault(ExecutionStatus.TIMED_OUT, 0L);
        long succeeded = ran.getOrDefault(ExecutionStatus.SUCCEEDED, 0L);
        long other = ran.values().stream().mapToLong(Long::longValue).sum() - failed - succeeded;
        String state;
        if (failed > 0) {
            state = "failed";
        } else if (succeeded > 0) {
            state = "ok";
        } else if (other > 0) {
            state = "skipped";
        } else if (coming.slots() == 0) {
            state = "none";
        } else if (coming.blocked() == coming.slots()) {
            state = "blocked";
        } else {
            state = coming.blocked() > 0 ? "partly-blocked" : "planned";
        }
        List<String> parts = new ArrayList<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        ran.forEach((status, n) -> counts.put(status.json().replace('_', ' '), n));
        counts.forEach((status, n) -> parts.add(n + " " + status));
        if (coming.slots() > 0) {
            parts.add(coming.slots() + (coming.more() ? "+" : "") + " planned");
        }
        if (coming.blocked() > 0) {
            parts.add(coming.blocked() + " " + coming.blockedBy());
        }
        String title = date.format(DAY) + ": " + (parts.isEmpty() ? "no runs" : String.join(", ", parts));
        return new Cell(date, state, title, today);
    }

    private static LocalDate firstDay(Instant now, ZoneId zone) {
        return now.atZone(zone)
                .toLocalDate()
                .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY))
                .minusWeeks(PAST_WEEKS);
    }

    private boolean destructive(String templateType) {
        return templateType != null
                && templates
                        .find(templateType)
                        .map(t -> t.descriptor().destructive())
                        .orElse(false);
    }
}
