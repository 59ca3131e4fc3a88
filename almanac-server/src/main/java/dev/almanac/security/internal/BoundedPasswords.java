package dev.almanac.security.internal;

import java.nio.charset.StandardCharsets;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * A password longer than {@link UserService#MAX_PASSWORD_BYTES} never matches: bcrypt reads only that many bytes, so
 * a stored password followed by anything would otherwise sign in too. Such a password cannot be set, so refusing it
 * on every check (form login, Basic, the current password of a change) turns away no one. The hash is still compared,
 * so the answer takes as long as any other wrong password.
 */
final class BoundedPasswords implements PasswordEncoder {

    private final PasswordEncoder delegate;

    BoundedPasswords(PasswordEncoder delegate) {
        this.delegate = delegate;
    }

    @Override
    public String encode(CharSequence rawPassword) {
        return delegate.encode(rawPassword);
    }

    @Override
    public boolean matches(CharSequence rawPassword, String encodedPassword) {
        boolean matches = delegate.matches(rawPassword, encodedPassword);
        return matches
                && rawPassword.toString().getBytes(StandardCharsets.UTF_8).length <= UserService.MAX_PASSWORD_BYTES;
    }

    @Override
    public boolean upgradeEncoding(String encodedPassword) {
        return delegate.upgradeEncoding(encodedPassword);
    }
}
