package dev.almanac.template;

import static dev.almanac.template.TestTemplate.aTemplate;
import static dev.almanac.template.TestTemplate.withSchema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.almanac.common.FieldError;
import dev.almanac.common.NotFoundException;
import dev.almanac.template.builtin.HeartbeatTemplate;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateRegistryTest {

    static final String REPORT_SCHEMA = """
            {
              "type": "object",
              "additionalProperties": false,
              "required": ["recipients", "format"],
              "properties": {
                "recipients": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "email"}},
                "format": {"enum": ["csv", "json", "jsonl"]},
                "max_rows": {"type": "integer", "minimum": 1, "maximum": 10000},
                "subject": {"type": "string", "maxLength": 20},
                "conditions": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["column", "op"],
                    "properties": {"column": {"type": "string"}, "op": {"enum": ["eq", "ne"]}, "value": {}}
                  }
                },
                "window": {"type": "object", "properties": {"days": {"$ref": "#/$defs/positive"}}}
              },
              "$defs": {"positive": {"type": "integer", "exclusiveMinimum": 0}}
            }
            """;

    static final String REPORT_EXAMPLE = """
            {"recipients": ["ops@example.com"], "format": "csv", "max_rows": 100}""";

    /** At most 5000 rows fit a CSV attachment; the schema cannot say that. */
    static TestTemplate reportTemplate() {
        return new TestTemplate(
                aTemplate("mail_report")
                        .parametersSchema(REPORT_SCHEMA)
                        .exampleParameters(REPORT_EXAMPLE)
                        .build(),
                parameters -> "csv".equals(parameters.get("format"))
                                && parameters.get("max_rows") instanceof Integer rows
                                && rows > 5000
                        ? List.of(new ParameterError("max_rows", "must be at most 5000 for csv"))
                        : List.of());
    }

    @Test
    void discoversTheBuiltInHeartbeatThroughServiceLoader() {
        TemplateRegistry registry = new TemplateRegistry();

        assertThat(registry.find("heartbeat")).containsInstanceOf(HeartbeatTemplate.class);
        assertThat(registry.all()).anySatisfy(template -> assertThat(template).isInstanceOf(HeartbeatTemplate.class));
    }

    @Test
    void findsNothingForAnUnknownType() {
        TemplateRegistry registry = new TemplateRegistry(List.of(new HeartbeatTemplate()));

        assertThat(registry.find("nope")).isEmpty();
        assertThat(registry.find(null)).isEmpty();
    }

    @Test
    void listsTemplatesByCategoryThenName() {
        TemplateRegistry registry = new TemplateRegistry(List.of(
                new TestTemplate(aTemplate("b_two").category("b").name("Two").build()),
                new TestTemplate(aTemplate("a_zulu").category("a").name("Zulu").build()),
                new TestTemplate(aTemplate("b_one").category("b").name("One").build()),
                new TestTemplate(
                        aTemplate("a_alpha").category("a").name("Alpha").build())));

        assertThat(registry.all())
                .extracting(template -> template.descriptor().type())
                .containsExactly("a_alpha", "a_zulu", "b_one", "b_two");
    }

    @Test
    void refusesTwoTemplatesOfTheSameType() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new TemplateRegistry(List.of(new HeartbeatTemplate(), new HeartbeatTemplate())))
                .withMessageContaining("duplicate template type 'heartbeat'")
                .withMessageContaining(HeartbeatTemplate.class.getName());
    }

    @Test
    void refusesASchemaThatIsNotJson() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new TemplateRegistry(List.of(withSchema("broken", "{\"type\": ", "{}"))))
                .withMessageContaining("template 'broken'")
                .withMessageContaining("parameters schema is not valid JSON");
    }

    @Test
    void refusesASchemaWithDuplicateKeys() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new TemplateRegistry(
                        List.of(withSchema("twice", "{\"type\": \"object\", \"type\": \"string\"}", "{}"))))
                .withMessageContaining("parameters schema is not valid JSON");
    }

    @Test
    void refusesASchemaThatBreaksTheMetaSchema() {
        String schema =
                "{\"type\": \"object\", \"properties\": {\"a\": {\"minimum\": \"one\"}, \"b\": {\"type\": \"text\"}}}";

        assertThatIllegalStateException()
                .isThrownBy(() -> new TemplateRegistry(List.of(withSchema("bad_schema", schema, "{}"))))
                .withMessageContaining("template 'bad_schema'")
                .withMessageContaining("not a valid JSON Schema 2020-12")
                .withMessageContaining("/properties/a/minimum")
                .withMessageContaining("/properties/b/type");
    }

    @Test
    void refusesASchemaOfAnotherDraft() {
        String schema = "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\"}";

        assertThatIllegalStateException()
                .isThrownBy(() -> new TemplateRegistry(List.of(withSchema("draft7", schema, "{}"))))
                .withMessageContaining("must be JSON Schema 2020-12");
    }

    @Test
    void refusesASchemaWhoseRootIsNotAnObject() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new TemplateRegistry(List.of(withSchema("stringly", "{\"type\": \"string\"}", "{}"))))
                .withMessageContaining("must declare \"type\": \"object\" at its root");
    }

    /**
     * A secret marked where the secret walk does not go would be stored and shown in plain text: under $ref, a
     * branch of oneOf / anyOf / allOf, patternProperties, if/then. Each is named by its pointer.
     */
    @Test
    void refusesASecretMarkedWhereSecretsAreNotLookedFor() {
        String schema = """
                {"type": "object",
                 "$defs": {"password": {"type": "string", "x-secret": true}},
                 "properties": {
                   "via_ref": {"$ref": "#/$defs/password"},
                   "one_of": {"oneOf": [{"type": "string", "x-secret": true}, {"type": "integer"}]},
                   "all_of": {"allOf": [{"type": "string", "x-secret": true}]},
                   "by_pattern": {"type": "object", "patternProperties": {"^S_": {"type": "string", "x-secret": true}}},
                   "when": {"type": "object", "if": {"required": ["a"]},
                            "then": {"properties": {"b": {"type": "string", "x-secret": true}}}}}}""";

        assertThatIllegalStateException()
                .isThrownBy(() -> new TemplateRegistry(List.of(withSchema("hidden_secrets", schema, "{}"))))
                .withMessageContaining("template 'hidden_secrets'")
                .withMessageContaining("marks a secret where Almanac does not look for secrets")
                .withMessageContaining("/$defs/password")
                .withMessageContaining("/properties/one_of/oneOf/0")
                .withMessageContaining("/properties/all_of/allOf/0")
                .withMessageContaining("/properties/by_pattern/patternProperties/^S_")
                .withMessageContaining("/properties/when/then/properties/b");
    }

    /** Every shape the walk follows registers: a string, a map of them, an array of them, nested, a whole object. */
    @Test
    void acceptsSecretsMarkedWhereSecretsAreLookedFor() {
        String schema = """
                {"type": "object",
                 "properties": {
                   "password": {"type": "string", "x-secret": true},
                   "headers": {"type": "object", "additionalProperties": {"type": "string"}, "x-secret": true},
                   "values_marked": {"type": "object", "additionalProperties": {"type": "string", "x-secret": true}},
                   "tokens": {"type": "array", "items": {"type": "string", "x-secret": true}},
                   "accounts": {"type": "array", "items": {"type": "object",
                                "properties": {"user": {"type": "string"},
                                               "key": {"type": "string", "x-secret": true}}}},
                   "nested": {"type": "object", "properties": {"deeper": {"type": "object", "x-secret": true,
                              "properties": {"inner": {"oneOf": [{"type": "string", "x-secret": true}]}}}}}}}""";

        TemplateRegistry registry = new TemplateRegistry(List.of(withSchema("shown_secrets", schema, "{}")));

        assertThat(registry.find("shown_secrets")).isPresent();
        assertThat(SecretSchema.paths(
                        tools.jackson.databind.json.JsonMapper.builder().build().readTree(schema)))
                .containsExactly(
                        List.of("password"),
                        List.of("headers"),
                        List.of("values_marked", SecretSchema.ANY_KEY),
                        List.of("tokens", SecretSchema.ANY_ITEM),
                        List.of("accounts", SecretSchema.ANY_ITEM, "key"),
                        List.of("nested", "deeper"));
    }

    @Test
    void refusesAnExampleThatFailsItsOwnSchema() {
        String example = "{\"recipients\": [], \"format\": \"xml\"}";

        assertThatIllegalStateException()
                .isThrownBy(() -> new TemplateRegistry(List.of(withSchema("mail_report", REPORT_SCHEMA, example))))
                .withMessageContaining("template 'mail_report'")
                .withMessageContaining("example parameters do not validate against the parameters schema")
                .withMessageContaining("recipients must have at least 1 item")
                .withMessageContaining("format must be one of: csv, json, jsonl");
    }

    @Test
    void refusesAnExampleThatIsNotAnObject() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new TemplateRegistry(List.of(withSchema("listy", "{\"type\": \"object\"}", "[]"))))
                .withMessageContaining("example parameters must be a JSON object");
    }

    @Test
    void refusesATemplateWhoseDescriptorCannotBeBuilt() {
        JobTemplate broken = new JobTemplate() {
            @Override
            public TemplateDescriptor descriptor() {
                return aTemplate("Not Snake").build();
            }

            @Override
            public JobResult execute(JobContext context) {
                return JobResult.succeeded("never runs");
            }
        };

        assertThatIllegalStateException()
                .isThrownBy(() -> new TemplateRegistry(List.of(broken)))
                .withMessageContaining("type must be lower_snake_case");
    }

    @Test
    void reportsEveryBrokenTemplateInOneMessage() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new TemplateRegistry(
                        List.of(withSchema("one", "nope", "{}"), withSchema("two", "{\"type\": \"string\"}", "{}"))))
                .withMessageStartingWith("Cannot register job templates (2 problems)")
                .withMessageContaining("template 'one'")
                .withMessageContaining("template 'two'");
    }

    @Test
    void neverFetchesARemoteRef() throws IOException {
        try (ServerSocket server = new ServerSocket(0)) {
            String schema = """
                    {"type": "object", "properties": {"a": {"$ref": "http://127.0.0.1:%d/evil.json"}}}""".formatted(server.getLocalPort());

            assertThatIllegalStateException()
                    .isThrownBy(() -> new TemplateRegistry(List.of(withSchema("remote_ref", schema, "{}"))))
                    .withMessageContaining("template 'remote_ref'")
                    .withMessageContaining("is not allowed to be loaded");

            server.setSoTimeout(100);
            assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void neverLoadsAFileOrClasspathRef() {
        for (String ref : List.of("file:///etc/passwd", "classpath:application.properties", "other.json")) {
            String schema = "{\"type\": \"object\", \"properties\": {\"a\": {\"$ref\": \"" + ref + "\"}}}";

            assertThatIllegalStateException()
                    .as(ref)
                    .isThrownBy(() -> new TemplateRegistry(List.of(withSchema("local_ref", schema, "{}"))))
                    .withMessageContaining("is not allowed to be loaded");
        }
    }

    @Test
    void reportsEverySchemaViolationWithItsPath() {
        TemplateRegistry registry = new TemplateRegistry(List.of(reportTemplate()));
        Map<String, Object> parameters = Map.of(
                "recipients", List.of("ops@example.com", "not-an-address"),
                "format", "xml",
                "max_rows", 0,
                "subject", "x".repeat(21),
                "conditions", List.of(Map.of("column", "status", "op", "eq"), Map.of("op", "like", "x", 1)),
                "window", Map.of("days", 0),
                "extra", true);

        assertThat(registry.validateParameters("mail_report", parameters))
                .containsExactlyInAnyOrder(
                        new FieldError("recipients[1]", "must be a valid email"),
                        new FieldError("format", "must be one of: csv, json, jsonl"),
                        new FieldError("max_rows", "must be at least 1"),
                        new FieldError("subject", "must be at most 20 characters long"),
                        new FieldError("conditions[1].column", "is required"),
                        new FieldError("conditions[1].op", "must be one of: eq, ne"),
                        new FieldError("conditions[1].x", "is not allowed"),
                        new FieldError("window.days", "must be greater than 0"),
                        new FieldError(
                                "extra",
                                "'extra' is not a parameter of mail_report; its parameters are recipients, format,"
                                        + " max_rows, subject, conditions, window"));
    }

    @Test
    void reportsMissingRequiredPropertiesOnTheirOwnPaths() {
        TemplateRegistry registry = new TemplateRegistry(List.of(reportTemplate()));

        assertThat(registry.validateParameters("mail_report", Map.of()))
                .containsExactlyInAnyOrder(
                        new FieldError("recipients", "is required"), new FieldError("format", "is required"));
        assertThat(registry.validateParameters("mail_report", null))
                .containsExactlyInAnyOrder(
                        new FieldError("recipients", "is required"), new FieldError("format", "is required"));
    }

    @Test
    void reportsWrongTypesInWords() {
        TemplateRegistry registry = new TemplateRegistry(List.of(reportTemplate()));
        Map<String, Object> parameters =
                Map.of("recipients", "ops@example.com", "format", "csv", "max_rows", "ten", "window", List.of());

        assertThat(registry.validateParameters("mail_report", parameters))
                .containsExactlyInAnyOrder(
                        new FieldError("recipients", "must be an array"),
                        new FieldError("max_rows", "must be an integer"),
                        new FieldError("window", "must be an object"));
    }

    @Test
    void runsTheTemplatesOwnRulesWithTheSchemasWhereTheSchemaFaultsOtherFields() {
        TestTemplate template = reportTemplate();
        TemplateRegistry registry = new TemplateRegistry(List.of(template));

        // one round: the schema's error and the template's own on another field
        assertThat(registry.validateParameters("mail_report", Map.of("format", "csv", "max_rows", 6000)))
                .containsExactly(
                        new FieldError("recipients", "is required"),
                        new FieldError("max_rows", "must be at most 5000 for csv"));
        template.validated.clear();
        // a field the schema faults gets no error of the template's, and one of the wrong type is not read at all
        assertThat(registry.validateParameters("mail_report", Map.of("format", "csv", "max_rows", "many")))
                .containsExactlyInAnyOrder(
                        new FieldError("max_rows", "must be an integer"), new FieldError("recipients", "is required"));
        assertThat(template.validated)
                .isNotEmpty()
                .allSatisfy(read -> assertThat(read).doesNotContainKey("max_rows"));
        template.validated.clear();

        Map<String, Object> parameters =
                Map.of("recipients", List.of("ops@example.com"), "format", "csv", "max_rows", 6000);
        assertThat(registry.validateParameters("mail_report", parameters))
                .containsExactly(new FieldError("max_rows", "must be at most 5000 for csv"));
        assertThat(template.validated).containsExactly(parameters);
    }

    @Test
    void acceptsValidParameters() {
        TemplateRegistry registry = new TemplateRegistry(List.of(reportTemplate()));
        Map<String, Object> parameters = Map.of(
                "recipients", List.of("ops@example.com"),
                "format", "jsonl",
                "conditions", List.of(Map.of("column", "status", "op", "ne", "value", "done")),
                "window", Map.of("days", 7));

        assertThat(registry.validateParameters("mail_report", parameters)).isEmpty();
    }

    @Test
    void passesTemplateErrorsOnTheWholeObjectThroughWithAnEmptyField() {
        TemplateRegistry registry = new TemplateRegistry(List.of(new TestTemplate(
                aTemplate("picky").build(), parameters -> List.of(new ParameterError("", "is never good enough")))));

        assertThat(registry.validateParameters("picky", Map.of()))
                .containsExactly(new FieldError("", "is never good enough"));
        assertThat(registry.validateParameters("picky", Map.of()).get(0).prefixed("parameters"))
                .isEqualTo(new FieldError("parameters", "is never good enough"));
    }

    @Test
    void refusesToValidateForAnUnknownType() {
        TemplateRegistry registry = new TemplateRegistry(List.of(new HeartbeatTemplate()));

        assertThatThrownBy(() -> registry.validateParameters("nope", Map.of()))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("no template of type 'nope'");
    }
}
