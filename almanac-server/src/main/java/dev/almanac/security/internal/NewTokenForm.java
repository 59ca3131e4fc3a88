package dev.almanac.security.internal;

import org.springframework.web.bind.annotation.BindParam;

/**
 * The tokens page's "Create a token" form, bound by Spring. The lifetime must be one the page offered, which depends
 * on the configured maximum, so it is checked on the page; the name's rules are {@link ApiTokenService}'s.
 */
record NewTokenForm(
        String name,
        @BindParam("expires_in_days") Integer expiresInDays,
        @BindParam("read_only") String readOnly) {

    /** The box is ticked when the browser sends it at all, whatever its value. */
    boolean readOnlyScope() {
        return readOnly != null;
    }
}
