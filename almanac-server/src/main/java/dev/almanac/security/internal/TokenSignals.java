package dev.almanac.security.internal;

import dev.almanac.common.Databases;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tells every node's {@link TokenCache} that a token was revoked or a user changed: evicts here at once and again
 * after the commit, and on PostgreSQL sends {@code NOTIFY almanac_tokens} inside the changing transaction (delivered
 * at its commit) to the other nodes, whose listener evicts too. On H2 (one node) the local eviction is all.
 */
@Component
class TokenSignals implements SmartLifecycle {

    static final String CHANNEL = "almanac_tokens";
    private static final Logger log = LoggerFactory.getLogger(TokenSignals.class);

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final TokenCache cache;
    private final boolean postgres;
    private volatile boolean running;
    private Thread listener;

    TokenSignals(DataSource dataSource, JdbcClient jdbc, TokenCache cache) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.cache = cache;
        this.postgres = Databases.isPostgres(dataSource);
        // until the listener hears the channel, another node's revocation could be missed
        cache.deaf(postgres);
    }

    void tokenRevoked(UUID tokenId) {
        signal("token:" + tokenId, () -> cache.evictToken(tokenId));
    }

    /** A user's role, state or existence changed: their tokens are looked up afresh. */
    void userChanged(UUID userId) {
        signal("user:" + userId, () -> cache.evictUser(userId));
    }

    private void signal(String payload, Runnable evict) {
        evict.run();
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            // a request that read the token before this commit must not keep it
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    evict.run();
                }
            });
        }
        if (postgres) {
            jdbc.sql("SELECT pg_notify('" + CHANNEL + "', :payload)")
                    .param("payload", payload)
                    .query()
                    .singleRow();
        }
    }

    void received(String payload) {
        int colon = payload.indexOf(':');
        try {
            UUID id = UUID.fromString(payload.substring(colon + 1));
            if (payload.startsWith("user:")) {
                cache.evictUser(id);
            } else {
                cache.evictToken(id);
            }
        } catch (IllegalArgumentException e) {
            cache.clear();
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        if (postgres) {
            listener = new Thread(this::listen, "almanac-token-listen");
            listener.setDaemon(true);
            listener.start();
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Holds one connection with LISTEN; reconnects with a back-off, the cache being short-lived meanwhile. */
    private void listen() {
        Duration backoff = Duration.ofMillis(250);
        boolean lost = false; // said once, not at every attempt of an outage
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                // what was signalled while nobody listened is unknown: start afresh
                cache.clear();
                cache.deaf(false);
                backoff = Duration.ofMillis(250);
                if (lost) {
                    log.info("Token revocation listener is listening again");
                    lost = false;
                }
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            received(notification.getParameter());
                        }
                    }
                }
            } catch (Exception e) {
                cache.deaf(true);
                if (!running) {
                    return;
                }
                if (!lost) {
                    log.warn(
                            "Token revocation listener lost its connection ({}); reconnecting every 5 s at most",
                            e.getMessage());
                    lost = true;
                } else {
                    log.debug("Token revocation listener could not reconnect: {}", e.getMessage());
                }
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0
                        ? Duration.ofSeconds(5)
                        : backoff.multipliedBy(2);
            }
        }
        cache.deaf(postgres);
    }
}
