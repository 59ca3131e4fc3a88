package dev.almanac.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The description at the top of {@code /v3/api-docs} and the Swagger UI at {@code /docs}. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI almanacOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Almanac API")
                        .version("v1")
                        .description("Define scheduled jobs from templates, preview their schedules and manage the"
                                + " job registry. JSON is snake_case; every error is an RFC 9457 problem"
                                + " (application/problem+json) whose errors list names each wrong field.")
                        .license(new License().name("Apache-2.0")));
    }
}
