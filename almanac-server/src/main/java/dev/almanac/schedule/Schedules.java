package dev.almanac.schedule;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.IsoTimes;
import dev.almanac.common.TimeZones;
import dev.almanac.schedule.internal.CronPattern;
import dev.almanac.schedule.internal.HashedCron;
import dev.almanac.schedule.internal.InvalidCronException;
import dev.almanac.schedule.internal.ZonedCron;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Turns a {@link ScheduleSpec} into a {@link Schedule}, reporting every broken rule at once. */
public final class Schedules {

    static final String TYPE = "type";
    static final String EXPRESSION = "expression";
    static final String INTERVAL_SECONDS = "interval_seconds";
    static final String RUN_AT = "run_at";
    static final String TIMEZONE = "timezone";

    private static final int MAX_ECHO = 60;

    private Schedules() {}

    /** The time zones a schedule may name: the JDK's IANA zone ids. */
    public static Set<String> zoneIds() {
        return TimeZones.ids();
    }

    /**
     * Parses and validates {@code spec}. Field names in errors are relative to the schedule object:
     * {@code type}, {@code expression}, {@code interval_seconds}, {@code run_at}, {@code timezone}.
     *
     * <p>A time zone follows {@link TimeZones}: an IANA region id ({@code Europe/Berlin}), {@code UTC} or {@code Z};
     * absent means UTC; raw offsets such as {@code +02:00} are rejected.
     *
     * @throws InvalidInputException listing every problem
     */
    public static Schedule parse(ScheduleSpec spec) {
        return parse(spec, null);
    }

    /**
     * Like {@link #parse(ScheduleSpec)}, for a job named {@code jobName}: a cron expression may use Jenkins' {@code H}
     * in its minute and hour fields, a value picked by a stable hash of the name ({@link HashedCron}).
     */
    public static Schedule parse(ScheduleSpec spec, String jobName) {
        List<FieldError> errors = new ArrayList<>();
        Optional<ZoneId> zone = zone(spec.timezone(), errors);
        Schedule schedule = null;
        if (isBlank(spec.type())) {
            errors.add(new FieldError(TYPE, "is required"));
        } else {
            Optional<ScheduleType> type = ScheduleType.fromJson(spec.type());
            if (type.isEmpty()) {
                errors.add(new FieldError(TYPE, "must be one of cron, interval, once; got " + quote(spec.type())));
            } else {
                rejectFieldsNotUsedBy(type.get(), spec, errors);
                schedule = switch (type.get()) {
                    case CRON -> cron(spec.expression(), jobName, zone, errors);
                    case INTERVAL -> interval(spec.intervalSeconds(), zone, errors);
                    case ONCE -> once(spec.runAt(), zone, errors);
                };
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return schedule;
    }

    private static Optional<ZoneId> zone(String id, List<FieldError> errors) {
        return TimeZones.parse(id, TIMEZONE, errors);
    }

    private static void rejectFieldsNotUsedBy(ScheduleType type, ScheduleSpec spec, List<FieldError> errors) {
        String notUsed = "not used by " + (type == ScheduleType.INTERVAL ? "an " : "a ") + type.json() + " schedule";
        if (type != ScheduleType.CRON && !isBlank(spec.expression())) {
            errors.add(new FieldError(EXPRESSION, notUsed));
        }
        if (type != ScheduleType.INTERVAL && spec.intervalSeconds() != null) {
            errors.add(new FieldError(INTERVAL_SECONDS, notUsed));
        }
        if (type != ScheduleType.ONCE && !isBlank(spec.runAt())) {
            errors.add(new FieldError(RUN_AT, notUsed));
        }
    }

    private static Schedule cron(String expression, String jobName, Optional<ZoneId> zone, List<FieldError> errors) {
        try {
            if (HashedCron.uses(expression)) {
                if (jobName == null || jobName.isBlank()) {
                    errors.add(new FieldError(
                            EXPRESSION, "H picks a value from the job's name: give the job a name first"));
                    return null;
                }
                if (expression.length() > CronPattern.MAX_LENGTH) {
                    errors.add(new FieldError(EXPRESSION, "must be at most " + CronPattern.MAX_LENGTH + " characters"));
                    return null;
                }
                String written = String.join(" ", expression.strip().split("[ \\t]+"));
                String resolved = HashedCron.resolve(written, jobName.strip());
                try {
                    CronPattern pattern = CronPattern.parse(resolved);
                    return zone.map(z -> new CronSchedule(written, pattern, z)).orElse(null);
                } catch (InvalidCronException e) {
                    e.problems()
                            .forEach(problem -> errors.add(
                                    new FieldError(EXPRESSION, problem + " (H resolved to '" + resolved + "')")));
                    return null;
                }
            }
            CronPattern pattern = CronPattern.parse(expression);
            return zone.map(z -> new CronSchedule(pattern, z)).orElse(null);
        } catch (InvalidCronException e) {
            e.problems().forEach(problem -> errors.add(new FieldError(EXPRESSION, problem)));
            return null;
        }
    }

    private static Schedule interval(Long seconds, Optional<ZoneId> zone, List<FieldError> errors) {
        if (seconds == null) {
            errors.add(new FieldError(INTERVAL_SECONDS, "is required"));
        } else if (seconds < 1) {
            errors.add(new FieldError(INTERVAL_SECONDS, "must be at least 1, got " + seconds));
        } else if (seconds > IntervalSchedule.MAX_SECONDS) {
            errors.add(new FieldError(
                    INTERVAL_SECONDS,
                    "must be at most " + IntervalSchedule.MAX_SECONDS + " (366 days), got " + seconds));
        } else {
            return zone.map(z -> new IntervalSchedule(Duration.ofSeconds(seconds), z))
                    .orElse(null);
        }
        return null;
    }

    private static Schedule once(String runAt, Optional<ZoneId> zone, List<FieldError> errors) {
        if (isBlank(runAt)) {
            errors.add(new FieldError(RUN_AT, "is required"));
            return null;
        }
        String text = runAt.strip();
        try {
            Instant at = IsoTimes.instant(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            return zone.map(z -> new OnceSchedule(at, z)).orElse(null);
        } catch (DateTimeParseException notAbsolute) {
            try {
                LocalDateTime local = IsoTimes.localDateTime(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
                return zone.map(z -> new OnceSchedule(
                                ZonedCron.resolve(local, z.getRules()), z, ZonedCron.resolveNote(local, z)))
                        .orElse(null);
            } catch (DateTimeException notLocal) {
                errors.add(new FieldError(
                        RUN_AT,
                        "must be an ISO-8601 date-time such as 2026-12-01T09:00:00+01:00, or 2026-12-01T09:00:00"
                                + " in the schedule's time zone; got " + quote(runAt)));
                return null;
            }
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static String quote(String value) {
        String shown = value.length() > MAX_ECHO ? value.substring(0, MAX_ECHO) + "…" : value;
        return "'" + shown + "'";
    }
}
