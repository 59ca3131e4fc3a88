package dev.almanac.template;

import java.util.Objects;

/**
 * One rejected parameter, reported by {@link JobTemplate#validate(java.util.Map)}.
 *
 * @param field the path of the parameter relative to the parameters object, in snake_case with dots for
 *     nested objects and brackets for list items ({@code max_rows}, {@code conditions[0].op}); the empty
 *     string names the parameters object as a whole
 * @param message a human-readable sentence fragment saying what is wrong, e.g. {@code "must be at least 1"}
 */
public record ParameterError(String field, String message) {

    public ParameterError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }
}
