package dev.almanac.template.internal;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** The response of {@code GET /api/admin/scheduler/templates}. */
@Schema(description = "Every job template, sorted by category, then name")
public record TemplateList(List<TemplateSummary> templates) {}
