package dev.almanac.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobContextTest {

    static final Instant NOW = Instant.parse("2025-03-30T01:30:00Z");

    record FixedContext(boolean isCancelled, Optional<Instant> deadline) implements JobContext {
        public String executionId() {
            return "e1";
        }

        public String jobId() {
            return "j1";
        }

        public String jobName() {
            return "nightly";
        }

        public Map<String, Object> parameters() {
            return Map.of("message", "hi");
        }

        public JobLogger log() {
            return (level, message) -> {};
        }

        public Clock clock() {
            return Clock.fixed(NOW, ZoneOffset.UTC);
        }

        public boolean dryRun() {
            return true;
        }
    }

    @Test
    void checkCancelledPassesWhileNotCancelledAndBeforeTheDeadline() {
        assertThatCode(() -> new FixedContext(false, Optional.of(NOW.plusSeconds(1))).checkCancelled())
                .doesNotThrowAnyException();
        assertThatCode(() -> new FixedContext(false, Optional.empty()).checkCancelled())
                .doesNotThrowAnyException();
    }

    @Test
    void checkCancelledThrowsOnceCancelled() {
        assertThatThrownBy(() -> new FixedContext(true, Optional.empty()).checkCancelled())
                .isInstanceOfSatisfying(
                        JobCancelledException.class,
                        e -> assertThat(e.reason()).isEqualTo(JobCancelledException.Reason.CANCELLED));
    }

    @Test
    void checkCancelledThrowsWhenTheClockReachesTheDeadline() {
        assertThatThrownBy(() -> new FixedContext(false, Optional.of(NOW)).checkCancelled())
                .isInstanceOfSatisfying(
                        JobCancelledException.class,
                        e -> assertThat(e.reason()).isEqualTo(JobCancelledException.Reason.DEADLINE_PASSED))
                .hasMessageContaining(NOW.toString());
    }

    @Test
    void defaultDryRunSaysTheTemplateChangesNothing() throws Exception {
        JobTemplate template = new JobTemplate() {
            public TemplateDescriptor descriptor() {
                return TemplateDescriptorTest.complete("read_only")
                        .estimatedDuration(Duration.ofSeconds(1))
                        .build();
            }

            public JobResult execute(JobContext context) {
                throw new AssertionError("a dry run must not execute");
            }
        };

        JobResult result = template.dryRun(new FixedContext(false, Optional.empty()));

        assertThat(result.status()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(result.message()).contains("read_only changes nothing");
        assertThat(result.details()).containsEntry("changes_nothing", true);
        assertThat(result.details()).containsEntry("parameters", Map.of("message", "hi"));
        assertThat(template.validate(Map.of())).isEmpty();
    }
}
