package dev.almanac.common;

/**
 * The caller is known but may not do this (a role rule, a quota); answered with 403 and the reason, naming the field
 * of the request it is about when one is to blame.
 */
public class ForbiddenException extends RuntimeException {

    private final String field;

    public ForbiddenException(String message) {
        this(null, message);
    }

    /** A refusal of what the request's {@code field} asks for (the API names it among the problem's errors). */
    public ForbiddenException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The request's field the refusal is about; null when it is about the request as a whole. */
    public String field() {
        return field;
    }
}
