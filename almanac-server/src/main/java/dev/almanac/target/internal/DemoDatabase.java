package dev.almanac.target.internal;

import dev.almanac.target.Targets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * The demo target's sample data: users, logs, sessions, messages and tickets over the last six months, created on
 * the first start (when its {@code users} table does not exist yet), so every template has something to act on.
 */
@Component
public class DemoDatabase implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(DemoDatabase.class);

    public static final Map<String, List<String>> ALLOWLIST = ordered(
            "users", List.of("id", "email", "name", "status", "country", "created_at", "last_login_at"),
            "logs", List.of("id", "level", "source", "message", "created_at"),
            "sessions", List.of("id", "user_id", "ip_address", "user_agent", "created_at", "expires_at"),
            "messages", List.of("id", "sender_id", "recipient_id", "subject", "status", "created_at"),
            "tickets",
                    List.of(
                            "id",
                            "user_id",
                            "subject",
                            "status",
                            "priority",
                            "created_at",
                            "updated_at",
                            "resolved_at"),
            "users_copy", List.of("id", "email", "name", "status", "created_at"));

    /** An empty table for data_sync's example to copy users into; added to demo databases created before it. */
    private static final String CREATE_USERS_COPY = """
        CREATE TABLE IF NOT EXISTS users_copy (
            id BIGINT PRIMARY KEY, email VARCHAR(200) NOT NULL, name VARCHAR(200) NOT NULL,
            status VARCHAR(16) NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL)""";

    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> ordered(Object... tablesAndColumns) {
        Map<String, List<String>> ordered = new LinkedHashMap<>();
        for (int i = 0; i < tablesAndColumns.length; i += 2) {
            ordered.put((String) tablesAndColumns[i], (List<String>) tablesAndColumns[i + 1]);
        }
        return Collections.unmodifiableMap(ordered);
    }

    private static final String[] CREATE = {
        """
        CREATE TABLE users (
            id BIGINT PRIMARY KEY, email VARCHAR(200) NOT NULL, name VARCHAR(200) NOT NULL,
            status VARCHAR(16) NOT NULL, country VARCHAR(2) NOT NULL,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL, last_login_at TIMESTAMP WITH TIME ZONE)""", """
        CREATE TABLE logs (
            id BIGINT PRIMARY KEY, level VARCHAR(8) NOT NULL, source VARCHAR(64) NOT NULL,
            message VARCHAR(500) NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL)""", "CREATE INDEX ix_logs_created ON logs (created_at)", """
        CREATE TABLE sessions (
            id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, ip_address VARCHAR(45) NOT NULL,
            user_agent VARCHAR(200) NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL,
            expires_at TIMESTAMP WITH TIME ZONE NOT NULL)""", """
        CREATE TABLE messages (
            id BIGINT PRIMARY KEY, sender_id BIGINT NOT NULL, recipient_id BIGINT NOT NULL,
            subject VARCHAR(200) NOT NULL, body VARCHAR(2000) NOT NULL, status VARCHAR(16) NOT NULL,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL)""", """
        CREATE TABLE tickets (
            id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, subject VARCHAR(200) NOT NULL,
            status VARCHAR(16) NOT NULL, priority VARCHAR(8) NOT NULL,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL, updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
            resolved_at TIMESTAMP WITH TIME ZONE)""", CREATE_USERS_COPY
    };

    private static final String[] LEVELS = {"DEBUG", "INFO", "INFO", "INFO", "WARN", "ERROR"};
    private static final String[] SOURCES = {"api", "auth", "billing", "mailer", "search", "worker"};
    private static final String[] COUNTRIES = {"DE", "FR", "US", "GB", "ES", "IT", "NL", "PL", "BR", "JP"};
    private static final String[] AGENTS = {
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
        "okhttp/4.12.0"
    };
    private static final String[] TICKET_SUBJECTS = {
        "Cannot log in",
        "Invoice is wrong",
        "Export times out",
        "Feature request: dark mode",
        "Password reset mail",
        "Search returns nothing",
        "Account locked",
        "Upgrade plan"
    };

    private final Targets targets;
    private final TargetProperties properties;
    private final Clock clock;

    DemoDatabase(Targets targets, TargetProperties properties, Clock clock) {
        this.targets = targets;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public void afterPropertiesSet() throws SQLException {
        if (!properties.demoTarget().enabled()) {
            return;
        }
        try (Connection connection =
                targets.connectDirectly(properties.demoTarget().name())) {
            if (exists(connection)) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(CREATE_USERS_COPY);
                }
                return;
            }
            create(connection, clock.instant(), properties.demoTarget().rows());
            log.info(
                    "Created the demo target '{}' with sample data (switch it off with almanac.demo-target.enabled=false)",
                    properties.demoTarget().name());
        }
    }

    /** Drops and creates the sample tables anew, with data over the six months before {@code now}. */
    public void recreate(Instant now) throws SQLException {
        try (Connection connection =
                        targets.connectDirectly(properties.demoTarget().name());
                Statement statement = connection.createStatement()) {
            for (String table : ALLOWLIST.keySet()) {
                statement.execute("DROP TABLE IF EXISTS " + table);
            }
            create(connection, now, properties.demoTarget().rows());
        }
    }

    /**
     * Whether the sample tables are there. Only the {@code public} schema counts: H2's own
     * {@code information_schema.users} answers to the same name.
     */
    static boolean exists(Connection connection) throws SQLException {
        try (ResultSet tables = connection.getMetaData().getTables(null, "public", "users", new String[] {"TABLE"})) {
            return tables.next();
        }
    }

    /**
     * Creates the sample tables with data over the six months before {@code now} on any connection (H2 or
     * PostgreSQL), in one transaction.
     */
    public static void create(Connection connection, Instant now, int users) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (String sql : CREATE) {
                statement.execute(sql);
            }
            Random random = new Random(42);
            Duration span = Duration.ofDays(180);
            insertUsers(connection, random, now, span, users);
            insertLogs(connection, random, now, span, users * 8);
            insertSessions(connection, random, now, span, users, users * 3);
            insertMessages(connection, random, now, span, users, users * 2);
            insertTickets(connection, random, now, span, users, Math.max(1, users * 4 / 5));
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static Timestamp before(Instant now, Duration span, Random random) {
        return Timestamp.from(now.minusSeconds((long) (random.nextDouble() * span.toSeconds())));
    }

    private static void insertUsers(Connection c, Random random, Instant now, Duration span, int count)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (int id = 1; id <= count; id++) {
                Timestamp created = before(now, span, random);
                insert.setLong(1, id);
                insert.setString(2, "user" + id + "@example.com");
                insert.setString(3, "User " + id);
                insert.setString(4, random.nextInt(10) < 8 ? "active" : random.nextBoolean() ? "inactive" : "deleted");
                insert.setString(5, COUNTRIES[random.nextInt(COUNTRIES.length)]);
                insert.setTimestamp(6, created);
                insert.setTimestamp(
                        7,
                        random.nextInt(5) == 0
                                ? null
                                : Timestamp.from(created.toInstant().plusSeconds((long) (random.nextDouble()
                                        * Duration.between(created.toInstant(), now)
                                                .toSeconds()))));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void insertLogs(Connection c, Random random, Instant now, Duration span, int count)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO logs VALUES (?, ?, ?, ?, ?)")) {
            for (int id = 1; id <= count; id++) {
                String level = LEVELS[random.nextInt(LEVELS.length)];
                String source = SOURCES[random.nextInt(SOURCES.length)];
                insert.setLong(1, id);
                insert.setString(2, level);
                insert.setString(3, source);
                insert.setString(4, source + ": " + level.toLowerCase() + " event " + id);
                insert.setTimestamp(5, before(now, span, random));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void insertSessions(Connection c, Random random, Instant now, Duration span, int users, int count)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)")) {
            for (int id = 1; id <= count; id++) {
                Timestamp created = before(now, span, random);
                insert.setLong(1, id);
                insert.setLong(2, 1 + random.nextInt(users));
                insert.setString(3, "203.0.113." + random.nextInt(255));
                insert.setString(4, AGENTS[random.nextInt(AGENTS.length)]);
                insert.setTimestamp(5, created);
                insert.setTimestamp(6, Timestamp.from(created.toInstant().plus(Duration.ofDays(14))));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void insertMessages(Connection c, Random random, Instant now, Duration span, int users, int count)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (int id = 1; id <= count; id++) {
                insert.setLong(1, id);
                insert.setLong(2, 1 + random.nextInt(users));
                insert.setLong(3, 1 + random.nextInt(users));
                insert.setString(4, "Message " + id);
                insert.setString(5, "Hello, this is sample message " + id + ".");
                insert.setString(6, random.nextInt(3) == 0 ? "sent" : random.nextBoolean() ? "read" : "archived");
                insert.setTimestamp(7, before(now, span, random));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void insertTickets(Connection c, Random random, Instant now, Duration span, int users, int count)
            throws SQLException {
        String[] statuses = {"open", "in_progress", "resolved", "resolved", "closed"};
        String[] priorities = {"low", "normal", "normal", "high"};
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int id = 1; id <= count; id++) {
                Timestamp created = before(now, span, random);
                String status = statuses[random.nextInt(statuses.length)];
                Instant updated = created.toInstant().plusSeconds((long) (random.nextDouble()
                        * Duration.between(created.toInstant(), now).toSeconds()));
                insert.setLong(1, id);
                insert.setLong(2, 1 + random.nextInt(users));
                insert.setString(3, TICKET_SUBJECTS[random.nextInt(TICKET_SUBJECTS.length)]);
                insert.setString(4, status);
                insert.setString(5, priorities[random.nextInt(priorities.length)]);
                insert.setTimestamp(6, created);
                insert.setTimestamp(7, Timestamp.from(updated));
                insert.setTimestamp(
                        8, status.equals("resolved") || status.equals("closed") ? Timestamp.from(updated) : null);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
