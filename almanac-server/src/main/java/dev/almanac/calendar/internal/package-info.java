/** Calendar and freeze storage, rules, the iCalendar import and their HTTP API. */
package dev.almanac.calendar.internal;
