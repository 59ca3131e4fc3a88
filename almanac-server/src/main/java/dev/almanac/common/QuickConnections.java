package dev.almanac.common;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;

/**
 * Connections for what must answer within a bound when the database is away, whatever the main pool's settings: the
 * engine's heartbeat, the availability probe and the health check. They come from small pools of their own (a
 * heartbeat must not queue behind requests, nor wait the main pool's connection timeout), every statement has a
 * network timeout (a dead TCP connection is otherwise noticed only by the operating system, after minutes), and the
 * caller gives up after its timeout even if the driver does not.
 *
 * <p>The heartbeat has a pool of one connection to itself ({@link #heartbeat}): however often anyone asks for
 * {@code /actuator/health}, which is public, the heartbeat never waits for a connection a health check or probe holds,
 * so polling health cannot make the node fence itself. Health and probe share a pool of two ({@link #call}).
 */
@Component
public class QuickConnections implements DisposableBean {

    /** Work done on one connection. */
    public interface Call<T> {
        T run(Connection connection) throws SQLException;
    }

    /** How long a call left behind by its caller may hold its thread and connection before the driver gives up. */
    private static final Duration ABANDONED_AFTER = Duration.ofSeconds(5);

    private final HikariDataSource ownPool;
    private final HikariDataSource heartbeatPool;
    private final DataSource dataSource;
    private final DataSource heartbeatSource;
    private final ExecutorService calls = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "almanac-quick-db");
        thread.setDaemon(true);
        return thread;
    });

    public QuickConnections(DataSource main) {
        HikariDataSource hikari = Databases.hikari(main);
        if (hikari == null) {
            ownPool = null;
            heartbeatPool = null;
            dataSource = main;
            heartbeatSource = main;
            return;
        }
        ownPool = pool(hikari, "-quick", 2);
        heartbeatPool = pool(hikari, "-heartbeat", 1);
        dataSource = ownPool;
        heartbeatSource = heartbeatPool;
    }

    private static HikariDataSource pool(HikariDataSource main, String suffix, int size) {
        HikariConfig config = new HikariConfig();
        main.copyStateTo(config);
        config.setPoolName(main.getPoolName() + suffix);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(ABANDONED_AFTER.toMillis());
        config.setValidationTimeout(500);
        // the application starts (and its health says why it is down) even while the database is away
        config.setInitializationFailTimeout(-1);
        return new HikariDataSource(config);
    }

    /**
     * Like {@link #call}, on the heartbeat's own connection, which nothing else uses.
     *
     * @throws DataAccessResourceFailureException when the database did not answer in time or could not be reached
     */
    public <T> T heartbeat(Duration timeout, Call<T> call) {
        return call(heartbeatSource, timeout, call);
    }

    /**
     * Runs {@code call} on a connection and gives up after {@code timeout}, connection wait included.
     *
     * @throws DataAccessResourceFailureException when the database did not answer in time or could not be reached
     */
    public <T> T call(Duration timeout, Call<T> call) {
        return call(dataSource, timeout, call);
    }

    private <T> T call(DataSource source, Duration timeout, Call<T> call) {
        Future<T> answer = calls.submit(() -> {
            try (Connection connection = source.getConnection()) {
                try {
                    connection.setNetworkTimeout(Runnable::run, (int) ABANDONED_AFTER.toMillis());
                } catch (SQLException | UnsupportedOperationException notSupported) {
                    // H2 in the same process has no network to time out
                }
                return call.run(connection);
            }
        });
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException late) {
            answer.cancel(true);
            throw new DataAccessResourceFailureException(
                    "the database did not answer within " + Durations.spoken(timeout));
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new DataAccessResourceFailureException("interrupted while waiting for the database", e);
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new DataAccessResourceFailureException(String.valueOf(cause.getMessage()), cause);
        }
    }

    /** Whether the database answers a trivial query within {@code timeout}. */
    public boolean ping(Duration timeout) {
        try {
            return call(timeout, connection -> connection.isValid((int) Math.max(1, timeout.toSeconds())));
        } catch (RuntimeException unreachable) {
            return false;
        }
    }

    @Override
    public void destroy() {
        calls.shutdownNow();
        if (ownPool != null) {
            ownPool.close();
        }
        if (heartbeatPool != null) {
            heartbeatPool.close();
        }
    }
}
