package dev.almanac.target.internal;

import dev.almanac.common.RunControl;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * A target connection that carries the run's limits to every statement (ARCHITECTURE §4, timeouts): before each
 * execution the statement's query timeout is cut to the run's remaining time, and while the statement is open a stop
 * of the run (cancel, timeout, lease lost, shutdown) cancels it on the server. A statement that fails because the run
 * had to stop reports that, not the driver's error.
 */
public final class GuardedConnection implements InvocationHandler {

    private final Connection connection;
    private final RunControl run;

    private GuardedConnection(Connection connection, RunControl run) {
        this.connection = connection;
        this.run = run;
    }

    public static Connection wrap(Connection connection, RunControl run) {
        return (Connection) Proxy.newProxyInstance(
                GuardedConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                new GuardedConnection(connection, run));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("unwrap") || method.getName().equals("isWrapperFor")) {
            throw new SQLException("a target connection cannot be unwrapped");
        }
        Object result = call(connection, method, args);
        if (result instanceof DatabaseMetaData metadata) {
            return Proxy.newProxyInstance(
                    GuardedConnection.class.getClassLoader(),
                    new Class<?>[] {DatabaseMetaData.class},
                    (metadataProxy, read, readArgs) -> readMetadata(metadata, (Connection) proxy, read, readArgs));
        }
        if (result instanceof Statement statement) {
            Class<?> kind = statement instanceof CallableStatement
                    ? CallableStatement.class
                    : statement instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
            return Proxy.newProxyInstance(
                    GuardedConnection.class.getClassLoader(),
                    new Class<?>[] {kind},
                    new GuardedStatement(statement, run));
        }
        return result;
    }

    /**
     * A read of the target's metadata (its tables, columns, keys): the driver runs its own statements for it, which no
     * guard reaches, so a stopped run stops before each read, as a run between two statements does; the connection it
     * names is this guarded one, not the driver's.
     */
    private Object readMetadata(DatabaseMetaData metadata, Connection guarded, Method method, Object[] args)
            throws Throwable {
        switch (method.getName()) {
            case "unwrap", "isWrapperFor" -> throw new SQLException("target metadata cannot be unwrapped");
            case "getConnection" -> {
                return guarded;
            }
            default -> {
                run.checkStop();
                return call(metadata, method, args);
            }
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static final class GuardedStatement implements InvocationHandler {

        private final Statement statement;
        private final RunControl run;
        private final RunControl.Registration cancelOnStop;
        private int ownTimeoutSeconds;

        GuardedStatement(Statement statement, RunControl run) {
            this.statement = statement;
            this.run = run;
            this.cancelOnStop = run.onStop(this::cancel);
        }

        private void cancel() {
            try {
                statement.cancel();
            } catch (SQLException | RuntimeException ignored) {
                // the statement may have finished or been closed meanwhile
            }
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            switch (name) {
                case "unwrap", "isWrapperFor" -> throw new SQLException("a target statement cannot be unwrapped");
                case "setQueryTimeout" -> {
                    ownTimeoutSeconds = (Integer) args[0];
                    return null;
                }
                case "getConnection" -> throw new SQLException("use the connection the statement came from");
                case "close" -> {
                    cancelOnStop.close();
                    return call(statement, method, args);
                }
                default -> {
                    if (!name.startsWith("execute")) {
                        return call(statement, method, args);
                    }
                }
            }
            run.checkStop();
            statement.setQueryTimeout(timeoutSeconds());
            try {
                return call(statement, method, args);
            } catch (SQLException failure) {
                run.checkStop();
                throw failure;
            }
        }

        /** The statement's own timeout, cut to the run's remaining time; 0 (none) only when neither is set. */
        private int timeoutSeconds() {
            Optional<Duration> remaining = run.remaining();
            if (remaining.isEmpty()) {
                return ownTimeoutSeconds;
            }
            long left = Math.max(1, (remaining.get().toMillis() + 999) / 1000);
            int cut = (int) Math.min(Integer.MAX_VALUE, left);
            return ownTimeoutSeconds > 0 ? Math.min(ownTimeoutSeconds, cut) : cut;
        }
    }
}
