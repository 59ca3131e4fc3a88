package dev.almanac.template.builtin;

import dev.almanac.execution.ExecutionReports;
import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.MailMessage;
import dev.almanac.template.NamespacedEnvironment;
import dev.almanac.template.ParameterError;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.StoredArtifact;
import dev.almanac.template.TargetDatabase;
import dev.almanac.template.TargetDescription;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import dev.almanac.template.TemplateEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.stereotype.Component;

/**
 * Reports as artifacts, optionally e-mailed: {@code job_activity} summarises Almanac's own executions per job and per
 * template (runs, success rate, failures, duration p50/p95); {@code table_summary} counts the rows of an allowed
 * target table per day or week, optionally split by an allowed column.
 */
@Component
public class ReportGenerationTemplate implements JobTemplate {

    private static final int MAX_ROWS_SCANNED = 2_000_000;
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("report_generation")
            .name("Report")
            .description("Builds a report as JSON, CSV or HTML: the job activity of its namespace (runs, success rate,"
                    + " failures, duration p50/p95) or row counts per day or week of a target table; stored as an"
                    + " artifact and optionally e-mailed.")
            .category("reporting")
            .icon("chart-bar")
            .riskLevel(RiskLevel.LOW)
            .destructive(false)
            .estimatedDuration(Duration.ofSeconds(30))
            .resourceUsage(ResourceUsage.MEDIUM)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "report": {"type": "string", "title": "Report", "enum": ["job_activity", "table_summary"], "description": "job_activity: the runs of the jobs in this job's namespace; table_summary: row counts of a target table"},
                        "range": {"type": "string", "title": "Range", "enum": ["last_24h", "last_7d", "last_30d", "custom"], "default": "last_7d"},
                        "from": {"type": "string", "title": "From", "description": "Start of a custom range, ISO-8601 (2026-05-01T00:00:00Z or 2026-05-01)", "maxLength": 40},
                        "to": {"type": "string", "title": "To", "description": "End of a custom range (exclusive), ISO-8601", "maxLength": 40},
                        "format": {"type": "string", "title": "Format", "enum": ["json", "csv", "html"], "default": "html"},
                        "target": {"type": "string", "title": "Target", "description": "table_summary: a configured target", "x-source": "targets"},
                        "table": {"type": "string", "title": "Table", "description": "table_summary: an allowed table", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-source": "tables"},
                        "date_column": {"type": "string", "title": "Date column", "description": "table_summary: the allowed column that dates each row", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-source": "columns"},
                        "group_by": {"type": "string", "title": "Group by", "description": "table_summary: an allowed column to split the counts by", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-source": "columns"},
                        "bucket": {"type": "string", "title": "Per", "enum": ["day", "week"], "default": "day"},
                        "email_to": {"type": "array", "title": "E-mail to", "description": "Send the report to these addresses as well", "items": {"type": "string", "maxLength": 254}, "maxItems": 20, "uniqueItems": true, "default": []}
                      },
                      "required": ["report"],
                      "additionalProperties": false
                    }
                    """)
            .exampleParameters("""
                    {"report": "table_summary", "target": "demo", "table": "tickets", "date_column": "created_at",
                     "group_by": "status", "bucket": "week", "range": "last_30d", "format": "html"}
                    """)
            .build();

    private final ExecutionReports executions;

    ReportGenerationTemplate(ExecutionReports executions) {
        this.executions = executions;
    }

    @Override
    public TemplateDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public List<TemplateChange> changes() {
        return List.of(
                new TemplateChange(
                        "1",
                        "Builds a JSON, CSV or HTML report of Almanac's job activity or of a target table's rows per day or week."));
    }

    @Override
    public List<ParameterError> validate(Map<String, Object> parameters, TemplateEnvironment environment) {
        Params params = new Params(parameters);
        List<ParameterError> errors = new ArrayList<>();
        if (params.string("range", "last_7d").equals("custom")) {
            Instant from = instant(params.string("from"));
            Instant to = instant(params.string("to"));
            if (from == null) {
                errors.add(new ParameterError("from", "a custom range needs from as an ISO-8601 date or instant"));
            }
            if (to == null) {
                errors.add(new ParameterError("to", "a custom range needs to as an ISO-8601 date or instant"));
            }
            if (from != null && to != null && !from.isBefore(to)) {
                errors.add(new ParameterError("to", "must be after from"));
            }
            if (from != null && to != null && Duration.between(from, to).toDays() > 366) {
                errors.add(new ParameterError("to", "a range may span at most 366 days"));
            }
        }
        if (params.string("report").equals("table_summary")) {
            for (String required : List.of("target", "table", "date_column")) {
                if (!params.has(required)) {
                    errors.add(new ParameterError(required, "is required for table_summary"));
                }
            }
            if (errors.isEmpty()) {
                Optional<TargetDescription> target = Conditions.target(params, environment, errors);
                target.ifPresent(described -> {
                    Conditions.column(
                            described, params.string("table"), "date_column", params.string("date_column"), errors);
                    Conditions.column(described, params.string("table"), "group_by", params.string("group_by"), errors);
                });
            }
        }
        List<String> to = params.strings("email_to");
        for (int i = 0; i < to.size(); i++) {
            if (!EmailNotificationTemplate.ADDRESS.matcher(to.get(i)).matches()) {
                errors.add(new ParameterError("email_to[" + i + "]", "is not an e-mail address"));
            }
        }
        return errors;
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return text.length() == 10
                    ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private record Range(Instant from, Instant to) {}

    private static Range range(Params params, Instant now) {
        return switch (params.string("range", "last_7d")) {
            case "last_24h" -> new Range(now.minus(Duration.ofHours(24)), now);
            case "last_30d" -> new Range(now.minus(Duration.ofDays(30)), now);
            case "custom" -> new Range(instant(params.string("from")), instant(params.string("to")));
            default -> new Range(now.minus(Duration.ofDays(7)), now);
        };
    }

    /** A report: a title, column names and rows. */
    record Table(String title, List<String> columns, List<List<Object>> rows) {}

    @Override
    public JobResult dryRun(JobContext context) {
        Params params = new Params(context.parameters());
        Range range = range(params, context.clock().instant());
        List<String> to = params.strings("email_to");
        Preflight preflight = Preflight.of(context);
        if (params.string("report").equals("table_summary")) {
            List<String> columns = new ArrayList<>();
            columns.add(params.string("date_column"));
            if (params.has("group_by")) {
                columns.add(params.string("group_by"));
            }
            preflight.target(params.string("target"), params.string("table"), columns);
        }
        if (!to.isEmpty()) {
            preflight.mail();
        }
        if (preflight.failed()) {
            return preflight.failure();
        }
        return preflight
                .addTo(JobResult.builder(JobResult.Status.SUCCEEDED))
                .message("Dry run: would build the " + params.string("report") + " report for " + range.from() + " to "
                        + range.to() + " as " + params.string("format", "html")
                        + (to.isEmpty() ? "" : " and e-mail it to " + to.size() + " address(es)"))
                .detail("changes_nothing", true)
                .detail("from", range.from().toString())
                .detail("to", range.to().toString())
                .build();
    }

    @Override
    public JobResult execute(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        Range range = range(params, context.clock().instant());
        context.log().info("building {} for {} .. {}", params.string("report"), range.from(), range.to());
        Table table = params.string("report").equals("job_activity")
                ? jobActivity(context, range)
                : tableSummary(context, params, range);
        String format = params.string("format", "html");
        byte[] content = render(table, format, range);
        String name = "report-" + params.string("report").replace('_', '-') + "-"
                + STAMP.format(context.clock().instant()) + "." + format;
        String contentType = switch (format) {
            case "json" -> "application/json";
            case "csv" -> "text/csv";
            default -> "text/html";
        };
        StoredArtifact artifact = context.artifacts().write(name, contentType, out -> out.write(content));
        context.log().info("stored {} ({} rows, {} bytes)", name, table.rows().size(), content.length);
        JobResult.Builder result = JobResult.builder(JobResult.Status.SUCCEEDED)
                .recordsProcessed(table.rows().size())
                .recordsAffected(1)
                .detail("artifact_id", artifact.id())
                .detail("file_name", name)
                .detail("rows", table.rows().size())
                .detail("from", range.from().toString())
                .detail("to", range.to().toString());
        List<String> to = params.strings("email_to");
        if (!to.isEmpty()) {
            context.mailer()
                    .send(new MailMessage(
                            to,
                            List.of(),
                            List.of(),
                            table.title(),
                            table.title() + "\n\nThe report is attached (" + name + ").\nJob: " + context.jobName()
                                    + ", execution " + context.executionId(),
                            null,
                            "normal",
                            List.of(new MailMessage.Attachment(name, contentType, content))));
            context.log().info("e-mailed to {} address(es)", to.size());
            result.detail("emailed_to", to.size());
        }
        return result.message(table.title() + ": " + table.rows().size() + " rows in " + name)
                .build();
    }

    /**
     * The namespace whose jobs the activity report lists: its job's, in {@code default} too, so that its readers see
     * only what they may read; a run whose job is gone lists none.
     */
    private static String namespaceOf(JobContext context) {
        return context.environment() instanceof NamespacedEnvironment home ? home.namespace() : "";
    }

    private Table jobActivity(JobContext context, Range range) {
        Map<String, List<Long>> durations = new TreeMap<>();
        Map<String, long[]> counts = new TreeMap<>();
        long[] scanned = {0};
        executions.forEachEndedCreatedBetween(range.from(), range.to(), namespaceOf(context), run -> {
            if (++scanned[0] > MAX_ROWS_SCANNED) {
                return;
            }
            String status = run.status();
            boolean hasDuration = run.durationMs() != null;
            long duration = hasDuration ? run.durationMs() : 0;
            for (String key : List.of("job\u0000" + run.jobName(), "template\u0000" + run.templateType())) {
                long[] c = counts.computeIfAbsent(key, k -> new long[4]);
                c[0]++;
                if (status.equals("succeeded")) {
                    c[1]++;
                } else if (status.equals("failed")) {
                    c[2]++;
                } else if (status.equals("timed_out")) {
                    c[3]++;
                }
                if (hasDuration) {
                    durations.computeIfAbsent(key, k -> new ArrayList<>()).add(duration);
                }
            }
        });
        context.checkCancelled();
        List<List<Object>> rows = new ArrayList<>();
        counts.forEach((key, c) -> {
            String[] parts = key.split("\u0000", 2);
            List<Long> sorted = new ArrayList<>(durations.getOrDefault(key, List.of()));
            sorted.sort(null);
            double rate = c[0] == 0 ? 0 : Math.round(1000.0 * c[1] / c[0]) / 10.0;
            rows.add(Arrays.asList(
                    parts[0],
                    parts[1],
                    c[0],
                    c[1],
                    c[2],
                    c[3],
                    rate,
                    percentile(sorted, 0.5),
                    percentile(sorted, 0.95)));
        });
        return new Table(
                "Job activity",
                List.of(
                        "by",
                        "name",
                        "runs",
                        "succeeded",
                        "failed",
                        "timed_out",
                        "success_rate_percent",
                        "duration_p50_ms",
                        "duration_p95_ms"),
                rows);
    }

    static Long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static Table tableSummary(JobContext context, Params params, Range range) throws SQLException {
        TargetDatabase target = context.target(params.string("target"));
        String table = params.string("table");
        String dateColumn = params.string("date_column");
        String groupBy = params.string("group_by");
        boolean weekly = params.string("bucket", "day").equals("week");
        Map<String, Map<String, Long>> buckets = new TreeMap<>();
        try (Connection connection = target.connect()) {
            connection.setAutoCommit(false);
            try (PreparedStatement select = connection.prepareStatement("SELECT " + Conditions.quote(dateColumn)
                    + (groupBy == null ? "" : ", " + Conditions.quote(groupBy)) + " FROM " + Conditions.quote(table)
                    + " WHERE " + Conditions.quote(dateColumn) + " >= ? AND " + Conditions.quote(dateColumn)
                    + " < ?")) {
                select.setFetchSize(1000);
                select.setObject(1, range.from().atOffset(ZoneOffset.UTC));
                select.setObject(2, range.to().atOffset(ZoneOffset.UTC));
                long scanned = 0;
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next() && ++scanned <= MAX_ROWS_SCANNED) {
                        Instant at = at(rs.getObject(1));
                        if (at == null) {
                            continue;
                        }
                        LocalDate day = at.atOffset(ZoneOffset.UTC).toLocalDate();
                        if (weekly) {
                            day = day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
                        }
                        // a NULL group stays null (an empty cell, JSON null): not the text 'null'
                        Object value = groupBy == null ? "all" : rs.getObject(2);
                        String group = value == null ? null : String.valueOf(value);
                        buckets.computeIfAbsent(
                                        day.toString(),
                                        d -> new TreeMap<>(
                                                java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder())))
                                .merge(group, 1L, Long::sum);
                        if (scanned % 100_000 == 0) {
                            context.checkCancelled();
                        }
                    }
                }
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
        List<List<Object>> rows = new ArrayList<>();
        buckets.forEach((day, groups) -> groups.forEach((group, count) -> rows.add(Arrays.asList(day, group, count))));
        return new Table(
                "Rows of " + params.string("target") + "." + table + " per " + (weekly ? "week" : "day"),
                List.of(weekly ? "week_starting" : "day", groupBy == null ? "group" : groupBy, "rows"),
                rows);
    }

    private static Instant at(Object value) {
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        if (value instanceof OffsetDateTime time) {
            return time.toInstant();
        }
        if (value instanceof java.sql.Date date) {
            return date.toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant();
        }
        return null;
    }

    private static byte[] render(Table table, String format, Range range) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (format) {
            case "json", "csv" -> {
                if (format.equals("json")) {
                    tools.jackson.databind.json.JsonMapper json =
                            tools.jackson.databind.json.JsonMapper.builder().build();
                    List<Map<String, Object>> rows = new ArrayList<>();
                    for (List<Object> row : table.rows()) {
                        Map<String, Object> object = new java.util.LinkedHashMap<>();
                        for (int i = 0; i < table.columns().size(); i++) {
                            object.put(table.columns().get(i), row.get(i));
                        }
                        rows.add(object);
                    }
                    Map<String, Object> document = new java.util.LinkedHashMap<>();
                    document.put("title", table.title());
                    document.put("from", range.from().toString());
                    document.put("to", range.to().toString());
                    document.put("rows", rows);
                    out.write(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(document));
                } else {
                    try (RowWriter writer = RowWriter.of("csv", out, table.columns())) {
                        for (List<Object> row : table.rows()) {
                            writer.write(row);
                        }
                    }
                }
            }
            default -> {
                StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                        .append(Variables.escapeHtml(table.title()))
                        .append(
                                "</title><style>body{font-family:sans-serif}table{border-collapse:collapse}"
                                        + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head><body><h1>")
                        .append(Variables.escapeHtml(table.title()))
                        .append("</h1><p>")
                        .append(range.from())
                        .append(" to ")
                        .append(range.to())
                        .append("</p><table><thead><tr>");
                table.columns()
                        .forEach(column -> html.append("<th>")
                                .append(Variables.escapeHtml(column))
                                .append("</th>"));
                html.append("</tr></thead><tbody>");
                for (List<Object> row : table.rows()) {
                    html.append("<tr>");
                    row.forEach(value -> html.append("<td>")
                            .append(value == null ? "" : Variables.escapeHtml(String.valueOf(value)))
                            .append("</td>"));
                    html.append("</tr>");
                }
                html.append("</tbody></table></body></html>\n");
                out.write(html.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
