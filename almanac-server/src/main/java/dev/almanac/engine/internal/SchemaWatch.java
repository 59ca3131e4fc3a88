package dev.almanac.engine.internal;

import dev.almanac.common.SchemaVersions;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Whether the schema moved past the newest version this node knows while it runs: a node of a newer release was
 * started beside it and migrated the database (which that node refuses while this one heartbeats, see
 * {@link SchemaGuard}, but a node of a release from before that check does not). This node then says so once, as an
 * error naming both versions, and takes no more work ({@link Engine#checkRuns()}): it claims and triggers nothing,
 * its running runs finish. It is checked with the runs' heartbeat: one look at {@code flyway_schema_history} past the
 * last migration seen, which finds nothing as long as the schema stays.
 */
@Component
class SchemaWatch {

    private static final Logger log = LoggerFactory.getLogger(SchemaWatch.class);

    private static final String NEWER = """
            SELECT installed_rank, version FROM flyway_schema_history
            WHERE installed_rank > :rank AND success = TRUE ORDER BY installed_rank
            """;

    private final JdbcClient jdbc;
    private final EngineSettings settings;
    private final int known;
    /** The last migration seen applied; those after it are checked. */
    private volatile int seenRank;
    /** The schema version found past {@link #known}; null while there is none. */
    private volatile Integer movedTo;

    SchemaWatch(JdbcClient jdbc, EngineSettings settings) {
        this.jdbc = jdbc;
        this.settings = settings;
        this.known = SchemaVersions.latestKnown();
        this.seenRank = jdbc.sql("SELECT COALESCE(MAX(installed_rank), 0) FROM flyway_schema_history")
                .query(Integer.class)
                .single();
    }

    /** Looks again; true once the schema has moved past what this node knows (it stays so). */
    synchronized boolean check() {
        if (movedTo != null) {
            return true;
        }
        record Applied(int rank, String version) {}
        List<Applied> applied = jdbc.sql(NEWER)
                .param("rank", seenRank)
                .query((rs, n) -> new Applied(rs.getInt("installed_rank"), rs.getString("version")))
                .list();
        Integer newest = null;
        for (Applied migration : applied) {
            seenRank = Math.max(seenRank, migration.rank());
            Integer version = wholeNumber(migration.version());
            if (version != null && version > known && (newest == null || version > newest)) {
                newest = version;
            }
        }
        if (newest != null) {
            movedTo = newest;
            log.error(
                    "Node {} runs Almanac {}, which knows the schema up to version {}, but the database's schema is now"
                            + " at version {}: a newer Almanac migrated it. This node takes no more work (its running"
                            + " runs finish) and must be stopped; run the newer release on every node"
                            + " (docs/operations-guide.md, \"Upgrades\").",
                    settings.nodeId(),
                    SchemaVersions.almanacVersion(),
                    known,
                    newest);
        }
        return movedTo != null;
    }

    /** The schema version found past the one this node knows; null while there is none. */
    Integer movedTo() {
        return movedTo;
    }

    int known() {
        return known;
    }

    private static Integer wholeNumber(String version) {
        if (version == null) {
            return null; // a repeatable migration
        }
        try {
            return Integer.valueOf(version.contains(".") ? version.substring(0, version.indexOf('.')) : version);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
