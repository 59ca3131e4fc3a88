package dev.almanac.engine.internal.store;

import java.util.function.Supplier;

/**
 * Whether any namespace has a {@code runs_at_once} quota, remembered so that a claim costs no statement for the
 * quotas while none has one (most installations). It is forgotten when a namespace changes (on this node at once, on
 * the others by the cluster signal) and read again at least every {@link #REFRESH_NANOS}, so a quota set on another
 * node whose signal was lost holds here within that time. While a namespace has one, every claim reads and locks the
 * quotas as before: only the step from none to some can be seen late, never a quota lowered or a slot counted.
 */
final class QuotaPresence {

    static final long REFRESH_NANOS = 1_000_000_000L;

    private long generation;
    /** When the quotas were last found absent ({@link System#nanoTime()}), or null: not known to be absent. */
    private Long noneSince;

    /**
     * What {@code read} finds, or {@link RunsAtOnce#NONE} without reading when none was found lately and no namespace
     * changed since.
     */
    RunsAtOnce read(Supplier<RunsAtOnce> read) {
        long seen;
        synchronized (this) {
            if (noneSince != null && System.nanoTime() - noneSince < REFRESH_NANOS) {
                return RunsAtOnce.NONE;
            }
            seen = generation;
        }
        long readAt = System.nanoTime();
        RunsAtOnce found = read.get();
        synchronized (this) {
            // a namespace that changed while this read ran may have a quota the read did not see
            if (generation == seen) {
                noneSince = found.none() ? readAt : null;
            }
        }
        return found;
    }

    /**
     * Whether the last read found no quota and no namespace changed on this node since, however long ago: then this
     * node's claims hold no run back for a quota (a quota set elsewhere whose signal was lost is seen by the next claim
     * after {@link #REFRESH_NANOS}).
     */
    synchronized boolean noneSeen() {
        return noneSince != null;
    }

    /** A namespace changed: read the quotas again at the next claim. */
    synchronized void forget() {
        generation++;
        noneSince = null;
    }
}
