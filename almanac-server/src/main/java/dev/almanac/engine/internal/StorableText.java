package dev.almanac.engine.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run writes (its log lines, its result, its error) as the database can store it: U+0000, which PostgreSQL's
 * {@code text} and {@code jsonb} refuse, becomes U+FFFD. A template's text comes from outside (a script's output, an
 * HTTP body, a row): one such character refused a whole batch of lines, other runs' included, and an outcome that
 * could never be written.
 */
final class StorableText {

    private static final char NUL = '\u0000';
    private static final char REPLACEMENT = '\uFFFD';

    private StorableText() {}

    static String of(String text) {
        return text == null || text.indexOf(NUL) < 0 ? text : text.replace(NUL, REPLACEMENT);
    }

    /** A copy of {@code result} with every string in it, keys included, storable; the same map when none needs it. */
    static Map<String, Object> of(Map<String, Object> result) {
        if (result == null || !needs(result)) {
            return result;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) copy(result);
        return copy;
    }

    private static boolean needs(Object value) {
        if (value instanceof String text) {
            return text.indexOf(NUL) >= 0;
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().anyMatch(e -> needs(String.valueOf(e.getKey())) || needs(e.getValue()));
        }
        if (value instanceof Iterable<?> items) {
            for (Object item : items) {
                if (needs(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Object copy(Object value) {
        if (value instanceof String text) {
            return of(text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, item) -> copy.put(of(String.valueOf(key)), copy(item)));
            return copy;
        }
        if (value instanceof Iterable<?> items) {
            List<Object> copy = new ArrayList<>();
            items.forEach(item -> copy.add(copy(item)));
            return copy;
        }
        return value;
    }
}
