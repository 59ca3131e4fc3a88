package dev.almanac.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.SchemaUpgrades;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Backfills stored before they kept a namespace (schema V40) upgraded: one whose job still exists takes the job's
 * namespace; one whose job was deleted keeps none, so only the global roles may read it, like a run of a deleted job.
 */
class BackfillNamespaceUpgradeTests {

    @Test
    void anUpgradeOnH2GivesEachBackfillItsJobsNamespace() {
        upgradesFromV40(SchemaUpgrades.h2("backfill-upgrade"), "h2");
    }

    @Test
    @Tag("postgres")
    void anUpgradeOnPostgresGivesEachBackfillItsJobsNamespace() {
        assumeTrue(PostgresTestDatabase.reachable(), "PostgreSQL is not reachable");
        upgradesFromV40(SchemaUpgrades.postgres("backfill_upgrade"), "postgresql");
    }

    private static void upgradesFromV40(DataSource dataSource, String vendor) {
        FluentConfiguration flyway = SchemaUpgrades.flyway(dataSource, vendor);
        flyway.target("40").load().migrate();
        JdbcClient jdbc = JdbcClient.create(dataSource);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        jdbc.sql("INSERT INTO namespaces (name, display_name, created_at, updated_at) VALUES ('b', 'B', :now, :now)")
                .param("now", now)
                .update();
        UUID job = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO jobs (id, name, namespace, template_type, parameters, schedule_type,
                                          interval_seconds, timezone, enabled, timeout_seconds, max_retries,
                                          retry_delay_seconds, backoff_multiplier, concurrency_policy, misfire_policy,
                                          catch_up_window_seconds, notifications, created_by, created_at, updated_at,
                                          version)
                        VALUES (:id, 'nightly', 'b', 'heartbeat', '{}', 'interval', 60, 'UTC', TRUE, 60, 0, 60, 2.0,
                                'forbid', 'run_once', 3600, '{}', 'admin', :now, :now, 1)
                        """).param("id", job).param("now", now).update();
        UUID kept = UUID.randomUUID();
        UUID orphan = UUID.randomUUID();
        for (UUID[] backfill : new UUID[][] {{kept, job}, {orphan, UUID.randomUUID()}}) {
            jdbc.sql("""
                            INSERT INTO backfills (id, job_id, job_name, range_from, range_to, max_parallel, status,
                                                   created_by, created_at)
                            VALUES (:id, :job, 'nightly', :now, :now, 1, 'finished', 'admin', :now)
                            """)
                    .param("id", backfill[0])
                    .param("job", backfill[1])
                    .param("now", now)
                    .update();
        }

        flyway.target("latest").load().migrate();

        assertThat(namespaceOf(jdbc, kept)).isEqualTo("b");
        assertThat(namespaceOf(jdbc, orphan)).isNull();
    }

    private static String namespaceOf(JdbcClient jdbc, UUID backfill) {
        return jdbc.sql("SELECT namespace FROM backfills WHERE id = :id")
                .param("id", backfill)
                .query((rs, n) -> rs.getString(1))
                .list()
                .get(0);
    }
}
