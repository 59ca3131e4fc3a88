package dev.almanac.engine.internal;

import dev.almanac.common.Databases;
import dev.almanac.engine.internal.store.EngineStore;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Wakes the other nodes of a PostgreSQL cluster with {@code NOTIFY} when this one queued work or changed a job, and
 * listens for theirs. On H2 (one node) it does nothing: the local {@link Wakeups} are enough.
 */
@Component
class ClusterSignals {

    static final String CHANNEL = "almanac_engine";
    /** The signal that a namespace changed: each node reads the namespaces' quotas again ({@link EngineStore}). */
    static final String NAMESPACES = "namespaces";

    private static final Logger log = LoggerFactory.getLogger(ClusterSignals.class);

    /** Who sent a signal: this node's own come back to it through LISTEN, and are passed over. */
    private final String sender = UUID.randomUUID().toString();

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final Wakeups wakeups;
    private final EngineStore store;
    private final boolean postgres;
    private volatile boolean listening;
    private Thread listener;

    ClusterSignals(DataSource dataSource, JdbcClient jdbc, Wakeups wakeups, EngineStore store) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.wakeups = wakeups;
        this.store = store;
        this.postgres = Databases.isPostgres(dataSource);
    }

    /**
     * Tells the other nodes that there may be something to do. This node has woken its own loops already (as on H2:
     * each caller raises its {@link Wakeups}), so its own signal does not wake it again: before, each create woke the
     * trigger loop twice and each queued run the worker loop twice (almanac-bench's API mix, session 21).
     */
    void notifyCluster(String what) {
        if (!postgres) {
            return;
        }
        try {
            jdbc.sql("SELECT pg_notify('" + CHANNEL + "', :what)")
                    .param("what", what + "@" + sender)
                    .query()
                    .singleRow();
        } catch (RuntimeException e) {
            log.debug("Could not notify the cluster: {}", e.getMessage());
        }
    }

    synchronized void start() {
        if (!postgres || listening) {
            return;
        }
        listening = true;
        listener = new Thread(this::listen, "almanac-listen");
        listener.setDaemon(true);
        listener.start();
    }

    synchronized void stop() {
        listening = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    /** Holds one connection with LISTEN; reconnects with a back-off when the database goes away. */
    private void listen() {
        Duration backoff = Duration.ofMillis(250);
        while (listening) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                backoff = Duration.ofMillis(250);
                // signals sent while this node was not listening are lost: what they may have said is read again
                store.namespacesChanged();
                wakeups.everything();
                while (listening) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    boolean foreign = false;
                    for (PGNotification notification : notifications == null ? new PGNotification[0] : notifications) {
                        Signal signal = Signal.of(notification.getParameter());
                        if (signal.from(sender)) {
                            continue;
                        }
                        foreign = true;
                        if (NAMESPACES.equals(signal.what())) {
                            store.namespacesChanged();
                        }
                    }
                    if (foreign) {
                        wakeups.everything();
                    }
                }
            } catch (Exception e) {
                if (!listening) {
                    return;
                }
                log.debug("LISTEN connection lost ({}); reconnecting in {}", e.getMessage(), backoff);
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
    }

    /**
     * A signal's payload: what happened, and who sent it ({@code what@sender}); a payload with no sender (a node of an
     * older version, a script) is someone else's.
     */
    record Signal(String what, String sender) {

        static Signal of(String payload) {
            int at = payload == null ? -1 : payload.lastIndexOf('@');
            return at < 0 ? new Signal(payload, null) : new Signal(payload.substring(0, at), payload.substring(at + 1));
        }

        boolean from(String node) {
            return node.equals(sender);
        }
    }
}
