package dev.almanac.calendar;

import dev.almanac.calendar.internal.CalendarRules;
import dev.almanac.calendar.internal.CalendarStore;
import dev.almanac.common.InvalidInputException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Whether a slot may run, as calendars and freezes say: what the trigger pass and the schedule preview ask. Calendars
 * and freezes are few and change rarely, so they are held compiled in memory and read again after a change made here
 * or, for a change made on another node, after {@link #REFRESH_NANOS}.
 */
@Service
public class Calendars {

    private static final Logger log = LoggerFactory.getLogger(Calendars.class);

    static final long REFRESH_NANOS = 10_000_000_000L;
    /** How far ahead iCalendar recurrences are expanded; the calendars are compiled again at every refresh. */
    static final int HORIZON_YEARS = 5;

    private record Snapshot(Map<String, CalendarRules> calendars, List<Freeze> freezes, long loadedAt) {}

    private final CalendarStore store;
    private final Clock clock;
    private volatile Snapshot snapshot;

    Calendars(CalendarStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * What blocks a slot at {@code at} of a job with these calendars, if anything: a freeze first (of all jobs, or of
     * destructive templates' jobs), then a blackout calendar, then being outside every {@code only} calendar.
     */
    public Optional<TimeBlock> blockOf(CalendarRefs refs, boolean destructive, Instant at) {
        Snapshot now = current();
        for (Freeze freeze : now.freezes()) {
            if (freeze.covers(at) && freeze.applies(destructive)) {
                return Optional.of(TimeBlock.freeze(freeze.reason()));
            }
        }
        if (refs == null || refs.isEmpty()) {
            return Optional.empty();
        }
        for (String name : refs.blackout()) {
            CalendarRules rules = now.calendars().get(name);
            if (rules != null && rules.contains(at)) {
                return Optional.of(TimeBlock.calendar(name));
            }
        }
        if (!refs.only().isEmpty()) {
            for (String name : refs.only()) {
                CalendarRules rules = now.calendars().get(name);
                if (rules == null || rules.contains(at)) {
                    return Optional.empty();
                }
            }
            return Optional.of(TimeBlock.calendar(String.join(", ", refs.only())));
        }
        return Optional.empty();
    }

    /** The freeze going on at {@code now} (the earliest to end), for the banner every page shows. */
    public Optional<Freeze> activeFreeze(Instant now) {
        return current().freezes().stream().filter(f -> f.covers(now)).findFirst();
    }

    /** The freeze going on now, if any: {@code ${@calendars.activeFreeze()}} in the layout. */
    public Freeze activeFreeze() {
        return activeFreeze(clock.instant()).orElse(null);
    }

    /** The names among {@code names} that no calendar has; read from the database, not the cache. */
    @Transactional(readOnly = true)
    public Set<String> unknown(Collection<String> names) {
        Set<String> unknown = new LinkedHashSet<>(names);
        if (!unknown.isEmpty()) {
            unknown.removeAll(store.names());
        }
        return unknown;
    }

    @Transactional(readOnly = true)
    public List<String> names() {
        return store.names();
    }

    /** Reads calendars and freezes again at the next question: after a change, or when a test reset the tables. */
    public void forget() {
        snapshot = null;
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        if (s == null || System.nanoTime() - s.loadedAt() > REFRESH_NANOS) {
            s = load();
            snapshot = s;
        }
        return s;
    }

    private Snapshot load() {
        Instant now = clock.instant();
        Map<String, CalendarRules> calendars = new LinkedHashMap<>();
        for (CalendarSpec spec : store.calendars()) {
            try {
                calendars.put(spec.name(), CalendarRules.compile(spec, now, HORIZON_YEARS));
            } catch (InvalidInputException stale) {
                // stored before a rule tightened: it blocks nothing rather than stopping the trigger loop
                log.warn("calendar '{}' no longer compiles: {}", spec.name(), stale.errors());
            }
        }
        List<Freeze> freezes = store.freezes().stream()
                .filter(f -> f.to().isAfter(now.minus(Duration.ofDays(7))))
                .toList();
        return new Snapshot(Map.copyOf(calendars), freezes, System.nanoTime());
    }
}
