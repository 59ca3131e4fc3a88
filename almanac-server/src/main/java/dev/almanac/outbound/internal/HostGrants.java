package dev.almanac.outbound.internal;

import dev.almanac.common.NamespaceGrants;
import dev.almanac.outbound.GuardedHttpClient;
import java.util.List;
import org.springframework.stereotype.Component;

/** The allowed internal hosts granted to a namespace, for its page. */
@Component
class HostGrants implements NamespaceGrants {

    private final GuardedHttpClient http;

    HostGrants(GuardedHttpClient http) {
        this.http = http;
    }

    @Override
    public String kind() {
        return "Allowed internal hosts";
    }

    @Override
    public List<String> grantedTo(String namespace) {
        return http.guard().allowedHostsOf(namespace);
    }
}
