package dev.almanac.target;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.almanac.common.RunControl;
import dev.almanac.security.Secrets;
import dev.almanac.target.internal.DemoDatabase;
import dev.almanac.target.internal.GuardedConnection;
import dev.almanac.target.internal.TargetPasswords;
import dev.almanac.target.internal.TargetProperties;
import dev.almanac.template.TargetDatabase;
import dev.almanac.template.TargetDescription;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The configured target databases: their descriptions for validation and the API, and guarded connections for runs.
 * A configuration with a malformed target stops the start-up with every problem named.
 */
@Component
public class Targets implements DisposableBean {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    /** {@code namespaces}: the namespaces whose jobs may use it; empty for every one. */
    private record Configured(
            TargetDescription description,
            String url,
            String user,
            String password,
            int maxPool,
            List<String> namespaces) {

        boolean grantedTo(String namespace) {
            return namespaces.isEmpty() || namespaces.contains(namespace);
        }
    }

    private final Map<String, Configured> byName;
    private final UnaryOperator<String> decrypt;
    /** The demo target's name, when it is offered: it is granted by a setting of its own. */
    private final String demoName;

    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();

    @Autowired
    Targets(TargetProperties properties, @Value("${almanac.data-dir}") Path dataDir, Secrets secrets) {
        this(properties, dataDir, secrets::reveal);
    }

