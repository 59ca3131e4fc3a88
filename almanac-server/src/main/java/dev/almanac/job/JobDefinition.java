package dev.almanac.job;

import dev.almanac.calendar.CalendarRefs;
import dev.almanac.schedule.Schedule;
import java.util.List;
import java.util.Map;

/** Everything an administrator decides about a job, validated: what runs, when, and under which policies. */
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
        CalendarRefs calendars) {

    public JobDefinition {
        parameters = parameters == null ? Map.of() : parameters;
        dependsOn = List.copyOf(dependsOn);
        tags = List.copyOf(tags);
        calendars = calendars == null ? CalendarRefs.NONE : calendars;
    }
}
