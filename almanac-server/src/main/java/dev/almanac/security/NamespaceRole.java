package dev.almanac.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a user may do in one namespace. {@link #OWNER}: everything in it, destructive templates included, its members
 * and quotas. {@link #EDITOR}: create, change, delete and run jobs of templates that are not destructive. {@link
 * #RUNNER}: run jobs and cancel their executions. {@link #VIEWER}: read.
 */
public enum NamespaceRole {
    OWNER,
    EDITOR,
    RUNNER,
    VIEWER;

    /** As the API and the database spell it: {@code owner}, ... */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<NamespaceRole> fromJson(String text) {
        return Arrays.stream(values()).filter(r -> r.json().equals(text)).findFirst();
    }

    /** Whether this role allows {@code action}. */
    public boolean allows(NamespaceAccess.Action action) {
        return switch (action) {
            case READ -> true;
            case RUN -> this != VIEWER;
            case EDIT -> this == OWNER || this == EDITOR;
            case EDIT_DESTRUCTIVE, MANAGE -> this == OWNER;
        };
    }
}
