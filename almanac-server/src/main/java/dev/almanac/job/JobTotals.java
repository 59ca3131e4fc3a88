package dev.almanac.job;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The job list's totals, counted at most once per {@link #MAX_AGE} per filter however many callers ask. Counting
 * 100 000 jobs costs the database milliseconds that a page of 20 rows does not (issue #19), and every page of a list
 * asks for the same total.
 *
 * <p>A job created, changed or deleted on this node shows in the next total; another node's, within {@link #MAX_AGE}.
 * A total filtered by namespace only ({@link Scope}) is kept across this node's creates and deletes, moved by one for
 * each, so that a list read between creates does not count again; any other total is dropped by any write of jobs.
 * The engine's run outcomes change {@code last_status}, so a total filtered by it is never kept (its caller counts).
 *
 * <p>A count and a commit of jobs exclude each other on this node ({@link #commits}), so that each commit either
 * happened before a count's snapshot (the count saw it) or its change is applied to the count afterwards.
 */
@Component
public class JobTotals {

    static final Duration MAX_AGE = Duration.ofSeconds(1);
    /** When a total is counted again, so that callers meanwhile need not wait for the count. */
    static final Duration RECOUNT_AFTER = Duration.ofMillis(800);
    /** Searches each make a key of their own: past this many, the kept totals are dropped and counted again. */
    private static final int MAX_KEYS = 256;
    /** How long a count waits for commits under way; past it, it counts anyway and keeps nothing. */
    private static final long COMMITS_WAIT_MILLIS = 1_000;

    /** The key of a total filtered by namespace only: {@code namespaces} null for all of them. */
    record Scope(Set<String> namespaces) {
        boolean includes(String namespace) {
            return namespaces == null || namespaces.contains(namespace);
        }
    }

    private record Counted(long total, long atNanos) {}

    /** Commits of jobs hold it shared, a count exclusively. */
    private final ReentrantReadWriteLock commits = new ReentrantReadWriteLock();

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Map<Object, Counted> counted = new HashMap<>();
    /** Bumped (under {@link #lock}) by every write that drops totals; a count that spans one keeps nothing. */
    private long generation;

    private final Map<Object, ReentrantLock> counting = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    JobTotals() {
        this(System::nanoTime);
    }

    JobTotals(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The total for {@code key} (a {@link Scope} or another filter), from {@code count} when none is fresh. */
    long total(Object key, LongSupplier count) {
        Long kept = younger(key, RECOUNT_AFTER);
        if (kept != null) {
            return kept;
        }
        // one caller of a filter counts again a little before MAX_AGE; the others meanwhile take the total kept (moved
        // by this node's writes) while it is younger than MAX_AGE, else they wait for the count
        ReentrantLock mine = counting.computeIfAbsent(key, k -> new ReentrantLock());
        Long old = younger(key, MAX_AGE);
        if (old != null) {
            if (!mine.tryLock()) {
                return old;
            }
        } else {
            mine.lock();
        }
        try {
            kept = younger(key, RECOUNT_AFTER);
            if (kept != null) {
                return kept;
            }
            boolean excluded = lockCommits();
            try {
                long before;
                synchronized (lock) {
                    before = generation;
                }
                long at = nanoTime.getAsLong();
                long total = count.getAsLong();
                synchronized (lock) {
                    if (excluded && generation == before) {
                        if (counted.size() >= MAX_KEYS) {
                            counted.clear();
                            counting.clear();
                        }
                        counted.put(key, new Counted(total, at));
                    }
                }
                return total;
            } finally {
                if (excluded) {
                    commits.writeLock().unlock();
                }
            }
        } finally {
            mine.unlock();
        }
    }

    /** A job of {@code namespace} was inserted: a total of a scope that includes it grows by one once it commits. */
    void inserted(String namespace) {
        written(scope -> scope.includes(namespace) ? ONE : ZERO);
    }

    /** A job was deleted: the total of all namespaces shrinks by one once it commits; scoped ones are counted again. */
    void deleted(boolean removed) {
        written(scope -> scope.namespaces() == null ? (removed ? MINUS_ONE : ZERO) : null);
    }

    /** A job's definition changed (its namespace may have): only the total of all namespaces stays as it is. */
    void updated() {
        written(scope -> scope.namespaces() == null ? ZERO : null);
    }

    /** A job was found valid or invalid: totals by namespace stay as they are, filtered ones are counted again. */
    void revalidated() {
        written(scope -> ZERO);
    }

    /** Jobs were written in a way this class does not follow: every total is counted again. */
    void changed() {
        written(scope -> null);
    }

    /** Jobs were written behind this node's back (a test's fixture, say): counts everything afresh. */
    public void forget() {
        apply(scope -> null);
    }

    private static final Long ONE = 1L;
    private static final Long ZERO = 0L;
    private static final Long MINUS_ONE = -1L;

    /** How a write moves the total of a scope: by a number, or null when it must be counted again. */
    private interface Delta {
        Long of(Scope scope);
    }

    private void written(Delta delta) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()
                || !TransactionSynchronizationManager.isSynchronizationActive()) {
            // already committed: a count under way may or may not have seen it
            apply(scope -> null);
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new Commit(delta));
    }

    /** Moves or drops every kept total; filters other than a scope are always dropped. */
    private void apply(Delta delta) {
        synchronized (lock) {
            generation++;
            counted.entrySet().removeIf(kept -> {
                if (!(kept.getKey() instanceof Scope scope)) {
                    return true;
                }
                Long by = delta.of(scope);
                if (by == null) {
                    return true;
                }
                kept.setValue(new Counted(
                        kept.getValue().total() + by, kept.getValue().atNanos()));
                return false;
            });
        }
    }

    /** Holds off counts from just before the commit until its change is applied to the kept totals. */
    private final class Commit implements TransactionSynchronization {

        private final Delta delta;
        private boolean holding;

        Commit(Delta delta) {
            this.delta = delta;
        }

        @Override
        public int getOrder() {
            // first in afterCommit, so that the lock is let go before anything else runs there
            return Ordered.HIGHEST_PRECEDENCE;
        }

        @Override
        public void beforeCompletion() {
            commits.readLock().lock();
            holding = true;
        }

        @Override
        public void afterCommit() {
            apply(delta);
            release();
        }

        @Override
        public void afterCompletion(int status) {
            if (status != STATUS_COMMITTED && holding) {
                // rolled back, or unknown: the kept totals may be wrong either way
                apply(status == STATUS_ROLLED_BACK ? scope -> ZERO : scope -> null);
            }
            release();
        }

        private void release() {
            if (holding) {
                holding = false;
                commits.readLock().unlock();
            }
        }
    }

    /** The total kept for {@code key} if it was counted less than {@code age} ago. */
    private Long younger(Object key, Duration age) {
        synchronized (lock) {
            Counted kept = counted.get(key);
            return kept != null && nanoTime.getAsLong() - kept.atNanos() < age.toNanos() ? kept.total() : null;
        }
    }

    private boolean lockCommits() {
        try {
            return commits.writeLock().tryLock(COMMITS_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
