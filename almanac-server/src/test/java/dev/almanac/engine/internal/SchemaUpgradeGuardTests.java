package dev.almanac.engine.internal;

import static dev.almanac.common.JdbcTime.utc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.almanac.common.SchemaVersions;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.SchemaUpgrades;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.diagnostics.FailureAnalyzedException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Upgrades are stop-all-then-start when the schema changes (docs/operations-guide.md, "Upgrades"), and the nodes hold
 * to it: a node of an older release does not start on a schema a newer one migrated (Flyway alone only warned, and
 * the node then ignored everything the newer migrations added); a node that would migrate does not while another
 * node heartbeats (a node stopped, or silent for longer than the dead-node threshold, does not count, nor an earlier
 * process under its own id); and a running node that sees the schema move past what it knows says so once and takes
 * no more work. Each on a real application context, on H2 and on PostgreSQL.
 */
@Timeout(180)
@ExtendWith(OutputCaptureExtension.class)
abstract class SchemaUpgradeGuardTests {

    /** Long enough that a slow start never outlasts it: a heartbeat written as a test begins stays alive. */
    private static final Duration THRESHOLD = Duration.ofMinutes(10);

    static class OnH2 extends SchemaUpgradeGuardTests {
        @Override
        String freshUrl(String name) {
            return "jdbc:h2:mem:" + name + "-" + UUID.randomUUID()
                    + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1";
        }

        @Override
        String user() {
            return "sa";
        }

        @Override
        String password() {
            return "";
        }

        @Override
        String vendor() {
            return "h2";
        }
    }

    @Tag("postgres")
    @ExtendWith(WithPostgres.WhenReachable.class)
    static class OnPostgres extends SchemaUpgradeGuardTests {
        @Override
        String freshUrl(String name) {
            return PostgresTestDatabase.freshSchemaUrl(name.replace('-', '_') + "_" + System.nanoTime());
        }

        @Override
        String user() {
            return PostgresTestDatabase.USER;
        }

        @Override
        String password() {
            return PostgresTestDatabase.PASSWORD;
        }

        @Override
        String vendor() {
            return "postgresql";
        }
    }

    abstract String freshUrl(String name);

    abstract String user();

    abstract String password();

    abstract String vendor();

    @Test
    void aNodeDoesNotStartOnASchemaANewerReleaseMigrated(CapturedOutput output) {
        String url = freshUrl("guard-newer");
        DataSource data = dataSource(url);
        SchemaUpgrades.flyway(data, vendor()).load().migrate();
        int known = SchemaVersions.latestKnown();
        appliedByANewerRelease(data, 999);

        assertThatThrownBy(() -> node(url).start())
                .satisfies(failure -> assertThat(analyzed(failure).getMessage())
                        .contains("The database's schema is at version 999, but this Almanac (development) knows"
                                + " migrations up to version " + known + " only: a newer Almanac applied migration"
                                + " 999 (from a newer release)"));
        assertThat(output.getAll())
                .contains("APPLICATION FAILED TO START")
                .contains("Run the newer release on this node, as on every node of the cluster")
                .doesNotContain("at org.flywaydb");
    }

    @Test
    void aNodeDoesNotMigrateWhileAnotherNodeHeartbeatsAndDoesOnceItIsSilentLongEnough() {
        String url = freshUrl("guard-live");
        // the schema of the release before: an Almanac that migrated it as far as V49, and stopped
        node(url).set("spring.flyway.target", "49").start().close();
        JdbcClient jdbc = JdbcClient.create(dataSource(url));
        assertThat(maxVersion(jdbc)).isEqualTo(49);
        Instant now = Instant.now();
        insertNode(jdbc, "old-node-1", "old-host", now);
        // the row an earlier process under the new node's own fixed id left does not count
        insertNode(jdbc, "upgrading-node", "this-host", now);

        assertThatThrownBy(() -> node(url).nodeId("upgrading-node").start())
                .satisfies(failure -> assertThat(analyzed(failure).getMessage())
                        .contains("would migrate the database's schema from version 49 to ")
                        .contains("but another node still heartbeats on it: old-node-1 (host old-host, last heartbeat ")
                        .doesNotContain("upgrading-node")
                        .satisfies(message -> assertThat(
                                        analyzed(failure).analysis().getAction())
                                .contains("Stop every node of the older release first")
                                .contains("strategy: Recreate")));
        assertThat(maxVersion(jdbc)).as("nothing migrated").isEqualTo(49);

        // old-node-1 was killed: once its heartbeat is older than the dead-node threshold it does not count
        jdbc.sql("UPDATE nodes SET heartbeat_at = :at WHERE id = 'old-node-1'")
                .param("at", utc(now.minus(THRESHOLD).minusSeconds(1)))
                .update();
        try (EngineNode upgraded = node(url).nodeId("upgrading-node").start()) {
            assertThat(maxVersion(jdbc)).isEqualTo(SchemaVersions.latestKnown());
        }
    }

