package dev.almanac.template.builtin;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.AlmanacApplication;
import dev.almanac.engine.internal.ManualRuns;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.WithPostgres;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.FileSystemUtils;

/**
 * Issue #6: a million-row export runs in a node whose whole heap is {@value #HEAP}, so neither the JDBC driver nor
 * the writers may hold the result. The node is a JVM of its own that exits on OutOfMemoryError; it exports a million
 * PostgreSQL rows as CSV and a million embedded-H2 rows as gzipped JSON Lines at the same time. The application starts
 * and idles in 40m (36m fails, measured 2026-11-29); 48m is not enough for these two exports plus embedded H2's own
 * page cache in the same heap, 64m is. Without the PostgreSQL fetch size this node dies with OutOfMemoryError.
 */
@Tag("postgres")
@Tag("slow")
@ExtendWith(WithPostgres.WhenReachable.class)
class DataExportHeapTests {

    static final String HEAP = "64m";
    static final int ROWS = 1_000_000;
    static final Path DATA = Path.of("target", "test-data", "export-heap");
    static final String COLUMNS = "id,label,amount,created_at";

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void exportsAMillionRowsAsCsvAndGzippedJsonLinesWithinASmallHeap() throws Exception {
        FileSystemUtils.deleteRecursively(DATA);
        Files.createDirectories(DATA);
        String url = PostgresTestDatabase.freshSchemaUrl("export_heap");
        String pgUrl = PostgresTestDatabase.freshSchemaUrl("export_target");
        String h2Url =
                "jdbc:h2:file:" + DATA.toAbsolutePath().resolve("big") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";
        fill(
                pgUrl,
                PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD,
                "generate_series(1, " + ROWS + ") AS s(x)");
        fill(h2Url, "sa", "", "(SELECT \"X\" AS x FROM system_range(1, " + ROWS + ")) s");
        Map<String, String> targets = new LinkedHashMap<>();
        targets.put("almanac.targets.big_pg.url", pgUrl);
        targets.put("almanac.targets.big_pg.user", PostgresTestDatabase.USER);
        targets.put("almanac.targets.big_pg.password", PostgresTestDatabase.PASSWORD);
        targets.put("almanac.targets.big_pg.tables.export_rows", COLUMNS);
        targets.put("almanac.targets.big_h2.url", h2Url);
        targets.put("almanac.targets.big_h2.user", "sa");
        targets.put("almanac.targets.big_h2.password", "");
        targets.put("almanac.targets.big_h2.tables.export_rows", COLUMNS);

        EngineNode.Builder registryBuilder = EngineNode.onPostgres(url)
                .nodeId("export-registry")
                .set("almanac.engine.enabled", false)
                .set("almanac.demo-target.enabled", false);
        targets.forEach(registryBuilder::set);
        try (EngineNode registry = registryBuilder.start()) {
            JdbcClient jdbc = registry.jdbc();
            Job csv;
            Job jsonl;
            Process node = startNodeProcess(url, targets);
            try {
                await().atMost(Duration.ofMinutes(1))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> !node.isAlive()
                                || jdbc.sql("SELECT COUNT(*) FROM nodes WHERE id = 'export-node'")
                                                .query(Long.class)
                                                .single()
                                        == 1);
                assertThat(node.isAlive())
                        .as("the node started in %s of heap", HEAP)
                        .isTrue();

                csv = export(registry, "export-pg-csv", "big_pg", "csv", false);
                jsonl = export(registry, "export-h2-jsonl", "big_h2", "jsonl", true);
                ManualRuns runs = registry.bean(ManualRuns.class);
                runs.run(csv, Map.of(), false, "test");
                runs.run(jsonl, Map.of(), false, "test");
                await().atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> !node.isAlive()
                                || jdbc.sql("SELECT COUNT(*) FROM executions WHERE job_id IN (?, ?)"
                                                        + " AND status NOT IN ('queued', 'running')")
                                                .params(
                                                        csv.id().value(),
                                                        jsonl.id().value())
                                                .query(Long.class)
                                                .single()
                                        == 2);
                assertThat(node.isAlive())
                        .as("the node is still alive (it exits on OutOfMemoryError)")
                        .isTrue();
            } finally {
                node.destroy();
                node.waitFor(30, TimeUnit.SECONDS);
                node.destroyForcibly();
            }
            assertThat(Files.readString(DATA.resolve("node.log"))).doesNotContain("OutOfMemoryError");

            ExecutionService executions = registry.bean(ExecutionService.class);
            assertExported(jdbc, executions.list(ExecutionQuery.ofJob(csv.id(), 10)), false, ROWS + 1); // + header
            assertExported(jdbc, executions.list(ExecutionQuery.ofJob(jsonl.id(), 10)), true, ROWS);
        }
    }

    private static void fill(String url, String user, String password, String series) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE export_rows (id BIGINT PRIMARY KEY, label VARCHAR(40), amount"
                    + " NUMERIC(12, 2), created_at TIMESTAMP)");
            statement.execute("INSERT INTO export_rows SELECT x, 'row number ' || x, x / 100.0,"
                    + " TIMESTAMP '2026-01-01 00:00:00' + x * INTERVAL '1' SECOND FROM " + series);
        }
    }

    private static Job export(EngineNode registry, String name, String target, String format, boolean gzip) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("target", target);
        parameters.put("table", "export_rows");
        parameters.put("order_by", List.of(Map.of("column", "id")));
        parameters.put("format", format);
        parameters.put("gzip", gzip);
        return registry.bean(JobService.class)
                .create(
                        aCronJob(name, "0 0 1 1 *")
                                .template("data_export", parameters)
                                .build(),
                        "test");
    }

    private static void assertExported(JdbcClient jdbc, List<Execution> history, boolean gzip, long lines)
            throws IOException {
        assertThat(history).hasSize(1);
        Execution execution = history.get(0);
        assertThat(execution.status())
                .as("%s: %s", execution.jobName(), execution.error())
                .isEqualTo(ExecutionStatus.SUCCEEDED);
        System.out.printf("%s exported %d rows in %d ms%n", execution.jobName(), ROWS, execution.durationMs());
        assertThat(((Number) execution.result().get("records_processed")).longValue())
                .isEqualTo(ROWS);
        String path = jdbc.sql("SELECT path FROM artifacts WHERE execution_id = ?")
                .param(execution.id().value())
                .query(String.class)
                .single();
        Path file = DATA.resolve("node").resolve("artifacts").resolve(path);
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = gzip ? new GZIPInputStream(raw, 64 * 1024) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            assertThat(reader.lines().count()).as(execution.jobName()).isEqualTo(lines);
        }
    }

    /** The whole application in a JVM of its own with a {@value #HEAP} heap, exiting on OutOfMemoryError. */
    private static Process startNodeProcess(String url, Map<String, String> targets) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx" + HEAP,
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                AlmanacApplication.class.getName(),
                "--almanac.db.url=" + url,
                "--almanac.db.user=" + PostgresTestDatabase.USER,
                "--almanac.db.password=" + PostgresTestDatabase.PASSWORD,
                "--almanac.engine.node-id=export-node",
                "--almanac.demo-target.enabled=false",
                "--almanac.system-jobs.enabled=false",
                "--almanac.data-dir=" + DATA.resolve("node"),
                "--server.port=0"));
        targets.forEach((key, value) -> command.add("--" + key + "=" + value));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(DATA.resolve("node.log").toFile())
                .directory(new File(System.getProperty("user.dir")))
                .start();
    }
}
