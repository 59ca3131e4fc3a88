package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.DatabaseAvailability;
import dev.almanac.common.QuickConnections;
import dev.almanac.testing.MutableClock;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Set;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The lease rules on a settable clock, over an in-memory database a test can make unreachable or slow to hand out a
 * connection.
 */
class NodeLeaseTests {

    final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T10:00:00Z"));
    final SwitchableDatabase database = new SwitchableDatabase();
    final JdbcClient jdbc = JdbcClient.create(database);
    final QuickConnections quick = new QuickConnections(database);
    final NodeLease lease =
            new NodeLease(new NodeRepository(jdbc), quick, new DatabaseAvailability(quick), properties(), clock);

    NodeLeaseTests() {
        jdbc.sql("""
                        CREATE TABLE nodes (id VARCHAR(100) PRIMARY KEY, host VARCHAR(255) NOT NULL,
                            roles VARCHAR(100) NOT NULL, started_at TIMESTAMP WITH TIME ZONE NOT NULL,
                            heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL, almanac_version VARCHAR(100),
                            schema_version INTEGER)
                        """).update();
    }

    @AfterEach
    void close() {
        quick.destroy();
        database.reachable = true;
        jdbc.sql("DROP ALL OBJECTS").update();
    }

    @Test
    void theLeaseRunsOutTwoThirdsOfTheThresholdAfterTheLastConfirmedHeartbeat() {
        assertThat(lease.renew()).isTrue();
        Instant renewed = clock.instant();

        database.reachable = false;
        clock.advance(Duration.ofSeconds(10));
        assertThat(lease.renew()).isFalse();

        assertThat(lease.expiringAt(renewed.plusSeconds(19))).isFalse();
        assertThat(lease.expiringAt(renewed.plusSeconds(20))).isTrue();
        assertThat(lease.renewedAt()).isEqualTo(renewed);
    }

    @Test
    void aHeartbeatWritesTheTimeItGotItsConnectionNotTheTimeItStartedToWait() {
        database.onConnection = () -> clock.advance(Duration.ofSeconds(25));
        Instant before = clock.instant();

        assertThat(lease.renew()).isTrue();

        assertThat(heartbeatAt()).isEqualTo(before.plusSeconds(25));
        assertThat(lease.renewedAt()).isEqualTo(before.plusSeconds(25));
    }

    @Test
    void aNodeBackFromAnOutageJudgesNoOtherNodeUntilItHasSeenTheDatabaseForAWholeThreshold() {
        assertThat(lease.renew()).isTrue();
        assertThat(lease.mayRecoverOthersAt(clock.instant())).isTrue();

        database.reachable = false;
        clock.advance(Duration.ofSeconds(80));
        assertThat(lease.renew()).isFalse();
        assertThat(lease.mayRecoverOthersAt(clock.instant())).isFalse();

        database.reachable = true;
        assertThat(lease.renew()).isTrue();
        Instant back = clock.instant();
        assertThat(lease.mayRecoverOthersAt(back.plusSeconds(29))).isFalse();
        assertThat(lease.mayRecoverOthersAt(back.plusSeconds(30))).isTrue();
    }

    private Instant heartbeatAt() {
        return jdbc.sql("SELECT heartbeat_at FROM nodes")
                .query(OffsetDateTime.class)
                .single()
                .toInstant();
    }

    private static EngineProperties properties() {
        return properties(16);
    }

    /** The engine's settings for tests of its parts, with this many workers. */
    static EngineProperties properties(int workers) {
        return new EngineProperties(
                true,
                "lease-node",
                workers,
                Duration.ofSeconds(1),
                500,
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                1000,
                0.1,
                Duration.ofMillis(500),
                10_000,
                1_048_576,
                Set.of(EngineProperties.Role.TRIGGER, EngineProperties.Role.WORKER),
                -1,
                Duration.ofSeconds(2));
    }

    /** An in-memory H2 that refuses connections while {@code reachable} is false. */
    static final class SwitchableDatabase extends DelegatingDataSource {

        volatile boolean reachable = true;
        volatile Runnable onConnection = () -> {};

        SwitchableDatabase() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:lease;DB_CLOSE_DELAY=-1");
            setTargetDataSource(h2);
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (!reachable) {
                throw new SQLTransientConnectionException("the database is away");
            }
            onConnection.run();
            return super.getConnection();
        }
    }
}
