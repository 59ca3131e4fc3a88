package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.engine.internal.ClusterSignals.Signal;
import org.junit.jupiter.api.Test;

/** The payload of a cluster signal: what happened and which node said so, so a node passes over its own. */
class ClusterSignalTests {

    @Test
    void aSignalSaysWhatAndWho() {
        Signal signal = Signal.of("work@5b0c");

        assertThat(signal.what()).isEqualTo("work");
        assertThat(signal.from("5b0c")).isTrue();
        assertThat(signal.from("9f1e")).isFalse();
    }

    @Test
    void aSignalWithNoSenderIsSomeoneElses() {
        Signal signal = Signal.of(ClusterSignals.NAMESPACES);

        assertThat(signal.what()).isEqualTo(ClusterSignals.NAMESPACES);
        assertThat(signal.from("5b0c")).isFalse();
    }
}
