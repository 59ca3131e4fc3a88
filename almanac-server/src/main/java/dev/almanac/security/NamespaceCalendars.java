package dev.almanac.security;

/** How many calendars a namespace holds, answered by the calendars: a namespace is not deleted from under them. */
public interface NamespaceCalendars {

    /** The calendars of {@code namespace}. */
    long calendarsIn(String namespace);
}
