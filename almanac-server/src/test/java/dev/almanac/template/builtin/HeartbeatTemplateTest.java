package dev.almanac.template.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.FieldError;
import dev.almanac.template.JobContext;
import dev.almanac.template.JobLogger;
import dev.almanac.template.JobResult;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TemplateRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeartbeatTemplateTest {

    static final Instant NOW = Instant.parse("2025-10-26T01:30:00Z");

    final List<String> log = new ArrayList<>();
    final HeartbeatTemplate heartbeat = new HeartbeatTemplate();

    JobContext context(Map<String, Object> parameters, boolean dryRun) {
        JobLogger logger = (level, message) -> log.add(level + " " + message);
        return new JobContext() {
            public String executionId() {
                return "exec-1";
            }

            public String jobId() {
                return "job-1";
            }

            public String jobName() {
                return "heartbeat every minute";
            }

            public Map<String, Object> parameters() {
                return parameters;
            }

            public JobLogger log() {
                return logger;
            }

            public Optional<Instant> deadline() {
                return Optional.empty();
            }

            public boolean isCancelled() {
                return false;
            }

            public Clock clock() {
                return Clock.fixed(NOW, ZoneOffset.UTC);
            }

            public boolean dryRun() {
                return dryRun;
            }
        };
    }

    @Test
    void logsItsMessageAndReturnsTheClocksTime() {
        JobResult result = heartbeat.execute(context(Map.of("message", "still here"), false));

        assertThat(log).containsExactly("INFO heartbeat: still here");
        assertThat(result.status()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(result.details()).containsExactly(Map.entry("timestamp", "2025-10-26T01:30:00Z"));
    }

    @Test
    void logsADefaultMessageWhenNoneIsGiven() {
        heartbeat.execute(context(Map.of(), false));

        assertThat(log).containsExactly("INFO heartbeat: alive");
    }

    @Test
    void dryRunSaysWhatItWouldLogAndLogsNothing() {
        JobResult result = heartbeat.dryRun(context(Map.of("message", "ping"), true));

        assertThat(log).isEmpty();
        assertThat(result.status()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(result.message()).contains("would log \"heartbeat: ping\"").contains("changes nothing");
    }

    @Test
    void describesALowRiskSystemTemplate() {
        assertThat(heartbeat.descriptor().type()).isEqualTo("heartbeat");
        assertThat(heartbeat.descriptor().category()).isEqualTo("system");
        assertThat(heartbeat.descriptor().icon()).isEqualTo("heart-pulse");
        assertThat(heartbeat.descriptor().riskLevel()).isEqualTo(RiskLevel.LOW);
        assertThat(heartbeat.descriptor().destructive()).isFalse();
    }

    @Test
    void acceptsOnlyAShortMessage() {
        TemplateRegistry registry = new TemplateRegistry(List.of(heartbeat));

        assertThat(registry.validateParameters("heartbeat", Map.of("message", "ok")))
                .isEmpty();
        assertThat(registry.validateParameters("heartbeat", Map.of("message", "x".repeat(501), "fail", true)))
                .containsExactlyInAnyOrder(
                        new FieldError("message", "must be at most 500 characters long"),
                        new FieldError("fail", "'fail' is not a parameter of heartbeat; its parameters are message"));
    }
}
