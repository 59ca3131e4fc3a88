package dev.almanac.security.internal;

import java.util.List;
import java.util.Set;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

/**
 * A request authenticated with a personal API token; its name is the token owner's user name. A token limited to
 * namespaces carries no global role: {@link dev.almanac.security.NamespaceAccess} turns its owner's role into roles in
 * those namespaces only.
 */
public final class ApiTokenAuthentication extends AbstractAuthenticationToken {

    private final String username;
    private final ApiToken token;
    private final Role ownerRole;

    ApiTokenAuthentication(String username, ApiToken token, Role ownerRole, List<GrantedAuthority> authorities) {
        super(authorities);
        this.username = username;
        this.token = token;
        this.ownerRole = ownerRole;
        setAuthenticated(true);
    }

    ApiToken token() {
        return token;
    }

    /** The namespaces the token is limited to; null when it is not limited. */
    public Set<String> namespaceLimit() {
        return token.namespaces();
    }

    /** The global role of the token's owner, which a limited token does not carry as an authority. */
    public Role ownerRole() {
        return ownerRole;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return username;
    }

    @Override
    public String getName() {
        return username;
    }
}
