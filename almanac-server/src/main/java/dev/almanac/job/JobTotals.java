package dev.almanac.job;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The job list's totals, counted at most once per {@link #MAX_AGE} per filter however many callers ask, and afresh
 * after any write of jobs through this node. Counting 100 000 jobs costs the database milliseconds that a page of 20
 * rows does not (issue #19), and every page of a list asks for the same total.
 *
 * <p>A job created, changed or deleted on this node shows in the next total; another node's, within {@link #MAX_AGE}.
 * The engine's run outcomes change {@code last_status}, so a total filtered by it is always counted.
 */
@Component
public class JobTotals {

    static final Duration MAX_AGE = Duration.ofSeconds(1);
    /** Searches each make a key of their own: past this many, the kept totals are dropped and counted again. */
    private static final int MAX_KEYS = 256;

    private record Counted(long total, long generation, long atNanos) {}

    private final AtomicLong generation = new AtomicLong();
    private final Map<Object, Counted> counted = new ConcurrentHashMap<>();
    private final Map<Object, Object> counting = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    JobTotals() {
        this(System::nanoTime);
    }

    JobTotals(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The total for {@code key} (the filter: its SQL and parameters), from {@code count} when none is fresh. */
    long total(Object key, LongSupplier count) {
        Counted kept = counted.get(key);
        if (fresh(kept)) {
            return kept.total();
        }
        // callers of one filter that find it stale together wait for one count instead of each starting their own
        synchronized (counting.computeIfAbsent(key, k -> new Object())) {
            kept = counted.get(key);
            if (fresh(kept)) {
                return kept.total();
            }
            // noted before the count, so that a write landing during it makes it stale
            long before = generation.get();
            long at = nanoTime.getAsLong();
            long total = count.getAsLong();
            if (counted.size() >= MAX_KEYS) {
                counted.clear();
                counting.clear();
            }
            counted.put(key, new Counted(total, before, at));
            return total;
        }
    }

    /**
     * Jobs were written: every total counted so far is stale, now and again once the writing transaction ends, so
     * that a count taken while it was open is not kept.
     */
    void changed() {
        generation.incrementAndGet();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    generation.incrementAndGet();
                }
            });
        }
    }

    /** Jobs were written behind this node's back (a test's fixture, say): counts everything afresh. */
    public void forget() {
        changed();
    }

    private boolean fresh(Counted kept) {
        return kept != null
                && kept.generation() == generation.get()
                && nanoTime.getAsLong() - kept.atNanos() < MAX_AGE.toNanos();
    }
}
