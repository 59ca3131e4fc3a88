/**
 * Time under control (issue #21): named calendars (dates, ranges, weekly windows, imported iCalendar files) that jobs
 * list as blackout or only windows, and global freeze windows; the engine asks {@link dev.almanac.calendar.Calendars}
 * whether a slot is blocked.
 */
@ApplicationModule(allowedDependencies = {"audit", "common", "security", "web"})
package dev.almanac.calendar;

import org.springframework.modulith.ApplicationModule;
