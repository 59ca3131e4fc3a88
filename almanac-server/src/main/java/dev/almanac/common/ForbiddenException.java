package dev.almanac.common;

/** The caller is known but may not do this (a role rule, a quota); answered with 403 and the reason. */
public class ForbiddenException extends RuntimeException {

    public ForbiddenException(String message) {
        super(message);
    }
}
