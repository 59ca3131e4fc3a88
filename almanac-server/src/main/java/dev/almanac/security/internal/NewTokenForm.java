package dev.almanac.security.internal;

import java.util.List;
import org.springframework.web.bind.annotation.BindParam;

/**
 * The tokens page's "Create a token" form, bound by Spring. The lifetime must be one the page offered, which depends
 * on the configured maximum, so it is checked on the page; the name's rules are {@link ApiTokenService}'s. No
 * namespace ticked means no limit: the token reaches every namespace its user does.
 */
record NewTokenForm(
        String name,
        @BindParam("expires_in_days") Integer expiresInDays,
        @BindParam("read_only") String readOnly,
        List<String> namespaces) {

    /** The box is ticked when the browser sends it at all, whatever its value. */
    boolean readOnlyScope() {
        return readOnly != null;
    }

    /** The namespaces ticked, or null for no limit. */
    List<String> namespaceLimit() {
        if (namespaces == null) {
            return null;
        }
        List<String> ticked =
                namespaces.stream().filter(n -> n != null && !n.isBlank()).toList();
        return ticked.isEmpty() ? null : ticked;
    }
}
