package dev.almanac.common;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Secrets at rest are strings of the form {@code enc:v1:<key id>:<base64 of IV, ciphertext and tag>} (see the
 * security package's {@code Secrets}), optionally followed by {@value #LABEL} and what a person may see of the
 * secret (a webhook URL's scheme and host). Whatever shows stored data to a person replaces them with that label,
 * or with {@link #MASK}.
 */
public final class Sealed {

    public static final String PREFIX = "enc:v1:";

    /** What a secret looks like in every response, export and log; sent back on update, it keeps the secret. */
    public static final String MASK = "••••";

    /**
     * Why an empty secret is refused, on the API and the pages alike: it would be stored, shown as the mask and sent
     * empty. On a page it is a secret left blank that has nothing stored under its name (a new, renamed or copied row).
     */
    public static final String EMPTY_SECRET = "is empty, and no secret is stored for it: type the secret again";

    /** Separates a sealed value from its label; never part of base64, so never part of the sealed text. */
    public static final char LABEL = '#';

    private Sealed() {}

    public static boolean isSealed(Object value) {
        return value instanceof String text && text.startsWith(PREFIX);
    }

    /** What a person sees of a sealed value: its label, or the mask. */
    public static String shown(String sealed) {
        int label = sealed.indexOf(LABEL);
        return label < 0 ? MASK : sealed.substring(label + 1);
    }

    /**
     * A copy of a JSON-like value (maps, lists, scalars) with every sealed string replaced by what a person may see
     * of it: its label, or the mask.
     */
    public static Object masked(Object value) {
        if (value instanceof String text && isSealed(text)) {
            return shown(text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), masked(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(masked(v)));
            return copy;
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> maskedMap(Map<String, Object> map) {
        return map == null ? null : (Map<String, Object>) masked(map);
    }
}
