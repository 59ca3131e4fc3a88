package dev.almanac.template.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * data_sync copies rows from an H2 source target to an H2 destination (on H2) and to a PostgreSQL destination (on
 * PostgreSQL): idempotent, counted by a dry run, incremental past a watermark, and refused outside the allowlist.
 */
abstract class DataSyncTests extends AlmanacIntegrationTest {

    static final String SOURCE_URL = "jdbc:h2:mem:sync_source;DB_CLOSE_DELAY=-1";
    static final String ROW_COLUMNS = "id,name,amount,updated_at";
    static final String TABLE = """
            CREATE TABLE %s (id BIGINT PRIMARY KEY, name VARCHAR(100), amount NUMERIC(12, 2),
              updated_at TIMESTAMP WITH TIME ZONE NOT NULL, secret VARCHAR(100))""";

    static void sourceTarget(DynamicPropertyRegistry registry) {
        registry.add("almanac.targets.source.url", () -> SOURCE_URL);
        registry.add("almanac.targets.source.user", () -> "sa");
        registry.add("almanac.targets.source.tables.items", () -> ROW_COLUMNS);
    }

    @WithH2
    static class OnH2 extends DataSyncTests {
        static final String URL = "jdbc:h2:mem:sync_destination;DB_CLOSE_DELAY=-1";

        @DynamicPropertySource
        static void targets(DynamicPropertyRegistry registry) {
            sourceTarget(registry);
            registry.add("almanac.targets.copy.url", () -> URL);
            registry.add("almanac.targets.copy.user", () -> "sa");
            registry.add("almanac.targets.copy.tables.items_copy", () -> ROW_COLUMNS);
        }

        @Override
        Connection destination() throws Exception {
            return DriverManager.getConnection(URL, "sa", "");
        }
    }

    @WithPostgres
    static class OnPostgres extends DataSyncTests {
        static final String SCHEMA = PostgresTestDatabase.scratchSchema("sync");

        @DynamicPropertySource
        static void targets(DynamicPropertyRegistry registry) {
            sourceTarget(registry);
            registry.add("almanac.targets.copy.url", OnPostgres::url);
            registry.add("almanac.targets.copy.user", () -> PostgresTestDatabase.USER);
            registry.add("almanac.targets.copy.password", () -> PostgresTestDatabase.PASSWORD);
            registry.add("almanac.targets.copy.tables.items_copy", () -> ROW_COLUMNS);
        }

        static String url() {
            return PostgresTestDatabase.URL + "?currentSchema=" + SCHEMA;
        }

        @Override
        Connection destination() throws Exception {
            try (Connection c = DriverManager.getConnection(
                            PostgresTestDatabase.URL, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD);
                    Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            }
            return DriverManager.getConnection(url(), PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD);
        }
    }

    abstract Connection destination() throws Exception;

