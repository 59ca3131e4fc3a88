package dev.almanac.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.almanac.template.JobCancelledException;
import dev.almanac.template.JobContext;
import dev.almanac.template.JobLogger;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The sample plugin as Almanac meets it: found by ServiceLoader, validated, run, stopped and dry-run. */
class CountdownTemplateTest {

    @Test
    void isFoundThroughServiceLoaderLikeEveryTemplate() {
        assertThat(ServiceLoader.load(JobTemplate.class).stream()
                        .map(p -> p.get().descriptor().type()))
                .contains("countdown");
    }

    @Test
    void countsDownLoggingEveryStepAndReportsHowManyItTook() throws Exception {
        Context context = new Context(Map.of("from", 3, "step_millis", 0, "liftoff_message", "go"), 100);

        JobResult result = new CountdownTemplate().execute(context);

        assertThat(context.lines).containsExactly("INFO T-minus 3", "INFO T-minus 2", "INFO T-minus 1", "INFO go");
        assertThat(result.status()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(result.message()).isEqualTo("go after 3 steps");
        assertThat(result.recordsProcessed()).isEqualTo(3);
    }

    @Test
    void stopsAtTheNextStepOnceCancelled() {
        Context context = new Context(Map.of("from", 10, "step_millis", 0), 2);

        assertThatThrownBy(() -> new CountdownTemplate().execute(context)).isInstanceOf(JobCancelledException.class);
        assertThat(context.lines).containsExactly("INFO T-minus 10", "INFO T-minus 9");
    }

    @Test
    void refusesACountdownLongerThanTenMinutesInAll() {
        assertThat(new CountdownTemplate().validate(Map.of("from", 601, "step_millis", 1000)))
                .singleElement()
                .satisfies(error -> assertThat(error.field()).isEqualTo("step_millis"));
        assertThat(new CountdownTemplate().validate(Map.of("from", 600, "step_millis", 1000)))
                .isEmpty();
    }

    @Test
    void aDryRunSaysWhatARunWouldDoAndDoesNothing() {
        Context context = new Context(Map.of("from", 5, "step_millis", 200), 100);

        JobResult result = new CountdownTemplate().dryRun(context);

        assertThat(result.message())
                .isEqualTo("Dry run: would count down from 5 in 1000 ms and log \"liftoff\"; changes nothing");
        assertThat(context.lines).isEmpty();
    }

    /** A context of the kind a plugin's own tests use: parameters in, log lines out, cancelled after some checks. */
    static final class Context implements JobContext {
        final Map<String, Object> parameters;
        final List<String> lines = new ArrayList<>();
        int checksBeforeCancel;

        Context(Map<String, Object> parameters, int checksBeforeCancel) {
            this.parameters = parameters;
            this.checksBeforeCancel = checksBeforeCancel;
        }

        @Override
        public String executionId() {
            return "execution-1";
        }

        @Override
        public String jobId() {
            return "job-1";
        }

        @Override
        public String jobName() {
            return "countdown";
        }

        @Override
        public Map<String, Object> parameters() {
            return parameters;
        }

        @Override
        public JobLogger log() {
            return (level, message) -> lines.add(level + " " + message);
        }

        @Override
        public Optional<Instant> deadline() {
            return Optional.empty();
        }

        @Override
        public boolean isCancelled() {
            return checksBeforeCancel-- <= 0;
        }

        @Override
        public Clock clock() {
            return Clock.fixed(Instant.parse("2026-06-01T10:00:00Z"), ZoneOffset.UTC);
        }

        @Override
        public boolean dryRun() {
            return false;
        }
    }
}
