package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnginePropertiesTests {

    @Test
    void theDefaultsLetAHealthyNodeRenewItsLeaseLongBeforeItStopsItsRuns() {
        EngineProperties defaults = with(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(30));

        assertThat(defaults.fenceAfter()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void refusesSettingsWhereANodeWouldStopItsRunsBeforeItCouldRenewItsLease() {
        assertThatThrownBy(() -> with(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("almanac.engine.heartbeat-interval (PT0.5S)")
                .hasMessageContaining("almanac.engine.heartbeat-timeout (PT2S)")
                .hasMessageContaining("almanac.engine.dead-node-threshold (PT3S)");
        assertThatThrownBy(() -> with(Duration.ofSeconds(16), Duration.ofSeconds(2), Duration.ofSeconds(30)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void acceptsAShortThresholdWithAShortIntervalAndTimeout() {
        assertThat(with(Duration.ofMillis(500), Duration.ofMillis(300), Duration.ofSeconds(3))
                        .fenceAfter())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aCutOffNodesIdleTransactionEndsBeforeAnyNodeMayDeclareItLost() {
        // a node may be declared lost `threshold` after its last renewal, which the cut can follow by up to an
        // interval and two timeouts (the next heartbeat starts an interval and a timeout after the last began, and
        // takes a timeout); the session the cut leaves in a transaction must have ended by then
        int checked = 0;
        for (long interval = 100; interval <= 20_000; interval += 700) {
            for (long timeout = 100; timeout <= 10_000; timeout += 900) {
                for (long threshold = 300; threshold <= 120_000; threshold += 1_300) {
                    EngineProperties properties;
                    try {
                        properties = with(
                                Duration.ofMillis(interval), Duration.ofMillis(timeout), Duration.ofMillis(threshold));
                    } catch (IllegalArgumentException refused) {
                        continue;
                    }
                    Duration renewalAgeAtTheCut = Duration.ofMillis(interval + 2 * timeout);
                    assertThat(properties.idleTransactionLimit())
                            .isLessThan(properties.deadNodeThreshold().minus(renewalAgeAtTheCut));
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(1000);
        assertThat(with(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(30))
                        .idleTransactionLimit())
                .isEqualTo(Duration.ofSeconds(10));
    }

    private static EngineProperties with(Duration interval, Duration timeout, Duration threshold) {
        return new EngineProperties(
                true,
                null,
                16,
                Duration.ofSeconds(1),
                500,
                interval,
                timeout,
                threshold,
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
}
