package dev.almanac.security.internal;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a user may do. {@link #SUPER_ADMIN}: everything. {@link #ADMIN}: read every job, execution, log and
 * template; create, change, delete, run and cancel jobs of templates that are not destructive. {@link #USER}: no
 * access to the scheduler, except in the namespaces where they hold a role ({@link dev.almanac.security.NamespaceRole}).
 */
public enum Role {
    SUPER_ADMIN,
    ADMIN,
    USER;

    /** The Spring Security authority, {@code ROLE_SUPER_ADMIN} ... */
    public String authority() {
        return "ROLE_" + name();
    }

    public static Optional<Role> parse(String text) {
        return Arrays.stream(values())
                .filter(r -> r.name().equalsIgnoreCase(text))
                .findFirst();
    }
}
