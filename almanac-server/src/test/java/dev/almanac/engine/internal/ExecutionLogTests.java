package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.engine.internal.store.EngineStore.PendingLine;
import dev.almanac.execution.ExecutionId;
import dev.almanac.template.JobLogger;
import dev.almanac.testing.MutableClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An execution's log is bounded: past its limit come one truncation marker and silence, but for how it ended. */
class ExecutionLogTests {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T10:00:00Z"));

    @Test
    void stopsAfterTheLineLimitWithOneMarker() {
        ExecutionLog log = new ExecutionLog(ExecutionId.generate(), clock, 3, 1_000_000);
        for (int i = 1; i <= 10; i++) {
            log.info("line {}", i);
        }
        List<PendingLine> lines = log.drain();
        assertThat(lines)
                .extracting(l -> l.line().message())
                .containsExactly(
                        "line 1", "line 2", "line 3", lines.get(3).line().message());
        assertThat(lines.get(3).line().message()).startsWith("log truncated");
        assertThat(lines.get(3).line().level()).isEqualTo("WARN");
        assertThat(lines).extracting(l -> l.line().seq()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void theLastLineSayingHowTheRunEndedIsWrittenPastTheLimit() {
        ExecutionLog log = new ExecutionLog(ExecutionId.generate(), clock, 2, 1_000_000);
        for (int i = 1; i <= 5; i++) {
            log.info("line {}", i);
        }
        log.last(JobLogger.Level.ERROR, "failed: exited with code 1");

        List<PendingLine> lines = log.drain();
        assertThat(lines).extracting(l -> l.line().seq()).containsExactly(1, 2, 3, 4);
        assertThat(lines.get(2).line().message()).startsWith("log truncated");
        assertThat(lines.get(3).line().message()).isEqualTo("failed: exited with code 1");
        assertThat(lines.get(3).line().level()).isEqualTo("ERROR");
    }

    @Test
    void stopsAfterTheByteLimit() {
        ExecutionLog log = new ExecutionLog(ExecutionId.generate(), clock, 10_000, 10);
        log.info("12345");
        log.info("67890");
        log.info("x");
        assertThat(log.drain())
                .extracting(l -> l.line().message())
                .hasSize(3)
                .last()
                .asString()
                .startsWith("log truncated");
    }

    @Test
    void drainsOnlyWhatIsNew() {
        ExecutionLog log = new ExecutionLog(ExecutionId.generate(), clock, 100, 1000);
        log.warn("first");
        assertThat(log.drain()).hasSize(1);
        assertThat(log.drain()).isEmpty();
        log.error("second");
        assertThat(log.drain())
                .singleElement()
                .satisfies(l -> assertThat(l.line().seq()).isEqualTo(2));
    }

    @Test
    void capsOneOverlongLine() {
        ExecutionLog log = new ExecutionLog(ExecutionId.generate(), clock, 100, 10_000_000);
        log.info("x".repeat(20_000));
        assertThat(log.drain().get(0).line().message()).hasSize(ExecutionLog.MAX_MESSAGE_CHARS);
    }
}
