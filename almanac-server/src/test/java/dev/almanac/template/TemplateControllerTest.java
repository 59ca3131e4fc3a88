package dev.almanac.template;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.NotFoundException;
import dev.almanac.template.builtin.HeartbeatTemplate;
import dev.almanac.template.internal.TemplateController;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

@WebMvcTest(controllers = TemplateController.class, properties = "spring.jackson.property-naming-strategy=SNAKE_CASE")
@Import({TemplateControllerTest.Templates.class, TemplateControllerTest.NotFoundAsStatus.class})
@WithMockUser(roles = "ADMIN")
class TemplateControllerTest {

    @TestConfiguration
    static class Templates {
        @Bean
        TemplateRegistry templateRegistry() {
            return new TemplateRegistry(List.of(
                    new HeartbeatTemplate(),
                    TestTemplate.withSchema(
                            "mail_report", TemplateRegistryTest.REPORT_SCHEMA, TemplateRegistryTest.REPORT_EXAMPLE)));
        }
    }

    /** Stands in for the application's problem+json handler, which this slice does not own. */
    @RestControllerAdvice
    static class NotFoundAsStatus {
        @ExceptionHandler(NotFoundException.class)
        ProblemDetail notFound(NotFoundException e) {
            return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        }
    }

    @Autowired
    MockMvcTester mvc;

    @Test
    void listsTemplatesWithSnakeCaseFieldsAndLowerCaseLevels() {
        var response = mvc.get().uri("/api/admin/scheduler/templates").exchange();

        assertThat(response).hasStatusOk();
        assertThat(response)
                .bodyJson()
                .extractingPath("$.templates[*].type")
                .asArray()
                .containsExactly("heartbeat", "mail_report");
        assertThat(response)
                .bodyJson()
                .extractingPath("$.templates[0]")
                .asMap()
                .containsOnlyKeys(
                        "type",
                        "name",
                        "description",
                        "category",
                        "icon",
                        "risk_level",
                        "destructive",
                        "estimated_duration_seconds",
                        "estimated_duration",
                        "resource_usage",
                        "example_parameters",
                        "version",
                        "available",
                        "unavailable_reason")
                .containsEntry("available", true)
                .containsEntry("unavailable_reason", null)
                .containsEntry("type", "heartbeat")
                .containsEntry("name", "Heartbeat")
                .containsEntry("category", "system")
                .containsEntry("icon", "heart-pulse")
                .containsEntry("risk_level", "low")
                .containsEntry("destructive", false)
                .containsEntry("estimated_duration_seconds", 1)
                .containsEntry("estimated_duration", "PT1S")
                .containsEntry("resource_usage", "low")
                .containsEntry("example_parameters", Map.of("message", "scheduler is alive"));
    }

    @Test
    void showsATemplateWithItsSchemaAsAJsonObject() {
        var response =
                mvc.get().uri("/api/admin/scheduler/templates/mail_report").exchange();

        assertThat(response).hasStatusOk();
        assertThat(response).bodyJson().extractingPath("$.template.type").isEqualTo("mail_report");
        assertThat(response)
                .bodyJson()
                .extractingPath("$.template.example_parameters.recipients")
                .asArray()
                .containsExactly("ops@example.com");
        assertThat(response)
                .bodyJson()
                .extractingPath("$.schema.additionalProperties")
                .isEqualTo(false);
        assertThat(response)
                .bodyJson()
                .extractingPath("$.schema.required")
                .asArray()
                .containsExactly("recipients", "format");
        assertThat(response)
                .bodyJson()
                .extractingPath("$.schema.properties.max_rows.minimum")
                .isEqualTo(1);
        assertThat(response)
                .bodyJson()
                .extractingPath("$.schema.$defs.positive.exclusiveMinimum")
                .isEqualTo(0);
    }

    @Test
    void answers404ForAnUnknownType() {
        assertThat(mvc.get().uri("/api/admin/scheduler/templates/nope")).hasStatus(HttpStatus.NOT_FOUND);
    }
}
