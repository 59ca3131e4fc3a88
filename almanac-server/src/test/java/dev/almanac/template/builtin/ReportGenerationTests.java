package dev.almanac.template.builtin;

import static dev.almanac.template.builtin.DatabaseCleanupTests.details;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.common.FieldError;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.target.internal.DemoDatabase;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.WithH2;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** report_generation over Almanac's own history and over a demo table, downloaded as artifacts. */
@WithH2
class ReportGenerationTests extends AlmanacIntegrationTest {

    @Autowired
    TemplateRuns runs;

    @Autowired
    TemplateRegistry templates;

    @Autowired
    DemoDatabase demo;

    @Test
    void summarisesJobActivityPerJobAndPerTemplate() throws Exception {
        var beat = runs.create("beat", "heartbeat", Map.of());
        for (int i = 0; i < 3; i++) {
            runs.run(beat, false);
        }
        runs.run(runs.create("broken", "test_fail", Map.of()), false);
        clock.advance(Duration.ofMinutes(1));

        Execution report =
                runs.run("report_generation", Map.of("report", "job_activity", "range", "last_24h", "format", "json"));

        assertThat(report.status()).as(report.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        String json = download(report);
        assertThat((List<Object>) JsonPath.read(json, "$.rows[?(@.by == 'job' && @.name == 'beat')].runs"))
                .containsExactly(3);
        assertThat((List<Object>)
                        JsonPath.read(json, "$.rows[?(@.by == 'job' && @.name == 'beat')].success_rate_percent"))
                .containsExactly(100.0);
        assertThat((List<Object>) JsonPath.read(json, "$.rows[?(@.by == 'job' && @.name == 'broken')].failed"))
                .containsExactly(1);
        assertThat((List<Object>)
                        JsonPath.read(json, "$.rows[?(@.by == 'template' && @.name == 'heartbeat')].duration_p95_ms"))
                .hasSize(1);
    }

    @Test
    void countsTableRowsPerWeekByGroupAsCsv() throws Exception {
        demo.recreate(START);
        Execution report = runs.run(
                "report_generation",
                Map.of(
                        "report",
                        "table_summary",
                        "target",
                        "demo",
                        "table",
                        "tickets",
                        "date_column",
                        "created_at",
                        "group_by",
                        "status",
                        "bucket",
                        "week",
                        "range",
                        "last_30d",
                        "format",
                        "csv"));

        assertThat(report.status()).as(report.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        List<String> lines = download(report).lines().toList();
        assertThat(lines.get(0)).isEqualTo("week_starting,status,rows");
        long total = lines.stream()
                .skip(1)
                .mapToLong(line -> Long.parseLong(line.substring(line.lastIndexOf(',') + 1)))
                .sum();
        long expected = jdbcCountOfRecentTickets();
        assertThat(total).isEqualTo(expected);
        assertThat(lines.get(1)).matches("2026-0[45]-\\d\\d,(open|in_progress|resolved|closed),\\d+");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aNullGroupIsNullNotTheTextNull() throws Exception {
        demo.recreate(START);
        try (var c = java.sql.DriverManager.getConnection(
                        "jdbc:h2:file:"
                                + java.nio.file.Path.of("target/test-data/demo").toAbsolutePath()
                                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE",
                        "sa",
                        "");
                var s = c.createStatement()) {
            s.execute("ALTER TABLE tickets ALTER COLUMN status SET NULL");
            s.execute("UPDATE tickets SET status = CASE WHEN MOD(id, 2) = 0 THEN NULL ELSE 'null' END");
        }
        Execution report = runs.run(
                "report_generation",
                Map.of(
                        "report", "table_summary",
                        "target", "demo",
                        "table", "tickets",
                        "date_column", "created_at",
                        "group_by", "status",
                        "bucket", "week",
                        "range", "last_30d",
                        "format", "json"));

        assertThat(report.status()).as(report.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        String json = download(report);
        List<Object> statuses = JsonPath.read(json, "$.rows[*].status");
        assertThat(statuses).contains("null").containsNull();
        long total = ((List<Number>) JsonPath.read(json, "$.rows[*].rows"))
                .stream().mapToLong(Number::longValue).sum();
        assertThat(total).isEqualTo(jdbcCountOfRecentTickets());
        demo.recreate(START);
    }

    @Test
    void rendersAnHtmlReport() throws Exception {
        runs.run(runs.create("html beat", "heartbeat", Map.of()), false);
        clock.advance(Duration.ofMinutes(1));

        Execution report = runs.run("report_generation", Map.of("report", "job_activity", "range", "last_7d"));

        String html = download(report);
        assertThat(html)
                .startsWith("<!DOCTYPE html>")
                .contains("<h1>Job activity</h1>", "<td>job</td><td>html beat</td><td>1</td><td>1</td>")
                .endsWith("</html>\n");
        assertThat(ReportGenerationTemplate.percentile(List.of(10L, 20L, 30L, 40L), 0.5))
                .isEqualTo(20L);
        assertThat(ReportGenerationTemplate.percentile(List.of(10L, 20L, 30L, 40L), 0.95))
                .isEqualTo(40L);
    }

    @Test
    void validatesRangesAndTableSummaries() {
        assertThat(templates.validateParameters(
                        "report_generation",
                        Map.of("report", "job_activity", "range", "custom", "from", "2026-05-02", "to", "2026-05-01")))
                .extracting(FieldError::field)
                .containsExactly("to");
        assertThat(templates.validateParameters(
                        "report_generation",
                        Map.of(
                                "report",
                                "table_summary",
                                "target",
                                "demo",
                                "table",
                                "tickets",
                                "date_column",
                                "created_at",
                                "group_by",
                                "password")))
                .extracting(FieldError::field)
                .containsExactly("group_by");
        assertThat(templates.validateParameters("report_generation", Map.of("report", "table_summary")))
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder("target", "table", "date_column");
    }

    private String download(Execution report) throws Exception {
        String artifact = (String) details(report).get("artifact_id");
        return mvc.perform(get("/api/admin/scheduler/executions/" + report.id() + "/artifacts/" + artifact))
                .andReturn()
                .getResponse()
                .getContentAsString();
    }

    private long jdbcCountOfRecentTickets() throws Exception {
        try (var c = java.sql.DriverManager.getConnection(
                        "jdbc:h2:file:"
                                + java.nio.file.Path.of("target/test-data/demo").toAbsolutePath()
                                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE",
                        "sa",
                        "");
                var s = c.createStatement();
                var rs = s.executeQuery(
                        "SELECT COUNT(*) FROM tickets WHERE created_at >= TIMESTAMP WITH TIME ZONE '2026-05-02 10:00:00+00'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
