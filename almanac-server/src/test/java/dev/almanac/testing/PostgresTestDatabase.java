package dev.almanac.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The PostgreSQL the suite's PostgreSQL half runs on: {@code ALMANAC_TEST_POSTGRES_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test}), {@code ALMANAC_TEST_POSTGRES_USER} (default {@code postgres}),
 * {@code ALMANAC_TEST_POSTGRES_PASSWORD}. Each JVM gets a fresh schema of its own. When the database cannot be
 * reached the PostgreSQL half is skipped, loudly, unless {@code ALMANAC_TEST_POSTGRES_REQUIRED=true} (CI), where
 * it fails.
 */
public final class PostgresTestDatabase {

    public static final String URL = setting("ALMANAC_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = setting("ALMANAC_TEST_POSTGRES_USER", "postgres");
    public static final String PASSWORD = setting("ALMANAC_TEST_POSTGRES_PASSWORD", "");
    public static final boolean REQUIRED = Boolean.parseBoolean(setting("ALMANAC_TEST_POSTGRES_REQUIRED", "false"));
    public static final String SCHEMA =
            "almanac_test_" + ProcessHandle.current().pid();

    private static volatile Boolean reachable;
    private static volatile boolean schemaReady;

    private PostgresTestDatabase() {}

    public static synchronized boolean reachable() {
        if (reachable == null) {
            try (Connection ignored = connect(URL)) {
                reachable = true;
            } catch (SQLException e) {
                reachable = false;
                System.err.printf(
                        "%n*** PostgreSQL is not reachable at %s (%s).%n*** The PostgreSQL half of the test suite is"
                                + " SKIPPED; only H2 was tested. Set ALMANAC_TEST_POSTGRES_URL to run it.%n%n",
                        URL, e.getMessage());
            }
        }
        return reachable;
    }

    /** A URL to a schema no other test run uses, created empty on first use and dropped when the JVM exits. */
    public static synchronized String schemaUrl() {
        if (!schemaReady) {
            createSchema(SCHEMA);
            schemaReady = true;
        }
        return urlOf(SCHEMA);
    }

    /**
     * A URL to a fresh, empty schema of its own for one test class, such as a cluster test whose nodes must not meet
     * the application contexts other tests keep cached; dropped when the JVM exits.
     */
    public static synchronized String freshSchemaUrl(String name) {
        String schema = SCHEMA + "_" + name;
        createSchema(schema);
        return urlOf(schema);
    }

    /**
     * The name of a schema a test class fills itself (a template's target database, say), dropped when the JVM exits
     * like the suite's own schemas.
     */
    public static synchronized String scratchSchema(String name) {
        String schema = SCHEMA + "_" + name;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> dropSchema(schema)));
        return schema;
    }

    private static String urlOf(String schema) {
        return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    private static void createSchema(String schema) {
        try (Connection c = connect(URL);
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare a test schema on " + URL, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> dropSchema(schema)));
    }

    private static void dropSchema(String schema) {
        try (Connection c = connect(URL);
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException ignored) {
            // the next run of the same pid starts by dropping it anyway
        }
    }

    private static Connection connect(String url) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        properties.setProperty("password", PASSWORD);
        properties.setProperty("connectTimeout", "3");
        return DriverManager.getConnection(url, properties);
    }

    private static String setting(String name, String fallback) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name.toLowerCase().replace('_', '.'));
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
