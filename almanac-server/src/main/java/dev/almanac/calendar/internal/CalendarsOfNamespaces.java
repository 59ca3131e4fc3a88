package dev.almanac.calendar.internal;

import dev.almanac.security.NamespaceCalendars;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Tells the namespaces how many calendars one holds, so a namespace is not deleted while it has any. */
@Component
class CalendarsOfNamespaces implements NamespaceCalendars {

    private final CalendarStore store;

    CalendarsOfNamespaces(CalendarStore store) {
        this.store = store;
    }

    @Override
    @Transactional(readOnly = true)
    public long calendarsIn(String namespace) {
        return namespace == null || namespace.isEmpty() ? 0 : store.countIn(namespace);
    }
}
