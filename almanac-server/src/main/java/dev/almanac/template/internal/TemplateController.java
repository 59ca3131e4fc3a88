package dev.almanac.template.internal;

import dev.almanac.template.TemplateRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Lists the job templates and shows one with its parameters schema, for API clients and the job form. */
@RestController
@RequestMapping("/api/admin/scheduler/templates")
@Tag(name = "Templates", description = "The kinds of job Almanac can run, and the parameters each one takes")
public class TemplateController {

    private static final String LIST_EXAMPLE = """
            {"templates": [{"type": "heartbeat", "name": "Heartbeat",
              "description": "Writes a heartbeat line to the execution log.", "category": "system",
              "icon": "heart-pulse", "risk_level": "low", "destructive": false,
              "estimated_duration_seconds": 1, "estimated_duration": "PT1S", "resource_usage": "low",
              "example_parameters": {"message": "scheduler is alive"}, "version": "1"}]}""";

    private static final String DETAILS_EXAMPLE = """
            {"template": {"type": "heartbeat", "name": "Heartbeat",
              "description": "Writes a heartbeat line to the execution log.", "category": "system",
              "icon": "heart-pulse", "risk_level": "low", "destructive": false,
              "estimated_duration_seconds": 1, "estimated_duration": "PT1S", "resource_usage": "low",
              "example_parameters": {"message": "scheduler is alive"}, "version": "1"},
             "schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
              "properties": {"message": {"type": "string", "maxLength": 500}},
              "additionalProperties": false},
             "changes": [{"version": "1", "summary": "First version."}]}""";

    private final TemplateRegistry registry;

    TemplateController(TemplateRegistry registry) {
        this.registry = registry;
    }

    @GetMapping
    @Operation(
            summary = "List job templates",
            description = "Every template this node can run, sorted by category, then name.")
    @ApiResponse(
            responseCode = "200",
            description = "The templates",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = TemplateList.class),
                            examples = @ExampleObject(name = "heartbeat only", value = LIST_EXAMPLE)))
    TemplateList list() {
        return new TemplateList(
                registry.registered().stream().map(TemplateSummary::of).toList());
    }

    @GetMapping("/{type}")
    @Operation(
            summary = "Show a job template",
            description = "The template and the JSON Schema (2020-12) its parameters must satisfy; the job form is"
                    + " generated from that schema.")
    @ApiResponse(
            responseCode = "200",
            description = "The template and its parameters schema",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = TemplateDetails.class),
                            examples = @ExampleObject(name = "heartbeat", value = DETAILS_EXAMPLE)))
    @ApiResponse(
            responseCode = "404",
            description = "No template has this type",
            content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
    TemplateDetails get(@Parameter(description = "Template type", example = "heartbeat") @PathVariable String type) {
        RegisteredTemplate registered = registry.registered(type).orElseThrow(() -> TemplateRegistry.notFound(type));
        return new TemplateDetails(TemplateSummary.of(registered), registered.schemaDocument(), registered.changes());
    }
}
