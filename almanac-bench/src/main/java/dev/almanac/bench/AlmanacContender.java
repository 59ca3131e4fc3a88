package dev.almanac.bench;

import dev.almanac.AlmanacApplication;
import dev.almanac.engine.internal.Engine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.Banner;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.Lifecycle;
import org.springframework.core.env.Environment;

/**
 * Almanac's real application: each node is the server's whole application context (engine, REST API on a free
 * port, Flyway), booted in this JVM against the run's schema. Pausing stops the engine's loops (the {@code
 * engineLoops} lifecycle bean), as a rolling restart would; starting them again is what a node does at start-up.
 */
final class AlmanacContender implements Contender {

    /** The first super admin's password on every node the bench starts (a fresh schema each time). */
    static final String ADMIN_PASSWORD = "bench-" + java.util.UUID.randomUUID();

    private final int nodes;
    private final int workers;
    private final Pg pg;
    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    private Pg.Schema schema;

    AlmanacContender(Pg pg, int nodes, int workers) {
        this.pg = pg;
        this.nodes = nodes;
        this.workers = workers;
    }

    @Override
    public String key() {
        return "almanac-" + nodes;
    }

    @Override
    public String label() {
        return "Almanac, " + nodes + (nodes == 1 ? " node" : " nodes");
    }

    @Override
    public int instances() {
        return nodes;
    }

    @Override
    public void prepare(Pg.Schema schema) {
        this.schema = schema;
        for (int i = 1; i <= nodes; i++) {
            contexts.add(boot(pg, schema, "bench-node-" + i, workers));
        }
        pause();
    }

    /** Boots one node: the server's application context, as {@code java -jar almanac.jar} would. */
    static ConfigurableApplicationContext boot(Pg pg, Pg.Schema schema, String nodeId, int workers) {
        return new SpringApplicationBuilder(AlmanacApplication.class)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .run(arguments(pg, schema, nodeId, workers, 0).toArray(String[]::new));
    }

    /** A node's command line: the run's schema, the first super admin, no limits meant for people, this port. */
    static List<String> arguments(Pg pg, Pg.Schema schema, String nodeId, int workers, int port) {
        return List.of(
                "--almanac.db.url=" + schema.url(),
                "--almanac.db.user=" + pg.user(),
                "--almanac.db.password=" + pg.password(),
                "--almanac.data-dir=" + Path.of(System.getProperty("java.io.tmpdir"), "almanac-bench", nodeId),
                "--almanac.engine.node-id=" + nodeId + "-" + schema.name(),
                "--almanac.engine.workers=" + workers,
                "--server.port=" + port,
                // the API is closed: the load generator logs in as the first super admin and takes a token;
                // limits meant for people (quota, manual runs, request rate) would measure themselves
                "--almanac.security.admin-password=" + ADMIN_PASSWORD,
                "--almanac.security.job-quota=0",
                "--almanac.security.manual-runs-per-hour=0",
                "--almanac.security.api-requests-per-minute=0",
                "--server.address=127.0.0.1",
                "--spring.datasource.hikari.maximum-pool-size=10",
                "--logging.level.root=WARN",
                "--logging.level.org.springdoc=ERROR");
    }

    static int port(ConfigurableApplicationContext context) {
        Environment environment = context.getEnvironment();
        return Integer.parseInt(environment.getProperty("local.server.port", "0"));
    }

    static Engine engine(ConfigurableApplicationContext context) {
        return context.getBean(Engine.class);
    }

    static Lifecycle loops(ConfigurableApplicationContext context) {
        return context.getBean("engineLoops", Lifecycle.class);
    }

    ConfigurableApplicationContext first() {
        return contexts.get(0);
    }

    @Override
    public void schedule(long[] due) throws Exception {
        insertOneTimeJobs(pg, schema, due, 0);
    }

    /**
     * Writes one-time jobs of the no-op template, job n due at {@code due[n]}, in one transaction of batched
     * inserts (a bulk import), then tells the engine as an API create does (NOTIFY on its channel).
     */
    static void insertOneTimeJobs(Pg pg, Pg.Schema schema, long[] due, int offset) throws Exception {
        try (Connection c = pg.connect(schema.url())) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(JobRows.INSERT)) {
                Instant now = Instant.now();
                for (int n = 0; n < due.length; n++) {
                    Instant at = Instant.ofEpochMilli(due[n]);
                    JobRows.bind(insert, UUID.randomUUID(), "bench-" + (offset + n), n, "once", null, at, now, at);
                    insert.addBatch();
                    if (n % 1000 == 999) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_notify('almanac_engine', 'jobs')");
            }
        }
    }

    @Override
    public void start() {
        contexts.forEach(context -> loops(context).start());
    }

    @Override
    public void pause() {
        contexts.forEach(context -> loops(context).stop());
    }

    @Override
    public long finished(long scheduled) {
        return pg.count(schema, "SELECT COUNT(*) FROM executions WHERE status NOT IN ('queued', 'running')");
    }

    @Override
    public void reset() {
        String s = schema.name();
        pg.execute("TRUNCATE " + s + ".executions, " + s + ".jobs, " + s + ".job_versions CASCADE");
    }

    @Override
    public void close() {
        for (int i = contexts.size() - 1; i >= 0; i--) {
            try {
                contexts.get(i).close();
            } catch (RuntimeException e) {
                System.err.println("closing " + label() + ": " + e.getMessage());
            }
        }
        contexts.clear();
    }
}
