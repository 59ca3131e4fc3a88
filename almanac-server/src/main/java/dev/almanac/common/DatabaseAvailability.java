package dev.almanac.common;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionSystemException;

/**
 * Whether this node can reach its database, as the last heartbeat, health check or request found. Requests answer 503
 * at once while it is known to be away (instead of each waiting for a connection), a probe in the background finds
 * out when it is back, and the log says so once per outage rather than once per request.
 *
 * <p>Only a real connection failure marks the database away: a request that waited in vain for a connection of a full
 * main pool ({@link #isPoolExhausted}) is load, not an outage, and leaves the other requests alone.
 *
 * <p>{@link #downSince()} is a wall-clock time for the health details and the log's "back after n s" only; when to
 * probe again is judged on {@link System#nanoTime()}.
 */
@Component
public class DatabaseAvailability implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(DatabaseAvailability.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration PROBE_EVERY = Duration.ofSeconds(1);

    private final QuickConnections quick;
    private final Object lock = new Object();
    private volatile Instant downSince;
    private volatile String reason;
    private volatile long lastProbe = System.nanoTime();
    private final AtomicBoolean probing = new AtomicBoolean();
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "almanac-db-probe");
        thread.setDaemon(true);
        return thread;
    });

    public DatabaseAvailability(QuickConnections quick) {
        this.quick = quick;
    }

    /** Whether the database is known to be away; asks a background probe to look again, at most once a second. */
    public boolean down() {
        if (downSince == null) {
            return false;
        }
        if (System.nanoTime() - lastProbe >= PROBE_EVERY.toNanos() && probing.compareAndSet(false, true)) {
            try {
                prober.execute(() -> {
                    try {
                        probe();
                    } finally {
                        probing.set(false);
                    }
                });
            } catch (RejectedExecutionException stopping) {
                probing.set(false);
            }
        }
        return downSince != null;
    }

    @Override
    public void destroy() {
        prober.shutdownNow();
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

    /**
     * Records that {@code cause} found the database away; a connection pool that is merely full ({@link
     * #isPoolExhausted}) is not an outage and is ignored.
     */
    public void unreachable(Throwable cause) {
        if (isPoolExhausted(cause)) {
            log.debug("No connection free in the pool (load, not an outage): {}", cause.getMessage());
            return;
        }
        unreachable(rootMessage(cause));
    }

    /** Records that the database is away, as a heartbeat or probe on a connection of its own found. */
    public void unreachable(String why) {
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
            // a statement that lost its connection, then a rollback that could not reach it either: Spring throws the
            // rollback's failure and keeps the statement's as the application exception
            if (t instanceof TransactionSystemException rollback
                    && rollback.getApplicationException() != null
                    && rollback.getApplicationException() != failure
                    && isConnectionFailure(rollback.getApplicationException())) {
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

    /**
     * Whether {@code failure} is a real outage: a connection failure ({@link #isConnectionFailure}) other than a wait
     * for a connection of a full pool ({@link #isPoolExhausted}).
     */
    public static boolean isOutage(Throwable failure) {
        return isConnectionFailure(failure) && !isPoolExhausted(failure);
    }

    /**
     * Whether {@code failure} is Hikari giving up waiting for a connection of a pool that is full, as opposed to one it
     * could not open: its timeout then has no cause, or a cause that is no connection failure. (When the database is
     * away, Hikari's timeout carries the driver's last connection failure as its cause.)
     */
    public static boolean isPoolExhausted(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientConnectionException timeout
                    && timeout.getMessage() != null
                    && timeout.getMessage().contains("Connection is not available, request timed out")) {
                return timeout.getCause() == null || !isConnectionFailure(timeout.getCause());
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
