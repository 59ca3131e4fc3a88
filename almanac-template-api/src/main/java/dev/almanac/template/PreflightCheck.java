package dev.almanac.template;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One thing a dry run checked that the real run will need: an SMTP server, a destination the SSRF guard allows, a
 * target that answers, a table on the allowlist, a writable directory. A dry run reports its checks with
 * {@link JobResult.Builder#check(PreflightCheck)}; when one failed, the dry run fails and says what is missing.
 *
 * @param name what was checked, short and lower case ({@code smtp}, {@code target}, {@code url}, {@code directory})
 * @param ok whether the real run will have it
 * @param message one sentence for the operator: what was found, or what is missing and how to fix it
 */
public record PreflightCheck(String name, boolean ok, String message) {

    public PreflightCheck {
        Objects.requireNonNull(name, "name");
        message = message == null ? "" : message;
    }

    /**
     * A check the real run will pass.
     *
     * @param name what was checked
     * @param message what was found
     * @return the check
     */
    public static PreflightCheck passed(String name, String message) {
        return new PreflightCheck(name, true, message);
    }

    /**
     * A check the real run would fail.
     *
     * @param name what was checked
     * @param message what is missing
     * @return the check
     */
    public static PreflightCheck failed(String name, String message) {
        return new PreflightCheck(name, false, message);
    }

    /**
     * The check as JSON-like values, the way it is stored in a result's details.
     *
     * @return {@code name}, {@code ok} and {@code message}
     */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", name);
        map.put("ok", ok);
        map.put("message", message);
        return map;
    }

    /**
     * Reads a check stored by {@link #toMap()}.
     *
     * @param map the stored check
     * @return the check
     */
    public static PreflightCheck fromMap(Map<?, ?> map) {
        return new PreflightCheck(
                String.valueOf(map.get("name")),
                Boolean.TRUE.equals(map.get("ok")),
                map.get("message") == null ? "" : String.valueOf(map.get("message")));
    }
}
