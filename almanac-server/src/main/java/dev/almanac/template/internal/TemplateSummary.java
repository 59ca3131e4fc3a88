package dev.almanac.template.internal;

import dev.almanac.template.TemplateDescriptor;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Locale;
import java.util.Map;

/**
 * One job template as the API lists it.
 *
 * <p>Component names are written snake_case by the global Jackson naming strategy; the {@code @Schema} names
 * say the same to springdoc, which does not read that setting.
 */
@Schema(name = "Template", description = "A job template: a kind of job Almanac can run")
public record TemplateSummary(
        @Schema(description = "Stable identifier jobs refer to", example = "heartbeat")
        String type,

        @Schema(description = "Display name", example = "Heartbeat")
        String name,

        @Schema(description = "What the template does") String description,

        @Schema(description = "Group the UI lists it under", example = "system")
        String category,

        @Schema(description = "Short icon name", example = "heart-pulse")
        String icon,

        @Schema(
                name = "risk_level",
                description = "How much harm a misconfigured run can do",
                allowableValues = {"low", "medium", "high"})
        String riskLevel,

        @Schema(description = "Whether a run deletes or overwrites data")
        boolean destructive,

        @Schema(name = "estimated_duration_seconds", description = "Typical run time in whole seconds", example = "1")
        long estimatedDurationSeconds,

        @Schema(name = "estimated_duration", description = "Typical run time, ISO-8601", example = "PT1S")
        String estimatedDuration,

        @Schema(
                name = "resource_usage",
                description = "How heavy a typical run is",
                allowableValues = {"low", "medium", "high"})
        String resourceUsage,

        @Schema(
                name = "example_parameters",
                description = "A parameters object that validates against the template's schema")
        Map<String, Object> exampleParameters,

        @Schema(
                description = "The template's version; each job records the one it was validated against",
                example = "1")
        String version,

        @Schema(description = "Whether this node can run it (a program it needs may be missing)")
        boolean available,

        @Schema(name = "unavailable_reason", description = "Why this node cannot run it, and how to fix that")
        String unavailableReason) {

    static TemplateSummary of(RegisteredTemplate registered) {
        TemplateDescriptor descriptor = registered.descriptor();
        return new TemplateSummary(
                descriptor.type(),
                descriptor.name(),
                descriptor.description(),
                descriptor.category(),
                descriptor.icon(),
                lowerCase(descriptor.riskLevel()),
                descriptor.destructive(),
                descriptor.estimatedDuration().toSeconds(),
                descriptor.estimatedDuration().toString(),
                lowerCase(descriptor.resourceUsage()),
                registered.exampleParameters(),
                registered.version(),
                registered.template().unavailableReason().isEmpty(),
                registered.template().unavailableReason().orElse(null));
    }

    private static String lowerCase(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
