package dev.almanac.security.internal;

import java.util.ArrayList;
import java.util.List;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** The authorities a login carries: its role, and {@code SCOPE_write} unless it is a read-only token. */
public final class Authorities {

    static final String WRITE = "SCOPE_write";

    private Authorities() {}

    static List<GrantedAuthority> of(Role role, boolean write) {
        List<GrantedAuthority> authorities = new ArrayList<>();
        authorities.add(new SimpleGrantedAuthority(role.authority()));
        if (write) {
            authorities.add(new SimpleGrantedAuthority(WRITE));
        }
        return authorities;
    }
}
