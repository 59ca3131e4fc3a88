package dev.almanac.engine.internal;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.common.SchemaVersions;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.stereotype.Repository;

/** The {@code nodes} table: who is in the cluster, and when each node last proved it is alive. */
@Repository
class NodeRepository {

    private static final String HEARTBEAT = "UPDATE nodes SET heartbeat_at = :now WHERE id = :id";
    /** A process's first heartbeat under an id an earlier process left (a fixed node id, restarted): its own start. */
    private static final String RESTART = """
            UPDATE nodes SET host = :host, roles = :roles, started_at = :now, heartbeat_at = :now,
                             almanac_version = :almanac, schema_version = :schema
            WHERE id = :id
            """;

    private static final String REGISTER = """
            INSERT INTO nodes (id, host, roles, started_at, heartbeat_at, almanac_version, schema_version)
            VALUES (:id, :host, :roles, :since, :now, :almanac, :schema)
            """;
    private static final String REMOVE = "DELETE FROM nodes WHERE id = :id";
    private static final String FORGET_DEAD = "DELETE FROM nodes WHERE heartbeat_at < :before";
    private static final String ALL = """
            SELECT id, host, roles, started_at, heartbeat_at, almanac_version, schema_version
            FROM nodes ORDER BY started_at, id
            """;

    /**
     * A node of the cluster as the status endpoint shows it; its Almanac version and the newest schema version it
     * knows are null for a node of a release from before they were recorded (V50).
     */
    record Node(
            String id,
            String host,
            String roles,
            Instant startedAt,
            Instant heartbeatAt,
            String almanacVersion,
            Integer schemaVersion) {

        /** Whether it heartbeat at or after {@code since} (now minus the dead-node threshold). */
        boolean aliveSince(Instant since) {
            return !heartbeatAt.isBefore(since);
        }
    }

    private final JdbcClient jdbc;

    NodeRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records that {@code id} is alive at {@code now}, registering it if it is not (or no longer) known, as started
     * {@code since} (this process's first heartbeat: a node forgotten while it was cut off keeps its start when it
     * comes back), and as started now when it is this process's {@code first} heartbeat; on the connection given,
     * which the lease takes from a pool of its own.
     */
    void heartbeat(
            Connection connection, String id, String host, String roles, Instant now, Instant since, boolean first) {
        JdbcClient jdbc = JdbcClient.create(new SingleConnectionDataSource(connection, true));
        int updated = first
                ? jdbc.sql(RESTART)
                        .param("id", id)
                        .param("host", host)
                        .param("roles", roles)
                        .param("now", utc(now))
                        .param("almanac", SchemaVersions.almanacVersion())
                        .param("schema", SchemaVersions.latestKnown())
                        .update()
                : jdbc.sql(HEARTBEAT).param("id", id).param("now", utc(now)).update();
        if (updated == 0) {
            jdbc.sql(REGISTER)
                    .param("id", id)
                    .param("host", host)
                    .param("roles", roles)
                    .param("since", utc(first ? now : since))
                    .param("now", utc(now))
                    .param("almanac", SchemaVersions.almanacVersion())
                    .param("schema", SchemaVersions.latestKnown())
                    .update();
        }
    }

    void remove(String id) {
        jdbc.sql(REMOVE).param("id", id).update();
    }

    /** Forgets nodes silent since long before; their executions have been recovered by then. */
    int forgetDead(Instant before) {
        return jdbc.sql(FORGET_DEAD).param("before", utc(before)).update();
    }

    List<Node> all() {
        return jdbc.sql(ALL)
                .query((rs, n) -> new Node(
                        rs.getString("id"),
                        rs.getString("host"),
                        rs.getString("roles"),
                        instant(rs, "started_at"),
                        instant(rs, "heartbeat_at"),
                        rs.getString("almanac_version"),
                        rs.getObject("schema_version", Integer.class)))
                .list();
    }
}
