package dev.almanac.security.internal;

import java.util.function.Predicate;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Spring Security's {@link StrictHttpFirewall} with its own rules for header names and values, decided without its
 * Unicode pattern where the answer is plain: printable ASCII (and a tab in a value) passes at once, anything else goes
 * to the library's predicate. Every API request reads {@code Authorization} at least twice, and the pattern was about a
 * tenth of a job read's CPU.
 */
final class HeaderFirewall {

    private HeaderFirewall() {}

    static StrictHttpFirewall strict() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(forNames());
        firewall.setAllowedHeaderValues(forValues());
        return firewall;
    }

    static Predicate<String> forNames() {
        return printableAsciiOr(false, StrictHttpFirewall.ALLOWED_HEADER_NAMES);
    }

    static Predicate<String> forValues() {
        return printableAsciiOr(true, StrictHttpFirewall.ALLOWED_HEADER_VALUES);
    }

    private static Predicate<String> printableAsciiOr(boolean tabs, Predicate<String> library) {
        return value -> {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < ' ' || c > '~') && !(tabs && c == '\t')) {
                    return library.test(value);
                }
            }
            return true;
        };
    }
}
