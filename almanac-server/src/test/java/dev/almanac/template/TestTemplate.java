package dev.almanac.template;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** A template for tests: any descriptor, optional semantic rules, counts how often it was asked to validate. */
final class TestTemplate implements JobTemplate {

    private final TemplateDescriptor descriptor;
    private final Function<Map<String, Object>, List<ParameterError>> rules;
    final List<Map<String, Object>> validated = new ArrayList<>();

    TestTemplate(TemplateDescriptor descriptor, Function<Map<String, Object>, List<ParameterError>> rules) {
        this.descriptor = descriptor;
        this.rules = rules;
    }

    TestTemplate(TemplateDescriptor descriptor) {
        this(descriptor, parameters -> List.of());
    }

    static TemplateDescriptor.Builder aTemplate(String type) {
        return TemplateDescriptor.builder(type)
                .name(type.replace('_', ' '))
                .description("A template for tests.")
                .category("test")
                .icon("flask")
                .riskLevel(RiskLevel.LOW)
                .estimatedDuration(Duration.ofSeconds(5))
                .resourceUsage(ResourceUsage.LOW)
                .parametersSchema("{\"type\": \"object\"}");
    }

    static TestTemplate withSchema(String type, String schema, String example) {
        return new TestTemplate(aTemplate(type)
                .parametersSchema(schema)
                .exampleParameters(example)
                .build());
    }

    @Override
    public TemplateDescriptor descriptor() {
        return descriptor;
    }

    @Override
    public List<ParameterError> validate(Map<String, Object> parameters) {
        validated.add(parameters);
        return rules.apply(parameters);
    }

    @Override
    public JobResult execute(JobContext context) {
        return JobResult.succeeded("ran");
    }
}
