package dev.almanac.security.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.security.web.FilterChainProxy;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.util.ReflectionUtils;

/** The application's firewall is the one in front of the API, and refuses control characters in what a filter reads. */
abstract class HeaderFirewallTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends HeaderFirewallTests {}

    @Autowired
    MockMvc withEveryFilter;

    @Autowired
    FilterChainProxy springSecurityFilterChain;

    @Test
    void theApplicationsFirewallGuardsTheFilterChain() {
        // Spring Security wraps the chain's proxy in a composite of its own; the inner proxy holds the firewall
        Object proxy = springSecurityFilterChain;
        Field inner = ReflectionUtils.findField(proxy.getClass(), "springSecurityFilterChain");
        if (inner != null) {
            ReflectionUtils.makeAccessible(inner);
            proxy = ReflectionUtils.getField(inner, proxy);
        }
        Field firewall = ReflectionUtils.findField(FilterChainProxy.class, "firewall");
        ReflectionUtils.makeAccessible(firewall);
        Object installed = ReflectionUtils.getField(firewall, proxy);
        Field values = ReflectionUtils.findField(StrictHttpFirewall.class, "allowedHeaderValues");
        ReflectionUtils.makeAccessible(values);
        assertThat(installed).isInstanceOf(StrictHttpFirewall.class);
        assertThat(ReflectionUtils.getField(values, installed)).isNotSameAs(StrictHttpFirewall.ALLOWED_HEADER_VALUES);
    }

    @Test
    void aControlCharacterInAHeaderTheApiReadsIsRefusedWithABadRequest() throws Exception {
        String token = logins.token(TestLogins.SUPER_ADMIN);
        withEveryFilter
                .perform(get("/api/admin/scheduler/jobs").with(TestLogins.bearer(token)))
                .andExpect(status().isOk());
        for (String control : new String[] {"\u0007", "\u007f", "\u0085"}) {
            withEveryFilter
                    .perform(get("/api/admin/scheduler/jobs")
                            .header(HttpHeaders.AUTHORIZATION, "Bearer " + token + control))
                    .andExpect(status().isBadRequest());
        }
        // assigned and no control character: the firewall lets it through, and the token is simply unknown
        withEveryFilter
                .perform(get("/api/admin/scheduler/jobs").header(HttpHeaders.AUTHORIZATION, "Bearer " + token + "é"))
                .andExpect(status().isUnauthorized());
    }
}
