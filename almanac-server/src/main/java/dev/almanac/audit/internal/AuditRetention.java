package dev.almanac.audit.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Deletes audit events older than {@code almanac.audit.retention} (default 365 days), hourly on every node; the
 * deletes are idempotent, so nodes need not agree on who does it. The retention is at least one day, because the
 * per-user limit on manual runs counts from the trail.
 */
@Component
public class AuditRetention implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);
    static final Duration MINIMUM = Duration.ofDays(1);

    private final AuditRepository events;
    private final Clock clock;
    private final Duration retention;
    private ScheduledExecutorService timer;

    AuditRetention(AuditRepository events, Clock clock, @Value("${almanac.audit.retention:365d}") Duration retention) {
        if (retention.compareTo(MINIMUM) < 0) {
            throw new IllegalStateException("almanac.audit.retention must be at least 1d, not " + retention);
        }
        this.events = events;
        this.clock = clock;
        this.retention = retention;
    }

    /** Deletes what is older than the retention; returns how many events went. */
    public int purge() {
        Instant cutoff = clock.instant().minus(retention);
        int deleted = events.deleteBefore(cutoff);
        if (deleted > 0) {
            log.info("Deleted {} audit events older than {}", deleted, cutoff);
        }
        return deleted;
    }

    @Override
    public synchronized void start() {
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "almanac-audit-retention");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::purgeQuietly, 1, 60, TimeUnit.MINUTES);
    }

    private void purgeQuietly() {
        try {
            purge();
        } catch (RuntimeException e) {
            log.warn("Audit retention pass failed; the next one retries", e);
        }
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return timer != null;
    }
}
