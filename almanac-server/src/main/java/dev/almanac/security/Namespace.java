package dev.almanac.security;

import java.time.Instant;

/**
 * A namespace: a team's jobs, with their history, the roles people hold over them and the quotas they are held to.
 * Every quota is optional (null: none).
 */
public record Namespace(
        String name, String displayName, String description, Quotas quotas, Instant createdAt, Instant updatedAt) {

    /** The name every job has unless it says otherwise, and that every job from before namespaces got. */
    public static final String DEFAULT = "default";

    /**
     * What a namespace is held to: how many jobs it may have, how many manual runs an hour its people may start, how
     * many of its runs may run at once, and how long (days) and how much (runs per job) history it keeps.
     */
    public record Quotas(
            Integer jobs, Integer manualRunsPerHour, Integer runsAtOnce, Integer historyDays, Integer runsPerJob) {

        public static final Quotas NONE = new Quotas(null, null, null, null, null);
    }
}
