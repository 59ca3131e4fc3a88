package dev.almanac.template.internal;

import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.ValidationLimitExceededException;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.path.NodePath;
import dev.almanac.common.FieldError;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.SecretSchema;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Everything Almanac does with JSON Schema: checks a template's schema against the 2020-12 meta-schema,
 * compiles it once, and validates parameters into {@link FieldError}s with readable paths and messages.
 */
public final class ParameterSchemas {

    static final String DRAFT_2020_12 = SpecificationVersion.DRAFT_2020_12.getDialectId();

    // The validator bundles the 2020-12 meta-schemas and maps these IRIs to its own classpath copies.
    private static final String BUNDLED_META_SCHEMAS = "https://json-schema.org/draft/2020-12/";

    // Overlapping recursive applicators can blow up exponentially on hostile input
    // (networknt/json-schema-validator#1276); these bounds stay far above any real parameters object.
    private static final long MAX_EVALUATION_STEPS = 1_000_000;
    private static final int MAX_EVALUATION_DEPTH = 256;

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

    private final JsonMapper json = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private final SchemaRegistry registry;
    private final Schema metaSchema;

    public ParameterSchemas() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .formatAssertionsEnabled(true)
                .executionContextCustomizer((context, schemaContext) -> context.executionConfig(execution ->
                        execution.maxEvaluationSteps(MAX_EVALUATION_STEPS).maxEvaluationDepth(MAX_EVALUATION_DEPTH)))
                .build();
        // Almanac's own annotations: known to the dialect, so the validator neither warns about them nor checks them
        Dialect draft202012 = Dialect.builder(Dialects.getDraft202012())
                .keyword(new AnnotationKeyword("x-secret"))
                .keyword(new AnnotationKeyword("x-source"))
                .keyword(new AnnotationKeyword("x-aliases"))
                .keyword(new AnnotationKeyword("x-ui"))
                .keyword(new AnnotationKeyword("x-pattern-error"))
                .build();
        this.registry = SchemaRegistry.withDefaultDialect(
                draft202012,
                builder -> builder.schemaRegistryConfig(config)
                        .schemaLoader(loader ->
                                loader.fetchRemoteResources(false).allow(ParameterSchemas::isBundledMetaSchema)));
        this.metaSchema = registry.getSchema(SchemaLocation.of(DRAFT_2020_12));
        this.metaSchema.initializeValidators();
    }

    /**
     * Nothing is ever loaded from outside a template's own schema document: no http(s), no file, no classpath
     * $ref. Only the meta-schemas the validator bundles may be resolved.
     */
    private static boolean isBundledMetaSchema(AbsoluteIri iri) {
        return iri.toString().startsWith(BUNDLED_META_SCHEMAS);
    }

    /**
     * Checks and compiles a template's schema and checks its example.
     *
     * @throws IllegalArgumentException listing every problem found
     */
    public RegisteredTemplate register(JobTemplate template, TemplateDescriptor descriptor) {
        List<String> problems = new ArrayList<>();
        JsonNode schemaNode = parseObject(descriptor.parametersSchema(), "parameters schema", problems);
        JsonNode exampleNode = parseObject(descriptor.exampleParameters(), "example parameters", problems);
        if (schemaNode != null) {
            checkSchemaDocument(schemaNode, problems);
        }
        String version = version(template, problems);
        List<TemplateChange> changes = changes(template, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Schema schema;
        try {
            schema = registry.getSchema(
                    SchemaLocation.of("urn:almanac:template:" + descriptor.type() + ":" + version), schemaNode);
            schema.initializeValidators();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("parameters schema cannot be compiled: " + e.getMessage(), e);
        }
        List<FieldError> exampleErrors = validateNode(schema, exampleNode);
        if (!exampleErrors.isEmpty()) {
            throw new IllegalArgumentException("example parameters do not validate against the parameters schema: "
                    + exampleErrors.stream()
                            .map(e -> (e.field().isEmpty() ? "(root)" : e.field()) + " " + e.message())
                            .collect(Collectors.joining("; ")));
        }
        return new RegisteredTemplate(
                template,
                descriptor,
                schema,
                json.treeToValue(schemaNode, JSON_OBJECT),
                json.treeToValue(exampleNode, JSON_OBJECT),
                version,
                changes);
    }

    private static final java.util.regex.Pattern VERSION =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

    private static String version(JobTemplate template, List<String> problems) {
        String version;
        try {
            version = template.version();
        } catch (RuntimeException e) {
            problems.add("version() failed: " + e.getMessage());
            return null;
        }
        if (version == null || !VERSION.matcher(version).matches()) {
            problems.add("version must be 1 to 32 letters, digits, '.', '_' or '-', e.g. \"2\" or \"1.4.0\"; was "
                    + (version == null ? "null" : "'" + version + "'"));
        }
        return version;
    }

    private static List<TemplateChange> changes(JobTemplate template, List<String> problems) {
        try {
            List<TemplateChange> changes = template.changes();
            return changes == null ? List.of() : List.copyOf(changes);
        } catch (RuntimeException e) {
            problems.add("changes() failed: " + e.getMessage());
            return List.of();
        }
    }

    public List<FieldError> validate(Schema schema, Map<String, Object> parameters) {
        JsonNode instance = json.valueToTree(parameters == null ? Map.of() : parameters);
        return validateNode(schema, instance);
    }

    private List<FieldError> validateNode(Schema schema, JsonNode instance) {
        List<Error> errors;
        try {
            errors = schema.validate(instance);
        } catch (ValidationLimitExceededException e) {
            return List.of(new FieldError("", "is too large or too deeply nested to validate"));
        }
        // A value can break one rule along several evaluation paths; report it once.
        LinkedHashSet<FieldError> fieldErrors = new LinkedHashSet<>();
        for (Error error : errors) {
            fieldErrors.add(new FieldError(field(error), SchemaMessages.of(error, ruleOwner(schema, error))));
        }
        return List.copyOf(fieldErrors);
    }

    /**
     * The schema node that holds the rule an error broke (the property whose {@code pattern} a value missed), found
     * along the error's schema location in the root schema; null when it cannot be followed.
     */
    private static JsonNode ruleOwner(Schema schema, Error error) {
        try {
            NodePath path = error.getSchemaLocation().getFragment();
            JsonNode node = schema.getSchemaNode();
            for (int i = 0; node != null && i < path.getNameCount() - 1; i++) {
                Object element = path.getElement(i);
                node = element instanceof Integer index ? node.get(index) : node.get(String.valueOf(element));
            }
            return node;
        } catch (RuntimeException unknownPath) {
            return null;
        }
    }

    private JsonNode parseObject(String text, String what, List<String> problems) {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JacksonException e) {
            problems.add(what + " is not valid JSON: " + e.getOriginalMessage());
            return null;
        }
        if (node == null || !node.isObject()) {
            problems.add(what + " must be a JSON object");
            return null;
        }
        return node;
    }

    private void checkSchemaDocument(JsonNode schemaNode, List<String> problems) {
        JsonNode declared = schemaNode.get("$schema");
        if (declared != null && !(declared.isString() && DRAFT_2020_12.equals(declared.stringValue()))) {
            problems.add("parameters schema must be JSON Schema 2020-12: $schema is " + declared + ", expected \""
                    + DRAFT_2020_12 + "\" or none");
            return;
        }
        List<Error> metaErrors;
        try {
            metaErrors = metaSchema.validate(schemaNode);
        } catch (ValidationLimitExceededException e) {
            problems.add("parameters schema is too large or too deeply nested");
            return;
        }
        if (!metaErrors.isEmpty()) {
            problems.add("parameters schema is not a valid JSON Schema 2020-12: "
                    + metaErrors.stream()
                            .map(e -> "at '" + e.getInstanceLocation() + "' " + e.getMessage())
                            .distinct()
                            .collect(Collectors.joining("; ")));
            return;
        }
        JsonNode type = schemaNode.get("type");
        if (type == null || !type.isString() || !"object".equals(type.stringValue())) {
            problems.add("parameters schema must declare \"type\": \"object\" at its root");
        }
        List<String> unfollowed = SecretSchema.unfollowed(schemaNode);
        if (!unfollowed.isEmpty()) {
            // its values would be stored and shown in plain text
            problems.add("parameters schema marks a secret where Almanac does not look for secrets, at "
                    + String.join(", ", unfollowed)
                    + ": x-secret is followed from the root through properties, additionalProperties and items only"
                    + " (not $ref, oneOf, anyOf, allOf, patternProperties, if/then/else …); mark the property that"
                    + " holds the secret");
        }
    }

    /** The dotted/bracketed path of the offending value relative to the parameters object. */
    static String field(Error error) {
        NodePath location = error.getInstanceLocation();
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            appendSegment(path, location.getElement(i));
        }
        // Errors about a property the object lacks or must not have sit on the object; name the property.
        if (error.getProperty() != null) {
            appendSegment(path, error.getProperty());
        }
        return path.toString();
    }

    private static void appendSegment(StringBuilder path, Object segment) {
        if (segment instanceof Integer index) {
            path.append('[').append(index).append(']');
        } else {
            if (!path.isEmpty()) {
                path.append('.');
            }
            path.append(segment);
        }
    }
}
