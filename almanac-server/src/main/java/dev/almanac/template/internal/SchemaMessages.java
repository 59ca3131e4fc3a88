package dev.almanac.template.internal;

import com.networknt.schema.Error;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Turns JSON Schema errors into the short sentences the API and the UI show next to a field, e.g. "must be at
 * least 1" or "must be one of: csv, json, jsonl". Keywords without a sentence of our own keep the validator's
 * message.
 */
public final class SchemaMessages {

    private SchemaMessages() {}

    /** The lower-case SQL name the built-in templates take for a table or a column. */
    static final String IDENTIFIER = "^[a-z][a-z0-9_]{0,62}$";

    static String of(Error error) {
        return of(error, null);
    }

    /**
     * The same, where {@code owner} is the schema node holding the broken rule: a pattern missed says the owner's
     * {@code "x-pattern-error"} when it has one, since a regular expression is no message for a person.
     */
    static String of(Error error, JsonNode owner) {
        String keyword = error.getKeyword();
        JsonNode rule = error.getSchemaNode();
        if (keyword == null || rule == null) {
            return error.getMessage();
        }
        if ("pattern".equals(keyword)) {
            JsonNode said = owner == null ? null : owner.get("x-pattern-error");
            if (said != null && said.isString() && !said.stringValue().isBlank()) {
                return said.stringValue();
            }
            if (IDENTIFIER.equals(rule.asString())) {
                return "must be a name in lower case: a letter, then letters, digits or _ (at most 63 in all)";
            }
        }
        return switch (keyword) {
            case "required", "dependentRequired" -> "is required";
            case "additionalProperties", "unevaluatedProperties" -> "is not allowed";
            case "type" -> "must be " + typeNames(rule);
            case "enum" -> "must be one of: " + String.join(", ", values(rule));
            case "const" -> "must be " + value(rule);
            case "minimum" -> "must be at least " + rule;
            case "maximum" -> "must be at most " + rule;
            case "exclusiveMinimum" -> "must be greater than " + rule;
            case "exclusiveMaximum" -> "must be less than " + rule;
            case "multipleOf" -> "must be a multiple of " + rule;
            case "minLength" -> "must be at least " + count(rule, "character", "characters") + " long";
            case "maxLength" -> "must be at most " + count(rule, "character", "characters") + " long";
            case "minItems" -> "must have at least " + count(rule, "item", "items");
            case "maxItems" -> "must have at most " + count(rule, "item", "items");
            case "uniqueItems" -> "must not contain duplicate items";
            case "minProperties" -> "must have at least " + count(rule, "property", "properties");
            case "maxProperties" -> "must have at most " + count(rule, "property", "properties");
            case "pattern" -> "must match the pattern " + rule.asString();
            case "format" -> "must be a valid " + rule.asString();
            default -> error.getMessage();
        };
    }

    private static String typeNames(JsonNode rule) {
        if (!rule.isArray()) {
            return typeName(rule.asString());
        }
        List<String> names = new ArrayList<>();
        rule.values().forEach(type -> names.add(typeName(type.asString())));
        return String.join(" or ", names);
    }

    private static String typeName(String type) {
        return switch (type) {
            case "integer", "object", "array" -> "an " + type;
            case "null" -> "null";
            default -> "a " + type;
        };
    }

    private static List<String> values(JsonNode rule) {
        List<String> values = new ArrayList<>();
        rule.values().forEach(value -> values.add(value(value)));
        return values;
    }

    private static String value(JsonNode value) {
        return value.isString() ? value.stringValue() : value.toString();
    }

    private static String count(JsonNode rule, String one, String many) {
        return rule + " " + ("1".equals(rule.toString()) ? one : many);
    }
}
