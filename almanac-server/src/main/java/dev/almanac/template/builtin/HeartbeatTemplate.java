package dev.almanac.template.builtin;

import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Writes one line to the execution log. Scheduled every few minutes, it shows that the scheduler is alive and
 * on time; it changes nothing.
 */
public class HeartbeatTemplate implements JobTemplate {

    static final String DEFAULT_MESSAGE = "alive";

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("heartbeat")
            .name("Heartbeat")
            .description("Writes a heartbeat line to the execution log, to show that the scheduler is alive and"
                    + " runs jobs on time. Changes nothing.")
            .category("system")
            .icon("heart-pulse")
            .riskLevel(RiskLevel.LOW)
            .destructive(false)
            .estimatedDuration(Duration.ofSeconds(1))
            .resourceUsage(ResourceUsage.LOW)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "message": {
                          "type": "string",
                          "title": "Message",
                          "description": "Text written to the execution log with each heartbeat.",
                          "maxLength": 500,
                          "default": "alive"
                        }
                      },
                      "additionalProperties": false
                    }
                    """)
            .exampleParameters("""
                    {"message": "scheduler is alive"}
                    """)
            .build();

    @Override
    public TemplateDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public List<TemplateChange> changes() {
        return List.of(new TemplateChange("1", "Writes a heartbeat line to the execution log."));
    }

    @Override
    public JobResult execute(JobContext context) {
        Instant now = context.clock().instant();
        context.log().info("heartbeat: {}", message(context));
        return JobResult.builder(JobResult.Status.SUCCEEDED)
                .message("heartbeat at " + now)
                .detail("timestamp", now.toString())
                .build();
    }

    @Override
    public JobResult dryRun(JobContext context) {
        return JobResult.builder(JobResult.Status.SUCCEEDED)
                .message("Dry run: would log \"heartbeat: " + message(context) + "\"; changes nothing")
                .detail("changes_nothing", true)
                .build();
    }

    private static String message(JobContext context) {
        return context.parameters().get("message") instanceof String message ? message : DEFAULT_MESSAGE;
    }
}
