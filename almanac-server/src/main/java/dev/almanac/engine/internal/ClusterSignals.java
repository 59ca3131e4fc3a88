package dev.almanac.engine.internal;

import dev.almanac.common.Databases;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.job.JobCache;
import dev.almanac.job.JobId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Wakes the other nodes of a PostgreSQL cluster with {@code NOTIFY} when this one queued work or changed a job, tells
 * them which jobs it wrote (for their {@link JobCache}), and listens for theirs. On H2 (one node) it does nothing: the
 * local {@link Wakeups} and evictions are enough.
 */
@Component
class ClusterSignals {

    static final String CHANNEL = "almanac_engine";
    /** The signal that a namespace changed: each node reads the namespaces' quotas again ({@link EngineStore}). */
    static final String NAMESPACES = "namespaces";
    /**
     * The signal that a node wrote jobs: {@code jobs-written:id,id,...}, or {@code jobs-written:*} for every job. Each
     * node evicts them from its {@link JobCache}; it wakes no loop.
     */
    static final String JOBS_WRITTEN = "jobs-written:";

    /** How long the listener's connection may take to send; past that it is taken for dead and opened again. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(2);
    /**
     * The listener's signal to itself, sent when it sent nothing else for {@link #PING_EVERY}: a node that hears none
     * of its own signals for {@link #DEAF_AFTER} takes its connection for dead (a half-open one times out no wait).
     */
    static final String PING = "ping";

    static final Duration PING_EVERY = Duration.ofSeconds(1);
    static final Duration DEAF_AFTER = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(ClusterSignals.class);

