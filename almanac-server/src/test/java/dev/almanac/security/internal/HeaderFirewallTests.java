package dev.almanac.security.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The firewall's quick path for printable ASCII decides every header name and value as Spring Security's own pattern
 * does: for each of the 65 536 characters, alone and inside a token, and on a real request through the filter chain.
 */
abstract class HeaderFirewallTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends HeaderFirewallTests {}

    @Autowired
    MockMvc withEveryFilter;

    @Test
    void headerNamesAndValuesAreDecidedAsTheLibraryDecidesThemForEveryCharacter() {
        Predicate<String> names = HeaderFirewall.printableAsciiOr(false, StrictHttpFirewall.ALLOWED_HEADER_NAMES);
        Predicate<String> values = HeaderFirewall.printableAsciiOr(true, StrictHttpFirewall.ALLOWED_HEADER_VALUES);
        for (int c = Character.MIN_VALUE; c <= Character.MAX_VALUE; c++) {
            for (String value : new String[] {String.valueOf((char) c), "Bearer alm_" + (char) c + "x9"}) {
                assertThat(names.test(value))
                        .as("header name with U+%04X", c)
                        .isEqualTo(StrictHttpFirewall.ALLOWED_HEADER_NAMES.test(value));
                assertThat(values.test(value))
                        .as("header value with U+%04X", c)
                        .isEqualTo(StrictHttpFirewall.ALLOWED_HEADER_VALUES.test(value));
            }
        }
        assertThat(values.test("")).isTrue();
        assertThat(values.test("a\tb")).isTrue();
        assertThat(names.test("a\tb")).isFalse();
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
