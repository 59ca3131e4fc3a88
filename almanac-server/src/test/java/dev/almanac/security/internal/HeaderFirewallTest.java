package dev.almanac.security.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/** The firewall's quick path decides every header name and value as Spring Security's own pattern does. */
class HeaderFirewallTest {

    @Test
    void headerNamesAndValuesAreDecidedAsTheLibraryDecidesThemForEveryCharacter() {
        Predicate<String> names = HeaderFirewall.forNames();
        Predicate<String> values = HeaderFirewall.forValues();
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
}
