package dev.almanac.template.builtin;

import static dev.almanac.template.builtin.DatabaseCleanupTests.details;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.target.internal.DemoDatabase;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.JobRequests;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.RowHook;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * backup on H2 (SCRIPT) and PostgreSQL (pg_dump), the JSON Lines fallback, checksums, verify, retention, restore. The
 * targets allow every column of the demo tables: a native dump is taken only then.
 */
abstract class BackupTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends BackupTests {
        static final String URL = "jdbc:h2:mem:backup_full;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";

        @DynamicPropertySource
        static void fullTarget(DynamicPropertyRegistry registry) {
            registry.add("almanac.targets.full.url", () -> URL);
            registry.add("almanac.targets.full.user", () -> "sa");
            registry.add("almanac.targets.full.password", () -> "");
            everyColumn()
                    .forEach((table, columns) -> registry.add("almanac.targets.full.tables." + table, () -> columns));
            // the same database with one allowed table, so a test knows which table a backup reads last
            registry.add("almanac.targets.tickets.url", () -> URL);
            registry.add("almanac.targets.tickets.user", () -> "sa");
            registry.add("almanac.targets.tickets.password", () -> "");
            registry.add(
                    "almanac.targets.tickets.tables.tickets",
                    () -> String.join(",", DemoDatabase.ALLOWLIST.get("tickets")));
        }

        @Override
        String target() {
            return "full";
        }

        @Override
        Connection connect() throws Exception {
            return DriverManager.getConnection(URL, "sa", "");
        }

        @Override
        void recreate() throws Exception {
            try (Connection c = connect();
                    Statement s = c.createStatement()) {
                s.execute("DROP ALL OBJECTS");
                DemoDatabase.create(c, START, 100);
            }
        }

        @Override
        String nativeExtension() {
            return ".sql.gz";
        }

