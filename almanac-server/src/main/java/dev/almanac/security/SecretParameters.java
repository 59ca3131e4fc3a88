package dev.almanac.security;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.Sealed;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.TemplateRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Template parameters marked {@code "x-secret": true} in the template's JSON Schema (on a string property, at any
 * depth of {@code properties}, or on {@code additionalProperties} for a map of secrets). They are validated plain,
 * stored sealed, handed to the template plain, and shown as {@link Sealed#MASK}; a client that sends the mask back
 * keeps the stored secret.
 */
@Component
public class SecretParameters {

    private static final String ANY_KEY = "*";

    private final TemplateRegistry templates;
    private final Secrets secrets;
    private final JsonMapper json;
    private final Map<String, List<List<String>>> pathsByType = new ConcurrentHashMap<>();

    SecretParameters(TemplateRegistry templates, Secrets secrets, JsonMapper json) {
        this.templates = templates;
        this.secrets = secrets;
        this.json = json;
    }

    /**
     * What a client sent, ready to validate: the mask at a secret path becomes the stored secret's plain text. A
     * value that looks sealed is refused anywhere: only the server seals.
     */
    public Map<String, Object> unmask(String type, Map<String, Object> incoming, Map<String, Object> stored) {
        if (incoming == null) {
            return null;
        }
        List<FieldError> errors = new ArrayList<>();
        rejectSealed("parameters", incoming, errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Map<String, Object> result = copy(incoming);
        for (List<String> path : paths(type)) {
            visit(result, path, 0, "parameters", (parent, key, value, field) -> {
                if (Sealed.MASK.equals(value)) {
                    Object previous = at(stored, concrete(field));
                    if (previous instanceof String text) {
                        parent.put(key, secrets.reveal(text));
                    } else {
                        errors.add(new FieldError(field, "is the mask, but no secret is stored here; send the value"));
                    }
                }
            });
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return result;
    }

    /** Validated plain parameters, ready to store: every secret sealed, a secret that did not change kept as it was. */
    public Map<String, Object> seal(String type, Map<String, Object> plain, Map<String, Object> stored) {
        if (plain == null) {
            return null;
        }
        Map<String, Object> result = copy(plain);
        for (List<String> path : paths(type)) {
            visit(result, path, 0, "parameters", (parent, key, value, field) -> {
                if (value instanceof String text && !Sealed.isSealed(text)) {
                    Object previous = at(stored, concrete(field));
                    boolean unchanged =
                            previous instanceof String sealed && Objects.equals(secrets.reveal(sealed), text);
                    parent.put(key, unchanged ? previous : secrets.seal(text));
                }
            });
        }
        return result;
    }

    /** Stored parameters with their secrets in plain text: what a template gets when it runs. */
    public Map<String, Object> reveal(String type, Map<String, Object> stored) {
        if (stored == null) {
            return null;
        }
        Map<String, Object> result = copy(stored);
        for (List<String> path : paths(type)) {
            visit(result, path, 0, "parameters", (parent, key, value, field) -> {
                if (value instanceof String text) {
                    parent.put(key, secrets.reveal(text));
                }
            });
        }
        return result;
    }

    /** Whether a template has any secret parameter. */
    public boolean hasSecrets(String type) {
        return !paths(type).isEmpty();
    }

    List<List<String>> paths(String type) {
        if (type == null) {
            return List.of();
        }
        return pathsByType.computeIfAbsent(
                type,
                t -> templates
                        .find(t)
                        .map(JobTemplate::descriptor)
                        .map(d -> secretPaths(json.readTree(d.parametersSchema())))
                        .orElse(List.of()));
    }

    static List<List<String>> secretPaths(JsonNode schema) {
        List<List<String>> paths = new ArrayList<>();
        collect(schema, new ArrayList<>(), paths);
        return List.copyOf(paths);
    }

    private static void collect(JsonNode schema, List<String> at, List<List<String>> paths) {
        if (schema == null || !schema.isObject()) {
            return;
        }
        JsonNode properties = schema.get("properties");
        if (properties != null && properties.isObject()) {
            for (Map.Entry<String, JsonNode> property : properties.properties()) {
                step(property.getValue(), at, property.getKey(), paths);
            }
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isObject()) {
            step(additional, at, ANY_KEY, paths);
        }
    }

    private static void step(JsonNode schema, List<String> at, String key, List<List<String>> paths) {
        List<String> path = new ArrayList<>(at);
        path.add(key);
        JsonNode secret = schema.get("x-secret");
        if (secret != null && secret.asBoolean(false)) {
            paths.add(List.copyOf(path));
        } else {
            collect(schema, path, paths);
        }
    }

    private interface Visitor {
        void at(Map<String, Object> parent, String key, Object value, String field);
    }

    @SuppressWarnings("unchecked")
    private static void visit(Map<String, Object> node, List<String> path, int depth, String field, Visitor visitor) {
        String step = path.get(depth);
        List<String> keys = step.equals(ANY_KEY) ? new ArrayList<>(node.keySet()) : List.of(step);
        for (String key : keys) {
            if (!node.containsKey(key)) {
                continue;
            }
            Object value = node.get(key);
            String here = field + "." + key;
            if (depth == path.size() - 1) {
                visitor.at(node, key, value, here);
            } else if (value instanceof Map<?, ?> child) {
                Map<String, Object> copy = copy((Map<String, Object>) child);
                node.put(key, copy);
                visit(copy, path, depth + 1, here, visitor);
            }
        }
    }

    private static List<String> concrete(String field) {
        List<String> keys = new ArrayList<>(List.of(field.split("\\.")));
        keys.remove(0);
        return keys;
    }

    private static Object at(Map<String, Object> root, List<String> keys) {
        Object node = root;
        for (String key : keys) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(key);
        }
        return node;
    }

    private static void rejectSealed(String field, Object value, List<FieldError> errors) {
        if (Sealed.isSealed(value)) {
            errors.add(new FieldError(field, "must not start with " + Sealed.PREFIX));
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> rejectSealed(field + "." + k, v, errors));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                rejectSealed(field + "[" + i + "]", list.get(i), errors);
            }
        }
    }

    private static Map<String, Object> copy(Map<String, Object> map) {
        return new LinkedHashMap<>(map);
    }
}
