package dev.almanac.schedule;

/**
 * A schedule as the API and the store carry it. Any field may be null; {@link Schedules#parse} says which
 * are missing or do not belong to the type.
 *
 * @param type {@code cron}, {@code interval} or {@code once}
 * @param expression cron expression, for {@code cron}
 * @param intervalSeconds seconds between runs, for {@code interval}
 * @param runAt ISO-8601 date-time, with an offset or local to {@code timezone}, for {@code once}
 * @param timezone IANA zone id; UTC when absent
 */
public record ScheduleSpec(String type, String expression, Long intervalSeconds, String runAt, String timezone) {}
