package dev.almanac.engine.internal;

import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.FinishedPerHour;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** How executions ended over the last 24 hours, as the status endpoint and the dashboard both report it. */
record LastDay(long succeeded, long failed, long timedOut, long cancelled, long skipped) {

    static LastDay before(Instant now, FinishedPerHour finished) {
        return before(now, finished, null);
    }

    /** Of the jobs in {@code namespaces} only (null: every job). */
    static LastDay before(Instant now, FinishedPerHour finished, java.util.Set<String> namespaces) {
        Map<ExecutionStatus, Long> day = finished.since(now.minus(Duration.ofHours(24)), namespaces);
        return new LastDay(
                day.getOrDefault(ExecutionStatus.SUCCEEDED, 0L),
                day.getOrDefault(ExecutionStatus.FAILED, 0L),
                day.getOrDefault(ExecutionStatus.TIMED_OUT, 0L),
                day.getOrDefault(ExecutionStatus.CANCELLED, 0L),
                day.getOrDefault(ExecutionStatus.SKIPPED, 0L));
    }

    /** Runs that ran to an outcome of their own: succeeded, failed or timed out. */
    long ran() {
        return succeeded + failed + timedOut;
    }

    long failures() {
        return failed + timedOut;
    }

    /** Succeeded out of {@link #ran()}, 0..1; null when nothing ran. */
    Double successRate() {
        return ran() == 0 ? null : (double) succeeded / ran();
    }
}
