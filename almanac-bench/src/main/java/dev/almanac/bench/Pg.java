package dev.almanac.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The one PostgreSQL every system runs on. Each system gets a schema of its own per run ({@code bench_<pid>_...}),
 * so nothing collides with another run or with the test suite's {@code almanac_test_<pid>} schemas; a schema is
 * dropped when its run ends.
 */
final class Pg {

    private final String url;
    private final String user;
    private final String password;
    private final String prefix = "bench_" + ProcessHandle.current().pid() + "_";

    Pg(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    /** A fresh, empty schema. */
    Schema createSchema(String name) {
        String schema = (prefix + name).toLowerCase().replaceAll("[^a-z0-9_]", "_");
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema);
        return new Schema(schema, url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
    }

    void drop(Schema schema) {
        try {
            execute("DROP SCHEMA IF EXISTS " + schema.name() + " CASCADE");
        } catch (RuntimeException e) {
            System.err.println("could not drop schema " + schema.name() + ": " + e.getMessage());
        }
    }

    /**
     * Gathers planner statistics for every table of a schema, as autovacuum does soon after a bulk write. Without
     * them (this machine runs PostgreSQL with autovacuum off, and a schema made for one run was never analyzed) the
     * planner takes every table for a page of rows: Quartz's trigger delete then scanned 20 000 triggers through the
     * wrong index and each of its four foreign-key checks another, about 18 ms under its cluster-wide lock.
     */
    void analyze(Schema schema) {
        try (Connection c = connect(url);
                PreparedStatement tables =
                        c.prepareStatement("SELECT tablename FROM pg_tables WHERE schemaname = ? ORDER BY tablename")) {
            tables.setString(1, schema.name());
            List<String> names = new ArrayList<>();
            try (ResultSet rs = tables.executeQuery()) {
                while (rs.next()) {
                    names.add(schema.name() + "." + rs.getString(1));
                }
            }
            if (!names.isEmpty()) {
                try (Statement s = c.createStatement()) {
                    s.execute("ANALYZE " + String.join(", ", names));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot analyze " + schema.name() + ": " + e.getMessage(), e);
        }
    }

    /** Drops the schemas an interrupted run of this harness left behind (their process is gone). */
    void dropLeftovers() {
        try (Connection c = connect(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT nspname FROM pg_namespace WHERE nspname ~ '^bench_[0-9]+_'")) {
            List<String> stale = new ArrayList<>();
            while (rs.next()) {
                String name = rs.getString(1);
                long pid = Long.parseLong(name.split("_")[1]);
                if (ProcessHandle.of(pid).isEmpty()) {
                    stale.add(name);
                }
            }
            for (String name : stale) {
                execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach PostgreSQL at " + url + ": " + e.getMessage(), e);
        }
    }

    String version() {
        try (Connection c = connect(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach PostgreSQL at " + url + ": " + e.getMessage(), e);
        }
    }

    void execute(String... statements) {
        try (Connection c = connect(url);
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    Connection connect(String jdbcUrl) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("reWriteBatchedInserts", "true");
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    HikariDataSource pool(Schema schema, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(schema.url());
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setPoolName(name);
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(config);
    }

    /** A single number from a query in a schema. */
    long count(Schema schema, String sql) {
        try (Connection c = connect(schema.url());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    record Schema(String name, String url) {}
}
