package dev.almanac.template.builtin;

import static dev.almanac.template.builtin.DatabaseCleanupTests.details;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.common.FieldError;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.target.internal.DemoDatabase;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.WithH2;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MvcResult;

/**
 * data_export on the demo target: the three formats, gzip, artifacts downloaded through the API, files in the export
 * directory under server-made names, and every way out of that directory refused.
 */
@WithH2
class DataExportTests extends AlmanacIntegrationTest {

    static final Path EXPORTS = Path.of("target/test-data/exports");

    @Autowired
    TemplateRuns runs;

    @Autowired
    TemplateRegistry templates;

    @Autowired
    DemoDatabase demo;

    static boolean demoReady;

    @BeforeEach
    void sampleData() throws Exception {
        if (!demoReady) {
            demo.recreate(START);
            demoReady = true;
        }
    }

    @BeforeAll
    static void emptyExportDirectory() throws Exception {
        if (Files.exists(EXPORTS)) {
            try (var files = Files.list(EXPORTS)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    @Test
    void exportsCsvAsAnArtifactDownloadableThroughTheApi() throws Exception {
        Map<String, Object> parameters = export("users");
        parameters.put("columns", List.of("id", "email", "status", "created_at"));
        parameters.put("conditions", List.of(Map.of("column", "status", "op", "=", "value", "active")));
        parameters.put("order_by", List.of(Map.of("column", "id", "direction", "desc")));

        Execution run = runs.run("data_export", parameters);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        long active = demoCount("SELECT COUNT(*) FROM users WHERE status = 'active'");
        assertThat(details(run)).containsEntry("rows", (int) active);
        String api = "/api/admin/scheduler/executions/" + run.id() + "/artifacts";
        MvcResult list = mvc.perform(get(api))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.artifacts[0].content_type").value("text/csv"))
                .andExpect(jsonPath("$.artifacts[0].path").doesNotExist())
                .andReturn();
        String artifactId = JsonPath.read(list.getResponse().getContentAsString(), "$.artifacts[0].id");
        String name = JsonPath.read(list.getResponse().getContentAsString(), "$.artifacts[0].name");
        assertThat(name).endsWith(".csv");

        MvcResult download = mvc.perform(get(api + "/" + artifactId))
                .andExpect(status().isOk())
                .andExpect(header().string("Content-Type", "text/csv"))
                .andExpect(header().string("Content-Disposition", "attachment; filename=\"" + name + "\""))
                .andReturn();
        List<CSVRecord> records = CSVFormat.DEFAULT
                .builder()
                .setHeader()
                .get()
                .parse(new StringReader(download.getResponse().getContentAsString(StandardCharsets.UTF_8)))
                .getRecords();
        assertThat(records).hasSize((int) active);
        assertThat(records.get(0).toMap()).containsOnlyKeys("id", "email", "status", "created_at");
        assertThat(Long.parseLong(records.get(0).get("id")))
                .isGreaterThan(Long.parseLong(records.get(1).get("id")));
        assertThat(records.get(0).get("created_at")).endsWith("Z");

        mvc.perform(get(api + "/" + java.util.UUID.randomUUID())).andExpect(status().isNotFound());

        // the record deleted through the API takes its files along, not only their rows
        Path files = Path.of("target/test-data/artifacts", run.id().toString());
        assertThat(files).isDirectory();
        mvc.perform(delete("/api/admin/scheduler/executions/" + run.id())).andExpect(status().isOk());
        mvc.perform(get(api + "/" + artifactId)).andExpect(status().isNotFound());
        assertThat(files).doesNotExist();
    }

    @Test
    void exportsGzippedJsonLinesWithALimit() throws Exception {
        Map<String, Object> parameters = export("logs");
        parameters.put("format", "jsonl");
        parameters.put("gzip", true);
        parameters.put("limit", 1234);

        Execution run = runs.run("data_export", parameters);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("rows", 1234).containsEntry("content_type", "application/gzip");
        String artifactId = (String) details(run).get("artifact_id");
        byte[] body = mvc.perform(get("/api/admin/scheduler/executions/" + run.id() + "/artifacts/" + artifactId))
                .andReturn()
                .getResponse()
                .getContentAsByteArray();
        String text =
                new String(new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes(), StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(1234);
        assertThat(lines.get(0)).startsWith("{\"id\":").contains("\"level\":");
    }

    @Test
    void exportsAJsonFileIntoTheExportDirectoryUnderAServerMadeName() throws Exception {
        Map<String, Object> parameters = export("tickets");
        parameters.put("format", "json");
        parameters.put("destination", "file");
        parameters.put("file_name_pattern", "{table}-{date}.{ext}");

        Execution run = runs.run("data_export", parameters);
        Execution again = runs.run("data_export", parameters);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("file", "tickets-2026-06-01.json");
        assertThat(details(again)).containsEntry("file", "tickets-2026-06-01-2.json");
        List<?> rows = JsonPath.read(Files.readString(EXPORTS.resolve("tickets-2026-06-01.json")), "$");
        assertThat(rows).hasSize(400);
    }

    @Test
    void aDryRunCountsAndNamesTheFileWithoutWritingIt() throws Exception {
        Map<String, Object> parameters = export("messages");
        parameters.put("destination", "file");
        parameters.put("file_name_pattern", "dry-{table}.{ext}");

        Execution run = runs.dryRun("data_export", parameters);

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("rows", 1000).containsEntry("file_name", "dry-messages.csv");
        assertThat(EXPORTS.resolve("dry-messages.csv")).doesNotExist();
    }

    @Test
    void neverWritesThroughASymbolicLinkInTheExportDirectory() throws Exception {
        Path outside = Files.createTempFile("almanac-outside", ".csv");
        Files.writeString(outside, "untouched");
        Files.createDirectories(EXPORTS);
        Files.deleteIfExists(EXPORTS.resolve("link-users.csv"));
        Files.createSymbolicLink(EXPORTS.resolve("link-users.csv"), outside.toAbsolutePath());
        Map<String, Object> parameters = export("users");
        parameters.put("destination", "file");
        parameters.put("file_name_pattern", "link-{table}.{ext}");

        Execution run = runs.run("data_export", parameters);

        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(run.error()).contains("symbolic link");
        assertThat(Files.readString(outside)).isEqualTo("untouched");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "../escape.csv",
                "..",
                "a/b.csv",
                "/etc/passwd",
                "a\\b.csv",
                "..%2fescape.csv",
                "%2e%2e%2fescape.csv",
                "file\u0000.csv",
                "~/x.csv",
                ".hidden.csv",
                "{unknown}.csv",
                "name with spaces.csv",
                "C:\\temp\\x.csv"
            })
    void refusesFileNamePatternsThatCouldLeaveTheExportDirectory(String pattern) {
        Map<String, Object> parameters = export("users");
        parameters.put("destination", "file");
        parameters.put("file_name_pattern", pattern);

        assertThat(templates.validateParameters("data_export", parameters))
                .extracting(FieldError::field)
                .contains("file_name_pattern");
    }

    @Test
    void refusesColumnsAndTablesOutsideTheAllowlist() {
        Map<String, Object> parameters = export("users");
        parameters.put("columns", List.of("id", "password_hash"));
        parameters.put("order_by", List.of(Map.of("column", "last_login_at")));
        assertThat(templates.validateParameters("data_export", parameters))
                .extracting(FieldError::field)
                .containsExactly("columns[1]");

        parameters.put("columns", List.of("id"));
        parameters.put("order_by", List.of(Map.of("column", "1; DROP TABLE users")));
        assertThat(templates.validateParameters("data_export", parameters))
                .extracting(FieldError::field)
                .containsExactly("order_by[0].column");
        assertThat(templates.validateParameters("data_export", export("pg_shadow")))
                .extracting(FieldError::field)
                .contains("table");
    }

    private static Map<String, Object> export(String table) {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("target", "demo");
        parameters.put("table", table);
        return parameters;
    }

    private long demoCount(String sql) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(
                        "jdbc:h2:file:" + Path.of("target/test-data/demo").toAbsolutePath()
                                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_ON_EXIT=FALSE",
                        "sa",
                        "");
                var s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
