package dev.almanac.script;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code scripts} and {@code script_versions} tables. There is no statement that changes a version's source: a
 * version is inserted once, and only its review (pending to approved or rejected, once) is written later.
 */
@Repository
class ScriptRepository {

    private static final String SCRIPT_COLUMNS = "id, name, language, description, created_by, created_at, namespace";

    private static final String VERSION_COLUMNS = "script_id, version, source, network_allowed, author, created_at,"
            + " status, reviewer, review_comment, reviewed_at";

    private static final String INSERT_SCRIPT = """
            INSERT INTO scripts (id, name, language, description, created_by, created_at, namespace)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """;

    private static final String INSERT_VERSION = """
            INSERT INTO script_versions (script_id, version, source, network_allowed, author, created_at, status)
            VALUES (?, ?, ?, ?, ?, ?, 'pending')
            """;

    /** Reviews a pending version exactly once: a second review of the same version changes no row. */
    private static final String REVIEW_PENDING = """
            UPDATE script_versions SET status = ?, reviewer = ?, review_comment = ?, reviewed_at = ?
            WHERE script_id = ? AND version = ? AND status = 'pending'
            """;

    /** Holds a script's row until the transaction ends: new versions of one script are numbered one at a time. */
    private static final String LOCK_SCRIPT = "SELECT id FROM scripts WHERE id = ? FOR UPDATE";

    private static final String NEXT_VERSION =
            "SELECT COALESCE(MAX(version), 0) + 1 FROM script_versions WHERE script_id = ?";

    private static final String LATEST_APPROVED = "SELECT " + VERSION_COLUMNS
            + " FROM script_versions WHERE script_id = ? AND status = 'approved' AND version < ?"
            + " ORDER BY version DESC FETCH FIRST 1 ROWS ONLY";

    private final JdbcClient jdbc;

    ScriptRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Script script) {
        jdbc.sql(INSERT_SCRIPT)
                .params(
                        script.id(),
                        script.name(),
                        script.language().json(),
                        script.description(),
                        script.createdBy(),
                        utc(script.createdAt()),
                        script.namespace())
                .update();
    }

    /** Every script named {@code name}: the global one and those of namespaces, whoever may see them. */
    List<Script> named(String name) {
        return jdbc.sql("SELECT " + SCRIPT_COLUMNS + " FROM scripts WHERE name = ? ORDER BY namespace NULLS FIRST")
                .param(name)
                .query(ScriptRepository::script)
                .list();
    }

    List<Script> all() {
        return jdbc.sql("SELECT " + SCRIPT_COLUMNS + " FROM scripts ORDER BY name")
                .query(ScriptRepository::script)
                .list();
    }

    Optional<Script> find(UUID id) {
        return jdbc.sql("SELECT " + SCRIPT_COLUMNS + " FROM scripts WHERE id = ?")
                .param(id)
                .query(ScriptRepository::script)
                .optional();
    }

    /**
     * The number a new version of {@code script} takes, with the script's row locked until the transaction ends, so
     * that a concurrent new version waits and takes the next one instead of the same.
     */
    int lockAndGetNextVersion(UUID script) {
        jdbc.sql(LOCK_SCRIPT).param(script).query(UUID.class).single();
        return jdbc.sql(NEXT_VERSION).param(script).query(Integer.class).single();
    }

    void insert(ScriptVersion version) {
        jdbc.sql(INSERT_VERSION)
                .params(
                        version.scriptId(),
                        version.version(),
                        version.source(),
                        version.networkAllowed(),
                        version.author(),
                        utc(version.createdAt()))
                .update();
    }

    List<ScriptVersion> versions(UUID script) {
        return jdbc.sql("SELECT " + VERSION_COLUMNS + " FROM script_versions WHERE script_id = ? ORDER BY version DESC")
                .param(script)
                .query(ScriptRepository::version)
                .list();
    }

    Optional<ScriptVersion> version(UUID script, int version) {
        return jdbc.sql("SELECT " + VERSION_COLUMNS + " FROM script_versions WHERE script_id = ? AND version = ?")
                .params(script, version)
                .query(ScriptRepository::version)
                .optional();
    }

    /** The newest approved version older than {@code before}; {@link Integer#MAX_VALUE} for the newest of all. */
    Optional<ScriptVersion> latestApproved(UUID script, int before) {
        return jdbc.sql(LATEST_APPROVED)
                .params(script, before)
                .query(ScriptRepository::version)
                .optional();
    }

    /** Records the review of a pending version; false when it was no longer pending. */
    boolean review(
            UUID script, int version, ScriptVersion.Status status, String reviewer, String comment, Instant now) {
        return jdbc.sql(REVIEW_PENDING)
                        .params(status.json(), reviewer, comment, utc(now), script, version)
                        .update()
                == 1;
    }

    private static Script script(ResultSet rs, int row) throws SQLException {
        return new Script(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                Language.of(rs.getString("language")).orElseThrow(),
                rs.getString("description"),
                rs.getString("created_by"),
                instant(rs, "created_at"),
                rs.getString("namespace"));
    }

    private static ScriptVersion version(ResultSet rs, int row) throws SQLException {
        String status = rs.getString("status");
        return new ScriptVersion(
                rs.getObject("script_id", UUID.class),
                rs.getInt("version"),
                rs.getString("source"),
                rs.getBoolean("network_allowed"),
                rs.getString("author"),
                instant(rs, "created_at"),
                ScriptVersion.Status.of(status),
                rs.getString("reviewer"),
                rs.getString("review_comment"),
                instant(rs, "reviewed_at"));
    }
}
