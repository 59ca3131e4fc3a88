package dev.almanac.notify.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Schedule health ({@code almanac.health.*}).
 *
 * @param enabled whether jobs are checked at all
 * @param lateAfter a scheduled run that starts later than this after its slot is {@code late}; a due slot that nobody
 *     fires for this long makes the job {@code never_fired}
 * @param slowFactor a run is {@code slow} when it takes longer than the p95 of its last runs times this (or than the
 *     job's {@code expected_duration})
 * @param slowAtLeast the shortest run the p95 rule calls {@code slow}: a job of milliseconds that once takes three
 *     times as long met a busy moment, not a problem (a job's own {@code expected_duration} is not raised to this;
 *     {@code 0} turns it off)
 * @param baselineRuns how many of its last successful runs the p95 is taken over
 * @param minimumRuns the fewest successful runs a p95 is trusted with
 * @param failureStreak final failures in a row that make a job {@code failing}
 * @param baselineRefresh how long a job's p95 is reused before it is read again
 */
@ConfigurationProperties("almanac.health")
public record HealthProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("5m") Duration lateAfter,
        @DefaultValue("3.0") double slowFactor,
        @DefaultValue("10s") Duration slowAtLeast,
        @DefaultValue("20") int baselineRuns,
        @DefaultValue("5") int minimumRuns,
        @DefaultValue("3") int failureStreak,
        @DefaultValue("10m") Duration baselineRefresh) {

    static final Duration DEFAULT_SLOW_AT_LEAST = Duration.ofSeconds(10);

    public HealthProperties {
        slowFactor = Math.max(1.0, slowFactor);
        slowAtLeast =
                slowAtLeast == null ? DEFAULT_SLOW_AT_LEAST : slowAtLeast.isNegative() ? Duration.ZERO : slowAtLeast;
        baselineRuns = Math.max(1, baselineRuns);
        minimumRuns = Math.max(1, Math.min(minimumRuns, baselineRuns));
        failureStreak = Math.max(1, failureStreak);
    }
}
