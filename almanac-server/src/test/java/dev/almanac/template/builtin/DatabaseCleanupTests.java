package dev.almanac.template.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.FieldError;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.target.internal.DemoDatabase;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.JobRequests;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.RowHook;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * database_cleanup against real sample tables: the demo H2 target, and the same tables in PostgreSQL. Counting is the
 * default, deleting happens in batches up to max_rows, and every injection attempt is refused before a run exists.
 */
abstract class DatabaseCleanupTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends DatabaseCleanupTests {
        @Autowired
        DemoDatabase demo;

        @Override
        String target() {
            return "demo";
        }

        @Override
        Connection connect() throws Exception {
            return DriverManager.getConnection(
                    "jdbc:h2:file:"
                            + java.nio.file.Path.of("target/test-data/demo").toAbsolutePath()
                            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE",
                    "sa",
                    "");
        }

        @Override
        void recreate() throws Exception {
            demo.recreate(START);
        }

        @Test
        void aRunThatPassesItsDeadlineSaysHowManyRowsItsCommittedBatchesDeleted() throws Exception {
            recreate();
            long old = count("sessions", "created_at < TIMESTAMP WITH TIME ZONE '2026-03-03 10:00:00+00'");
            try (Connection c = connect();
                    Statement s = c.createStatement()) {
                s.execute("CREATE TRIGGER pass_deadline BEFORE DELETE ON sessions FOR EACH ROW CALL"
                        + " \"dev.almanac.testing.RowHookTrigger\"");
            }
            // the first batch's first row moves the clock past the deadline; the batch still commits
            RowHook.once(() -> clock.advance(java.time.Duration.ofHours(1)));
            Map<String, Object> parameters = cleanup("sessions", 90);
            parameters.put("dry_run", false);
            parameters.put("batch_size", 100);
            Job job = jobs.create(
                    JobRequests.aCronJob("stopped-cleanup", "0 3 * * *")
                            .template("database_cleanup", parameters)
                            .timeout(600)
                            .build(),
                    "test");

            Execution run = runs.run(job, false);

            assertThat(run.status()).isEqualTo(ExecutionStatus.TIMED_OUT);
            assertThat(((Number) run.result().get("records_affected")).longValue())
                    .isEqualTo(100);
            assertThat(details(run)).containsEntry("deleted", 100).containsEntry("batches", 1);
            assertThat(count("sessions", "created_at < TIMESTAMP WITH TIME ZONE '2026-03-03 10:00:00+00'"))
                    .isEqualTo(old - 100);
        }
    }

    @WithPostgres
    static class OnPostgres extends DatabaseCleanupTests {
        static final String SCHEMA = PostgresTestDatabase.scratchSchema("sample");

        @DynamicPropertySource
        static void sampleTarget(DynamicPropertyRegistry registry) {
            registry.add("almanac.targets.sample.url", OnPostgres::url);
            registry.add("almanac.targets.sample.user", () -> PostgresTestDatabase.USER);
            registry.add("almanac.targets.sample.password", () -> PostgresTestDatabase.PASSWORD);
            registry.add("almanac.targets.sample.tables.sessions", () -> "id,user_id,ip_address,created_at");
            registry.add("almanac.targets.sample.tables.tickets", () -> "id,status,priority,created_at,resolved_at");
            registry.add("almanac.targets.sample.tables.logs", () -> "id,level,source,created_at");
        }

        static String url() {
            return PostgresTestDatabase.URL + "?currentSchema=" + SCHEMA;
        }

        @Override
        String target() {
            return "sample";
        }

        @Override
        Connection connect() throws Exception {
            return DriverManager.getConnection(url(), PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD);
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
                DemoDatabase.create(c, START, 500);
            }
        }
    }

    abstract String target();

    abstract Connection connect() throws Exception;

    abstract void recreate() throws Exception;

    @Autowired
    TemplateRuns runs;

    @Autowired
    JobService jobs;

    @Autowired
    TemplateRegistry templates;

    @Test
    void countsByDefaultAndDeletesNothing() throws Exception {
        recreate();
        long before = count("sessions", "created_at < TIMESTAMP WITH TIME ZONE '2026-03-03 10:00:00+00'");
        assertThat(before).isPositive();

        Execution run = runs.run("database_cleanup", cleanup("sessions", 90));

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("matching_rows", (int) before).containsEntry("dry_run", true);
        assertThat(count("sessions", "1 = 1")).isEqualTo(1500);
    }

    @Test
    void deletesOldRowsInBatchesUpToMaxRows() throws Exception {
        recreate();
        long old = count("sessions", "created_at < TIMESTAMP WITH TIME ZONE '2026-03-03 10:00:00+00'");
        Map<String, Object> parameters = cleanup("sessions", 90);
        parameters.put("dry_run", false);
        parameters.put("batch_size", 100);
        parameters.put("max_rows", 250);

        Execution run = runs.run("database_cleanup", parameters);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("deleted", 250).containsEntry("batches", 3);
        assertThat(count("sessions", "1 = 1")).isEqualTo(1500 - 250);
        assertThat((List<?>) run.result().get("warnings")).hasSize(1);

        parameters.put("max_rows", 100000);
        Execution rest = runs.run("database_cleanup", parameters);
        assertThat(details(rest)).containsEntry("deleted", (int) old - 250);
        assertThat(count("sessions", "created_at < TIMESTAMP WITH TIME ZONE '2026-03-03 10:00:00+00'"))
                .isZero();
    }

    @Test
    void deletesOnlyRowsMatchingEveryCondition() throws Exception {
        recreate();
        long resolvedOld = count(
                "tickets",
                "status IN ('resolved', 'closed') AND priority <> 'high' AND resolved_at IS NOT NULL"
                        + " AND created_at < TIMESTAMP WITH TIME ZONE '2026-05-02 10:00:00+00'");
        long all = count("tickets", "1 = 1");
        Map<String, Object> parameters = cleanup("tickets", "P30D");
        parameters.put("dry_run", false);
        parameters.put(
                "conditions",
                List.of(
                        Map.of("column", "status", "op", "in", "value", List.of("resolved", "closed")),
                        Map.of("column", "priority", "op", "!=", "value", "high"),
                        Map.of("column", "resolved_at", "op", "is_not_null")));

        Execution run = runs.run("database_cleanup", parameters);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("deleted", (int) resolvedOld);
        assertThat(count("tickets", "1 = 1")).isEqualTo(all - resolvedOld);
    }

    @Test
    void aValueThatLooksLikeSqlIsOnlyAValue() throws Exception {
        recreate();
        Map<String, Object> parameters = cleanup("tickets", 1);
        parameters.put("dry_run", false);
        parameters.put("conditions", List.of(Map.of("column", "status", "op", "=", "value", "' OR 1=1--")));

        Execution run = runs.run("database_cleanup", parameters);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("deleted", 0);
        assertThat(count("tickets", "1 = 1")).isEqualTo(400);
    }

    @Test
    void aDryRunReportsWhatARealRunWouldDelete() throws Exception {
        recreate();
        Map<String, Object> parameters = cleanup("logs", 30);
        parameters.put("dry_run", false);
        long old = count("logs", "created_at < TIMESTAMP WITH TIME ZONE '2026-05-02 10:00:00+00'");

        Execution run = runs.dryRun("database_cleanup", parameters);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("would_delete", (int) old);
        assertThat(count("logs", "1 = 1")).isEqualTo(4000);
    }

    @Test
    void refusesADateColumnThatHoldsTextInTheDryRunAndTheRunNamingTheField() throws Exception {
        recreate();
        Map<String, Object> parameters = cleanup("tickets", 1);
        parameters.put("date_column", "status");
        parameters.put("dry_run", false);

        Execution dry = runs.dryRun("database_cleanup", parameters);
        assertThat(dry.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(dry.result().get("message").toString())
                .contains("Pre-flight failed")
                .contains("parameters.date_column: 'status'");

        Execution run = runs.run("database_cleanup", parameters);
        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(run.error() + " " + run.result()).contains("parameters.date_column: 'status'");
        assertThat(count("tickets", "1 = 1")).isEqualTo(400);
    }

    @Test
    void aValueThatDoesNotFitItsColumnFailsTheDryRunAndTheRunNamingTheField() throws Exception {
        recreate();
        Map<String, Object> parameters = cleanup("tickets", 1);
        parameters.put("dry_run", false);
        parameters.put("conditions", List.of(Map.of("column", "id", "op", "=", "value", "1 OR 1=1")));
        String named = "parameters.conditions[0].value: '1 OR 1=1' is not a whole number for column id";

        Execution dry = runs.dryRun("database_cleanup", parameters);
        Execution run = runs.run("database_cleanup", parameters);

        assertThat(dry.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(dry.error() + " " + dry.result()).contains(named);
        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(run.error()).contains(named);
        assertThat(count("tickets", "1 = 1")).isEqualTo(400);
    }

    @Test
    void aNumberTooLargeForADoubleIsRefusedOnSave() throws Exception {
        String body = """
                {"name": "infinite", "template_type": "database_cleanup",
                 "schedule": {"type": "cron", "expression": "0 3 * * *"},
                 "parameters": {"target": "%s", "table": "tickets", "date_column": "created_at", "older_than": 30,
                   "conditions": [{"column": "id", "op": "<", "value": 1e400}]}}
                """.formatted(target());
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post(
                                "/api/admin/scheduler/jobs")
                        .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.status()
                        .isBadRequest())
                .andExpect(
                        org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath("$.errors[0].field")
                                .value("parameters.conditions[0].value"));
    }

    static Stream<Arguments> injectionAttempts() {
        return Stream.of(
                Arguments.of("table", "pg_authid"),
                Arguments.of("table", "information_schema.tables"),
                Arguments.of("table", "users; DROP TABLE users"),
                Arguments.of("table", "jobs"),
                Arguments.of("date_column", "id;DROP TABLE sessions"),
                Arguments.of("date_column", "' OR 1=1--"),
                Arguments.of("date_column", "password"),
                Arguments.of("date_column", "created_at\"--"),
                Arguments.of("conditions[0].column", "1=1 OR id"),
                Arguments.of("conditions[0].column", "email"),
                Arguments.of("conditions[0].op", "LIKE"),
                Arguments.of("conditions[0].op", "; DELETE"),
                Arguments.of("conditions[0].op", "OR"),
                Arguments.of("conditions[0].value", Map.of("sql", "1=1")),
                Arguments.of("target", "jdbc:postgresql://evil/db"),
                Arguments.of("older_than", "P-30D"),
                Arguments.of("older_than", "30 days; DROP"),
                Arguments.of("older_than", 0));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("injectionAttempts")
    void refusesInjectionAttemptsAtValidation(String field, Object value) {
        Map<String, Object> parameters = cleanup("sessions", 30);
        Map<String, Object> condition = new HashMap<>(Map.of("column", "user_id", "op", "=", "value", 1));
        switch (field) {
            case "conditions[0].column" -> condition.put("column", value);
            case "conditions[0].op" -> condition.put("op", value);
            case "conditions[0].value" -> condition.put("value", value);
            default -> parameters.put(field, value);
        }
        parameters.put("conditions", List.of(condition));

        List<FieldError> errors = templates.validateParameters("database_cleanup", parameters);

        assertThat(errors).extracting(FieldError::field).contains(field);
    }

    @Test
    void acceptsWellFormedParameters() {
        Map<String, Object> parameters = cleanup("sessions", "PT36H");
        parameters.put("conditions", List.of(Map.of("column", "user_id", "op", "in", "value", List.of(1, 2, 3))));

        assertThat(templates.validateParameters("database_cleanup", parameters)).isEmpty();
    }

    Map<String, Object> cleanup(String table, Object olderThan) {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("target", target());
        parameters.put("table", table);
        parameters.put("date_column", "created_at");
        parameters.put("older_than", olderThan);
        return parameters;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> details(Execution run) {
        assertThat(run.result())
                .as("result of %s: %s", run.status(), run.error())
                .isNotNull();
        return (Map<String, Object>) run.result().get("details");
    }

    long count(String table, String where) throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT COUNT(*) FROM " + table + " WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
