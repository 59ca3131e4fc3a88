package dev.almanac.security.internal;

import dev.almanac.audit.AuditTrail;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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
 *
 * <p>A user name no account has is counted and locked the same way, on this node, so that a lock alone does not tell
 * a guesser which names exist (a locked name answered 429 while an unknown one answered 401 for ever). Those counts
 * live in memory, by a digest of the name, for the {@value #UNKNOWN_NAMES_KEPT} names tried last; a restart forgets
 * them. It raises the cost of telling names apart without removing it: behind a load balancer an unknown name's
 * failures spread over the nodes, and a name pushed out by 10 000 others is counted afresh.
 */
@Component
public class LoginAttempts {

    private final UserRepository users;
    private final AuditTrail audit;
    private final SecurityProperties properties;
    private final Clock clock;

    static final int UNKNOWN_NAMES_KEPT = 10_000;

    /** Failures of user names no account has, least recently tried first. */
    private final Map<String, UnknownName> unknownNames = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, UnknownName> eldest) {
            return size() > UNKNOWN_NAMES_KEPT;
        }
    };

    private record UnknownName(int failures, Instant lockedUntil) {}

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
            UserRepository.Failure failure = users.countFailure(username, properties.loginMaxFailures(), until);
            if (failure == UserRepository.Failure.NO_SUCH_USER) {
                failure = countUnknownName(username, until);
            }
            if (failure == UserRepository.Failure.LOCKED) {
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
        boolean locked =
                users.countFailure(username, properties.loginMaxFailures(), until) == UserRepository.Failure.LOCKED;
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

    /** When a locked account (or a locked name no account has) may try again, for the message the user sees. */
    Instant lockedUntil(String username) {
        return users.find(username)
                .map(User::lockedUntil)
                .orElseGet(() -> unknownNameLockedUntil(username).orElse(null));
    }

    /** Until when a user name no account has is locked like an account, if it is now. */
    Optional<Instant> unknownNameLockedUntil(String username) {
        synchronized (unknownNames) {
            UnknownName name = unknownNames.get(key(username));
            Instant now = clock.instant();
            return name == null
                            || name.lockedUntil() == null
                            || !name.lockedUntil().isAfter(now)
                    ? Optional.empty()
                    : Optional.of(name.lockedUntil());
        }
    }

    /** A name tried as a fixed-size key: a name can be as long as a form post, and 10 000 of them are kept. */
    private static String key(String username) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(String.valueOf(username).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private UserRepository.Failure countUnknownName(String username, Instant until) {
        synchronized (unknownNames) {
            String key = key(username);
            UnknownName name = unknownNames.get(key);
            int failures = (name == null ? 0 : name.failures()) + 1;
            if (failures >= properties.loginMaxFailures()) {
                unknownNames.put(key, new UnknownName(0, until));
                return UserRepository.Failure.LOCKED;
            }
            unknownNames.put(key, new UnknownName(failures, name == null ? null : name.lockedUntil()));
            return UserRepository.Failure.COUNTED;
        }
    }
}