    /** Who sent a signal: this node's own come back to it through LISTEN, and are passed over. */
    private final String sender = UUID.randomUUID().toString();

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final Wakeups wakeups;
    private final EngineStore store;
    private final JobCache jobCache;
    private final boolean postgres;
    private volatile boolean listening;
    private Thread listener;
    /**
     * Sends a write's jobs when the listener cannot batch them, apart from the writer: a writer's transaction
     * synchronization is no place for a statement, and the engine's outcome writer does not wait for it.
     */
    private final ThreadPoolExecutor atOnceSender =
            new ThreadPoolExecutor(0, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "almanac-jobs-written");
                thread.setDaemon(true);
                return thread;
            });

    private final Consumer<JobCache.Written> atOnce = written -> atOnceSender.execute(() -> sendJobsWritten(written));

    ClusterSignals(DataSource dataSource, JdbcClient jdbc, Wakeups wakeups, EngineStore store, JobCache jobCache) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.wakeups = wakeups;
        this.store = store;
        this.jobCache = jobCache;
        this.postgres = Databases.isPostgres(dataSource);
        if (postgres) {
            // until the listener hears the other nodes, their writes to jobs could be missed; and until it is
            // connected (from the first request on, before the engine starts), this node's go out one by one
            jobCache.deaf(true);
            jobCache.relay(JobCache.Relay.AT_ONCE, atOnce);
        }
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
        // until the listener is connected, this node's writes to jobs go to the other nodes one by one
        jobCache.relay(JobCache.Relay.AT_ONCE, atOnce);
        listener = new Thread(this::listen, "almanac-listen");
        listener.setDaemon(true);
        listener.start();
    }

    synchronized void stop() {
        listening = false;
        if (listener != null) {
            listener.interrupt();
        }
        if (postgres) {
            // what is still written while the node stops (a last outcome, a request) goes out at once
            jobCache.deaf(true);
            sendJobsWritten(jobCache.relay(JobCache.Relay.AT_ONCE, atOnce));
        }
    }

    /** Sends the jobs this node wrote, if any, with a connection of the pool. */
    private void sendJobsWritten(JobCache.Written written) {
        if (!written.none()) {
            notifyCluster(jobsWritten(written));
        }
    }

    /**
     * Holds one connection with LISTEN, and sends on it, at most every {@link JobCache#RELAY_EVERY}, the jobs this node
     * wrote meanwhile; reconnects with a back-off when the database goes away.
     */
    private void listen() {
        Duration backoff = Duration.ofMillis(250);
        while (listening) {
            try (Connection connection = dataSource.getConnection()) {
                // a connection whose network went dead fails its next statement within this, instead of hanging
                connection.setNetworkTimeout(Runnable::run, (int) SEND_TIMEOUT.toMillis());
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                backoff = Duration.ofMillis(250);
                // signals sent while this node was not listening are lost: what they may have said is read again
                store.namespacesChanged();
                synchronized (this) {
                    if (!listening) {
                        return; // stopped meanwhile: stop() left the writes to go out at once
                    }
                    jobCache.clear();
                    jobCache.deaf(false);
                    jobCache.relay(JobCache.Relay.BATCHED, atOnce);
                }
                wakeups.everything();
                long relayedAt = System.nanoTime(); // when the batch was last looked at
                long sentAt = relayedAt; // when this node last sent anything
                long heardSelfAt = relayedAt;
                while (listening) {
                    // notifications wake it early (its own among them); the batch is looked at every RELAY_EVERY
                    long left = JobCache.RELAY_EVERY.toNanos() - (System.nanoTime() - relayedAt);
                    PGNotification[] notifications =
                            pg.getNotifications((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    boolean wake = false;
                    for (PGNotification notification : notifications == null ? new PGNotification[0] : notifications) {
                        Signal signal = Signal.of(notification.getParameter());
                        if (signal.from(sender)) {
                            heardSelfAt = System.nanoTime();
                            continue;
                        }
                        if (PING.equals(signal.what())) {
                            continue;
                        }
                        if (signal.what() != null && signal.what().startsWith(JOBS_WRITTEN)) {
                            jobCache.heard(jobsWritten(signal.what()));
                            continue;
                        }
                        wake = true;
                        if (NAMESPACES.equals(signal.what())) {
                            store.namespacesChanged();
                        }
                    }
                    if (wake) {
                        wakeups.everything();
                    }
                    long now = System.nanoTime();
                    if (now - heardSelfAt > DEAF_AFTER.toNanos()) {
                        throw new SQLException("heard none of its own signals for " + DEAF_AFTER);
                    }
                    if (now - relayedAt >= JobCache.RELAY_EVERY.toNanos()) {
                        relayedAt = now;
                        JobCache.Written written = jobCache.takeWritten();
                        if (!written.none()) {
                            send(connection, written, jobsWritten(written));
                            sentAt = now;
                        } else if (now - sentAt >= PING_EVERY.toNanos()) {
                            send(connection, written, PING);
                            sentAt = now;
                        }
                    }
                }
            } catch (Exception e) {
                jobCache.deaf(true);
                // nobody sends the batch now: what it holds, and what is written from now on, goes out at once
                JobCache.Written unsent = jobCache.relay(JobCache.Relay.AT_ONCE, atOnce);
                if (!listening) {
                    return; // stop() sends what is left
                }
                sendJobsWritten(unsent);
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

    /** Sends {@code what} on the listener's own connection; the jobs {@code written} go out again if it fails. */
    private void send(Connection connection, JobCache.Written written, String what) throws SQLException {
        try (PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify.setString(1, CHANNEL);
            notify.setString(2, what + "@" + sender);
            notify.execute();
        } catch (SQLException e) {
            jobCache.relayAgain(written); // sent at once, or with the next batch
            throw e;
        }
    }

    /** The {@link #JOBS_WRITTEN} signal of {@code written}, without its sender. */
    static String jobsWritten(JobCache.Written written) {
        return JOBS_WRITTEN
                + (written.all()
                        ? "*"
                        : written.jobs().stream().map(JobId::toString).collect(Collectors.joining(",")));
    }

    /** The jobs a {@link #JOBS_WRITTEN} signal names; one it cannot read stands for every job. */
    static JobCache.Written jobsWritten(String what) {
        String list = what.substring(JOBS_WRITTEN.length());
        if (list.equals("*") || list.isEmpty()) {
            return new JobCache.Written(true, Set.of());
        }
        try {
            return new JobCache.Written(
                    false,
                    Arrays.stream(list.split(","))
                            .map(id -> new JobId(UUID.fromString(id)))
                            .collect(Collectors.toSet()));
        } catch (IllegalArgumentException e) {
            return new JobCache.Written(true, Set.of());
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
