package dev.almanac.security.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.test.web.servlet.MockMvc;

/**
 * An API request is timed once, as {@code http_server_requests}, and the security filter chain in front of it is not
 * observed at all: neither a timer per filter nor the wrapping that makes one (operations guide, "Observability").
 */
abstract class SecurityObservationTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends SecurityObservationTests {}

    /** Every filter of the application, the observation filter and the security chain among them. */
    @Autowired
    MockMvc withEveryFilter;

    @Autowired
    SecurityObservationSettings settings;

    @Autowired
    PrometheusMeterRegistry meters;

    @Test
    void anApiRequestIsTimedOnceAndItsSecurityFiltersAreNotObserved() throws Exception {
        String token = logins.token(TestLogins.SUPER_ADMIN);
        withEveryFilter
                .perform(get("/api/admin/scheduler/jobs").with(TestLogins.bearer(token)))
                .andExpect(status().isOk());

        assertThat(settings.shouldObserveRequests()).isFalse();
        assertThat(settings.shouldObserveAuthentications()).isFalse();
        assertThat(settings.shouldObserveAuthorizations()).isFalse();
        assertThat(meters.scrape())
                .containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/api/admin/scheduler/jobs\"")
                .doesNotContain("spring_security_");
    }
}