        @Test
        void anH2ScriptRestoresIntoAnEmptyDatabase() throws Exception {
            Execution run = runs.run("backup", backup());
            Path file = directory().resolve((String) details(run).get("file"));

            try (Connection restored = DriverManager.getConnection(
                            "jdbc:h2:mem:restore;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "");
                    Statement s = restored.createStatement()) {
                s.execute("RUNSCRIPT FROM '" + file.toAbsolutePath() + "' COMPRESSION GZIP");
                var rs = s.executeQuery("SELECT COUNT(*) FROM tickets");
                rs.next();
                assertThat(rs.getLong(1))
                        .isEqualTo(((Number) ((Map<?, ?>) details(run).get("rows")).get("tickets")).longValue())
                        .isPositive();
            }
        }

        @Test
        void anH2ScriptCarriesNoUsersNorPasswordHashes() throws Exception {
            Execution run = runs.run("backup", backup());

            assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
            String script = gunzip(directory().resolve((String) details(run).get("file")));
            assertThat(script)
                    .contains("INSERT INTO")
                    .doesNotContain("CREATE USER")
                    .doesNotContain(" HASH ");
        }

        @Test
        void aBackupThatPassesItsDeadlineWhileStreamingRowsStopsAndLeavesNoFile() throws Exception {
            // the only allowed table becomes a view whose rows, as they are read, move the clock past the deadline
            List<String> columns = new java.util.ArrayList<>(DemoDatabase.ALLOWLIST.get("tickets"));
            columns.set(columns.indexOf("id"), "PASS(id) AS id");
            try (Connection c = connect();
                    Statement s = c.createStatement()) {
                s.execute("CREATE ALIAS PASS FOR \"dev.almanac.testing.RowHook.pass\"");
                s.execute("ALTER TABLE tickets RENAME TO ticket_rows");
                s.execute("CREATE VIEW tickets AS SELECT " + String.join(", ", columns) + " FROM ticket_rows");
            }
            Path backups = Path.of("target/test-data/backups", "tickets");
            if (Files.exists(backups)) {
                try (var files = Files.list(backups)) {
                    for (Path file : files.toList()) {
                        Files.delete(file);
                    }
                }
            }
            RowHook.once(() -> clock.advance(java.time.Duration.ofHours(1)));
            Map<String, Object> parameters = new HashMap<>(Map.of("target", "tickets", "method", "jsonl"));
            Job job = jobs.create(
                    JobRequests.aCronJob("stopped-backup", "0 3 * * *")
                            .template("backup", parameters)
                            .timeout(600)
                            .build(),
                    "test");

            Execution run = runs.run(job, false);

            assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.TIMED_OUT);
            try (var files = Files.list(backups)) {
                assertThat(files.map(file -> file.getFileName().toString()).toList())
                        .as("no backup, partial file or checksum is left")
                        .isEmpty();
            }
        }
    }

    @WithPostgres
    static class OnPostgres extends BackupTests {
        static final String SCHEMA = PostgresTestDatabase.scratchSchema("backup");

        @DynamicPropertySource
        static void sampleTarget(DynamicPropertyRegistry registry) {
            registry.add("almanac.targets.sample.url", () -> PostgresTestDatabase.URL + "?currentSchema=" + SCHEMA);
            registry.add("almanac.targets.sample.user", () -> PostgresTestDatabase.USER);
            registry.add("almanac.targets.sample.password", () -> PostgresTestDatabase.PASSWORD);
            everyColumn()
                    .forEach((table, columns) -> registry.add("almanac.targets.sample.tables." + table, () -> columns));
        }

        @Override
        Connection connect() throws Exception {
            return DriverManager.getConnection(
                    PostgresTestDatabase.URL + "?currentSchema=" + SCHEMA,
                    PostgresTestDatabase.USER,
                    PostgresTestDatabase.PASSWORD);
        }

        @Override
        String target() {
            return "sample";
        }

        @Override
        void recreate() throws Exception {
            try (Connection c = DriverManager.getConnection(
                            PostgresTestDatabase.URL, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD);
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
                s.execute("CREATE SCHEMA " + SCHEMA);
            }
            try (Connection c = connect()) {
                DemoDatabase.create(c, START, 100);
            }
        }

        @Override
        String nativeExtension() {
            return ".dump";
        }
    }

    abstract String target();

    abstract void recreate() throws Exception;

    abstract Connection connect() throws Exception;

    abstract String nativeExtension();

    @Autowired
    TemplateRuns runs;

    @Autowired
    JobService jobs;

    @BeforeEach
    void freshData() throws Exception {
        recreate();
        Path directory = directory();
        if (Files.exists(directory)) {
            try (var files = Files.list(directory)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    Path directory() {
        return Path.of("target/test-data/backups", target());
    }

    Map<String, Object> backup() {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("target", target());
        return parameters;
    }

    @Test
    void writesAVerifiedBackupWithItsChecksum() throws Exception {
        Execution run = runs.run("backup", backup());

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        String name = (String) details(run).get("file");
        assertThat(name)
                .startsWith(target() + "-" + run.jobId() + "-20260601T100000Z")
                .endsWith(nativeExtension());
        Path file = directory().resolve(name);
        String sha256 = sha256(file);
        assertThat(details(run)).containsEntry("sha256", sha256);
        assertThat(Files.readString(directory().resolve(name + ".sha256"))).isEqualTo(sha256 + "  " + name + "\n");
        assertThat((String) details(run).get("verified")).isNotBlank();
    }

    @Test
    void fallsBackToGzippedJsonLinesOfTheAllowedTables() throws Exception {
        Map<String, Object> parameters = backup();
        parameters.put("method", "jsonl");

        Execution run = runs.run("backup", parameters);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        Path file = directory().resolve((String) details(run).get("file"));
        assertThat(file.getFileName().toString()).endsWith(".jsonl.gz");
        long lines;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            lines = new String(in.readAllBytes()).lines().count();
        }
        assertThat(lines).isEqualTo(run.result().get("records_processed") instanceof Number n ? n.longValue() : -1);
        assertThat(lines).isPositive();
    }

    @Test
    void keepsTheNewestBackupsAndRemovesOnesPastTheirAge() throws Exception {
        Map<String, Object> parameters = backup();
        parameters.put("keep_last", 3);
        parameters.put("max_age_days", 30);
        Job job = runs.create("backup-" + System.nanoTime(), "backup", parameters);
        String own = target() + "-" + job.id() + "-";
        Files.createDirectories(directory());
        List<String> older = List.of("20260531T100000Z", "20260530T100000Z", "20260520T100000Z", "20260401T100000Z");
        for (String stamp : older) {
            Files.writeString(directory().resolve(own + stamp + nativeExtension()), "old");
            Files.writeString(directory().resolve(own + stamp + nativeExtension() + ".sha256"), "x");
        }
        Files.writeString(directory().resolve("unrelated.txt"), "keep me");

        Execution dry = runs.run(job, true);
        assertThat((List<?>) details(dry).get("would_remove")).hasSize(2);

        Execution run = runs.run(job, false);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        @SuppressWarnings("unchecked")
        List<Object> removed = (List<Object>) details(run).get("removed");
        assertThat(removed)
                .containsExactlyInAnyOrder(
                        own + "20260520T100000Z" + nativeExtension(), own + "20260401T100000Z" + nativeExtension());
        try (var files = Files.list(directory())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .contains("unrelated.txt", own + "20260531T100000Z" + nativeExtension())
                    .doesNotContain(own + "20260401T100000Z" + nativeExtension() + ".sha256");
        }
    }

    /**
     * A run killed while it wrote its backup leaves a .part file no retention counts; once it is older than any run
     * may take, the job's next backup removes it, and its dry run says it would. A recent one (a run of the job that
     * may still be writing) and another job's are left alone.
     */
    @Test
    void removesTheUnfinishedFilesOfKilledRunsOnceNoRunCanStillWriteThem() throws Exception {
        Job job = runs.create("backup-" + System.nanoTime(), "backup", backup());
        String own = target() + "-" + job.id() + "-";
        Files.createDirectories(directory());
        String abandoned = own + "20260520T100000Z" + nativeExtension() + ".part";
        String abandonedRaw = own + "20260401T100000Z-2" + nativeExtension() + ".part.raw";
        String recent = own + "20260530T100000Z" + nativeExtension() + ".part";
        String others = target() + "-another-job-20260101T100000Z" + nativeExtension() + ".part";
        for (String name : List.of(abandoned, abandonedRaw, recent, others)) {
            Files.writeString(directory().resolve(name), "half a backup");
        }

        Execution dry = runs.run(job, true);
        assertThat(((List<?>) details(dry).get("would_remove"))
                        .stream().map(String::valueOf).toList())
                .containsExactlyInAnyOrder(abandoned, abandonedRaw);
        Execution run = runs.run(job, false);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(directory().resolve(abandoned)).doesNotExist();
        assertThat(directory().resolve(abandonedRaw)).doesNotExist();
        assertThat(directory().resolve(recent)).exists();
        assertThat(directory().resolve(others)).exists();
    }

    @Test
    void aJobsRetentionLeavesTheBackupsOfAnotherJobOnTheSameTargetAlone() throws Exception {
        Job admins = runs.create("admins-backup-" + System.nanoTime(), "backup", backup());
        List<String> adminsFiles = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Execution run = runs.run(admins, false);
            assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
            adminsFiles.add((String) details(run).get("file"));
            clock.advance(java.time.Duration.ofHours(1));
        }
        Files.writeString(directory().resolve(target() + "-20260501T100000Z" + nativeExtension()), "before job ids");
        Map<String, Object> keepOne = backup();
        keepOne.put("keep_last", 1);
        keepOne.put("max_age_days", 1);
        Job editors = runs.create("editors-backup-" + System.nanoTime(), "backup", keepOne);

        Execution dry = runs.run(editors, true);
        Execution run = runs.run(editors, false);

        assertThat((List<?>) details(dry).get("would_remove")).isEmpty();
        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat((List<?>) details(run).get("removed")).isEmpty();
        for (String file : adminsFiles) {
            assertThat(directory().resolve(file)).exists();
        }
        assertThat(directory().resolve(target() + "-20260501T100000Z" + nativeExtension()))
                .exists();
    }

    @Test
    void autoBacksUpTheAllowedColumnsAsJsonLinesWhenATableHasAColumnTheAllowlistLeavesOut() throws Exception {
        addPasswordHashes();

        Execution run = runs.run("backup", backup());

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("method", "jsonl");
        String dump = gunzip(directory().resolve((String) details(run).get("file")));
        assertThat(dump).contains("\"email\"").doesNotContain("password_hash").doesNotContain("pbkdf2-secret");
    }

    @Test
    void refusesANativeBackupNamingTheColumnTheAllowlistLeavesOut() throws Exception {
        addPasswordHashes();
        Map<String, Object> parameters = backup();
        parameters.put("method", "native");
        parameters.put("also_artifact", true);

        Execution dry = runs.dryRun("backup", parameters);
        Execution run = runs.run("backup", parameters);

        assertThat(dry.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(dry.error() + " " + dry.result()).contains("users.password_hash");
        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(run.error()).contains("users.password_hash").doesNotContain("pbkdf2-secret");
        try (var files = Files.list(directory())) {
            assertThat(files.toList()).isEmpty();
        } catch (java.nio.file.NoSuchFileException none) {
            // nothing was written
        }
    }

    /** The column an exploratory tester added: on an allowed table, not on the allowlist. */
    void addPasswordHashes() throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE users ADD COLUMN password_hash VARCHAR(100)");
            s.execute("UPDATE users SET password_hash = 'pbkdf2-secret-' || id");
        }
    }

    /** The demo tables with every column they have: the demo target's allowlist plus the body of messages. */
    static Map<String, String> everyColumn() {
        Map<String, String> tables = new java.util.LinkedHashMap<>();
        DemoDatabase.ALLOWLIST.forEach((table, columns) -> tables.put(table, String.join(",", columns)));
        tables.computeIfPresent("messages", (table, columns) -> columns + ",body");
        return tables;
    }

    static String gunzip(Path file) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
