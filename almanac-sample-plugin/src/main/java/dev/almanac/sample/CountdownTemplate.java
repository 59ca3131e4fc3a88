package dev.almanac.sample;

import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ParameterError;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Counts down from {@code from} to zero, one step every {@code step_millis}, logging each step. Small as it is, it
 * shows everything a template does: a descriptor with a JSON Schema, validation beyond the schema, a run that logs
 * its progress, stops when asked to and reports counts, and a dry run that says what a run would do.
 */
public class CountdownTemplate implements JobTemplate {

    /** A run may take at most this long in all; longer countdowns are refused when the job is saved. */
    static final Duration LONGEST = Duration.ofMinutes(10);

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("countdown")
            .name("Countdown (sample plugin)")
            .description("Counts down to zero, logging every step, then reports how many steps it took. A sample of"
                    + " a template plugin; changes nothing.")
            .category("samples")
            .icon("hourglass")
            .riskLevel(RiskLevel.LOW)
            .destructive(false)
            .estimatedDuration(Duration.ofSeconds(10))
            .resourceUsage(ResourceUsage.LOW)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "from": {
                          "type": "integer",
                          "title": "Count down from",
                          "description": "The first number said; the countdown ends at zero.",
                          "minimum": 1,
                          "maximum": 1000,
                          "default": 10
                        },
                        "step_millis": {
                          "type": "integer",
                          "title": "Milliseconds per step",
                          "description": "How long each step lasts.",
                          "minimum": 0,
                          "maximum": 60000,
                          "default": 1000
                        },
                        "liftoff_message": {
                          "type": "string",
                          "title": "Message at zero",
                          "maxLength": 200,
                          "default": "liftoff"
                        }
                      },
                      "required": ["from"],
                      "additionalProperties": false
                    }
                    """)
            .exampleParameters("""
                    {"from": 5, "step_millis": 200, "liftoff_message": "we have liftoff"}
                    """)
            .build();

    @Override
    public TemplateDescriptor descriptor() {
        return DESCRIPTOR;
    }

    /** Raise it when the schema changes: jobs saved with an older version are checked against the new one. */
    @Override
    public String version() {
        return "1";
    }

    @Override
    public List<TemplateChange> changes() {
        return List.of(new TemplateChange("1", "First version."));
    }

    /** The schema bounds each number; only together can they ask for a run longer than {@link #LONGEST}. */
    @Override
    public List<ParameterError> validate(Map<String, Object> parameters) {
        List<ParameterError> errors = new ArrayList<>();
        Duration total = stepOf(parameters).multipliedBy(fromOf(parameters));
        if (total.compareTo(LONGEST) > 0) {
            errors.add(new ParameterError(
                    "step_millis",
                    "from × step_millis is " + total.toSeconds() + " s; a countdown may last at most "
                            + LONGEST.toMinutes() + " minutes"));
        }
        return errors;
    }

    @Override
    public JobResult execute(JobContext context) throws InterruptedException {
        long from = fromOf(context.parameters());
        Duration step = stepOf(context.parameters());
        for (long n = from; n > 0; n--) {
            context.checkCancelled();
            context.log().info("T-minus {}", n);
            Thread.sleep(step.toMillis());
        }
        String message = messageOf(context.parameters());
        context.log().info("{}", message);
        return JobResult.builder(JobResult.Status.SUCCEEDED)
                .message(message + " after " + from + " steps")
                .recordsProcessed(from)
                .detail("steps", from)
                .build();
    }

    @Override
    public JobResult dryRun(JobContext context) {
        long from = fromOf(context.parameters());
        Duration step = stepOf(context.parameters());
        return JobResult.builder(JobResult.Status.SUCCEEDED)
                .message("Dry run: would count down from " + from + " in "
                        + step.multipliedBy(from).toMillis() + " ms and log \"" + messageOf(context.parameters())
                        + "\"; changes nothing")
                .detail("steps", from)
                .detail("changes_nothing", true)
                .build();
    }

    private static long fromOf(Map<String, Object> parameters) {
        return parameters.get("from") instanceof Number n ? n.longValue() : 10;
    }

    private static Duration stepOf(Map<String, Object> parameters) {
        return Duration.ofMillis(parameters.get("step_millis") instanceof Number n ? n.longValue() : 1000);
    }

    private static String messageOf(Map<String, Object> parameters) {
        return parameters.get("liftoff_message") instanceof String s ? s : "liftoff";
    }
}
