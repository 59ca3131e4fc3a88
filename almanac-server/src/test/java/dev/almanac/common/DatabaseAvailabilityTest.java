package dev.almanac.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.mockito.Mockito;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

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
}
