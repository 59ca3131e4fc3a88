package dev.almanac.engine.internal;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A value read at most once per {@code maxAge} however many callers ask, and afresh once {@code generation} moved
 * (a local write). Callers that find it stale while another one reads it wait for that read instead of starting
 * their own.
 */
final class Snapshot<T> {

    private record Taken<T>(T value, long generation, long atNanos) {}

    private final Supplier<T> read;
    private final LongSupplier generation;
    private final LongSupplier nanoTime;
    private final long maxAgeNanos;
    private final Object reading = new Object();
    private volatile Taken<T> last;

    Snapshot(Supplier<T> read, LongSupplier generation, Duration maxAge, LongSupplier nanoTime) {
        this.read = read;
        this.generation = generation;
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoTime = nanoTime;
    }

    T get() {
        Taken<T> taken = last;
        if (fresh(taken)) {
            return taken.value();
        }
        synchronized (reading) {
            taken = last;
            if (fresh(taken)) {
                return taken.value();
            }
            // the generation is noted before the read, so a write that lands during the read makes it stale
            long before = generation.getAsLong();
            long at = nanoTime.getAsLong();
            T value = read.get();
            last = new Taken<>(value, before, at);
            return value;
        }
    }

    private boolean fresh(Taken<T> taken) {
        return taken != null
                && taken.generation() == generation.getAsLong()
                && nanoTime.getAsLong() - taken.atNanos() < maxAgeNanos;
    }
}
