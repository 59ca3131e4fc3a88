package dev.almanac.security.internal;

import dev.almanac.audit.AuditTrail;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.stereotype.Component;

/**
 * Counts password failures per user and locks the account for {@code login-lock-duration} after
 * {@code login-max-failures} in a row (a lock is refused before the password is even checked); every failure is
 * in the audit trail. A success resets the count; so does an admin's unlock, password reset or enable (UserService).
 * A disabled user's attempts are refused before the password is checked and do not count.
 */
@Component
public class LoginAttempts {

    private final UserRepository users;
    private final AuditTrail audit;
    private final SecurityProperties properties;
    private final Clock clock;

    LoginAttempts(UserRepository users, AuditTrail audit, SecurityProperties properties, Clock clock) {
        this.users = users;
        this.audit = audit;
        this.properties = properties;
        this.clock = clock;
    }

    @EventListener
    void failed(AbstractAuthenticationFailureEvent event) {
        String username = event.getAuthentication().getName();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("method", "password");
        if (event.getException() instanceof LockedException) {
            details.put("reason", "account locked after repeated failures");
        } else if (event.getException() instanceof DisabledException) {
            // refused before the password is checked: a guess here learns nothing, so it does not count toward a lock
            details.put("reason", "disabled account");
        } else {
            details.put("reason", "bad credentials");
            Instant until = clock.instant().plus(properties.loginLockDuration());
            if (users.countFailure(username, properties.loginMaxFailures(), until)) {
                details.put("locked_until", until.toString());
            }
        }
        audit.record(
                username, "login.failed", AuditTrail.FAILURE, AuditTrail.Target.of("user", null, username), details);
    }

    /**
     * A wrong current password on the change-password form: a guess like a failed login, counted toward the same lock
     * and audited as {@code login.failed}. Whether the account is locked now.
     */
    boolean wrongCurrentPassword(String username) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("method", "password change");
        details.put("reason", "wrong current password");
        Instant until = clock.instant().plus(properties.loginLockDuration());
        boolean locked = users.countFailure(username, properties.loginMaxFailures(), until);
        if (locked) {
            details.put("locked_until", until.toString());
        }
        audit.record(
                username, "login.failed", AuditTrail.FAILURE, AuditTrail.Target.of("user", null, username), details);
        return locked;
    }

    /** A password change refused without checking the password, the account being locked. */
    void lockedPasswordChange(String username) {
        audit.record(
                username,
                "login.failed",
                AuditTrail.FAILURE,
                AuditTrail.Target.of("user", null, username),
                Map.of("method", "password change", "reason", "account locked after repeated failures"));
    }

    @EventListener
    void succeeded(AuthenticationSuccessEvent event) {
        if (event.getAuthentication() instanceof ApiTokenAuthentication) {
            return;
        }
        users.resetFailures(event.getAuthentication().getName());
    }

    /** A form login: the only kind of success worth an event (HTTP Basic authenticates every request anew). */
    void interactiveLogin(String username) {
        users.recordLogin(username, clock.instant());
        audit.record(
                username,
                "login.succeeded",
                AuditTrail.SUCCESS,
                AuditTrail.Target.of("user", null, username),
                Map.of("method", "form"));
    }

    /** When a locked account may try again, for the message the user sees. */
    Instant lockedUntil(String username) {
        return users.find(username).map(User::lockedUntil).orElse(null);
    }
}
