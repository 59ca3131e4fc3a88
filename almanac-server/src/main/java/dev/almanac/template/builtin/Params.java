package dev.almanac.template.builtin;

import java.util.List;
import java.util.Map;

/** Typed reads of a validated parameters object, with the schema's defaults. */
final class Params {

    private final Map<String, Object> values;

    Params(Map<String, Object> values) {
        this.values = values == null ? Map.of() : values;
    }

    Object raw(String key) {
        return values.get(key);
    }

    boolean has(String key) {
        return values.get(key) != null;
    }

    String string(String key, String fallback) {
        return values.get(key) instanceof String text ? text : fallback;
    }

    String string(String key) {
        return string(key, null);
    }

    long number(String key, long fallback) {
        return values.get(key) instanceof Number number ? number.longValue() : fallback;
    }

    int integer(String key, int fallback) {
        return values.get(key) instanceof Number number ? number.intValue() : fallback;
    }

    boolean bool(String key, boolean fallback) {
        return values.get(key) instanceof Boolean flag ? flag : fallback;
    }

    @SuppressWarnings("unchecked")
    List<Object> list(String key) {
        return values.get(key) instanceof List<?> list ? (List<Object>) list : List.of();
    }

    List<String> strings(String key) {
        return list(key).stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> map(String key) {
        return values.get(key) instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }
}
