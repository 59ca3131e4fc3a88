package dev.almanac.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TemplateDescriptorTest {

    static TemplateDescriptor.Builder complete(String type) {
        return TemplateDescriptor.builder(type)
                .name("Data export")
                .description("Exports rows to a file.")
                .category("data")
                .icon("file-export")
                .riskLevel(RiskLevel.MEDIUM)
                .estimatedDuration(Duration.ofMinutes(2))
                .resourceUsage(ResourceUsage.HIGH)
                .parametersSchema("{\"type\":\"object\"}");
    }

    @Test
    void buildsADescriptorWithEveryFieldSet() {
        TemplateDescriptor descriptor = complete("data_export")
                .destructive(true)
                .exampleParameters("{\"a\":1}")
                .build();

        assertThat(descriptor.type()).isEqualTo("data_export");
        assertThat(descriptor.name()).isEqualTo("Data export");
        assertThat(descriptor.description()).isEqualTo("Exports rows to a file.");
        assertThat(descriptor.category()).isEqualTo("data");
        assertThat(descriptor.icon()).isEqualTo("file-export");
        assertThat(descriptor.riskLevel()).isEqualTo(RiskLevel.MEDIUM);
        assertThat(descriptor.destructive()).isTrue();
        assertThat(descriptor.estimatedDuration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(descriptor.resourceUsage()).isEqualTo(ResourceUsage.HIGH);
        assertThat(descriptor.parametersSchema()).isEqualTo("{\"type\":\"object\"}");
        assertThat(descriptor.exampleParameters()).isEqualTo("{\"a\":1}");
    }

    @Test
    void defaultsToNotDestructiveWithAnEmptyExample() {
        TemplateDescriptor descriptor = complete("heartbeat").build();

        assertThat(descriptor.destructive()).isFalse();
        assertThat(descriptor.exampleParameters()).isEqualTo("{}");
    }

    @Test
    void reportsEveryMissingFieldAtOnce() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> TemplateDescriptor.builder("heartbeat").build())
                .withMessageStartingWith("invalid template descriptor 'heartbeat': ")
                .withMessageContaining("name is required")
                .withMessageContaining("description is required")
                .withMessageContaining("category is required")
                .withMessageContaining("icon is required")
                .withMessageContaining("risk level is required")
                .withMessageContaining("estimated duration is required")
                .withMessageContaining("resource usage is required")
                .withMessageContaining("parameters schema is required");
    }

    @Test
    void rejectsTypesThatAreNotLowerSnakeCase() {
        for (String type :
                new String[] {"Heartbeat", "data-export", "_x", "x__y", "x_", "9lives", "a b", "x".repeat(65)}) {
            assertThatIllegalArgumentException()
                    .as(type)
                    .isThrownBy(() -> complete(type).build())
                    .withMessageContaining("type must be lower_snake_case");
        }
        assertThat(complete("database_cleanup2").build().type()).isEqualTo("database_cleanup2");
    }

    @Test
    void rejectsAMissingType() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> complete(null).build())
                .withMessage("invalid template descriptor: type is required");
    }

    @Test
    void rejectsIconsThatAreNotShortDashedNames() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> complete("heartbeat").icon("<svg/>").build())
                .withMessageContaining("icon must be a short lower-case name with dashes");
    }

    @Test
    void rejectsANonPositiveEstimatedDuration() {
        assertThatIllegalArgumentException()
                .isThrownBy(() ->
                        complete("heartbeat").estimatedDuration(Duration.ZERO).build())
                .withMessageContaining("estimated duration must be positive");
    }

    @Test
    void rejectsABlankExample() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> complete("heartbeat").exampleParameters(" ").build())
                .withMessageContaining("example parameters is required");
    }
}
