package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A heartbeat that failed is tried again within a second, not a whole interval later: with the default 5 s interval
 * and a 20 s lease, a database back 1 s after a failed heartbeat renewed the lease 4 s too late to save runs whose
 * lease ran out meanwhile (an exploratory outage test saw runs stopped after a 17 s outage).
 */
class EngineLoopsTests {

    @Test
    void aFailedHeartbeatIsTriedAgainWithinASecond() {
        Duration interval = Duration.ofSeconds(5);
        assertThat(EngineLoops.nextHeartbeatIn(true, interval)).isEqualTo(interval);
        assertThat(EngineLoops.nextHeartbeatIn(false, interval)).isEqualTo(Duration.ofSeconds(1));
        // an interval shorter than the retry is kept either way
        assertThat(EngineLoops.nextHeartbeatIn(false, Duration.ofMillis(500))).isEqualTo(Duration.ofMillis(500));
    }
}
