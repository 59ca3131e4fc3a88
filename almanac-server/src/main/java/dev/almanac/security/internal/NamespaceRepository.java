package dev.almanac.security.internal;

import dev.almanac.common.JdbcTime;
import dev.almanac.security.Namespace;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.NamespacePause;
import dev.almanac.security.NamespaceRole;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code namespaces} and {@code namespace_members} tables. The store never reads the clock. */
@Repository
public class NamespaceRepository {

    private static final String COLUMNS = """
            SELECT name, display_name, description, quota_jobs, quota_manual_runs_per_hour, quota_runs_at_once,
                   quota_history_days, quota_runs_per_job, created_at, updated_at
              FROM namespaces
            """;

    private static final String INSERT = """
            INSERT INTO namespaces (name, display_name, description, quota_jobs, quota_manual_runs_per_hour,
                                    quota_runs_at_once, quota_history_days, quota_runs_per_job, created_at, updated_at)
            VALUES (:name, :display_name, :description, :quota_jobs, :quota_manual_runs_per_hour,
                    :quota_runs_at_once, :quota_history_days, :quota_runs_per_job, :created_at, :updated_at)
            """;

    private static final String UPDATE = """
            UPDATE namespaces
               SET display_name = :display_name, description = :description, quota_jobs = :quota_jobs,
                   quota_manual_runs_per_hour = :quota_manual_runs_per_hour, quota_runs_at_once = :quota_runs_at_once,
                   quota_history_days = :quota_history_days, quota_runs_per_job = :quota_runs_per_job,
                   updated_at = :updated_at
             WHERE name = :name
            """;

    private static final String ROLES_OF_USER =
            "SELECT namespace, role FROM namespace_members WHERE username = :username ORDER BY namespace";

    private static final String IS_MEMBER =
            "SELECT COUNT(*) FROM (SELECT 1 FROM namespace_members WHERE username = :username LIMIT 1) m";

    private static final String IS_MEMBER_OF_ANY = """
            SELECT COUNT(*) FROM (
                SELECT 1 FROM namespace_members WHERE username = :username AND namespace IN (:names) LIMIT 1) m
            """;

    private static final String MEMBERS_OF =
            "SELECT username, role FROM namespace_members WHERE namespace = :namespace ORDER BY username";

    private static final String PAUSES = """
            SELECT name, paused_at, paused_until, pause_reason FROM namespaces WHERE paused_at IS NOT NULL
            """;

    private static final String PAUSE = """
            UPDATE namespaces SET paused_at = :since, paused_until = :until, pause_reason = :reason WHERE name = :name
            """;

    private static final String LOCK = "SELECT name FROM namespaces WHERE name = :name FOR UPDATE";

    private final JdbcClient jdbc;

    NamespaceRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public List<Namespace> all() {
        return jdbc.sql(COLUMNS + " ORDER BY name").query(this::map).list();
    }

    public Optional<Namespace> find(String name) {
        return jdbc.sql(COLUMNS + " WHERE name = :name")
                .param("name", name)
                .query(this::map)
                .optional();
    }

    /**
     * Locks the namespace's row until the caller's transaction ends, so those who count its jobs before adding one
     * take turns; nothing when it does not exist.
     */
    public void lock(String name) {
        jdbc.sql(LOCK).param("name", name).query(String.class).list();
    }

    void insert(Namespace namespace) {
        jdbc.sql(INSERT)
                .params(columns(namespace))
                .param("created_at", JdbcTime.utc(namespace.createdAt()))
                .update();
    }

    void update(Namespace namespace) {
        jdbc.sql(UPDATE).params(columns(namespace)).update();
    }

    boolean delete(String name) {
        NamespaceAccess.rolesChanged(); // its members' roles go with it
        return jdbc.sql("DELETE FROM namespaces WHERE name = :name")
                        .param("name", name)
                        .update()
                > 0;
    }

