package dev.almanac.security.internal;

import dev.almanac.common.JdbcTime;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code users} table. */
@Repository
public class UserRepository {

    private static final String COLUMNS = """
            SELECT id, username, password_hash, role, enabled, created_at, updated_at, last_login_at,
                   failed_login_count, locked_until, email
            FROM users
            """;

    private static final String INSERT = """
            INSERT INTO users (id, username, password_hash, role, enabled, created_at, updated_at, failed_login_count,
                               email)
            VALUES (:id, :username, :password_hash, :role, :enabled, :now, :now, 0, :email)
            """;

    private static final String UPDATE = """
            UPDATE users SET password_hash = :password_hash, role = :role, enabled = :enabled, email = :email,
                             updated_at = :now
            WHERE id = :id
            """;

    private static final String COUNT_FAILURE = """
            UPDATE users SET failed_login_count = failed_login_count + 1 WHERE username = :username
            """;

    private static final String LOCK_AFTER_FAILURES = """
            UPDATE users SET locked_until = :until, failed_login_count = 0
            WHERE username = :username AND failed_login_count >= :max
            """;

    private static final String RECORD_LOGIN = """
            UPDATE users SET last_login_at = :now, failed_login_count = 0, locked_until = NULL
            WHERE username = :username
            """;

    private static final String CHANGE_PASSWORD = """
            UPDATE users SET password_hash = :hash, password_generated = FALSE, updated_at = :now WHERE id = :id
            """;

    private static final String UNLOCK = """
            UPDATE users SET failed_login_count = 0, locked_until = NULL WHERE id = :id
            """;

    private static final String RESET_FAILURES = """
            UPDATE users SET failed_login_count = 0 WHERE username = :username AND failed_login_count > 0
            """;

    private static final String LOCK = "SELECT username FROM users WHERE username = :username FOR UPDATE";

    private static final String LOCK_WORKING_IN = """
            SELECT username FROM users WHERE current_namespace = :namespace ORDER BY username FOR UPDATE
            """;

    private final JdbcClient jdbc;

    UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Locks the user's row until the caller's transaction ends, so two of their requests that count their jobs before
     * adding one take turns; nothing for an actor who is not a stored user.
     */
    public void lock(String username) {
        jdbc.sql(LOCK).param("username", username).query(String.class).list();
    }

    /**
     * Locks the rows of the users working in {@code namespace} until the caller's transaction ends: a delete of the
     * namespace, whose foreign key sets their current namespace to none, takes them before the namespace's row, in
     * the order a create does (its user's row, then the namespace's), so the two wait in turn instead of on each other.
     */
    public void lockWorkingIn(String namespace) {
        jdbc.sql(LOCK_WORKING_IN)
                .param("namespace", namespace)
                .query(String.class)
                .list();
    }

    void insert(User user) {
        jdbc.sql(INSERT)
                .param("id", user.id())
                .param("username", user.username())
                .param("password_hash", user.passwordHash())
                .param("role", user.role().name())
                .param("enabled", user.enabled())
                .param("email", user.email())
                .param("now", JdbcTime.utc(user.createdAt()))
                .update();
    }

    void update(User user) {
        jdbc.sql(UPDATE)
                .param("id", user.id())
                .param("password_hash", user.passwordHash())
                .param("role", user.role().name())
                .param("enabled", user.enabled())
                .param("email", user.email())
                .param("now", JdbcTime.utc(user.updatedAt()))
                .update();
    }

    void updatePasswordHash(String username, String hash) {
        jdbc.sql("UPDATE users SET password_hash = :hash WHERE username = :username")
                .param("hash", hash)
                .param("username", username)
                .update();
    }

    /** Sets a password its owner chose: the generated-password flag goes. */
    void changePassword(UUID id, String hash, Instant now) {
        jdbc.sql(CHANGE_PASSWORD)
                .param("id", id)
                .param("hash", hash)
                .param("now", JdbcTime.utc(now))
                .update();
    }

    /** Marks the password of this user as generated by Almanac (and printed in the log). */
    void markPasswordGenerated(UUID id) {
        jdbc.sql("UPDATE users SET password_generated = TRUE WHERE id = :id")
                .param("id", id)
                .update();
    }

