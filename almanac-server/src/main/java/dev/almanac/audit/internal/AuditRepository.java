package dev.almanac.audit.internal;

import dev.almanac.common.JdbcTime;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The {@code audit_events} table. */
@Repository
public class AuditRepository {

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

    private static final String INSERT = """
            INSERT INTO audit_events (id, occurred_at, actor, action, outcome, target_type, target_id, target_name,
                                      source_address, via, details, namespace)
            VALUES (:id, :occurred_at, :actor, :action, :outcome, :target_type, :target_id, :target_name,
                    :source_address, :via, :details, :namespace)
            """;

    private static final String COLUMNS = """
            SELECT id, occurred_at, actor, action, outcome, target_type, target_id, target_name, source_address, via,
                   details, namespace
            FROM audit_events
            """;

    private static final String COUNT_SINCE = """
            SELECT COUNT(*) AS n, MIN(occurred_at) AS oldest
            FROM audit_events
            WHERE actor = :actor AND action = :action AND outcome = 'success' AND occurred_at > :since
            """;

    private static final String COUNT_IN_NAMESPACE_SINCE = """
            SELECT COUNT(*) AS n, MIN(occurred_at) AS oldest
            FROM audit_events
            WHERE namespace = :namespace AND action = :action AND outcome = 'success' AND occurred_at > :since
            """;

    private static final String DELETE_BEFORE = "DELETE FROM audit_events WHERE occurred_at < :before";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AuditRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public void insert(AuditEvent event) {
        jdbc.sql(INSERT)
                .param("id", UUID.fromString(event.id()))
                .param("occurred_at", JdbcTime.utc(event.occurredAt()))
                .param("actor", truncate(event.actor(), 100))
                .param("action", event.action())
                .param("outcome", event.outcome())
                .param("target_type", event.targetType())
                .param("target_id", truncate(event.targetId(), 100))
                .param("target_name", truncate(event.targetName(), 200))
                .param("source_address", truncate(event.sourceAddress(), 64))
                .param("via", truncate(event.via(), 120))
                .param("details", event.details() == null ? null : json.writeValueAsString(event.details()))
                .param("namespace", event.namespace())
                .update();
    }

    List<AuditEvent> find(AuditQuery query) {
        StringBuilder sql = new StringBuilder(COLUMNS).append("WHERE 1 = 1\n");
        Map<String, Object> params = new java.util.HashMap<>();
        if (query.actor() != null) {
            sql.append("AND actor = :actor\n");
            params.put("actor", query.actor());
        }
        if (query.action() != null) {
            sql.append("AND (action = :action OR action LIKE :action_prefix ESCAPE '\\')\n");
            params.put("action", query.action());
            params.put("action_prefix", escapeLike(query.action()) + ".%");
        }
        if (query.target() != null) {
            sql.append("AND (target_id = :target OR target_name = :target)\n");
            params.put("target", query.target());
        }
        if (query.namespaces() != null) {
            if (query.namespaces().isEmpty()) {
                sql.append("AND 1 = 0\n");
            } else {
                sql.append("AND namespace IN (:namespaces)\n");
                params.put("namespaces", query.namespaces());
            }
        }
        if (query.from() != null) {
            sql.append("AND occurred_at >= :from\n");
            params.put("from", JdbcTime.utc(query.from()));
        }
        if (query.to() != null) {
            sql.append("AND occurred_at < :to\n");
            params.put("to", JdbcTime.utc(query.to()));
        }
        if (query.before() != null) {
            // keyset: strictly after the previous page's last row in (occurred_at DESC, id DESC) order
            sql.append("AND (occurred_at < :before_at OR (occurred_at = :before_at AND id < :before_id))\n");
            params.put("before_at", JdbcTime.utc(query.before().at()));
            params.put("before_id", query.before().id());
        }
        sql.append("ORDER BY occurred_at DESC, id DESC LIMIT :limit");
        params.put("limit", query.limit());
        return jdbc.sql(sql.toString()).params(params).query(this::map).list();
    }

    Optional<AuditEvent> find(UUID id) {
        return jdbc.sql(COLUMNS + "WHERE id = :id")
                .param("id", id)
                .query(this::map)
                .optional();
    }

    /** How many successful {@code action}s {@code actor} did after {@code since}, and when the oldest was. */
    public record Recent(long count, Instant oldest) {}

    public Recent recent(String actor, String action, Instant since) {
        return jdbc.sql(COUNT_SINCE)
                .param("actor", actor)
                .param("action", action)
                .param("since", JdbcTime.utc(since))
                .query((rs, n) -> new Recent(rs.getLong("n"), JdbcTime.instant(rs, "oldest")))
                .single();
    }

    /** The same, for every actor in {@code namespace}: what a namespace's manual-run quota counts. */
    public Recent recentInNamespace(String namespace, String action, Instant since) {
        return jdbc.sql(COUNT_IN_NAMESPACE_SINCE)
                .param("namespace", namespace)
                .param("action", action)
                .param("since", JdbcTime.utc(since))
                .query((rs, n) -> new Recent(rs.getLong("n"), JdbcTime.instant(rs, "oldest")))
                .single();
    }

    int deleteBefore(Instant before) {
        return jdbc.sql(DELETE_BEFORE).param("before", JdbcTime.utc(before)).update();
    }

    private AuditEvent map(ResultSet rs, int row) throws SQLException {
        String details = rs.getString("details");
        return new AuditEvent(
                rs.getObject("id", UUID.class).toString(),
                JdbcTime.instant(rs, "occurred_at"),
                rs.getString("actor"),
                rs.getString("action"),
                rs.getString("outcome"),
                rs.getString("target_type"),
                rs.getString("target_id"),
                rs.getString("target_name"),
                rs.getString("source_address"),
                rs.getString("via"),
                details == null ? null : json.readValue(details, JSON_OBJECT),
                rs.getString("namespace"));
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
