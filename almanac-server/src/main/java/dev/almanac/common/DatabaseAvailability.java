package dev.almanac.common;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.stereotype.Component;

/**
 * Whether this node can reach its database, as the last heartbeat, health check or request found. Requests answer 503
 * at once while it is known to be away (instead of each waiting for a connection), a probe in the background finds
 * out when it is back, and the log says so once per outage rather than once per request.
 */
@Component
public class DatabaseAvailability {

    private static final Logger log = LoggerFactory.getLogger(DatabaseAvailability.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration PROBE_EVERY = Duration.ofSeconds(1);

    private final QuickConnections quick;
    private final Object lock = new Object();
    private volatile Instant downSince;
    private volatile String reason;
    private volatile long lastProbe = System.nanoTime();
    private final AtomicBoolean probing = new AtomicBoolean();

    public DatabaseAvailability(QuickConnections quick) {
        this.quick = quick;
    }

    /** Whether the database is known to be away; asks a background probe to look again, at most once a second. */
    public boolean down() {
        if (downSince == null) {
            return false;
        }
        if (System.nanoTime() - lastProbe >= PROBE_EVERY.toNanos() && probing.compareAndSet(false, true)) {
            Thread prober = new Thread(
                    () -> {
                        try {
                            probe();
                        } finally {
                            probing.set(false);
                        }
                    },
                    "almanac-db-probe");
            prober.setDaemon(true);
            prober.start();
        }
        return downSince != null;
    }

    /** Asks the database now, within {@link #PROBE_TIMEOUT}, and records what it found. */
    public boolean probe() {
        lastProbe = System.nanoTime();
        try {
            if (quick.ping(PROBE_TIMEOUT)) {
                reachable();
                return true;
            }
            unreachable("no answer within " + PROBE_TIMEOUT.toMillis() + " ms");
        } catch (RuntimeException e) {
            unreachable(e.getMessage());
        }
        return false;
    }

    /** Since when the database is known to be away; null while it is not. */
    public Instant downSince() {
        return downSince;
    }

    /** Why the database is away, as the driver said it; null while it is not. */
    public String reason() {
        return downSince == null ? null : reason;
    }

    public void reachable() {
        synchronized (lock) {
            if (downSince != null) {
                log.info(
                        "The database is reachable again after {} s",
                        Duration.between(downSince, Instant.now()).toSeconds());
                downSince = null;
                reason = null;
            }
        }
    }

    public void unreachable(Throwable cause) {
        unreachable(rootMessage(cause));
    }

    private void unreachable(String why) {
        synchronized (lock) {
            reason = why;
            if (downSince == null) {
                downSince = Instant.now();
                lastProbe = System.nanoTime();
                log.warn("The database is unreachable ({}); requests answer 503 until it is back", why);
            }
        }
    }

    /**
     * Whether {@code failure} says the database could not be reached (no connection, a connection that broke, a server
     * that is shutting down or starting), as opposed to a statement it refused.
     */
    public static boolean isConnectionFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessResourceException
                    || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            // 08: connection exception; 57P01-57P03: the server shuts down or cannot take connections yet
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
