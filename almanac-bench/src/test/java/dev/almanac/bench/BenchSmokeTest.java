package dev.almanac.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's quick mode as a smoke check: every workload on every system, tiny sizes, one run. It checks that
 * the harness runs and writes its report, never how fast anything was. It uses the test suite's PostgreSQL (the
 * same settings); when none is reachable it is skipped, unless {@code ALMANAC_TEST_POSTGRES_REQUIRED=true} (CI).
 */
class BenchSmokeTest {

    static final String URL = setting("ALMANAC_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = setting("ALMANAC_TEST_POSTGRES_USER", "postgres");
    static final String PASSWORD = setting("ALMANAC_TEST_POSTGRES_PASSWORD", "");
    static final boolean REQUIRED = Boolean.parseBoolean(setting("ALMANAC_TEST_POSTGRES_REQUIRED", "false"));

    @Test
    void theQuickModeRunsEveryWorkloadOnEverySystemAndWritesItsReport() throws Exception {
        assumeTrue(
                REQUIRED || reachable(), "PostgreSQL is not reachable at " + URL + ": benchmark smoke check skipped");
        Path out = Path.of("target", "bench-quick");
        Options options = Options.parse(
                "--quick",
                "--db-url=" + URL,
                "--db-user=" + USER,
                "--db-password=" + PASSWORD,
                "--out=" + out,
                "--update-readme=false");

        Path report = new Bench(options).run();

        assertThat(report).exists();
        assertThat(out.resolve("drain-throughput.png")).exists();
        assertThat(out.resolve("lateness-percentiles.png")).exists();
        assertThat(out.resolve("raw.csv")).exists();
        String markdown = Files.readString(report);
        for (String system : new String[] {
            "Almanac, 1 node",
            "Almanac, 3 nodes",
            "db-scheduler fetch, 1 instance",
            "db-scheduler lock-and-fetch, 3 instances",
            "Quartz JDBC clustered, 3 instances"
        }) {
            assertThat(markdown).contains("| executions per second (exec/s) | " + system + " |");
        }
        assertThat(markdown).contains("### registry", "### api", "### footprint", "### history");
        assertThat(markdown)
                .contains(
                        "| start-up to health UP (s) | Almanac, 1 node |",
                        "| RSS, after the API load (MiB) | Almanac, 1 node |",
                        "| API mix at a fixed rate, p99 (ms) | Almanac, 1 node |",
                        "| GET /jobs/{id} / health throughput (ratio) | Almanac, 1 node |",
                        "| page: job list (ms) | Almanac, 1 node |");
    }

    private static boolean reachable() {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        properties.setProperty("password", PASSWORD);
        properties.setProperty("connectTimeout", "3");
        try (Connection ignored = DriverManager.getConnection(URL, properties)) {
            return true;
        } catch (Exception e) {
            System.err.printf(
                    "%n*** PostgreSQL is not reachable at %s (%s): benchmark smoke check SKIPPED%n%n", URL, e);
            return false;
        }
    }

    private static String setting(String name, String fallback) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name.toLowerCase().replace('_', '.'));
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