    @Test
    void aRunningNodeThatSeesTheSchemaMovePastItSaysSoOnceAndTakesNoMoreWork(CapturedOutput output) {
        String url = freshUrl("guard-running");
        try (EngineNode running = node(url)
                .nodeId("running-old")
                .set("almanac.engine.enabled", true)
                .start()) {
            Engine engine = running.bean(Engine.class);
            engine.checkRuns();
            assertThat(running.bean(LocalRuns.class).freeCapacity()).isPositive();

            appliedByANewerRelease(running.bean(DataSource.class), SchemaVersions.latestKnown() + 1);
            engine.checkRuns();
            engine.checkRuns();

            assertThat(running.bean(LocalRuns.class).freeCapacity()).isZero();
            assertThat(engine.triggerOnce().queued()).isZero();
            Health health = running.bean(EngineHealth.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails().get("schema").toString())
                    .contains("moved to version " + (SchemaVersions.latestKnown() + 1));
            String said = "Node running-old runs Almanac development, which knows the schema up to version "
                    + SchemaVersions.latestKnown() + ", but the database's schema is now at version "
                    + (SchemaVersions.latestKnown() + 1);
            assertThat(output.getAll()).contains(said);
            assertThat(output.getAll().split(java.util.regex.Pattern.quote(said), -1))
                    .as("said once")
                    .hasSize(2);
        }
    }

    private EngineNode.Builder node(String url) {
        // the loops off where a test drives the engine's steps itself
        return EngineNode.on(url, user(), password())
                .set("almanac.engine.enabled", false)
                .set("almanac.engine.dead-node-threshold", THRESHOLD.toSeconds() + "s")
                .set("almanac.data-dir", "target/test-data/schema-guard/" + UUID.randomUUID());
    }

    private DataSource dataSource(String url) {
        return new DriverManagerDataSource(url, user(), password());
    }

    /** What a newer release's migration leaves in Flyway's history: a version this one does not have. */
    private static void appliedByANewerRelease(DataSource data, int version) {
        JdbcClient jdbc = JdbcClient.create(data);
        int rank = jdbc.sql("SELECT MAX(installed_rank) FROM flyway_schema_history")
                .query(Integer.class)
                .single();
        jdbc.sql("""
                        INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,
                                                           checksum, installed_by, installed_on, execution_time,
                                                           success)
                        VALUES (:rank, :version, 'from a newer release', 'SQL', :script, 0, 'test',
                                CURRENT_TIMESTAMP, 1, TRUE)
                        """)
                .param("rank", rank + 1)
                .param("version", String.valueOf(version))
                .param("script", "V" + version + "__from_a_newer_release.sql")
                .update();
    }

    private static void insertNode(JdbcClient jdbc, String id, String host, Instant heartbeatAt) {
        jdbc.sql("""
                        INSERT INTO nodes (id, host, roles, started_at, heartbeat_at)
                        VALUES (:id, :host, 'trigger,worker', :at, :at)
                        """)
                .param("id", id)
                .param("host", host)
                .param("at", utc(heartbeatAt))
                .update();
    }

    private static int maxVersion(JdbcClient jdbc) {
        return jdbc
                .sql("SELECT version FROM flyway_schema_history WHERE version IS NOT NULL")
                .query(String.class)
                .list()
                .stream()
                .mapToInt(Integer::parseInt)
                .max()
                .orElse(0);
    }

    private static FailureAnalyzedException analyzed(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof FailureAnalyzedException analyzed) {
                return analyzed;
            }
        }
        throw new AssertionError("not a refusal with its analysis: " + failure, failure);
    }
}
