package dev.almanac.template.builtin;

import static dev.almanac.template.builtin.DatabaseCleanupTests.details;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.target.internal.DemoDatabase;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.PostgresTestDatabase;
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

/** backup on H2 (SCRIPT) and PostgreSQL (pg_dump), the JSON Lines fallback, checksums, verify, retention, restore. */
abstract class BackupTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends BackupTests {
        @Autowired
        DemoDatabase demo;

        @Override
        String target() {
            return "demo";
        }

        @Override
        void recreate() throws Exception {
            demo.recreate(START);
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
                assertThat(rs.getLong(1)).isEqualTo(400);
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
            registry.add("almanac.targets.sample.tables.tickets", () -> "id,status,priority,created_at");
            registry.add("almanac.targets.sample.tables.users", () -> "id,email,status,created_at");
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
            try (Connection c = DriverManager.getConnection(
                    PostgresTestDatabase.URL + "?currentSchema=" + SCHEMA,
                    PostgresTestDatabase.USER,
                    PostgresTestDatabase.PASSWORD)) {
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

    abstract String nativeExtension();

    @Autowired
    TemplateRuns runs;

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

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
