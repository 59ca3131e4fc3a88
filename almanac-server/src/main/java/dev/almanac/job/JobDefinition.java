package dev.almanac.job;

import dev.almanac.calendar.CalendarRefs;
import dev.almanac.schedule.Schedule;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything an administrator decides about a job, validated: what runs, when, under which policies, and in which
 * namespace (the team that owns it and its history).
 */
public record JobDefinition(
        String name,
        String description,
        String templateType,
        Map<String, Object> parameters,
        Schedule schedule,
        boolean enabled,
        int priority,
        int timeoutSeconds,
        RetryPolicy retryPolicy,
        ConcurrencyPolicy concurrencyPolicy,
        MisfirePolicy misfirePolicy,
        int catchUpWindowSeconds,
        List<JobId> dependsOn,
        Notifications notifications,
        List<String> tags,
        List<Trigger> triggers,
        Trigger.Mode triggerMode,
        Duration triggerWindow,
        CalendarRefs calendars,
        String namespace,
        Duration expectedDuration,
        Retention retention) {

    /** How long a fan-in ({@code trigger_mode: all}) waits for the rest of its upstreams when none is given. */
    public static final Duration DEFAULT_TRIGGER_WINDOW = Duration.ofDays(1);

    /** Where a job goes that names no namespace. */
    public static final String DEFAULT_NAMESPACE = "default";

    public JobDefinition {
        parameters = parameters == null ? Map.of() : parameters;
        dependsOn = List.copyOf(dependsOn);
        tags = List.copyOf(tags);
        triggers = triggers == null ? List.of() : List.copyOf(triggers);
        triggerMode = triggerMode == null ? Trigger.Mode.ANY : triggerMode;
        triggerWindow = triggerMode == Trigger.Mode.ALL
                ? (triggerWindow == null ? DEFAULT_TRIGGER_WINDOW : triggerWindow)
                : null;
        calendars = calendars == null ? CalendarRefs.NONE : calendars;
        namespace = namespace == null ? DEFAULT_NAMESPACE : namespace;
        retention = retention == null ? Retention.DEFAULT : retention;
    }

    /** A definition without triggers on outcomes (only {@code depends_on}, if any). */
    public JobDefinition(
            String name,
            String description,
            String templateType,
            Map<String, Object> parameters,
            Schedule schedule,
            boolean enabled,
            int priority,
            int timeoutSeconds,
            RetryPolicy retryPolicy,
            ConcurrencyPolicy concurrencyPolicy,
            MisfirePolicy misfirePolicy,
            int catchUpWindowSeconds,
            List<JobId> dependsOn,
            Notifications notifications,
            List<String> tags) {
        this(
                name,
                description,
                templateType,
                parameters,
                schedule,
                enabled,
                priority,
                timeoutSeconds,
                retryPolicy,
                concurrencyPolicy,
                misfirePolicy,
                catchUpWindowSeconds,
                dependsOn,
                notifications,
                tags,
                List.of(),
                Trigger.Mode.ANY,
                null,
                CalendarRefs.NONE,
                null,
                null,
                null);
    }

    /** A definition in {@code namespace}, without triggers on outcomes or calendars. */
    public JobDefinition(
            String name,
            String description,
            String templateType,
            Map<String, Object> parameters,
            Schedule schedule,
            boolean enabled,
            int priority,
            int timeoutSeconds,
            RetryPolicy retryPolicy,
            ConcurrencyPolicy concurrencyPolicy,
            MisfirePolicy misfirePolicy,
            int catchUpWindowSeconds,
            List<JobId> dependsOn,
            Notifications notifications,
            List<String> tags,
            String namespace) {
        this(
                name,
                description,
                templateType,
                parameters,
                schedule,
                enabled,
                priority,
                timeoutSeconds,
                retryPolicy,
                concurrencyPolicy,
                misfirePolicy,
                catchUpWindowSeconds,
                dependsOn,
                notifications,
                tags,
                List.of(),
                Trigger.Mode.ANY,
                null,
                CalendarRefs.NONE,
                namespace,
                null,
                null);
    }

    /** This definition with other triggers. */
    public JobDefinition withTriggers(List<Trigger> triggers, Trigger.Mode mode, Duration window) {
        return copy(dependsOn, tags, triggers, mode, window, calendars, namespace);
    }

    /** The same definition with its upstream jobs and tags, which are stored apart from the job's row. */
    public JobDefinition withRelations(List<JobId> dependsOn, List<String> tags) {
        return copy(dependsOn, tags, triggers, triggerMode, triggerWindow, calendars, namespace);
    }

    /** This definition with other calendars. */
    public JobDefinition withCalendars(CalendarRefs calendars) {
        return copy(dependsOn, tags, triggers, triggerMode, triggerWindow, calendars, namespace);
    }

    /** This definition in another namespace. */
    public JobDefinition inNamespace(String namespace) {
        return copy(dependsOn, tags, triggers, triggerMode, triggerWindow, calendars, namespace);
    }

    /** This definition with another expected duration (schedule health) and retention of its history. */
    public JobDefinition withUpkeep(Duration expectedDuration, Retention retention) {
        return new JobDefinition(
                name,
                description,
                templateType,
                parameters,
                schedule,
                enabled,
                priority,
                timeoutSeconds,
                retryPolicy,
                concurrencyPolicy,
                misfirePolicy,
                catchUpWindowSeconds,
                dependsOn,
                notifications,
                tags,
                triggers,
                triggerMode,
                triggerWindow,
                calendars,
                namespace,
                expectedDuration,
                retention);
    }

    /** This definition with its relations, time control and namespace replaced; what runs and when stays. */
    private JobDefinition copy(
            List<JobId> dependsOn,
            List<String> tags,
            List<Trigger> triggers,
            Trigger.Mode triggerMode,
            Duration triggerWindow,
            CalendarRefs calendars,
            String namespace) {
        return new JobDefinition(
                name,
                description,
                templateType,
                parameters,
                schedule,
                enabled,
                priority,
                timeoutSeconds,
                retryPolicy,
                concurrencyPolicy,
                misfirePolicy,
                catchUpWindowSeconds,
                dependsOn,
                notifications,
                tags,
                triggers,
                triggerMode,
                triggerWindow,
                calendars,
                namespace,
                expectedDuration,
                retention);
    }
}
