package dev.almanac.web.internal;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The description at the top of {@code /v3/api-docs} and the Swagger UI at {@code /docs}. */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

    static final String PROBLEM = "ProblemDetail";

    @Bean
    OpenAPI almanacOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Almanac API")
                        .version("v1")
                        .description("Define scheduled jobs from templates, preview their schedules and manage the"
                                + " job registry. JSON is snake_case; every error is an RFC 9457 problem"
                                + " (application/problem+json) whose errors list names each wrong field.")
                        .license(new License().name("Apache-2.0")))
                .components(new Components()
                        .addSecuritySchemes(
                                "token",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .description("A personal API token: POST /api/admin/scheduler/tokens"))
                        .addSecuritySchemes(
                                "password",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("basic")
                                        .description("A user's name and password, unless turned off")))
                .addSecurityItem(new SecurityRequirement().addList("token"))
                .addSecurityItem(new SecurityRequirement().addList("password"));
    }

    /**
     * Every error answer is an RFC 9457 problem: the annotations name the media type only, so each error response's
     * body is pointed at one {@code ProblemDetail} schema here rather than in every controller.
     */
    @Bean
    OpenApiCustomizer problemSchema() {
        return openApi -> {
            if (openApi.getComponents() == null) {
                openApi.setComponents(new Components());
            }
            openApi.getComponents().addSchemas(PROBLEM, problemDetail());
            if (openApi.getPaths() == null) {
                return;
            }
            openApi.getPaths()
                    .values()
                    .forEach(path -> path.readOperations().forEach(operation -> {
                        if (operation.getResponses() == null) {
                            return;
                        }
                        operation.getResponses().forEach((code, response) -> {
                            if ((code.startsWith("4") || code.startsWith("5")) && response.getContent() != null) {
                                response.getContent()
                                        .values()
                                        .forEach(media -> media.setSchema(
                                                new Schema<>().$ref("#/components/schemas/" + PROBLEM)));
                            }
                        });
                    }));
        };
    }

    private static Schema<?> problemDetail() {
        Schema<?> error = new ObjectSchema()
                .addProperty(
                        "field",
                        new StringSchema()
                                .description(
                                        "The field, as the request named it; empty for the" + " request as a whole"))
                .addProperty("message", new StringSchema());
        return new ObjectSchema()
                .description("An RFC 9457 problem (application/problem+json)")
                .addProperty("type", new StringSchema().example("about:blank"))
                .addProperty("title", new StringSchema().example("Bad Request"))
                .addProperty("status", new IntegerSchema().example(400))
                .addProperty("detail", new StringSchema().description("What went wrong, as a sentence"))
                .addProperty("instance", new StringSchema().description("The request's path"))
                .addProperty(
                        "errors",
                        new ArraySchema().items(error).description("Each wrong field, when the input was invalid"))
                .required(List.of("status"));
    }
}
