package dev.almanac.template.internal;

import dev.almanac.template.TemplateChange;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/** The response of {@code GET /api/admin/scheduler/templates/{type}}: the template and its parameters schema. */
@Schema(description = "One job template with the JSON Schema (2020-12) of its parameters")
public record TemplateDetails(
        TemplateSummary template,

        @Schema(description = "JSON Schema 2020-12 of the parameters object")
        Map<String, Object> schema,

        @Schema(description = "What each version of the template changed, oldest first")
        List<TemplateChange> changes) {}
