package dev.almanac.template;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Where a parameters schema marks secrets ({@code "x-secret": true}): on a property, on the {@code
 * additionalProperties} of a map or the {@code items} of an array, reached from the root through {@code properties},
 * {@code additionalProperties} and {@code items} only. Everything under a mark is secret. A mark anywhere else (under
 * {@code $ref}, {@code oneOf}, {@code anyOf}, {@code allOf}, {@code patternProperties}, {@code if}/{@code then}, …)
 * would leave its values unsealed and shown, so such a template is refused at registration ({@link #unfollowed}).
 */
public final class SecretSchema {

    /** A step of a secret path that stands for any key of a map. */
    public static final String ANY_KEY = "*";

    /** A step of a secret path that stands for any item of an array. */
    public static final String ANY_ITEM = "[]";

    private SecretSchema() {}

    /** The paths of the marked nodes: property names, {@link #ANY_KEY} and {@link #ANY_ITEM} from the root. */
    public static List<List<String>> paths(JsonNode schema) {
        List<List<String>> paths = new ArrayList<>();
        collect(schema, "", new ArrayList<>(), paths, new HashSet<>());
        return List.copyOf(paths);
    }

    /** The JSON pointers of the marks that {@link #paths} does not reach, in document order; empty if none. */
    public static List<String> unfollowed(JsonNode schema) {
        Set<String> followed = new HashSet<>();
        collect(schema, "", new ArrayList<>(), new ArrayList<>(), followed);
        List<String> marks = new ArrayList<>();
        marks(schema, "", marks);
        return marks.stream().filter(mark -> !followed.contains(mark)).toList();
    }

    private static void collect(
            JsonNode schema, String pointer, List<String> at, List<List<String>> paths, Set<String> followed) {
        if (schema == null || !schema.isObject()) {
            return;
        }
        JsonNode properties = schema.get("properties");
        if (properties != null && properties.isObject()) {
            for (Map.Entry<String, JsonNode> property : properties.properties()) {
                step(
                        property.getValue(),
                        pointer + "/properties/" + escaped(property.getKey()),
                        at,
                        property.getKey(),
                        paths,
                        followed);
            }
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isObject()) {
            step(additional, pointer + "/additionalProperties", at, ANY_KEY, paths, followed);
        }
        JsonNode items = schema.get("items");
        if (items != null && items.isObject()) {
            step(items, pointer + "/items", at, ANY_ITEM, paths, followed);
        }
    }

    private static void step(
            JsonNode schema,
            String pointer,
            List<String> at,
            String key,
            List<List<String>> paths,
            Set<String> followed) {
        List<String> path = new ArrayList<>(at);
        path.add(key);
        if (isMarked(schema)) {
            // everything under a secret is secret: a map or an array of them, or nested deeper
            paths.add(List.copyOf(path));
            followed.add(pointer);
            marks(schema, pointer, new ArrayList<>()).forEach(followed::add);
        } else {
            collect(schema, pointer, path, paths, followed);
        }
    }

    /** Adds the pointer of every marked node at or under {@code node} to {@code marks}; returns {@code marks}. */
    private static List<String> marks(JsonNode node, String pointer, List<String> marks) {
        if (node.isObject()) {
            if (isMarked(node)) {
                marks.add(pointer);
            }
            for (Map.Entry<String, JsonNode> child : node.properties()) {
                marks(child.getValue(), pointer + "/" + escaped(child.getKey()), marks);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                marks(node.get(i), pointer + "/" + i, marks);
            }
        }
        return marks;
    }

    private static boolean isMarked(JsonNode schema) {
        JsonNode secret = schema.get("x-secret");
        return secret != null && secret.asBoolean(false);
    }

    private static String escaped(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }
}
