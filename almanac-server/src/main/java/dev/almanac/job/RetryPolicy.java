package dev.almanac.job;

import java.time.Duration;

/**
 * How often a failed or timed-out run is tried again, and how long to wait before each new attempt: the delay
 * before attempt {@code n + 1} is {@code retryDelay × backoffMultiplier^(n - 1)}.
 */
public record RetryPolicy(int maxRetries, int retryDelaySeconds, double backoffMultiplier) {

    public static final int MAX_RETRIES = 20;
    public static final int MAX_DELAY_SECONDS = 86_400;
    public static final double MAX_MULTIPLIER = 10.0;

    public static RetryPolicy none() {
        return new RetryPolicy(0, 60, 2.0);
    }

    public static RetryPolicy maxRetries(int maxRetries) {
        return new RetryPolicy(maxRetries, 60, 2.0);
    }

    public RetryPolicy withBackoff(Duration firstDelay, double multiplier) {
        return new RetryPolicy(maxRetries, Math.toIntExact(firstDelay.toSeconds()), multiplier);
    }

    /** The delay before the given attempt (2 for the first retry), before any jitter the engine adds. */
    public Duration delayBefore(int attempt) {
        if (attempt < 2) {
            return Duration.ZERO;
        }
        double seconds = retryDelaySeconds * Math.pow(backoffMultiplier, attempt - 2);
        return Duration.ofMillis((long) Math.min(seconds * 1000, MAX_DELAY_SECONDS * 1000.0));
    }
}
