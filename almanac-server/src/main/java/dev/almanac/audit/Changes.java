package dev.almanac.audit;

import dev.almanac.common.Sealed;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The before/after diff an update's audit event carries: nested objects are compared field by field under
 * dotted paths ({@code parameters.message}, {@code schedule.expression}), anything else (lists, scalars) whole.
 * Secrets show as the mask on both sides: the trail says that a secret changed, never what it was.
 */
public final class Changes {

    private Changes() {}

    /** {@code {path: {before, after}}} for every path whose value differs; empty when nothing changed. */
    public static Map<String, Object> between(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> changes = new LinkedHashMap<>();
        collect("", before, after, changes);
        return changes;
    }

    private static void collect(String prefix, Map<?, ?> before, Map<?, ?> after, Map<String, Object> changes) {
        TreeSet<String> keys = new TreeSet<>();
        if (before != null) {
            before.keySet().forEach(k -> keys.add(String.valueOf(k)));
        }
        if (after != null) {
            after.keySet().forEach(k -> keys.add(String.valueOf(k)));
        }
        for (String key : keys) {
            Object was = before == null ? null : before.get(key);
            Object now = after == null ? null : after.get(key);
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            if (was instanceof Map<?, ?> wasMap && now instanceof Map<?, ?> nowMap) {
                collect(path, wasMap, nowMap, changes);
            } else if (!Objects.equals(was, now)) {
                Map<String, Object> change = new LinkedHashMap<>();
                change.put("before", Sealed.masked(was));
                change.put("after", Sealed.masked(now));
                changes.put(path, change);
            }
        }
    }
}
