package dev.almanac.template;

import static dev.almanac.template.TestTemplate.withSchema;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Almanac's own schema keywords are annotations of the dialect: known, never checked, never warned about. */
@ExtendWith(OutputCaptureExtension.class)
class ParameterSchemasTest {

    @Test
    void xSecretAndXSourceCompileWithoutAWarningAndDoNotChangeValidation(CapturedOutput output) {
        TemplateRegistry registry = new TemplateRegistry(List.of(withSchema("annotated", """
                {"type": "object", "properties": {
                  "password": {"type": "string", "x-secret": true},
                  "table": {"type": "string", "x-source": "tables"}}}
                """, """
                {"password": "s3cret", "table": "users"}""")));

        assertThat(registry.validateParameters("annotated", Map.of("password", "x", "table", "t")))
                .isEmpty();
        assertThat(registry.validateParameters("annotated", Map.of("password", 42)))
                .hasSize(1);
        assertThat(output.getAll()).doesNotContain("Unknown keyword");
    }
}
