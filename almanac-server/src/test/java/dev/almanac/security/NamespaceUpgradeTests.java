package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.SchemaUpgrades;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An Almanac from before namespaces (schema V17, with jobs in it) upgraded to the current schema: every job
 * lands in {@code default}, nobody holds a namespace role (so every user keeps exactly the rights of their global
 * role), and the namespaces' own tables start with {@code default} alone.
 */
class NamespaceUpgradeTests {

    @Test
    void anUpgradeOnH2PutsEveryJobInDefault() {
        upgradesFromV17(SchemaUpgrades.h2("namespace-upgrade"), "h2");
    }

    @Test
    @Tag("postgres")
    void anUpgradeOnPostgresPutsEveryJobInDefault() {
        assumeTrue(PostgresTestDatabase.reachable(), "PostgreSQL is not reachable");
        upgradesFromV17(SchemaUpgrades.postgres("namespace_upgrade"), "postgresql");
    }

    private static void upgradesFromV17(javax.sql.DataSource dataSource, String vendor) {
        FluentConfiguration flyway = SchemaUpgrades.flyway(dataSource, vendor);
        flyway.target("17").load().migrate();
        JdbcClient jdbc = JdbcClient.create(dataSource);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        for (String name : new String[] {"nightly", "hourly"}) {
            jdbc.sql("""
                            INSERT INTO jobs (id, name, template_type, parameters, schedule_type, interval_seconds,
                                              timezone, enabled, timeout_seconds, max_retries, retry_delay_seconds,
                                              backoff_multiplier, concurrency_policy, misfire_policy,
                                              catch_up_window_seconds, notifications, created_by, created_at,
                                              updated_at, version)
                            VALUES (:id, :name, 'heartbeat', '{}', 'interval', 60, 'UTC', TRUE, 60, 0, 60, 2.0,
                                    'forbid', 'run_once', 3600, '{}', 'admin', :now, :now, 1)
                            """)
                    .param("id", UUID.randomUUID())
                    .param("name", name)
                    .param("now", now)
                    .update();
        }

        flyway.target("latest").load().migrate();

        assertThat(jdbc.sql("SELECT namespace FROM jobs").query(String.class).list())
                .containsExactly("default", "default");
        assertThat(jdbc.sql("SELECT name FROM namespaces").query(String.class).list())
                .containsExactly("default");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM namespace_members")
                        .query(Long.class)
                        .single())
                .as("nobody gains or loses a right: a role per namespace is only ever given after the upgrade")
                .isZero();
    }
}
