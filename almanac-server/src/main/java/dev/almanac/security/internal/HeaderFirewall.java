package dev.almanac.security.internal;

import java.util.function.Predicate;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Spring Security's {@link StrictHttpFirewall} with the same rules for header names and values, decided without a
 * regular expression where the answer is plain.
 *
 * <p>The firewall checks a header each time a filter reads it, against a pattern of Unicode properties ("assigned and
 * not a control character"); every API request reads its {@code Authorization} header at least twice (the token filter
 * and the basic-authentication filter), and the pattern took about a tenth of the node's time for {@code GET /jobs/{id}}
 * (JFR, 8 clients). Printable ASCII is assigned and no control character, so a value of those characters only (and tabs,
 * where the library allows them) passes here at once; anything else goes to the library's own predicate, so what
 * passes and what is refused is the library's decision, character for character.
 */
final class HeaderFirewall {

    private HeaderFirewall() {}

    static StrictHttpFirewall strict() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(printableAsciiOr(false, StrictHttpFirewall.ALLOWED_HEADER_NAMES));
        firewall.setAllowedHeaderValues(printableAsciiOr(true, StrictHttpFirewall.ALLOWED_HEADER_VALUES));
        return firewall;
    }

    /** True at once for printable ASCII (and tabs if {@code tabs}); {@code library}'s answer for anything else. */
    static Predicate<String> printableAsciiOr(boolean tabs, Predicate<String> library) {
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
