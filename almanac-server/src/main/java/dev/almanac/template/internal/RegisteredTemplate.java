package dev.almanac.template.internal;

import com.networknt.schema.Schema;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import java.util.List;
import java.util.Map;

/**
 * A template that passed registration, with what registration worked out once: its descriptor, its compiled
 * schema, the schema and example as JSON objects for the API, and its version with what each version changed.
 */
public record RegisteredTemplate(
        JobTemplate template,
        TemplateDescriptor descriptor,
        Schema schema,
        Map<String, Object> schemaDocument,
        Map<String, Object> exampleParameters,
        String version,
        List<TemplateChange> changes) {}