    /** Every namespace's pause, by name; a pause whose time is up is still here until it is lifted or replaced. */
    public Map<String, NamespacePause> pauses() {
        Map<String, NamespacePause> pauses = new LinkedHashMap<>();
        jdbc.sql(PAUSES).query(rs -> {
            NamespacePause pause = new NamespacePause(
                    rs.getString("name"),
                    JdbcTime.instant(rs, "paused_at"),
                    JdbcTime.instant(rs, "paused_until"),
                    rs.getString("pause_reason"));
            pauses.put(pause.namespace(), pause);
        });
        return Map.copyOf(pauses);
    }

    /** Sets (or, with null, lifts) a namespace's pause. */
    void pause(String name, NamespacePause pause) {
        jdbc.sql(PAUSE)
                .param("name", name)
                .param("since", pause == null ? null : JdbcTime.utc(pause.since()))
                .param("until", pause == null ? null : JdbcTime.utc(pause.until()))
                .param("reason", pause == null ? null : pause.reason())
                .update();
    }

    /** The role {@code username} holds in each namespace where they hold one. */
    public Map<String, NamespaceRole> rolesOf(String username) {
        Map<String, NamespaceRole> roles = new LinkedHashMap<>();
        jdbc.sql(ROLES_OF_USER).param("username", username).query(rs -> {
            String namespace = rs.getString("namespace");
            NamespaceRole.fromJson(rs.getString("role")).ifPresent(r -> roles.put(namespace, r));
        });
        return roles;
    }

    /** Whether {@code username} holds a role in any namespace: what lets a {@code USER} into the API. */
    public boolean isMember(String username) {
        return jdbc.sql(IS_MEMBER).param("username", username).query(Long.class).single() > 0;
    }

    /** Whether {@code username} holds a role in one of {@code names}: what lets a limited token of a user in. */
    boolean isMemberOfAny(String username, Set<String> names) {
        if (names.isEmpty()) {
            return false;
        }
        return jdbc.sql(IS_MEMBER_OF_ANY)
                        .param("username", username)
                        .param("names", List.copyOf(names))
                        .query(Long.class)
                        .single()
                > 0;
    }

    Map<String, NamespaceRole> membersOf(String namespace) {
        Map<String, NamespaceRole> members = new LinkedHashMap<>();
        jdbc.sql(MEMBERS_OF).param("namespace", namespace).query(rs -> {
            String username = rs.getString("username");
            NamespaceRole.fromJson(rs.getString("role")).ifPresent(r -> members.put(username, r));
        });
        return members;
    }

    void replaceMembers(String namespace, Map<String, NamespaceRole> members) {
        NamespaceAccess.rolesChanged();
        jdbc.sql("DELETE FROM namespace_members WHERE namespace = :namespace")
                .param("namespace", namespace)
                .update();
        members.forEach((username, role) -> jdbc.sql(
                        "INSERT INTO namespace_members (namespace, username, role) VALUES (:namespace, :username, :role)")
                .param("namespace", namespace)
                .param("username", username)
                .param("role", role.json())
                .update());
    }

    private static Map<String, Object> columns(Namespace n) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", n.name());
        params.put("display_name", n.displayName());
        params.put("description", n.description());
        params.put("quota_jobs", n.quotas().jobs());
        params.put("quota_manual_runs_per_hour", n.quotas().manualRunsPerHour());
        params.put("quota_runs_at_once", n.quotas().runsAtOnce());
        params.put("quota_history_days", n.quotas().historyDays());
        params.put("quota_runs_per_job", n.quotas().runsPerJob());
        params.put("updated_at", JdbcTime.utc(n.updatedAt()));
        return params;
    }

    private Namespace map(ResultSet rs, int row) throws SQLException {
        return new Namespace(
                rs.getString("name"),
                rs.getString("display_name"),
                rs.getString("description"),
                new Namespace.Quotas(
                        rs.getObject("quota_jobs", Integer.class),
                        rs.getObject("quota_manual_runs_per_hour", Integer.class),
                        rs.getObject("quota_runs_at_once", Integer.class),
                        rs.getObject("quota_history_days", Integer.class),
                        rs.getObject("quota_runs_per_job", Integer.class)),
                JdbcTime.instant(rs, "created_at"),
                JdbcTime.instant(rs, "updated_at"));
    }
}
