package dev.almanac.calendar;

import java.util.Optional;

/**
 * Calendars in a jobs file: an export writes the calendars its jobs list next to them, and an import (or the jobs
 * file at start) puts them before the jobs, so a file moved to another install applies there as it is.
 */
public interface CalendarFiles {

    /** What putting a calendar did: {@code create}, {@code update} or {@code unchanged}, and the calendar before. */
    record Put(String action, Optional<CalendarSpec> before, CalendarSpec after) {}

    /**
     * The stored calendar a job of {@code namespace} means by {@code name}: the namespace's own, else the global one.
     */
    Optional<CalendarSpec> meant(String namespace, String name);

    /** The stored calendar {@code name} of {@code namespace} (null: the global one). */
    Optional<CalendarSpec> stored(String namespace, String name);

    /**
     * Why the current user may not create ({@code creating}) or change the calendars of {@code namespace} (null: the
     * global ones), as a plan shows it; empty when they may.
     */
    Optional<String> whyMayNotPut(String namespace, boolean creating);

    /**
     * The calendar API's refusal when the current user may not create or change calendar {@code name} of {@code
     * namespace}: a 403, recorded as {@code access.denied}.
     *
     * @throws dev.almanac.common.ForbiddenException when they may not
     */
    void requireMayPut(String namespace, String name, boolean creating);

    /**
     * What storing {@code definition} as the whole calendar of its namespace and name would do, as the calendar API's
     * {@code PUT} takes it; writes nothing, so the caller asks who may before {@link #store}.
     *
     * @throws dev.almanac.common.InvalidInputException naming the field: an invalid calendar, an unknown namespace
     */
    Put compare(CalendarSpec definition, String actor);

    /**
     * Writes what {@link #compare} found, in the caller's transaction; an unchanged calendar writes nothing. Asks no
     * permission: the caller decides who may.
     *
     * @throws dev.almanac.common.ConflictException when a new calendar's name would shadow a global calendar or a
     *     namespace's one
     */
    void store(Put put);
}
