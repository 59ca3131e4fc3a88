package dev.almanac.security;

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
class UserRepository {

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

    private static final String RESET_FAILURES = """
            UPDATE users SET failed_login_count = 0 WHERE username = :username AND failed_login_count > 0
            """;

    private final JdbcClient jdbc;

    UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
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

    boolean delete(UUID id) {
        return jdbc.sql("DELETE FROM users WHERE id = :id").param("id", id).update() == 1;
    }

    Optional<User> find(String username) {
        return jdbc.sql(COLUMNS + "WHERE username = :username")
                .param("username", username)
                .query(UserRepository::map)
                .optional();
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

    long enabledSuperAdmins() {
        return jdbc.sql("SELECT COUNT(*) FROM users WHERE role = 'SUPER_ADMIN' AND enabled")
                .query(Long.class)
                .single();
    }

    /** Counts a failed login; at {@code max} failures in a row the account is locked until {@code until}. */
    boolean countFailure(String username, int max, Instant until) {
        jdbc.sql(COUNT_FAILURE).param("username", username).update();
        return jdbc.sql(LOCK_AFTER_FAILURES)
                        .param("username", username)
                        .param("max", max)
                        .param("until", JdbcTime.utc(until))
                        .update()
                > 0;
    }

    void recordLogin(String username, Instant now) {
        jdbc.sql(RECORD_LOGIN)
                .param("username", username)
                .param("now", JdbcTime.utc(now))
                .update();
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
