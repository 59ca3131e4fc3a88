package dev.almanac.security.internal;

import dev.almanac.common.DatabaseAvailability;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * When each API token was last used, written in batches: a request only notes the time here, and every
 * {@code almanac.security.token-usage-flush-interval} one transaction writes the latest time of each token used since
 * (and once more at shutdown). The token lists add what is noted and not yet written.
 */
@Component
class TokenUsage implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TokenUsage.class);

    private final Map<UUID, Instant> pending = new ConcurrentHashMap<>();
    private final ApiTokenRepository tokens;
    private final TransactionTemplate transactions;
    private final Duration interval;
    private ScheduledExecutorService flusher;

    TokenUsage(ApiTokenRepository tokens, TransactionTemplate transactions, SecurityProperties properties) {
        this.tokens = tokens;
        this.transactions = transactions;
        this.interval = properties.tokenUsageFlushInterval();
    }

    void used(UUID tokenId, Instant now) {
        pending.merge(tokenId, now, (before, after) -> after.isAfter(before) ? after : before);
    }

    /** The time noted for a token and not yet written, if any. */
    Instant pendingFor(UUID tokenId) {
        return pending.get(tokenId);
    }

    /** Writes what was noted, in one transaction; what a failed write held is noted again for the next flush. */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Map<UUID, Instant> batch = new HashMap<>(pending);
        try {
            transactions.executeWithoutResult(status -> tokens.touchAll(batch));
            batch.forEach(pending::remove);
        } catch (RuntimeException e) {
            if (DatabaseAvailability.isConnectionFailure(e)) {
                // an outage, which the log tells once: the times are written when the database is back
                log.debug("Could not write when {} API tokens were last used: {}", batch.size(), e.getMessage());
            } else {
                log.warn("Could not write when {} API tokens were last used: {}", batch.size(), e.getMessage());
            }
        }
    }

    @Override
    public synchronized void start() {
        flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "almanac-token-usage");
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.toMillis();
        flusher.scheduleWithFixedDelay(this::flush, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (flusher != null) {
            flusher.shutdown();
            flusher = null;
            flush();
        }
    }

    // stopped after the web server, so the uses of the last requests are written too
    @Override
    public int getPhase() {
        return 0;
    }

    @Override
    public synchronized boolean isRunning() {
        return flusher != null;
    }
}
