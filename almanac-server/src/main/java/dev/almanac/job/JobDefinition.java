package dev.almanac.job;

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
        List<String> tags) {

    public JobDefinition {
        parameters = parameters == null ? Map.of() : parameters;
        dependsOn = List.copyOf(dependsOn);
        tags = List.copyOf(tags);
    }

    /** The same definition with its upstream jobs and tags, which are stored apart from the job's row. */
    public JobDefinition withRelations(List<JobId> dependsOn, List<String> tags) {
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
                tags);
    }
}
