package dev.almanac.security.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsPasswordService;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Users: who they are, their role and password. There is always at least one enabled super admin: removing,
 * disabling or demoting the last one is refused.
 */
@Service
public class UserService implements UserDetailsService, UserDetailsPasswordService {

    static final int MIN_PASSWORD_LENGTH = 12;
    // bcrypt reads at most 72 bytes; a longer password would be silently cut, so it is refused instead
    static final int MAX_PASSWORD_BYTES = 72;
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    private final UserRepository users;
    private final PasswordEncoder passwords;
    private final AuditTrail audit;
    private final Clock clock;
    private final TokenSignals tokenSignals;
    private final LoginAttempts logins;
    private final NamespaceRepository namespaces;
    private final ApiTokenRepository tokens;
    private final Set<String> ownPasswords = ConcurrentHashMap.newKeySet();

    UserService(
            UserRepository users,
            PasswordEncoder passwords,
            AuditTrail audit,
            Clock clock,
            TokenSignals tokenSignals,
            LoginAttempts logins,
            NamespaceRepository namespaces,
            ApiTokenRepository tokens) {
        this.users = users;
        this.namespaces = namespaces;
        this.tokens = tokens;
        this.logins = logins;
        this.passwords = passwords;
        this.audit = audit;
        this.clock = clock;
        this.tokenSignals = tokenSignals;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        Optional<User> found = users.find(username);
        if (found.isEmpty() && logins.unknownNameLockedUntil(username).isPresent()) {
            // refused as a locked account is, before any password is checked: a lock tells no one whether a name exists
            return org.springframework.security.core.userdetails.User.withUsername(username)
                    .password("")
                    .authorities(List.of())
                    .accountLocked(true)
                    .build();
        }
        User user = found.orElseThrow(() -> new UsernameNotFoundException("no such user"));
        return org.springframework.security.core.userdetails.User.withUsername(user.username())
                .password(user.passwordHash())
                .authorities(Authorities.of(user.role(), true))
                .disabled(!user.enabled())
                .accountLocked(user.lockedAt(clock.instant()))
                .build();
    }

    /** A user as a signed-in session holds it: their role's authorities, without their password hash. */
    UserDetails sessionDetails(User user) {
        return org.springframework.security.core.userdetails.User.withUsername(user.username())
                .password("")
                .authorities(Authorities.of(user.role(), true))
                .disabled(!user.enabled())
                .accountLocked(user.lockedAt(clock.instant()))
                .build();
    }

