package dev.almanac.engine.internal;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.common.SchemaVersions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.springframework.boot.diagnostics.FailureAnalyzedException;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What a node checks before it migrates the schema at start (docs/operations-guide.md, "Upgrades"):
 *
 * <ul>
 *   <li>A schema a newer Almanac migrated (migrations applied that this one does not have) is not one this node can
 *       work on: it would ignore what they added (a token's namespace limits, pauses, ...). It does not start.
 *   <li>A node that would migrate does not while other nodes heartbeat: they are of the older release, and would go
 *       on beside a schema they do not know. A schema-changing upgrade stops every node first; a release without
 *       migrations may roll. A node that left the cluster, or whose heartbeat is older than the dead-node threshold
 *       (killed, say), does not count, nor a row under this node's own fixed id (an earlier process of it).
 * </ul>
 *
 * Either refusal ends the start with one paragraph saying what happened and what to do
 * ({@link FailureAnalyzedException}), not with Flyway's warning and a node that runs on regardless.
 */
@Configuration(proxyBeanMethods = false)
class SchemaGuard {

    private static final String ALIVE = """
            SELECT id, host, heartbeat_at FROM nodes WHERE heartbeat_at >= :since ORDER BY heartbeat_at DESC, id
            """;

    private record LiveNode(String id, String host, Instant heartbeatAt) {}

    @Bean
    FlywayMigrationStrategy schemaGuardedMigration(EngineProperties properties, Clock clock) {
        return flyway -> {
            check(flyway, properties, clock);
            flyway.migrate();
        };
    }

    static void check(Flyway flyway, EngineProperties properties, Clock clock) {
        MigrationInfoService info = flyway.info();
        MigrationInfo current = info.current();
        if (current == null) {
            return; // an empty database: the first start
        }
        List<MigrationInfo> future = Arrays.stream(info.applied())
                .filter(m ->
                        m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
                .toList();
        MigrationVersion known = latestResolved(info);
        if (!future.isEmpty()) {
            throw new FailureAnalyzedException(
                    "The database's schema is at version %s, but this Almanac (%s) knows migrations up to version %s"
                                    .formatted(current.getVersion(), SchemaVersions.almanacVersion(), known)
                            + " only: a newer Almanac applied " + versions(future) + ". An older node on a newer"
                            + " schema would ignore what those migrations added (namespace limits of tokens, pauses,"
                            + " ...), so this node does not start.",
                    "Run the newer release on this node, as on every node of the cluster; to go back to this"
                            + " release, restore the database's backup taken before the upgrade (a schema is not"
                            + " migrated down).");
        }
        MigrationInfo[] pending = info.pending();
        if (pending.length == 0) {
            return;
        }
        Instant now = clock.instant();
        Instant since = now.minus(properties.deadNodeThreshold());
        List<LiveNode> others = liveNodes(flyway, since).stream()
                .filter(n -> !n.id().equals(properties.nodeId()))
                .toList();
        if (others.isEmpty()) {
            return;
        }
        Instant freeAt = others.stream()
                .map(LiveNode::heartbeatAt)
                .max(Instant::compareTo)
                .orElse(now)
                .plus(properties.deadNodeThreshold())
                .truncatedTo(ChronoUnit.SECONDS)
                .plusSeconds(1);
        throw new FailureAnalyzedException(
                "This Almanac (%s) would migrate the database's schema from version %s to %s, but %s"
                                .formatted(
                                        SchemaVersions.almanacVersion(),
                                        current.getVersion(),
                                        pending[pending.length - 1].getVersion(),
                                        others.size() == 1
                                                ? "another node still heartbeats"
                                                : "other nodes still heartbeat")
                        + " on it: "
                        + others.stream()
                                .map(n ->
                                        "%s (host %s, last heartbeat %s)".formatted(n.id(), n.host(), n.heartbeatAt()))
                                .collect(Collectors.joining(", "))
                        + ". Nodes of the older release would go on beside a schema they do not know, so this node"
                        + " does not migrate it and does not start.",
                "Stop every node of the older release first, then start the new release (an upgrade that changes"
                        + " the schema is stop-all-then-start; with Kubernetes, strategy: Recreate). A node that was"
                        + " killed without leaving the cluster no longer counts once its heartbeat is older than"
                        + " almanac.engine.dead-node-threshold ("
                        + properties.deadNodeThreshold().toSeconds() + " s):"
                        + " if these nodes are stopped, start again after " + freeAt + ".");
    }

    private static MigrationVersion latestResolved(MigrationInfoService info) {
        return Arrays.stream(info.all())
                .filter(m -> m.getState().isResolved() && m.getVersion() != null)
                .map(MigrationInfo::getVersion)
                .max(MigrationVersion::compareTo)
                .orElse(MigrationVersion.EMPTY);
    }

    private static String versions(List<MigrationInfo> migrations) {
        return (migrations.size() == 1 ? "migration " : "migrations ")
                + migrations.stream()
                        .map(m -> m.getVersion() + " (" + m.getDescription() + ")")
                        .collect(Collectors.joining(", "));
    }

    private static List<LiveNode> liveNodes(Flyway flyway, Instant since) {
        try {
            return JdbcClient.create(flyway.getConfiguration().getDataSource())
                    .sql(ALIVE)
                    .param("since", utc(since))
                    .query((rs, n) ->
                            new LiveNode(rs.getString("id"), rs.getString("host"), instant(rs, "heartbeat_at")))
                    .list();
        } catch (DataAccessException noNodesTable) {
            return List.of(); // a schema from before the nodes table: nobody heartbeats on it
        }
    }
}
