package dev.almanac.engine.internal;

import dev.almanac.execution.ExecutionFinished;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The part of the trigger pass that keeps backfills going: releases their next slots as earlier runs end. It asks the
 * database at once when a backfill's run ended on this node or a backfill started here, at every pass while a freeze
 * going on holds a backfill's slots (so it goes on at the first pass after the freeze), and otherwise once a second (a
 * run may end on another node), so a registry with no backfill pays one indexed read a second.
 */
@Component
class BackfillPass {

    private static final Logger log = LoggerFactory.getLogger(BackfillPass.class);
    private static final long CHECK_EVERY_NANOS = 1_000_000_000L;
    private static final int BACKFILLS_PER_PASS = 100;

    private final Backfills backfills;
    private final Wakeups wakeups;
    private final Clock clock;

    private volatile boolean changed = true;
    private volatile long nextCheck;

    BackfillPass(Backfills backfills, Wakeups wakeups, Clock clock) {
        this.backfills = backfills;
        this.wakeups = wakeups;
        this.clock = clock;
    }

    /** Releases what running backfills may start now; returns how many runs it queued. */
    int run() {
        long nanos = System.nanoTime();
        if (!changed && nanos - nextCheck < 0) {
            return 0;
        }
        changed = false;
        nextCheck = nanos + CHECK_EVERY_NANOS;
        int queued = 0;
        for (UUID id : backfills.running(BACKFILLS_PER_PASS)) {
            try {
                queued += backfills.release(id, clock.instant());
            } catch (RuntimeException e) {
                changed = true;
                log.warn("Could not release the next slots of backfill {}: {}", id, e.getMessage());
            }
        }
        return queued;
    }

    /** Asks again at the next pass, so a backfill a freeze holds goes on at the first pass after the freeze. */
    @EventListener
    void onHeld(Backfills.HeldByFreeze held) {
        changed = true;
    }

    @EventListener
    void onFinished(ExecutionFinished finished) {
        String by = finished.execution().triggeredBy();
        if (by != null && (by.startsWith(Backfills.TRIGGERED_BY) || by.equals(NewExecutions.RETRY))) {
            changed = true;
            wakeups.jobsChanged();
        }
    }
}