    /**
     * A digest of a user's stored password hash (never the hash itself): a session keeps the one it signed in with,
     * and ends when it differs, so a new password signs out every other session.
     */
    static String passwordStamp(User user) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(user.passwordHash().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.Base64.getEncoder().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    /** Re-hashes a password stored with an outdated encoding, right after it was checked. */
    @Override
    public UserDetails updatePassword(UserDetails user, String newPassword) {
        users.updatePasswordHash(user.getUsername(), newPassword);
        return org.springframework.security.core.userdetails.User.withUserDetails(user)
                .password(newPassword)
                .build();
    }

    @Transactional(readOnly = true)
    public List<User> list() {
        return users.all();
    }

    @Transactional(readOnly = true)
    public User get(UUID id) {
        return users.find(id).orElseThrow(() -> notFound(id));
    }

    @Transactional(readOnly = true)
    public java.util.Optional<User> find(String username) {
        return users.find(username);
    }

    /** A new user; {@code enabled} defaults to true, {@code email} is optional. */
    @Transactional
    public User create(String username, String password, String role, Boolean enabled, String email) {
        List<FieldError> errors = new ArrayList<>();
        if (username == null || !USERNAME.matcher(username).matches()) {
            errors.add(new FieldError(
                    "username", "must be 1 to 64 letters, digits and . _ @ -, starting with a letter or digit"));
        }
        checkPassword(password, errors);
        Role parsedRole = role(role, true, errors);
        String address = email(email, errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Optional<User> alike = users.findIgnoringCase(username);
        if (alike.isPresent()) {
            // 'ADMIN' beside 'admin' would read as the same person in the audit trail and the member lists
            throw new ConflictException(
                    "username",
                    alike.get().username().equals(username)
                            ? "a user named '" + username + "' already exists"
                            : "a user named '" + alike.get().username()
                                    + "' exists; names may not differ only in case");
        }
        Instant now = now();
        User user = new User(
                UUID.randomUUID(),
                username,
                passwords.encode(password),
                parsedRole,
                enabled == null || enabled,
                now,
                now,
                null,
                0,
                null,
                address);
        try {
            users.insert(user);
        } catch (DuplicateKeyException taken) {
            throw new ConflictException("username", "a user named '" + username + "' already exists");
        }
        audit.record("user.created", target(user), Map.of("role", user.role().name(), "enabled", user.enabled()));
        return user;
    }

    /** Changes the fields given (null: unchanged; an empty e-mail address removes it). */
    @Transactional
    public User update(UUID id, String password, String role, Boolean enabled, String email) {
        return update(id, password, role, enabled, email, false);
    }

    /**
     * Changes the fields given, as {@link #update(UUID, String, String, Boolean, String)}; {@code unlock}, a new
     * password, or enabling a disabled user also lifts a lock after failed logins and forgets the failures, so the
     * admin who helps a locked-out user does not leave them waiting out the lock.
     */
    @Transactional
    public User update(UUID id, String password, String role, Boolean enabled, String email, boolean unlock) {
        User current = get(id);
        List<FieldError> errors = new ArrayList<>();
        if (password != null) {
            checkPassword(password, errors);
        }
        Role newRole = role == null ? current.role() : role(role, true, errors);
        String newEmail = email == null ? current.email() : email(email, errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        boolean newEnabled = enabled == null ? current.enabled() : enabled;
        if (current.role() == Role.SUPER_ADMIN
                && current.enabled()
                && (newRole != Role.SUPER_ADMIN || !newEnabled)
                && users.lockEnabledSuperAdmins() <= 1) {
            throw new ConflictException(
                    role != null && newRole != Role.SUPER_ADMIN ? "role" : "enabled",
                    "'" + current.username() + "' is the last enabled super admin; make another one first");
        }
        boolean clearsLock = unlock || password != null || (newEnabled && !current.enabled());
        User updated = new User(
                current.id(),
                current.username(),
                password == null ? current.passwordHash() : passwords.encode(password),
                newRole,
                newEnabled,
                current.createdAt(),
                now(),
                current.lastLoginAt(),
                clearsLock ? 0 : current.failedLoginCount(),
                clearsLock ? null : current.lockedUntil(),
                newEmail);
        users.update(updated);
        if (clearsLock) {
            users.unlock(updated.id());
        }
        tokenSignals.userChanged(updated.id());
        if (password != null) {
            users.changePassword(updated.id(), updated.passwordHash(), updated.updatedAt());
        }
        Map<String, Object> changes = new LinkedHashMap<>();
        if (newRole != current.role()) {
            changes.put("role", Map.of("before", current.role().name(), "after", newRole.name()));
        }
        if (newEnabled != current.enabled()) {
            changes.put("enabled", Map.of("before", current.enabled(), "after", newEnabled));
        }
        if (password != null) {
            changes.put("password", Map.of("before", "••••", "after", "••••"));
        }
        if (clearsLock && current.lockedAt(clock.instant())) {
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("before", current.lockedUntil().toString());
            change.put("after", null);
            changes.put("locked_until", change);
        }
        if (!java.util.Objects.equals(newEmail, current.email())) {
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("before", current.email());
            change.put("after", newEmail);
            changes.put("email", change);
        }
        if (!changes.isEmpty()) {
            audit.record("user.updated", target(updated), Map.of("changes", changes));
        }
        return updated;
    }

    @Transactional
    public User delete(UUID id) {
        User current = get(id);
        if (current.role() == Role.SUPER_ADMIN && current.enabled() && users.lockEnabledSuperAdmins() <= 1) {
            throw new ConflictException(
                    null, "'" + current.username() + "' is the last enabled super admin; make another one first");
        }
        // what goes with the user (their rows cascade): the event keeps who they were and what they could do
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("role", current.role().name());
        details.put("enabled", current.enabled());
        if (current.email() != null) {
            details.put("email", current.email());
        }
        Map<String, String> memberships = new LinkedHashMap<>();
        namespaces.rolesOf(current.username()).forEach((namespace, role) -> memberships.put(namespace, role.json()));
        details.put("memberships", memberships);
        Instant now = now();
        details.put(
                "tokens",
                tokens.ofUser(id).stream()
                        .map(t -> Map.of("name", t.name(), "prefix", t.prefix(), "status", t.statusAt(now)))
                        .toList());
        users.delete(id);
        tokenSignals.userChanged(id);
        audit.record("user.deleted", target(current), details);
        return current;
    }

    /**
     * Creates the first super admin, unless there is any user already; false when there was one. A {@code generated}
     * password is marked so, and the UI asks its owner to change it after signing in.
     */
    @Transactional
    public boolean createFirstAdmin(String username, String password, String adminEmail, boolean generated) {
        if (users.any()) {
            return false;
        }
        Instant now = now();
        UUID id = UUID.randomUUID();
        try {
            users.insert(new User(
                    id,
                    username,
                    passwords.encode(password),
                    Role.SUPER_ADMIN,
                    true,
                    now,
                    now,
                    null,
                    0,
                    null,
                    email(adminEmail, new ArrayList<>())));
        } catch (DuplicateKeyException anotherNodeWasFirst) {
            return false;
        }
        if (generated) {
            users.markPasswordGenerated(id);
            ownPasswords.remove(username);
        }
        return true;
    }

    /**
     * Whether this user still signs in with the password Almanac generated and printed once. Asked for every page, so
     * a "no" is remembered: only the first admin of an empty database gets a generated password, and a change never
     * brings one back.
     */
    public boolean hasGeneratedPassword(String username) {
        if (username == null || ownPasswords.contains(username)) {
            return false;
        }
        boolean generated = users.hasGeneratedPassword(username);
        if (!generated) {
            ownPasswords.add(username);
        }
        return generated;
    }

    /**
     * A user changes their own password: the current one must match, the new one follow the password rules and be
     * typed twice alike. Errors name the fields {@code current_password}, {@code new_password} and
     * {@code confirm_password}. A wrong current password counts toward the lock that failed logins set, and is
     * audited as one; while the account is locked the current password is not checked (the refusal is kept: no
     * rollback for it).
     */
    @Transactional(noRollbackFor = InvalidInputException.class)
    public void changeOwnPassword(String username, String current, String next, String confirm) {
        User user = users.find(username).orElseThrow(() -> new NotFoundException("no user named " + username));
        if (user.lockedAt(clock.instant())) {
            logins.lockedPasswordChange(username);
            throw new InvalidInputException(
                    "current_password", "was wrong too many times; try again after " + user.lockedUntil());
        }
        List<FieldError> errors = new ArrayList<>();
        if (current == null || current.isEmpty() || !passwords.matches(current, user.passwordHash())) {
            errors.add(new FieldError("current_password", "is not your current password"));
            logins.wrongCurrentPassword(username);
        }
        List<FieldError> rules = new ArrayList<>();
        checkPassword(next, rules);
        rules.forEach(error -> errors.add(new FieldError("new_password", error.message())));
        if (rules.isEmpty() && next.equals(current)) {
            errors.add(new FieldError("new_password", "must differ from the current password"));
        }
        if (next != null && !next.equals(confirm)) {
            errors.add(new FieldError("confirm_password", "does not match the new password"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        users.changePassword(user.id(), passwords.encode(next), now());
        audit.record(
                "user.password_changed",
                target(user),
                Map.of("changes", Map.of("password", Map.of("before", "••••", "after", "••••"))));
    }

    private static final java.util.regex.Pattern EMAIL =
            java.util.regex.Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");

    /** An e-mail address, trimmed; blank is none. */
    static String email(String text, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String address = text.strip();
        if (address.length() > 254 || !EMAIL.matcher(address).matches()) {
            errors.add(new FieldError("email", "must be an e-mail address such as alice@example.com"));
            return null;
        }
        return address;
    }

    static void checkPassword(String password, List<FieldError> errors) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            errors.add(new FieldError("password", "must be at least " + MIN_PASSWORD_LENGTH + " characters"));
        } else if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            errors.add(new FieldError("password", "must be at most " + MAX_PASSWORD_BYTES + " bytes"));
        }
    }

    private static Role role(String text, boolean required, List<FieldError> errors) {
        if (text == null && !required) {
            return null;
        }
        return Role.parse(text == null ? "" : text).orElseGet(() -> {
            errors.add(new FieldError("role", "must be SUPER_ADMIN, ADMIN or USER"));
            return Role.USER;
        });
    }

    static AuditTrail.Target target(User user) {
        return AuditTrail.Target.of("user", user.id(), user.username());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static NotFoundException notFound(UUID id) {
        return new NotFoundException("no user with id " + id);
    }
}
