package dev.almanac.schedule;

import java.time.Instant;
import java.time.ZonedDateTime;

/**
 * One upcoming run in a preview.
 *
 * @param at when it runs
 * @param local the same instant in the schedule's zone
 * @param note how the DST policy moved, merged or repeated this run; null when it did not
 */
public record ScheduledRun(Instant at, ZonedDateTime local, String note) {}
