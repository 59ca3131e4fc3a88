package dev.almanac.common;

/**
 * One rejected input field. {@code field} is the snake_case path a client sent, with dots for nested
 * objects and brackets for list items: {@code schedule.expression}, {@code parameters.conditions[0].op}.
 */
public record FieldError(String field, String message) {

    public FieldError prefixed(String prefix) {
        return new FieldError(field == null || field.isEmpty() ? prefix : prefix + "." + field, message);
    }
}
