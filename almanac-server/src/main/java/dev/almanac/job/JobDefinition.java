package dev.almanac.job;

import dev.almanac.schedule.Schedule;
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
        String namespace) {

    public JobDefinition {
        parameters = parameters == null ? Map.of() : parameters;
        namespace = namespace == null ? DEFAULT_NAMESPACE : namespace;
        dependsOn = List.copyOf(dependsOn);
        tags = List.copyOf(tags);
    }

    /** A definition in the {@code default} namespace. */
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
                null);
    }

    /** Where a job goes that names no namespace. */
    public static final String DEFAULT_NAMESPACE = "default";
}
