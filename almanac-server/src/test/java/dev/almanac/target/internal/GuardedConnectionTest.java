package dev.almanac.target.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.almanac.common.RunControl;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A target connection's metadata reads keep to the run's limits, and never hand out the driver's own connection. */
class GuardedConnectionTest {

    /** A run that is stopped once {@link #stop} is set; what stopping throws stands for the SPI's cancellation. */
    private static final class Run implements RunControl {
        final AtomicBoolean stop = new AtomicBoolean();

        @Override
        public Optional<Duration> remaining() {
            return Optional.empty();
        }

        @Override
        public void checkStop() {
            if (stop.get()) {
                throw new IllegalStateException("the run was stopped");
            }
        }

        @Override
        public Registration onStop(Runnable action) {
            return () -> {};
        }
    }

    @Test
    void aStoppedRunReadsNoMoreMetadataAndTheMetadataNamesTheGuardedConnection() throws SQLException {
        Run run = new Run();
        try (Connection raw = DriverManager.getConnection("jdbc:h2:mem:guarded_metadata", "sa", "")) {
            raw.createStatement().execute("CREATE TABLE items (id BIGINT PRIMARY KEY)");
            Connection guarded = GuardedConnection.wrap(raw, run);
            DatabaseMetaData metadata = guarded.getMetaData();

            assertThat(metadata.getConnection()).isSameAs(guarded);
            assertThatThrownBy(() -> metadata.unwrap(DatabaseMetaData.class)).isInstanceOf(SQLException.class);
            try (ResultSet columns = metadata.getColumns(null, null, "ITEMS", "%")) {
                assertThat(columns.next()).isTrue();
            }
            run.stop.set(true);
            assertThatThrownBy(() -> metadata.getColumns(null, null, "ITEMS", "%"))
                    .hasMessage("the run was stopped");
        }
    }
}
