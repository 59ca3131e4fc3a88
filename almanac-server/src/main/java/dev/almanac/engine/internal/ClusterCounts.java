package dev.almanac.engine.internal;

import dev.almanac.execution.ExecutionStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's queued and running executions behind the {@code almanac_executions_queued} and {@code _running}
 * gauges, counted when a gauge is read and the last count is a heartbeat interval old or older. The count reads every
 * active run, about 100 ms with 100 000 queued on PostgreSQL; every node counted at every heartbeat before, 4 % of the
 * database's time in a 3-node drain (almanac-bench HISTORY, session 32), where now a node counts only when its meters
 * are read.
 *
 * <p>A read never waits long for the database: the count runs on a thread of its own, one at a time, and the read that
 * started it waits {@link #WAIT_FOR_COUNT} at most, so a scrape shows the count it started when the database answers
 * in time, and the last one otherwise (a scrape of a node whose database hangs still answers, with the node's
 * heartbeat age). Before the first count the gauges show NaN, unknown; and when the last count is older than
 * {@link #UNKNOWN_AFTER} intervals while something is wrong (the database away, the last count failed, or one has run
 * longer than an interval), NaN again rather than the queue it once was. A count that is merely slow on a healthy
 * database (more than half a second, with scrapes further apart than three intervals) shows the last count.
 */
final class ClusterCounts {

    private static final Logger log = LoggerFactory.getLogger(ClusterCounts.class);

    /** How long the read that starts a count waits for it. */
    static final Duration WAIT_FOR_COUNT = Duration.ofMillis(500);

    /** After how many intervals without a count the gauges say they do not know. */
    static final int UNKNOWN_AFTER = 3;

    private final Supplier<Map<ExecutionStatus, Long>> count;
    private final Clock clock;
    private final Duration keep;
    private final BooleanSupplier databaseDown;

    private volatile Counted last; // null: none yet
    private volatile boolean lastFailed;

    private CompletableFuture<Void> counting; // guarded by this; null or done: no count running
    private Instant countAsked; // guarded by this; null: never

    /** A count, and when it was asked for. */
    private record Counted(Map<ExecutionStatus, Long> counts, Instant at) {}

    ClusterCounts(
            Supplier<Map<ExecutionStatus, Long>> count, Clock clock, Duration keep, BooleanSupplier databaseDown) {
        this.count = count;
        this.clock = clock;
        this.keep = keep;
        this.databaseDown = databaseDown;
    }

    /** How many runs of the cluster are in {@code status}; NaN while unknown. */
    double of(ExecutionStatus status) {
        CompletableFuture<Void> started = countIfStale();
        if (started != null) {
            try {
                started.get(WAIT_FOR_COUNT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // the last count stands until this one ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Counted counted = last;
        Instant now = clock.instant();
        if (counted == null
                || now.isAfter(counted.at().plus(keep.multipliedBy(UNKNOWN_AFTER))) && somethingWrong(now)) {
            return Double.NaN;
        }
        return counted.counts().getOrDefault(status, 0L);
    }

    /** The database is away, the last count failed, or a count has run longer than an interval. */
    private boolean somethingWrong(Instant now) {
        if (lastFailed || databaseDown.getAsBoolean()) {
            return true;
        }
        synchronized (this) {
            return counting != null && !counting.isDone() && now.isAfter(countAsked.plus(keep));
        }
    }

    /** Starts a count when the last was asked an interval ago or more and none is running; returns it, if started. */
    private CompletableFuture<Void> countIfStale() {
        CompletableFuture<Void> started = new CompletableFuture<>();
        Instant asked;
        synchronized (this) {
            asked = clock.instant();
            // a clock set back counts too, rather than waiting for the time it left
            boolean stale = countAsked == null || asked.isBefore(countAsked) || !asked.isBefore(countAsked.plus(keep));
            if (!stale || (counting != null && !counting.isDone()) || databaseDown.getAsBoolean()) {
                return null;
            }
            countAsked = asked;
            counting = started;
        }
        Thread thread = new Thread(
                () -> {
                    try {
                        last = new Counted(count.get(), asked);
                        lastFailed = false;
                    } catch (RuntimeException e) {
                        lastFailed = true;
                        log.debug("Could not count the cluster's active executions: {}", e.getMessage());
                    } finally {
                        started.complete(null);
                    }
                },
                "almanac-cluster-count");
        thread.setDaemon(true);
        try {
            thread.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            lastFailed = true;
            started.complete(null); // the next read after an interval tries again
            log.debug("Could not start counting the cluster's active executions: {}", e.getMessage());
        }
        return started;
    }
}
