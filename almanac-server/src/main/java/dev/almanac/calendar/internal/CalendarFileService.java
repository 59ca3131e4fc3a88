package dev.almanac.calendar.internal;

import dev.almanac.calendar.CalendarFiles;
import dev.almanac.calendar.CalendarSpec;
import dev.almanac.calendar.Calendars;
import dev.almanac.common.InvalidInputException;
import dev.almanac.security.NamespaceAccess;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** The calendars of a jobs file, put by namespace and name in the import's own transaction. */
@Service
class CalendarFileService implements CalendarFiles {

    private final CalendarStore store;
    private final CalendarService service;
    private final Calendars calendars;
    private final NamespaceAccess access;
    private final Clock clock;

    CalendarFileService(
            CalendarStore store, CalendarService service, Calendars calendars, NamespaceAccess access, Clock clock) {
        this.store = store;
        this.service = service;
        this.calendars = calendars;
        this.access = access;
        this.clock = clock;
    }

    @Override
    public Optional<CalendarSpec> meant(String namespace, String name) {
        return stored(namespace, name).or(() -> stored(null, name));
    }

    @Override
    public Optional<CalendarSpec> stored(String namespace, String name) {
        return store.calendar(namespace, name);
    }

    @Override
    public Optional<String> whyMayNotPut(String namespace, boolean creating) {
        if (service.mayManage(namespace)) {
            return Optional.empty();
        }
        return Optional.of(
                namespace == null
                        ? "only an admin may " + (creating ? "create" : "change") + " a global calendar"
                        : "your role in namespace '" + namespace + "' may not " + (creating ? "create" : "change")
                                + " its calendars; its owners may");
    }

    @Override
    public void requireMayPut(String namespace, String name, boolean creating) {
        service.requireMayPut(namespace, name, creating);
    }

    @Override
    public Put compare(CalendarSpec definition, String actor) {
        String namespace = definition.namespace();
        if (namespace != null && !access.exists(namespace)) {
            throw new InvalidInputException("namespace", "no namespace named '" + namespace + "'");
        }
        CalendarSpec calendar = service.validated(definition, namespace, definition.name(), actor, now());
        Optional<CalendarSpec> before = store.calendar(namespace, calendar.name());
        if (before.isPresent() && sameRules(before.get(), calendar)) {
            return new Put("unchanged", before, before.get());
        }
        return new Put(before.isPresent() ? "update" : "create", before, calendar);
    }

    @Override
    public void store(Put put) {
        CalendarSpec calendar = put.after();
        switch (put.action()) {
            case "unchanged" -> {
                return;
            }
            case "update" -> store.update(calendar, now());
            default -> {
                service.refuseShadowing(calendar);
                try {
                    if (!store.insert(calendar, now())) {
                        throw CalendarService.taken(calendar.namespace(), calendar.name());
                    }
                } catch (DuplicateKeyException race) {
                    throw CalendarService.taken(calendar.namespace(), calendar.name());
                }
            }
        }
        forgetAfterCommit();
    }

    private java.time.Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** Whether two calendars block the same time: everything but who made them and when. */
    private static boolean sameRules(CalendarSpec a, CalendarSpec b) {
        return Objects.equals(a.timezone(), b.timezone())
                && Objects.equals(a.description(), b.description())
                && a.dates().equals(b.dates())
                && a.ranges().equals(b.ranges())
                && a.weekly().equals(b.weekly())
                && Objects.equals(a.ics(), b.ics());
    }

    /** The engine's compiled calendars are read again once the change is committed, not before. */
    private void forgetAfterCommit() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            calendars.forget();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                calendars.forget();
            }
        });
    }
}
