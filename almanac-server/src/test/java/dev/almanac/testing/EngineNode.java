package dev.almanac.testing;

import dev.almanac.AlmanacApplication;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One Almanac node in this JVM: the whole application on a given database with its engine loops running, as the
 * cluster, recovery and soak tests need several of them side by side. Closing it stops it the way SIGTERM does
 * (the engine drains).
 */
public final class EngineNode implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private EngineNode(ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** A node on the database at {@code url}; by default with its engine on, a random port and its own data dir. */
    public static Builder on(String url, String user, String password) {
        return new Builder(url, user, password);
    }

    /** A node on the suite's PostgreSQL, in the schema {@code url} points at. */
    public static Builder onPostgres(String url) {
        return on(url, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public JdbcClient jdbc() {
        return bean(JdbcClient.class);
    }

    @Override
    public void close() {
        context.close();
    }

    /** Settings of a node before it starts. */
    public static final class Builder {

        private final Map<String, Object> properties = new LinkedHashMap<>();
        private Clock clock;

        private Builder(String url, String user, String password) {
            properties.put("almanac.db.url", url);
            properties.put("almanac.db.user", user);
            properties.put("almanac.db.password", password);
            properties.put("server.port", 0);
            properties.put("almanac.engine.enabled", true);
            // The seeded system jobs run on the wall clock (a heartbeat every five minutes, retention at 03:30 UTC)
            // and would add runs to what a test counts; a test that wants them sets this back.
            properties.put("almanac.system-jobs.enabled", false);
        }

        public Builder nodeId(String id) {
            properties.put("almanac.engine.node-id", id);
            return this;
        }

        public Builder set(String key, Object value) {
            properties.put(key, value);
            return this;
        }

        /** Replaces the system clock of this node, e.g. with one {@link MutableClock} several nodes share. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public EngineNode start() {
            Object node = properties.getOrDefault("almanac.engine.node-id", "node");
            properties.putIfAbsent(
                    "almanac.data-dir",
                    Path.of("target", "test-data", "nodes", node.toString()).toString());
            List<String> args = new ArrayList<>();
            properties.forEach((key, value) -> args.add("--" + key + "=" + value));
            SpringApplicationBuilder application = new SpringApplicationBuilder(AlmanacApplication.class);
            if (clock != null) {
                Clock shared = clock;
                application.initializers(context -> ((GenericApplicationContext) context)
                        .registerBean("testClock", Clock.class, () -> shared, bean -> bean.setPrimary(true)));
            }
            return new EngineNode(application.run(args.toArray(String[]::new)));
        }
    }
}
