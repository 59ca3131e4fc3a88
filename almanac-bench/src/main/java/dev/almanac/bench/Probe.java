package dev.almanac.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * What every system's trivial job does: note the wall-clock time it started. Job {@code n} of a workload knows its
 * number; the due times were set before it was scheduled, so due-to-start lateness is measured the same way for
 * every system, inside the job body.
 */
final class Probe {

    private static volatile long[] due = new long[0];
    private static volatile long[] started = new long[0];
    private static volatile AtomicIntegerArray runs = new AtomicIntegerArray(0);
    private static final AtomicInteger ran = new AtomicInteger();

    private Probe() {}

    /** Expects jobs {@code 0..due.length-1}, due at these epoch milliseconds. */
    static synchronized void expect(long[] dueMillis) {
        long[] start = new long[dueMillis.length];
        Arrays.fill(start, -1);
        due = dueMillis.clone();
        started = start;
        runs = new AtomicIntegerArray(dueMillis.length);
        ran.set(0);
    }

    /** Called by each system's job body. */
    static void ran(int n) {
        long now = System.currentTimeMillis();
        ran.incrementAndGet();
        long[] start = started;
        if (n >= 0 && n < start.length && runs.getAndIncrement(n) == 0) {
            start[n] = now;
        }
    }

    static int ranCount() {
        return ran.get();
    }

    /** Jobs that ran more than once. */
    static int duplicates() {
        AtomicIntegerArray counts = runs;
        int duplicates = 0;
        for (int i = 0; i < counts.length(); i++) {
            if (counts.get(i) > 1) {
                duplicates++;
            }
        }
        return duplicates;
    }

    /**
     * Lateness in milliseconds of the jobs due at or after {@code dueFrom}, sorted; a job that has not started by
     * {@code cutOff} counts as late as the cut-off (a lower bound).
     */
    static long[] lateness(long dueFrom, long cutOff) {
        long[] d = due;
        long[] s = started;
        long[] late = new long[d.length];
        int count = 0;
        for (int i = 0; i < d.length; i++) {
            if (d[i] >= dueFrom) {
                late[count++] = Math.max(0, (s[i] >= 0 ? s[i] : Math.max(cutOff, d[i])) - d[i]);
            }
        }
        long[] result = Arrays.copyOf(late, count);
        Arrays.sort(result);
        return result;
    }

    /** Jobs due at or after {@code dueFrom} that never ran. */
    static int missing(long dueFrom) {
        long[] d = due;
        long[] s = started;
        int missing = 0;
        for (int i = 0; i < d.length; i++) {
            if (s[i] < 0 && d[i] >= dueFrom) {
                missing++;
            }
        }
        return missing;
    }
}
