package dev.almanac.security.internal;

import dev.almanac.common.JdbcTime;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code api_tokens} table. */
@Repository
public class ApiTokenRepository {

    private static final String COLUMNS = """
            SELECT t.id, t.user_id, t.name, t.token_prefix, t.read_only, t.created_at, t.expires_at, t.last_used_at,
                   t.revoked_at, t.namespaces
            FROM api_tokens t
            """;

    private static final String INSERT = """
            INSERT INTO api_tokens (id, user_id, name, token_prefix, token_hash, read_only, created_at, expires_at,
                                    namespaces)
            VALUES (:id, :user_id, :name, :prefix, :hash, :read_only, :created_at, :expires_at, :namespaces)
            """;

    /** The token and its user, for authenticating a request. */
    record Owned(ApiToken token, User user) {}

    private static final String FIND_BY_HASH = """
            SELECT t.id, t.user_id, t.name, t.token_prefix, t.read_only, t.created_at, t.expires_at, t.last_used_at,
                   t.revoked_at, t.namespaces,
                   u.username, u.password_hash, u.role, u.enabled, u.created_at AS u_created_at,
                   u.updated_at AS u_updated_at, u.last_login_at, u.failed_login_count, u.locked_until, u.email
            FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = :hash
            """;

    // never moves last_used_at back: another node may have written a later use
    private static final String TOUCH = """
            UPDATE api_tokens SET last_used_at = ?
            WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)
            """;

    private final JdbcClient jdbc;
    private final JdbcTemplate batches;

    ApiTokenRepository(JdbcClient jdbc, JdbcTemplate batches) {
        this.jdbc = jdbc;
        this.batches = batches;
    }

    void insert(ApiToken token, String hash) {
        jdbc.sql(INSERT)
                .param("id", token.id())
                .param("user_id", token.userId())
                .param("name", token.name())
                .param("prefix", token.prefix())
                .param("hash", hash)
                .param("read_only", token.readOnly())
                .param("created_at", JdbcTime.utc(token.createdAt()))
                .param("expires_at", JdbcTime.utc(token.expiresAt()))
                .param("namespaces", token.namespacesColumn())
                .update();
    }

    Optional<Owned> findByHash(String hash) {
        return jdbc.sql(FIND_BY_HASH)
                .param("hash", hash)
                .query((rs, n) -> new Owned(
                        map(rs, n),
                        new User(
                                rs.getObject("user_id", UUID.class),
                                rs.getString("username"),
                                rs.getString("password_hash"),
                                Role.valueOf(rs.getString("role")),
                                rs.getBoolean("enabled"),
                                JdbcTime.instant(rs, "u_created_at"),
                                JdbcTime.instant(rs, "u_updated_at"),
                                JdbcTime.instant(rs, "last_login_at"),
                                rs.getInt("failed_login_count"),
                                JdbcTime.instant(rs, "locked_until"),
                                rs.getString("email"))))
                .optional();
    }

    Optional<ApiToken> find(UUID id) {
        return jdbc.sql(COLUMNS + "WHERE t.id = :id")
                .param("id", id)
                .query(ApiTokenRepository::map)
                .optional();
    }

    Optional<String> ownerName(UUID tokenId) {
        return jdbc.sql("SELECT u.username FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = :id")
                .param("id", tokenId)
                .query(String.class)
                .optional();
    }

    List<ApiToken> ofUser(UUID userId) {
        return jdbc.sql(COLUMNS + "WHERE t.user_id = :user_id ORDER BY t.created_at DESC, t.id DESC")
                .param("user_id", userId)
                .query(ApiTokenRepository::map)
                .list();
    }

    boolean revoke(UUID id, Instant now) {
        return jdbc.sql("UPDATE api_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                        .param("id", id)
                        .param("now", JdbcTime.utc(now))
                        .update()
                == 1;
    }

    /** Records when each token was last used, in one batch. */
    void touchAll(Map<UUID, Instant> lastUsed) {
        List<Object[]> rows = lastUsed.entrySet().stream()
                .map(used -> new Object[] {JdbcTime.utc(used.getValue()), used.getKey(), JdbcTime.utc(used.getValue())})
                .toList();
        batches.batchUpdate(TOUCH, rows);
    }

    private static ApiToken map(ResultSet rs, int row) throws SQLException {
        return new ApiToken(
                rs.getObject("id", UUID.class),
                rs.getObject("user_id", UUID.class),
                rs.getString("name"),
                rs.getString("token_prefix"),
                rs.getBoolean("read_only"),
                JdbcTime.instant(rs, "created_at"),
                JdbcTime.instant(rs, "expires_at"),
                JdbcTime.instant(rs, "last_used_at"),
                JdbcTime.instant(rs, "revoked_at"),
                ApiToken.namespacesOf(rs.getString("namespaces")));
    }
}
