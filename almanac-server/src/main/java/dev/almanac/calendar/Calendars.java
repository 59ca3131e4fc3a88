package dev.almanac.calendar;

import dev.almanac.calendar.internal.CalendarRules;
import dev.almanac.calendar.internal.CalendarStore;
import dev.almanac.common.InvalidInputException;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.NamespacePauses;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
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
    public static final int HORIZON_YEARS = 5;
    /** How long a calendar's compiled rules serve before they are compiled again for a horizon that moved on. */
    static final Duration RECOMPILE_AFTER = Duration.ofDays(1);

    /** A calendar's key: its namespace ({@code ""} for a global one) and its name. */
    private record Key(String namespace, String name) {

        static Key of(String namespace, String name) {
            return new Key(namespace == null ? "" : namespace, name);
        }
    }

    private record Snapshot(Map<Key, CalendarRules> calendars, List<Freeze> freezes, long loadedAt) {

        /** The calendar a job of {@code namespace} means by {@code name}: its namespace's, else the global one. */
        CalendarRules resolve(String namespace, String name) {
            CalendarRules own = namespace == null ? null : calendars.get(Key.of(namespace, name));
            return own != null ? own : calendars.get(Key.of(null, name));
        }
    }

    private final CalendarStore store;
    private final NamespaceAccess access;
    private final NamespacePauses namespacePauses;
    private final Clock clock;
    private volatile Snapshot snapshot;

    /** A stored calendar as last compiled (null rules: it did not compile), kept across refreshes while unchanged. */
    private record Compiled(CalendarSpec spec, CalendarRules rules, Instant at) {}

    private volatile Map<Key, Compiled> compiled = Map.of();

    Calendars(CalendarStore store, NamespaceAccess access, NamespacePauses namespacePauses, Clock clock) {
        this.store = store;
        this.access = access;
        this.namespacePauses = namespacePauses;
        this.clock = clock;
    }

    /**
     * Whether the current reader may see the calendars of {@code namespace}: what a preview asks before it resolves
     * names in a namespace, so it tells nothing of one the reader may not see.
     */
    public boolean readable(String namespace) {
        return namespace != null && access.exists(namespace) && access.may(namespace, NamespaceAccess.Action.READ);
    }

    /**
     * What a preview marks on a scheduled slot at {@code at} of a job of {@code namespace}, apart from the job's own
     * pause: its namespace's pause first, then {@link #blockOf}. (A backfill asks {@link #blockOf} alone: it runs
     * slots a pause skipped, not those a calendar or a freeze keeps free.)
     */
    public Optional<TimeBlock> scheduledBlockOf(String namespace, CalendarRefs refs, boolean destructive, Instant at) {
        return namespacePauses
                .at(namespace, at)
                .map(TimeBlock::paused)
                .or(() -> blockOf(namespace, refs, destructive, at));
    }

    /**
     * What blocks a slot at {@code at} of a job of {@code namespace} with these calendars, if anything: a freeze first
     * (of all jobs, or of destructive templates' jobs), then a blackout calendar, then being outside every {@code
     * only} calendar. A name means the namespace's own calendar of that name, else the global one.
     */
    public Optional<TimeBlock> blockOf(String namespace, CalendarRefs refs, boolean destructive, Instant at) {
        Snapshot now = current();
        for (Freeze freeze : now.freezes()) {
            if (freeze.covers(at) && freeze.applies(destructive)) {
                return Optional.of(TimeBlock.freeze(freeze.id(), freeze.reason()));
            }
        }
        if (refs == null || refs.isEmpty()) {
            return Optional.empty();
        }
        for (String name : refs.blackout()) {
            CalendarRules rules = now.resolve(namespace, name);
            if (rules != null && rules.contains(at)) {
                return Optional.of(TimeBlock.calendar(name));
            }
        }
        if (!refs.only().isEmpty()) {
            for (String name : refs.only()) {
                CalendarRules rules = now.resolve(namespace, name);
                if (rules == null || rules.contains(at)) {
                    return Optional.empty();
                }
            }
            return Optional.of(TimeBlock.outside(refs.only()));
        }
        return Optional.empty();
    }

    /**
     * The freeze going on at {@code now}, for the banner every page shows: one that holds every job before one that
     * holds only some templates, then the earliest to end.
     */
    public Optional<Freeze> activeFreeze(Instant now) {
        return current().freezes().stream()
                .filter(f -> f.covers(now))
                .min(Comparator.comparing((Freeze f) -> !Freeze.ALL.equals(f.scope()))
                        .thenComparing(Freeze::to));
    }

    /** The freeze going on now, if any: {@code ${@calendars.activeFreeze()}} in the layout. */
    public Freeze activeFreeze() {
        return activeFreeze(clock.instant()).orElse(null);
    }

    /**
     * The names among {@code names} that a job of {@code namespace} cannot list: neither a global calendar nor one of
     * that namespace has them. Read from the database, not the cache.
     */
    @Transactional(readOnly = true)
    public Set<String> unknown(String namespace, Collection<String> names) {
        Set<String> unknown = new LinkedHashSet<>(names);
        if (!unknown.isEmpty()) {
            unknown.removeAll(store.namesUsableIn(namespace));
        }
        return unknown;
    }

    /** The names among {@code names} of calendars of {@code namespace} itself, not global ones. From the database. */
    @Transactional(readOnly = true)
    public Set<String> ownedBy(String namespace, Collection<String> names) {
        Set<String> owned = new LinkedHashSet<>(names);
        if (!owned.isEmpty()) {
            owned.retainAll(store.namesOwnedBy(namespace));
        }
        return owned;
    }

    /** The names of the calendars a job of {@code namespace} may list: the global ones and the namespace's own. */
    @Transactional(readOnly = true)
    public List<String> namesUsableIn(String namespace) {
        return store.namesUsableIn(namespace);
    }

    private static Compiled compile(CalendarSpec spec, Instant now, Compiled before) {
        try {
            return new Compiled(spec, CalendarRules.compile(spec, now, HORIZON_YEARS, true), now);
        } catch (InvalidInputException stale) {
            if (before == null || before.rules() != null || !before.spec().equals(spec)) {
                // stored before a rule tightened: it blocks nothing rather than stopping the trigger loop
                log.warn(
                        "calendar '{}' of namespace '{}' no longer compiles: {}",
                        spec.name(),
                        spec.namespace(),
                        stale.errors());
            }
            return new Compiled(spec, null, now);
        }
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

    /**
     * Reads calendars and freezes. A calendar unchanged since it was compiled, less than a day ago, keeps its rules:
     * expanding an iCalendar file is the costly part, and a refresh may run on the trigger loop's thread.
     */
    private Snapshot load() {
        Instant now = clock.instant();
        Map<Key, CalendarRules> calendars = new LinkedHashMap<>();
        Map<Key, Compiled> known = compiled;
        Map<Key, Compiled> compiledNow = new LinkedHashMap<>();
        for (CalendarSpec spec : store.calendars(null)) {
            Key key = Key.of(spec.namespace(), spec.name());
            Compiled before = known.get(key);
            Compiled rules = before != null
                            && before.spec().equals(spec)
                            && Duration.between(before.at(), now).abs().compareTo(RECOMPILE_AFTER) < 0
                    ? before
                    : compile(spec, now, before);
            compiledNow.put(key, rules);
            if (rules.rules() != null) {
                calendars.put(key, rules.rules());
            }
        }
        compiled = Map.copyOf(compiledNow);
        // every freeze, ended ones too: a backfill or a catch-up of slots long past keeps to the freezes of their time
        return new Snapshot(Map.copyOf(calendars), store.freezes(), System.nanoTime());
    }
}