    boolean hasGeneratedPassword(String username) {
        return jdbc.sql("SELECT COUNT(*) FROM users WHERE username = :username AND password_generated")
                        .param("username", username)
                        .query(Long.class)
                        .single()
                > 0;
    }

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM users WHERE id = :id").param("id", id).update() == 1;
    }

    private static final String CURRENT_NAMESPACE = "SELECT current_namespace FROM users WHERE username = :username";

    private static final String SET_CURRENT_NAMESPACE =
            "UPDATE users SET current_namespace = :namespace WHERE username = :username";

    /** The namespace {@code username} last picked in the UI's header; empty for all (or no such user). */
    public Optional<String> currentNamespace(String username) {
        return jdbc.sql(CURRENT_NAMESPACE)
                .param("username", username)
                .query((rs, n) -> Optional.ofNullable(rs.getString(1)))
                .optional()
                .flatMap(namespace -> namespace);
    }

    /** Remembers the namespace {@code username} picked (null: all). */
    public void setCurrentNamespace(String username, String namespace) {
        jdbc.sql(SET_CURRENT_NAMESPACE)
                .param("username", username)
                .param("namespace", namespace, java.sql.Types.VARCHAR)
                .update();
    }

    Optional<User> find(String username) {
        return jdbc.sql(COLUMNS + "WHERE username = :username")
                .param("username", username)
                .query(UserRepository::map)
                .optional();
    }

    /** A user whose name is {@code username} but for upper and lower case. */
    Optional<User> findIgnoringCase(String username) {
        return jdbc
                .sql(COLUMNS + "WHERE LOWER(username) = LOWER(:username)")
                .param("username", username)
                .query(UserRepository::map)
                .list()
                .stream()
                .findFirst();
    }

    Optional<User> find(UUID id) {
        return jdbc.sql(COLUMNS + "WHERE id = :id")
                .param("id", id)
                .query(UserRepository::map)
                .optional();
    }

    List<User> all() {
        return jdbc.sql(COLUMNS + "ORDER BY username")
                .query(UserRepository::map)
                .list();
    }

    boolean any() {
        return jdbc.sql("SELECT COUNT(*) FROM users").query(Long.class).single() > 0;
    }

    /**
     * Locks the enabled super admins' rows and counts them, in the caller's transaction: of two transactions that
     * each would disable, demote or delete one of the last two, the second counts after the first has committed, and
     * so finds one left.
     */
    long lockEnabledSuperAdmins() {
        return jdbc.sql("SELECT id FROM users WHERE role = 'SUPER_ADMIN' AND enabled FOR UPDATE")
                .query(UUID.class)
                .list()
                .size();
    }

    /** Counts a failed login; at {@code max} failures in a row the account is locked until {@code until}. */
    /** Counts a failed login of a user name; whether it locked the account, or that no user has the name. */
    Failure countFailure(String username, int max, Instant until) {
        if (jdbc.sql(COUNT_FAILURE).param("username", username).update() == 0) {
            return Failure.NO_SUCH_USER;
        }
        boolean locked = jdbc.sql(LOCK_AFTER_FAILURES)
                        .param("username", username)
                        .param("max", max)
                        .param("until", JdbcTime.utc(until))
                        .update()
                > 0;
        return locked ? Failure.LOCKED : Failure.COUNTED;
    }

    /** What a counted failed login did. */
    enum Failure {
        COUNTED,
        LOCKED,
        NO_SUCH_USER
    }

    void recordLogin(String username, Instant now) {
        jdbc.sql(RECORD_LOGIN)
                .param("username", username)
                .param("now", JdbcTime.utc(now))
                .update();
    }

    /** Lifts a lock after failed logins and forgets the failures counted so far. */
    void unlock(UUID id) {
        jdbc.sql(UNLOCK).param("id", id).update();
    }

    void resetFailures(String username) {
        jdbc.sql(RESET_FAILURES).param("username", username).update();
    }

    private static User map(ResultSet rs, int row) throws SQLException {
        return new User(
                rs.getObject("id", UUID.class),
                rs.getString("username"),
                rs.getString("password_hash"),
                Role.valueOf(rs.getString("role")),
                rs.getBoolean("enabled"),
                JdbcTime.instant(rs, "created_at"),
                JdbcTime.instant(rs, "updated_at"),
                JdbcTime.instant(rs, "last_login_at"),
                rs.getInt("failed_login_count"),
                JdbcTime.instant(rs, "locked_until"),
                rs.getString("email"));
    }
}
