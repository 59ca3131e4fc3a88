package dev.almanac.security.internal;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

/** A request authenticated with a personal API token; its name is the token owner's user name. */
public final class ApiTokenAuthentication extends AbstractAuthenticationToken {

    private final String username;
    private final ApiToken token;

    ApiTokenAuthentication(String username, ApiToken token, List<GrantedAuthority> authorities) {
        super(authorities);
        this.username = username;
        this.token = token;
        setAuthenticated(true);
    }

    ApiToken token() {
        return token;
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
