package dev.almanac.testing;

import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Empty databases of their own for the upgrade tests, which migrate to an old schema version, store rows as that
 * version had them, and migrate on to check what the upgrade made of them.
 */
public final class SchemaUpgrades {

    private SchemaUpgrades() {}

    /** A fresh in-memory H2 in the mode the application runs it in. */
    public static DataSource h2(String name) {
        return new SingleConnectionDataSource(
                "jdbc:h2:mem:" + name + "-" + UUID.randomUUID()
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_DELAY=-1",
                "sa",
                "",
                true);
    }

    /** A fresh schema in the test PostgreSQL. */
    public static DataSource postgres(String name) {
        return new DriverManagerDataSource(
                PostgresTestDatabase.freshSchemaUrl(name + "_" + System.nanoTime()),
                PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD);
    }

    /** Flyway over the application's migrations for {@code vendor} ({@code h2} or {@code postgresql}). */
    public static FluentConfiguration flyway(DataSource dataSource, String vendor) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration", "classpath:db/vendor/" + vendor);
    }
}
