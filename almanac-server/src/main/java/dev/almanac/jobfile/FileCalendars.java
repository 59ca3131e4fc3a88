package dev.almanac.jobfile;

import dev.almanac.calendar.CalendarFiles;
import dev.almanac.calendar.CalendarSpec;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.job.Job;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The calendars of a jobs file: an export writes those its jobs list, and applying a file puts them before its jobs (in
 * the same transaction), so jobs that list them apply on an install that did not have them. A calendar in a file is
 * the whole calendar, as the calendar API's {@code PUT} takes it; calendars a file does not name are left alone.
 */
@Component
class FileCalendars {

    private final CalendarFiles calendars;
    /** One savepoint per calendar, as per job: a calendar that fails is undone alone and the next ones still plan. */
    private final TransactionTemplate savepoints;

    FileCalendars(CalendarFiles calendars, TransactionTemplate transactions) {
        this.calendars = calendars;
        this.savepoints = new TransactionTemplate(Objects.requireNonNull(transactions.getTransactionManager()));
        this.savepoints.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /**
     * The stored calendars the {@code jobs} list, each once, global ones first, then by namespace and name, as a file
     * writes them: without who made them and when, and without empty lists. The global ones are left out when {@code
     * withGlobal} is false: a token limited to namespaces may not read them ({@code GET /calendars/{name}} is a 403).
     */
    List<Map<String, Object>> listedBy(List<Job> jobs, boolean withGlobal) {
        Map<String, CalendarSpec> listed = new TreeMap<>();
        // a calendar is read once, however many jobs list it
        Map<String, Optional<CalendarSpec>> meant = new HashMap<>();
        for (Job job : jobs) {
            String namespace = job.definition().namespace();
            var refs = job.definition().calendars();
            Stream.concat(refs.blackout().stream(), refs.only().stream())
                    .map(name -> meant.computeIfAbsent(namespace + "/" + name, key -> calendars.meant(namespace, name)))
                    .flatMap(Optional::stream)
                    .filter(calendar -> withGlobal || !calendar.global())
                    .forEach(calendar -> listed.putIfAbsent(
                            (calendar.global() ? "0/" : "1" + calendar.namespace() + "/") + calendar.name(), calendar));
        }
        return listed.values().stream().map(FileCalendars::written).toList();
    }

    private static Map<String, Object> written(CalendarSpec calendar) {
        Map<String, Object> written = new LinkedHashMap<>();
        written.put("name", calendar.name());
        if (!calendar.global()) {
            written.put("namespace", calendar.namespace());
        }
        written.put("timezone", calendar.timezone());
        if (calendar.description() != null) {
            written.put("description", calendar.description());
        }
        if (!calendar.dates().isEmpty()) {
            written.put("dates", calendar.dates());
        }
        if (!calendar.ranges().isEmpty()) {
            written.put("ranges", calendar.ranges());
        }
        if (!calendar.weekly().isEmpty()) {
            written.put("weekly", calendar.weekly());
        }
        if (calendar.ics() != null) {
            written.put("ics", calendar.ics());
        }
        return written;
    }

    /**
     * Puts each calendar of a file in the caller's transaction: {@code create}, {@code update}, {@code unchanged} or
     * {@code invalid} with its errors, in file order. {@code refusal} is asked of every calendar, and of one that would
     * be created or changed whether the user may.
     */
    List<JobsFile.Outcome> put(List<CalendarSpec> definitions, String actor, JobsFile.Refusal refusal) {
        List<JobsFile.Outcome> outcomes = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (CalendarSpec definition : definitions) {
            if (definition == null) {
                outcomes.add(invalid(null, null, new FieldError("", "must be an object: a calendar's definition")));
                continue;
            }
            String name = definition.name() == null || definition.name().isBlank()
                    ? null
                    : definition.name().strip();
            String namespace = definition.namespace();
            if (name == null || !keys.add(namespace + "/" + name)) {
                outcomes.add(invalid(
                        name == null ? definition.name() : name,
                        namespace,
                        new FieldError("name", name == null ? "is required" : "is named twice")));
                continue;
            }
            Optional<FieldError> hidden = refusal.ofCalendar(name, namespace);
            if (hidden.isPresent()) {
                outcomes.add(invalid(name, namespace, hidden.get()));
                continue;
            }
            outcomes.add(savepoints.execute(savepoint -> {
                JobsFile.Outcome outcome = putOne(definition, name, namespace, actor, refusal);
                if (outcome.action().equals("invalid")) {
                    savepoint.setRollbackOnly();
                }
                return outcome;
            }));
        }
        return outcomes;
    }

    /**
     * One calendar: what putting it would do, then, for one the file creates or changes, whether the user may (before
     * anything about other calendars, such as a name another namespace has, is looked at), then the write.
     */
    private JobsFile.Outcome putOne(
            CalendarSpec definition, String name, String namespace, String actor, JobsFile.Refusal refusal) {
        try {
            Optional<CalendarSpec> stored = calendars.stored(namespace, name);
            if (stored.isEmpty() || !Objects.equals(icsOf(stored.get()), icsOf(definition))) {
                // surely a change (a new calendar, another iCalendar text): one the user may not make is refused
                // before its iCalendar text is expanded (which costs the server time and memory; only the stored text
                // is known to be harmless). Only then is the refusal asked: it is the apply's 403, and one the
                // comparison may yet find unchanged is no refusal
                Optional<FieldError> mayNot = refusal.ofCalendarChange(name, namespace, stored.isEmpty());
                if (mayNot.isPresent()) {
                    return invalid(name, namespace, mayNot.get());
                }
            }
            CalendarFiles.Put put = calendars.compare(definition, actor);
            if (!put.action().equals("unchanged")) {
                Optional<FieldError> refused =
                        refusal.ofCalendarChange(name, namespace, put.action().equals("create"));
                if (refused.isPresent()) {
                    return invalid(name, namespace, refused.get());
                }
            }
            calendars.store(put);
            return new JobsFile.Outcome(name, namespace, put.action(), changes(put), List.of());
        } catch (InvalidInputException e) {
            return new JobsFile.Outcome(name, namespace, "invalid", List.of(), e.errors());
        } catch (ConflictException e) {
            return invalid(name, namespace, new FieldError(e.field() == null ? "" : e.field(), e.getMessage()));
        }
    }

    private static String icsOf(CalendarSpec calendar) {
        return calendar.ics() == null || calendar.ics().isBlank() ? null : calendar.ics();
    }

    private static List<JobsFile.Change> changes(CalendarFiles.Put put) {
        if (put.action().equals("unchanged")) {
            return List.of();
        }
        Map<String, Object> before = put.before().map(FileCalendars::written).orElse(Map.of());
        Map<String, Object> after = written(put.after());
        List<JobsFile.Change> changes = new ArrayList<>();
        Stream.concat(after.keySet().stream(), before.keySet().stream())
                .distinct()
                .sorted(Comparator.comparingInt(field -> FIELDS.indexOf(field)))
                .filter(field -> !Objects.equals(before.get(field), after.get(field)))
                .forEach(field -> changes.add(new JobsFile.Change(field, before.get(field), after.get(field))));
        return changes;
    }

    private static final List<String> FIELDS =
            List.of("name", "namespace", "timezone", "description", "dates", "ranges", "weekly", "ics");

    private static JobsFile.Outcome invalid(String name, String namespace, FieldError error) {
        return new JobsFile.Outcome(name, namespace, "invalid", List.of(), List.of(error));
    }
}
