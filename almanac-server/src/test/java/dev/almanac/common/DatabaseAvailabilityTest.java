package dev.almanac.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.TransactionSystemException;

/** A full pool is load, not an outage; a connection the driver could not open is one. */
class DatabaseAvailabilityTest {

    static final String HIKARI_TIMEOUT =
            "HikariPool-1 - Connection is not available, request timed out after 1000ms (total=10, active=10)";

    @Test
    void aFullPoolIsNoOutage() {
        CannotGetJdbcConnectionException full = new CannotGetJdbcConnectionException(
                "Failed to obtain JDBC Connection", new SQLTransientConnectionException(HIKARI_TIMEOUT));

        assertThat(DatabaseAvailability.isConnectionFailure(full)).isTrue();
        assertThat(DatabaseAvailability.isPoolExhausted(full)).isTrue();
        assertThat(DatabaseAvailability.isOutage(full)).isFalse();

        DatabaseAvailability availability =
                new DatabaseAvailability(new QuickConnections(Mockito.mock(DataSource.class)));
        try {
            availability.unreachable(full);
            assertThat(availability.downSince()).isNull();
        } finally {
            availability.destroy();
        }
    }

    @Test
    void aPoolTimeoutCausedByARefusedConnectionIsAnOutage() {
        SQLTransientConnectionException timeout = new SQLTransientConnectionException(
                HIKARI_TIMEOUT,
                "08001",
                new SQLException(
                        "Connection to 127.0.0.1:1 refused", "08001", new ConnectException("Connection refused")));
        CannotGetJdbcConnectionException away =
                new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection", timeout);

        assertThat(DatabaseAvailability.isPoolExhausted(away)).isFalse();
        assertThat(DatabaseAvailability.isOutage(away)).isTrue();

        DatabaseAvailability availability =
                new DatabaseAvailability(new QuickConnections(Mockito.mock(DataSource.class)));
        try {
            availability.unreachable(away);
            assertThat(availability.downSince()).isNotNull();
            assertThat(availability.reason()).isEqualTo("Connection refused");
        } finally {
            availability.destroy();
        }
    }

    /**
     * The database went away during a transaction: the statement failed on its connection, then the rollback failed
     * too. Spring throws the rollback's failure, whose own cause need not say "connection"; the statement's failure is
     * its application exception. An engine loop's step that ended so counts toward the outage (a trigger pass judges the
     * slots due meanwhile as missed after two such passes), and a request answers 503, not 500.
     */
    @Test
    void aRollbackThatFailedAfterTheConnectionWasLostIsAnOutage() {
        TransactionSystemException rollback =
                new TransactionSystemException("JDBC rollback failed", new SQLException("rollback failed", "XX000"));
        rollback.initApplicationException(new DataAccessResourceFailureException(
                "PreparedStatementCallback",
                new SQLException("FATAL: terminating connection due to administrator command", "57P01")));

        assertThat(DatabaseAvailability.isConnectionFailure(rollback)).isTrue();
        assertThat(DatabaseAvailability.isOutage(rollback)).isTrue();
        assertThat(DatabaseAvailability.isOutage(new TransactionSystemException(
                        "JDBC rollback failed", new SQLException("rollback failed", "XX000"))))
                .isFalse();
    }
}
