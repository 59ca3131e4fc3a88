package dev.almanac.engine.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.stereotype.Component;

/**
 * The local signals that wake the engine's loops the moment there is something to do, instead of at the next
 * poll: work queued, jobs changed, capacity freed, outcomes waiting. Signals from other nodes arrive through
 * {@link ClusterSignals} and end up here.
 */
@Component
class Wakeups {

    private final Signal trigger = new Signal();
    private final Signal work = new Signal();
    private final Signal outcomes = new Signal();

    void jobsChanged() {
        trigger.raise();
    }

    void workAvailable() {
        work.raise();
    }

    void capacityFreed() {
        work.raise();
        outcomes.raise();
    }

    void outcomesPending() {
        outcomes.raise();
    }

    void everything() {
        trigger.raise();
        work.raise();
    }

    boolean awaitTrigger(Duration timeout) {
        return trigger.await(timeout);
    }

    boolean awaitWork(Duration timeout) {
        return work.await(timeout);
    }

    boolean awaitOutcomes(Duration timeout) {
        return outcomes.await(timeout);
    }

    /** A raised flag that one waiter consumes; raising it twice before anyone waits wakes once. */
    private static final class Signal {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition raised = lock.newCondition();
        private boolean up;

        void raise() {
            lock.lock();
            try {
                up = true;
                raised.signalAll();
            } finally {
                lock.unlock();
            }
        }

        boolean await(Duration timeout) {
            long nanos = Math.max(0, timeout.toNanos());
            lock.lock();
            try {
                while (!up && nanos > 0) {
                    nanos = raised.awaitNanos(nanos);
                }
                boolean wasUp = up;
                up = false;
                return wasUp;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                lock.unlock();
            }
        }
    }

    static long millis(Duration duration) {
        return TimeUnit.NANOSECONDS.toMillis(duration.toNanos());
    }
}
