package dev.almanac.bench;

import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TemplateDescriptor;
import java.time.Duration;

/**
 * The benchmark's trivial job for Almanac, registered like any third-party template (META-INF/services): it notes
 * when it started and succeeds. Parameter {@code n} is the job's number in the workload.
 */
public class BenchNoopTemplate implements JobTemplate {

    static final String TYPE = "bench_noop";

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder(TYPE)
            .name("Benchmark no-op")
            .description("Does nothing but note when it started; the benchmark's trivial job.")
            .category("benchmark")
            .icon("stopwatch")
            .riskLevel(RiskLevel.LOW)
            .destructive(false)
            .estimatedDuration(Duration.ofMillis(1))
            .resourceUsage(ResourceUsage.LOW)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "n": {"type": "integer", "minimum": 0, "title": "Job number", "description": "The job's number in the workload."}
                      },
                      "additionalProperties": false
                    }
                    """)
            .exampleParameters("""
                    {"n": 0}
                    """)
            .build();

    @Override
    public TemplateDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public JobResult execute(JobContext context) {
        Object n = context.parameters().get("n");
        Probe.ran(n instanceof Number number ? number.intValue() : -1);
        return JobResult.builder(JobResult.Status.SUCCEEDED).message("ok").build();
    }
}