    static final OffsetDateTime T0 = OffsetDateTime.of(2026, 5, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    @Autowired
    TemplateRuns runs;

    @BeforeEach
    void freshTables() throws Exception {
        try (Connection c = source();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS items");
            s.execute(TABLE.formatted("items"));
        }
        try (Connection c = destination();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS items_copy");
            s.execute(TABLE.formatted("items_copy"));
        }
    }

    @Test
    void syncsTenThousandRowsIdempotentlyAndADryRunCountsWhatItWouldChange() throws Exception {
        insert(1, 10_000, 0);
        Job job = runs.create("sync", "data_sync", sync(null));

        Execution dryRun = runs.run(job, true);
        assertThat(details(dryRun)).containsEntry("inserted", 10_000).containsEntry("updated", 0);
        assertThat(countCopies()).isZero();

        Execution first = runs.run(job, false);
        assertThat(first.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(first))
                .containsEntry("inserted", 10_000)
                .containsEntry("updated", 0)
                .containsEntry("batches", 10);
        assertThat(((Number) first.result().get("records_affected")).longValue())
                .isEqualTo(10_000);
        assertThat(countCopies()).isEqualTo(10_000);
        assertThat(copyOf(1234)).isEqualTo("item 1234|12.34");

        Execution second = runs.run(job, false);
        assertThat(details(second)).containsEntry("inserted", 0).containsEntry("updated", 0);
        assertThat(((Number) second.result().get("records_affected")).longValue())
                .isZero();

        try (Connection c = source();
                Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE items SET name = 'renamed' WHERE id <= 5");
        }
        insert(10_001, 10_003, 0);
        Execution dryAgain = runs.run(job, true);
        assertThat(details(dryAgain)).containsEntry("inserted", 3).containsEntry("updated", 5);
        assertThat(countCopies()).isEqualTo(10_000);
        assertThat(copyOf(1)).startsWith("item 1|");

        Execution third = runs.run(job, false);
        assertThat(details(third)).containsEntry("inserted", 3).containsEntry("updated", 5);
        assertThat(countCopies()).isEqualTo(10_003);
        assertThat(copyOf(1)).startsWith("renamed|");
    }

    @Test
    void anIncrementalSyncCopiesOnlyRowsPastTheWatermark() throws Exception {
        insert(1, 100, 0);
        Job job = runs.create("incremental", "data_sync", sync("updated_at"));

        Execution first = runs.run(job, false);
        assertThat(details(first))
                .containsEntry("inserted", 100)
                .containsEntry("watermark", T0.plusMinutes(100).toString());

        try (Connection c = source();
                Statement s = c.createStatement()) {
            // a change that does not move the watermark is not seen: that is what incremental means
            s.executeUpdate("UPDATE items SET name = 'unseen' WHERE id = 1");
            s.executeUpdate("UPDATE items SET name = 'seen', updated_at = TIMESTAMP WITH TIME ZONE"
                    + " '2026-06-01 00:00:00+00' WHERE id = 2");
        }
        insert(101, 110, 1000);

        Execution second = runs.run(job, false);
        assertThat(second.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(second.result().get("records_processed")).isEqualTo(11);
        assertThat(details(second)).containsEntry("inserted", 10).containsEntry("updated", 1);
        assertThat(copyOf(1)).startsWith("item 1|");
        assertThat(copyOf(2)).startsWith("seen|");

        Execution third = runs.run(job, false);
        assertThat(third.result().get("records_processed")).isEqualTo(0);
    }

    @Test
    void aRunStoppedBetweenRowsOfOneWatermarkValueResumesAfterItsLastCommittedRow() throws Exception {
        try (Connection c = source();
                Statement s = c.createStatement()) {
            for (int id = 1; id <= 5; id++) {
                s.executeUpdate("INSERT INTO items (id, name, amount, updated_at) VALUES (" + id + ", 'item " + id
                        + "', 1, TIMESTAMP WITH TIME ZONE '2026-05-01 00:00:00+00')");
            }
        }
        try (Connection c = destination();
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE items_copy ADD CONSTRAINT no_three CHECK (name <> 'item 3')");
        }
        Map<String, Object> parameters = sync("updated_at");
        parameters.put("batch_size", 2);
        Job job = runs.create("resumed", "data_sync", parameters);

        Execution stopped = runs.run(job, false);
        assertThat(stopped.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(countCopies()).as("the first batch was committed").isEqualTo(2);

        try (Connection c = destination();
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE items_copy DROP CONSTRAINT no_three");
        }
        Execution resumed = runs.run(job, false);
        assertThat(resumed.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(resumed)).containsEntry("inserted", 3).containsEntry("updated", 0);
        assertThat(resumed.result().get("records_processed")).isEqualTo(3);
        assertThat(countCopies()).isEqualTo(5);

        // a position saved before keys were kept re-reads its watermark value's rows, changing nothing
        jdbc.sql("UPDATE data_sync_watermarks SET last_key = NULL").update();
        Execution legacy = runs.run(job, false);
        assertThat(legacy.result().get("records_processed")).isEqualTo(5);
        assertThat(details(legacy)).containsEntry("inserted", 0).containsEntry("updated", 0);

        // a last key that no longer reads as the key column's value (the job's key column changed) is let go: the run
        // starts at the watermark's value instead of failing every time
        jdbc.sql("UPDATE data_sync_watermarks SET last_key = 'A-17'").update();
        Execution changedKey = runs.run(job, false);
        assertThat(changedKey.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(changedKey.result().get("records_processed")).isEqualTo(5);
    }

    @Test
    void refusesATableOrColumnOutsideTheAllowlistNamingTheField() throws Exception {
        Map<String, Object> secretColumn = sync(null);
        secretColumn.put("columns", List.of("name", "secret"));
        create(secretColumn)
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.errors[0].field").value("parameters.columns[1]"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("'secret' is not an allowed column")));

        Map<String, Object> foreignTable = sync(null);
        foreignTable.put("table", "jobs");
        create(foreignTable)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.table"));

        Map<String, Object> sourceTable = sync(null);
        sourceTable.put("source_table", "users");
        create(sourceTable)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.source_table"));

        Map<String, Object> keyNotOnDestination = sync(null);
        keyNotOnDestination.put("key_column", "secret");
        create(keyNotOnDestination)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.key_column"));
    }

    private org.springframework.test.web.servlet.ResultActions create(Map<String, Object> parameters) throws Exception {
        String body = new tools.jackson.databind.json.JsonMapper()
                .writeValueAsString(Map.of(
                        "name",
                        "refused",
                        "template_type",
                        "data_sync",
                        "parameters",
                        parameters,
                        "schedule",
                        Map.of("type", "cron", "expression", "0 3 * * *")));
        return mvc.perform(post("/api/admin/scheduler/jobs")
                .contentType(MediaType.APPLICATION_JSON)
                .content(body));
    }

    @Test
    void aDryRunFailsWhenTheKeyColumnIsNotUniqueOnTheDestination() throws Exception {
        insert(1, 20, 0);
        Map<String, Object> parameters = sync(null);
        parameters.put("key_column", "name");
        parameters.put("columns", List.of("id", "amount", "updated_at"));

        Execution dry = runs.dryRun("data_sync", parameters);

        assertThat(dry.status()).isEqualTo(ExecutionStatus.FAILED);
        String said = dry.error() + " " + dry.result();
        assertThat(said).contains("key column 'name'").doesNotContain("item 1");
    }

    @Test
    void aDryRunFailsNamingADestinationColumnThatMustBeSetButIsNotCopied() throws Exception {
        insert(1, 3, 0);
        onDestination(
                "ALTER TABLE items_copy ADD COLUMN note VARCHAR(10) NOT NULL",
                "ALTER TABLE items_copy ADD COLUMN origin VARCHAR(10) DEFAULT 'sync' NOT NULL");

        Execution dry = runs.dryRun("data_sync", sync(null));

        assertThat(dry.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(dry.result().get("message").toString())
                .contains("Pre-flight failed")
                .contains("copy.items_copy requires 'note'")
                .doesNotContain("origin");
        assertThat(countCopies()).isZero();
    }

    /**
     * A table whose name differs from the destination's only where the destination has an underscore: metadata
     * patterns read {@code _} as any character, and its NOT NULL column is no column of the destination.
     */
    @Test
    void aSiblingTableMatchedByTheUnderscoreAsAWildcardDoesNotFailThePreflight() throws Exception {
        insert(1, 3, 0);
        onDestination(
                "DROP TABLE IF EXISTS itemsXcopy",
                "CREATE TABLE itemsXcopy (id BIGINT PRIMARY KEY, required_elsewhere VARCHAR(10) NOT NULL)");
        try {
            Execution dry = runs.dryRun("data_sync", sync(null));

            assertThat(dry.status()).as(dry.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        } finally {
            onDestination("DROP TABLE itemsXcopy");
        }
    }

    void onDestination(String... statements) throws Exception {
        try (Connection c = destination();
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    static Map<String, Object> sync(String watermark) {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("source_target", "source");
        parameters.put("source_table", "items");
        parameters.put("target", "copy");
        parameters.put("table", "items_copy");
        parameters.put("columns", List.of("name", "amount", "updated_at"));
        parameters.put("key_column", "id");
        if (watermark != null) {
            parameters.put("watermark_column", watermark);
        }
        return parameters;
    }

    static Connection source() throws Exception {
        return DriverManager.getConnection(SOURCE_URL, "sa", "");
    }

    /** Rows {@code from..to}: name "item N", amount N/100, updated N (+ shift) minutes after T0, a secret. */
    static void insert(long from, long to, long shiftMinutes) throws Exception {
        try (Connection c = source();
                PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO items (id, name, amount, updated_at, secret) VALUES (?, ?, ?, ?, 'hidden')")) {
            for (long id = from; id <= to; id++) {
                insert.setLong(1, id);
                insert.setString(2, "item " + id);
                insert.setBigDecimal(3, java.math.BigDecimal.valueOf(id, 2));
                insert.setObject(4, T0.plusMinutes(id + shiftMinutes));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    long countCopies() throws Exception {
        try (Connection c = destination();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(secret) FROM items_copy")) {
            rs.next();
            assertThat(rs.getLong(2)).as("the secret column is never copied").isZero();
            return rs.getLong(1);
        }
    }

    String copyOf(long id) throws Exception {
        try (Connection c = destination();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, amount FROM items_copy WHERE id = " + id)) {
            return rs.next() ? rs.getString(1) + "|" + rs.getBigDecimal(2).toPlainString() : null;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> details(Execution run) {
        assertThat(run.result())
                .as("result of %s: %s", run.status(), run.error())
                .isNotNull();
        return (Map<String, Object>) run.result().get("details");
    }
}
