package dev.almanac.common;

/** The request is well formed but clashes with the stored state (a taken name, a stale version). */
public class ConflictException extends RuntimeException {

    private final String field;

    public ConflictException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