    /** Targets whose {@code enc:} passwords are decrypted with {@code decrypt}. */
    Targets(TargetProperties properties, Path dataDir, UnaryOperator<String> decrypt) {
        this.decrypt = decrypt;
        this.demoName =
                properties.demoTarget().enabled() ? properties.demoTarget().name() : null;
        List<String> problems = new ArrayList<>();
        Map<String, Configured> configured = new LinkedHashMap<>();
        if (properties.demoTarget().enabled()) {
            configured.put(properties.demoTarget().name(), demo(properties.demoTarget(), dataDir));
        }
        properties.targets().forEach((name, target) -> {
            Configured parsed = parse(name, target, problems);
            if (parsed != null) {
                if (configured.containsKey(parsed.description().name())) {
                    problems.add("target '" + name + "' is configured twice (the demo target is called '"
                            + properties.demoTarget().name() + "')");
                }
                configured.put(parsed.description().name(), parsed);
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException(
                    "Invalid target configuration (almanac.targets):\n  - " + String.join("\n  - ", problems));
        }
        this.byName = configured;
    }

    static String demoUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("demo")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE";
    }

    private static Configured demo(TargetProperties.DemoTarget demo, Path dataDir) {
        return new Configured(
                new TargetDescription(
                        demo.name(),
                        "h2",
                        "Demo database with sample users, logs, sessions, messages and tickets",
                        DemoDatabase.ALLOWLIST),
                demoUrl(dataDir),
                "sa",
                "",
                4,
                demo.namespaces());
    }

    private static Configured parse(String rawName, TargetProperties.Target target, List<String> problems) {
        String name = rawName.toLowerCase(Locale.ROOT);
        int before = problems.size();
        if (!NAME.matcher(name).matches()) {
            problems.add("target name '" + rawName + "' must be lower_snake_case, at most 63 characters");
        }
        if (target.url() == null || !target.url().startsWith("jdbc:")) {
            problems.add("target '" + name + "': url must be a jdbc: URL");
        }
        if (target.tables().isEmpty()) {
            problems.add("target '" + name + "': tables must list at least one table with its columns");
        }
        Map<String, List<String>> columns = new LinkedHashMap<>();
        String product = target.url() == null || !target.url().startsWith("jdbc:") ? "" : product(target.url());
        target.tables().forEach((table, tableColumns) -> {
            String tableName = table.toLowerCase(Locale.ROOT);
            if (!NAME.matcher(tableName).matches()) {
                problems.add("target '" + name + "': table '" + table + "' is not a plain lower_snake_case name");
            } else if (SqlKeywords.reserved(product, tableName, target.url())) {
                problems.add("target '" + name + "': table '" + table + "' is a reserved word in SQL, which the"
                        + " templates cannot name; rename it or allow a view of it under another name");
            }
            if (tableColumns == null || tableColumns.isEmpty()) {
                problems.add("target '" + name + "': table '" + table + "' must list its allowed columns");
                return;
            }
            List<String> names = new ArrayList<>();
            for (String column : tableColumns) {
                String columnName = column.strip().toLowerCase(Locale.ROOT);
                if (!NAME.matcher(columnName).matches()) {
                    problems.add("target '" + name + "': column '" + column + "' of table '" + table
                            + "' is not a plain lower_snake_case name");
                } else if (SqlKeywords.reserved(product, columnName, target.url())) {
                    problems.add("target '" + name + "': column '" + column + "' of table '" + table
                            + "' is a reserved word in SQL, which the templates cannot name; rename it or allow a"
                            + " view of the table that gives it another name");
                }
                names.add(columnName);
            }
            columns.put(tableName, names);
        });
        if (problems.size() > before) {
            return null;
        }
        return new Configured(
                new TargetDescription(name, product(target.url()), target.description(), columns),
                target.url(),
                target.user(),
                target.password(),
                Math.max(1, target.maxConnections()),
                target.namespaces().stream().map(String::strip).toList());
    }

    static String product(String url) {
        String rest = url.substring("jdbc:".length());
        int colon = rest.indexOf(':');
        return (colon < 0 ? rest : rest.substring(0, colon)).toLowerCase(Locale.ROOT);
    }

    /** Every target, in configured order, without URL or credentials. */
    public List<TargetDescription> targets() {
        return byName.values().stream().map(Configured::description).toList();
    }

    /** One target by name. */
    public Optional<TargetDescription> target(String name) {
        return Optional.ofNullable(name == null ? null : byName.get(name)).map(Configured::description);
    }

    /**
     * Whether the jobs of {@code namespace} may use target {@code name} ({@code almanac.targets.<name>.namespaces},
     * default every namespace); false for a target that does not exist.
     */
    public boolean grantedTo(String name, String namespace) {
        Configured target = name == null ? null : byName.get(name);
        return target != null && target.grantedTo(namespace);
    }

    /** Why the jobs of {@code namespace} may not use target {@code name}; empty when they may (or it does not exist). */
    public Optional<String> refusal(String name, String namespace) {
        Configured target = name == null ? null : byName.get(name);
        if (target == null || target.grantedTo(namespace)) {
            return Optional.empty();
        }
        String setting = grantSetting(name);
        if (namespace == null) {
            return Optional.of("target '" + name + "' is granted only to some namespaces (" + setting
                    + "), and this run's job belongs to none");
        }
        return Optional.of("target '" + name + "' is not granted to namespace '" + namespace
                + "'; an operator grants it with " + setting);
    }

    /** The setting that grants target {@code name} to namespaces: the demo target has its own. */
    private String grantSetting(String name) {
        return name.equals(demoName) ? "almanac.demo-target.namespaces" : "almanac.targets." + name + ".namespaces";
    }

    /** The targets the jobs of {@code namespace} may use, in configured order. */
    public List<TargetDescription> grantedTargets(String namespace) {
        return byName.values().stream()
                .filter(target -> target.grantedTo(namespace))
                .map(Configured::description)
                .toList();
    }

    /**
     * A target as a run sees it: connections whose statements get the run's remaining time as query timeout and are
     * cancelled when the run stops.
     *
     * @throws IllegalArgumentException when no target has this name
     */
    public TargetDatabase open(String name, RunControl run) {
        Configured target = byName.get(name);
        if (target == null) {
            throw new IllegalArgumentException("no target named '" + name + "'");
        }
        return open(target, run);
    }

    /**
     * The same, for a run of a job of {@code namespace}: a target not granted to it is refused again at run time (a
     * job moved to another namespace, a grant taken away since it was saved).
     *
     * @throws IllegalArgumentException when no target has this name or it is not granted to the namespace
     */
    public TargetDatabase open(String name, RunControl run, String namespace) {
        Configured target = byName.get(name);
        if (target == null) {
            throw new IllegalArgumentException("no target named '" + name + "'");
        }
        Optional<String> refused = refusal(name, namespace);
        if (refused.isPresent()) {
            throw new IllegalArgumentException(refused.get());
        }
        return open(target, run);
    }

    private TargetDatabase open(Configured target, RunControl run) {
        return new TargetDatabase() {
            @Override
            public TargetDescription description() {
                return target.description();
            }

            @Override
            public Connection connect() throws SQLException {
                run.checkStop();
                return GuardedConnection.wrap(pool(target).getConnection(), run);
            }

            @Override
            public Map<String, String> clientEnvironment() {
                return postgresEnvironment(target);
            }

            @Override
            public void checkReachable(Duration timeout) throws SQLException {
                run.checkStop();
                Targets.this.checkReachable(target, timeout);
            }
        };
    }

    /**
     * Opens one connection past the pool, whose own timeout (10 s, and retries) is too long for a pre-flight; a
     * closed port or a wrong host answers within the timeout.
     */
    private void checkReachable(Configured target, Duration timeout) throws SQLException {
        Properties properties = new Properties();
        if (target.user() != null) {
            properties.setProperty("user", target.user());
        }
        String password = TargetPasswords.reveal(target.description().name(), target.password(), decrypt);
        if (password != null) {
            properties.setProperty("password", password);
        }
        int seconds = (int) Math.max(1, timeout.toSeconds());
        if (target.url().startsWith("jdbc:postgresql:")) {
            properties.setProperty("connectTimeout", String.valueOf(seconds));
            properties.setProperty("loginTimeout", String.valueOf(seconds));
            properties.setProperty("socketTimeout", String.valueOf(seconds));
        }
        String url = target.url();
        if (url.startsWith("jdbc:h2:")
                && !url.startsWith("jdbc:h2:mem:")
                && !url.toUpperCase(Locale.ROOT).contains("IFEXISTS")) {
            // a check must not create the database it looks for: H2 makes an empty file for a name it does not know
            properties.setProperty("IFEXISTS", "TRUE");
        }
        Driver driver = DriverManager.getDriver(target.url());
        try (Connection connection = driver.connect(target.url(), properties)) {
            if (connection == null || !connection.isValid(seconds)) {
                throw new SQLException("the database did not answer within " + seconds + " s");
            }
        }
    }

    private static final Pattern POSTGRES_URL =
            Pattern.compile("jdbc:postgresql://([^/:?]+)(?::(\\d+))?/([^?]+)(?:\\?(.*))?");

    Map<String, String> postgresEnvironment(Configured target) {
        java.util.regex.Matcher url = POSTGRES_URL.matcher(target.url());
        if (!url.matches()) {
            return Map.of();
        }
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PGHOST", url.group(1));
        environment.put("PGPORT", url.group(2) == null ? "5432" : url.group(2));
        environment.put("PGDATABASE", url.group(3));
        String schema = "public";
        String user = target.user();
        if (url.group(4) != null) {
            for (String parameter : url.group(4).split("&")) {
                String[] pair = parameter.split("=", 2);
                if (pair.length == 2 && pair[0].equals("currentSchema")) {
                    schema = pair[1];
                } else if (pair.length == 2 && pair[0].equals("user") && user == null) {
                    user = pair[1];
                }
            }
        }
        if (user != null) {
            environment.put("PGUSER", user);
        }
        String password = TargetPasswords.reveal(target.description().name(), target.password(), decrypt);
        if (password != null && !password.isEmpty()) {
            environment.put("PGPASSWORD", password);
        }
        environment.put("ALMANAC_SCHEMA", schema);
        return environment;
    }

    /** A plain connection for Almanac's own work on a target (creating the demo data); no run limits. */
    public Connection connectDirectly(String name) throws SQLException {
        return pool(byName.get(name)).getConnection();
    }

    private HikariDataSource pool(Configured target) {
        return pools.computeIfAbsent(target.description().name(), name -> {
            HikariConfig config = new HikariConfig();
            config.setPoolName("target-" + name);
            config.setJdbcUrl(target.url());
            config.setUsername(target.user());
            config.setPassword(TargetPasswords.reveal(name, target.password(), decrypt));
            config.setMaximumPoolSize(target.maxPool());
            config.setMinimumIdle(0);
            config.setInitializationFailTimeout(-1);
            config.setConnectionTimeout(10_000);
            return new HikariDataSource(config);
        });
    }

    @Override
    public void destroy() {
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
