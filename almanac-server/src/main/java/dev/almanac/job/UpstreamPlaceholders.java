package dev.almanac.job;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code {{upstream.<name>.result.<path>}}} placeholders of a job's parameters: how a job names its upstream in
 * them, and filling them in from upstream results.
 */
final class UpstreamPlaceholders {

    /** One placeholder: group 1 the upstream's name (maybe padded), group 2 the path after {@code result}. */
    static final Pattern PLACEHOLDER =
            Pattern.compile("\\{\\{\\s*upstream\\.(.+?)\\.result((?:\\.[A-Za-z0-9_\\-]+)+)\\s*\\}\\}");

    private UpstreamPlaceholders() {}

    /**
     * The name a job of {@code namespace} gives {@code upstream}: its bare name in the same namespace, else {@code
     * namespace/name}, as triggers show it.
     */
    static String nameOf(JobDefinition upstream, String namespace) {
        return upstream.namespace().equals(namespace) ? upstream.name() : upstream.namespace() + "/" + upstream.name();
    }

    /** Whether any string in {@code value} holds a placeholder. */
    static boolean present(Object value) {
        if (value instanceof String text) {
            return text.contains("{{") && PLACEHOLDER.matcher(text).find();
        }
        if (value instanceof Map<?, ?> map) {
            return map.values().stream().anyMatch(UpstreamPlaceholders::present);
        }
        if (value instanceof List<?> list) {
            return list.stream().anyMatch(UpstreamPlaceholders::present);
        }
        return false;
    }

    /** The upstream names the placeholders in {@code value} use, stripped, in the order they stand. */
    static Set<String> names(Object value) {
        Set<String> names = new LinkedHashSet<>();
        collect(value, m -> names.add(m.group(1).strip()));
        return names;
    }

    /**
     * The placeholders in {@code parameters} whose upstream has no result in {@code results}, as written: each is
     * filled in empty, which the run's log should say.
     */
    static Set<String> withoutResult(Map<String, Object> parameters, Map<String, Map<String, Object>> results) {
        Set<String> missing = new LinkedHashSet<>();
        collect(parameters, m -> {
            if (!results.containsKey(m.group(1).strip())) {
                missing.add(m.group());
            }
        });
        return missing;
    }

    private static void collect(Object value, Consumer<Matcher> each) {
        if (value instanceof String text) {
            if (text.contains("{{")) {
                Matcher m = PLACEHOLDER.matcher(text);
                while (m.find()) {
                    each.accept(m);
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            map.values().forEach(v -> collect(v, each));
        } else if (value instanceof List<?> list) {
            list.forEach(v -> collect(v, each));
        }
    }

    /**
     * The parameters with each placeholder replaced by the value in {@code results} (by upstream name); a missing
     * value is empty. A parameter that is one placeholder alone keeps the value's type.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> filled(Map<String, Object> parameters, Map<String, Map<String, Object>> results) {
        return (Map<String, Object>) fill(parameters, results);
    }

    private static Object fill(Object value, Map<String, Map<String, Object>> results) {
        if (value instanceof String text && text.contains("{{")) {
            Matcher whole = PLACEHOLDER.matcher(text.strip());
            if (whole.matches()) {
                Object found =
                        lookup(results, whole.group(1).strip(), whole.group(2).substring(1));
                return found instanceof Map || found instanceof List
                        ? String.valueOf(found)
                        : found == null ? "" : found;
            }
            Matcher m = PLACEHOLDER.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                Object found = lookup(results, m.group(1).strip(), m.group(2).substring(1));
                m.appendReplacement(out, Matcher.quoteReplacement(found == null ? "" : String.valueOf(found)));
            }
            m.appendTail(out);
            return out.toString();
        }
        return walk(value, v -> fill(v, results));
    }

    private static Object walk(Object value, UnaryOperator<Object> each) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), each.apply(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(each).toList();
        }
        return value;
    }

    private static Object lookup(Map<String, Map<String, Object>> results, String name, String path) {
        Object at = results.get(name);
        for (String part : path.split("\\.")) {
            if (!(at instanceof Map<?, ?> map)) {
                return null;
            }
            at = map.get(part);
        }
        return at;
    }
}
