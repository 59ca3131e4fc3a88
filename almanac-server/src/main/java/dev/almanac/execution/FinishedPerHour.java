package dev.almanac.execution;

import dev.almanac.execution.ExecutionRepository.BucketCount;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * How many executions ended per hour and status, for the status endpoint and the dashboard. Counting the last 24
 * hours afresh on every call reads every execution that ended in them: 333 000 at ten million over 30 days, about
 * 100 ms on a two-core machine, and the 7-day chart seven times that (almanac-bench, history workload).
 *
 * <p>So the counts of an hour that ended more than {@link #SETTLED} ago are read once and kept on this node for up to
 * {@link #KEPT}; the hours after it are counted on every call. A settled hour's counts change only when its history
 * is deleted (a record deleted here is forgotten at once; the retention job and other nodes' deletions show within
 * {@link #KEPT}) or when an outcome reaches the database long after its run ended (a database outage, a node clock
 * minutes behind): those show within {@link #KEPT} as well.
 */
@Component
public class FinishedPerHour {

    static final Duration SETTLED = Duration.ofMinutes(5);
    static final Duration KEPT = Duration.ofMinutes(10);
    private static final long HOUR = 3600;
    /** The oldest hour kept: the dashboard's 7-day chart and a day of margin. */
    private static final long KEPT_HOURS = 8 * 24;

    private record Hour(Map<ExecutionStatus, Long> counts, Instant readAt) {}

    private final ExecutionRepository executions;
    private final Clock clock;
    private final Map<Long, Hour> settled = new ConcurrentHashMap<>();

    FinishedPerHour(ExecutionRepository executions, Clock clock) {
        this.executions = executions;
        this.clock = clock;
    }

    /** Executions that ended at or after {@code since}, per final status. */
    public Map<ExecutionStatus, Long> since(Instant since) {
        long firstWholeHour = Math.floorDiv(since.getEpochSecond(), HOUR);
        Instant hourStart = Instant.ofEpochSecond(firstWholeHour * HOUR);
        Map<ExecutionStatus, Long> counts = new EnumMap<>(ExecutionStatus.class);
        if (!hourStart.equals(since)) {
            // the part of the first hour from since on, counted afresh
            firstWholeHour++;
            executions
                    .finishedPerBucket(since, Instant.ofEpochSecond(firstWholeHour * HOUR), HOUR)
                    .forEach(count -> counts.merge(count.status(), count.count(), Long::sum));
        }
        perHour(firstWholeHour)
                .values()
                .forEach(hour -> hour.forEach((status, n) -> counts.merge(status, n, Long::sum)));
        return counts;
    }

    /**
     * Executions that ended from the start of {@code firstHour} (hours since the epoch) on, per hour and final status;
     * hours in which nothing ended are left out.
     */
    public Map<Long, Map<ExecutionStatus, Long>> perHour(long firstHour) {
        Instant now = clock.instant();
        long settledUntil = Math.floorDiv(now.minus(SETTLED).getEpochSecond(), HOUR);
        Map<Long, Map<ExecutionStatus, Long>> result = new TreeMap<>();
        if (firstHour < settledUntil) {
            readMissing(firstHour, settledUntil, now);
            for (long hour = firstHour; hour < settledUntil; hour++) {
                Hour kept = settled.get(hour);
                if (kept != null && !kept.counts().isEmpty()) {
                    result.put(hour, kept.counts());
                }
            }
            settled.keySet().removeIf(hour -> hour < settledUntil - KEPT_HOURS);
        }
        long recentFrom = Math.max(firstHour, settledUntil);
        add(result, executions.finishedPerBucket(Instant.ofEpochSecond(recentFrom * HOUR), null, HOUR));
        return result;
    }

    /**
     * The same, for the jobs of {@code namespaces} only (null: every job, from what is kept): counted afresh, since a
     * namespace's share of the history is a fraction of it and the dashboard asks for one namespace at a time.
     */
    public Map<Long, Map<ExecutionStatus, Long>> perHour(long firstHour, java.util.Set<String> namespaces) {
        if (namespaces == null) {
            return perHour(firstHour);
        }
        Map<Long, Map<ExecutionStatus, Long>> result = new TreeMap<>();
        if (!namespaces.isEmpty()) {
            add(result, executions.finishedPerBucket(Instant.ofEpochSecond(firstHour * HOUR), HOUR, namespaces));
        }
        return result;
    }

    /** Executions of the jobs of {@code namespaces} (null: every job) that ended at or after {@code since}. */
    public Map<ExecutionStatus, Long> since(Instant since, java.util.Set<String> namespaces) {
        if (namespaces == null) {
            return since(since);
        }
        Map<ExecutionStatus, Long> counts = new EnumMap<>(ExecutionStatus.class);
        if (!namespaces.isEmpty()) {
            executions
                    .finishedPerBucket(since, HOUR, namespaces)
                    .forEach(count -> counts.merge(count.status(), count.count(), Long::sum));
        }
        return counts;
    }

    /** Forgets every hour kept: history was deleted. */
    public void forget() {
        settled.clear();
    }

    /** Reads, in one query, the settled hours from the first one not kept (or kept too long) to the last such. */
    private void readMissing(long firstHour, long settledUntil, Instant now) {
        long first = -1;
        long last = -1;
        for (long hour = firstHour; hour < settledUntil; hour++) {
            Hour kept = settled.get(hour);
            // read at a later time than now: the clock was set back (a test), so it may hold anything
            boolean fresh = kept != null
                    && !kept.readAt().isAfter(now)
                    && kept.readAt().plus(KEPT).isAfter(now);
            if (!fresh) {
                first = first < 0 ? hour : first;
                last = hour;
            }
        }
        if (first < 0) {
            return;
        }
        Map<Long, Map<ExecutionStatus, Long>> read = new HashMap<>();
        add(
                read,
                executions.finishedPerBucket(
                        Instant.ofEpochSecond(first * HOUR), Instant.ofEpochSecond((last + 1) * HOUR), HOUR));
        for (long hour = first; hour <= last; hour++) {
            settled.put(hour, new Hour(Map.copyOf(read.getOrDefault(hour, Map.of())), now));
        }
    }

    private static void add(Map<Long, Map<ExecutionStatus, Long>> into, List<BucketCount> counts) {
        for (BucketCount count : counts) {
            into.computeIfAbsent(count.bucket(), b -> new EnumMap<>(ExecutionStatus.class))
                    .merge(count.status(), count.count(), Long::sum);
        }
    }
}
