package dev.almanac.template.builtin;

import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ParameterError;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.StoredArtifact;
import dev.almanac.template.TargetDatabase;
import dev.almanac.template.TargetDescription;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import dev.almanac.template.TemplateEnvironment;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * Exports rows of an allowed table as CSV, JSON or JSON Lines, optionally gzipped, to an artifact or to a file under
 * the export directory. Rows are streamed from the database to the output, one at a time.
 */
public class DataExportTemplate implements JobTemplate {

    static final String DEFAULT_PATTERN = "{job}-{timestamp}.{ext}";
    private static final int FETCH_SIZE = 1000;
    private static final int PROGRESS_EVERY = 50_000;

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("data_export")
            .name("Data export")
            .description("Exports rows of an allowed table of a target database as CSV, JSON or JSON Lines, optionally"
                    + " gzipped, as a downloadable artifact or as a file in the export directory.")
            .category("data")
            .icon("download")
            .riskLevel(RiskLevel.LOW)
            .destructive(false)
            .estimatedDuration(Duration.ofMinutes(1))
            .resourceUsage(ResourceUsage.MEDIUM)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "target": {"type": "string", "title": "Target", "description": "A configured target database (GET /targets)", "x-source": "targets"},
                        "table": {"type": "string", "title": "Table", "description": "An allowed table of the target", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-source": "tables"},
                        "columns": {"type": "array", "title": "Columns", "description": "Allowed columns to export, in this order; all allowed columns when left out", "items": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-source": "columns"}, "maxItems": 100, "uniqueItems": true},
                        "conditions": %s,
                        "order_by": {"type": "array", "title": "Order", "description": "Sort keys, first one first", "maxItems": 5, "default": [],
                          "items": {"type": "object", "properties": {"column": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-source": "columns"}, "direction": {"type": "string", "enum": ["asc", "desc"], "default": "asc"}}, "required": ["column"], "additionalProperties": false}},
                        "limit": {"type": "integer", "title": "Row limit", "description": "The most rows exported; all matching rows when left out", "minimum": 1, "maximum": 100000000},
                        "format": {"type": "string", "title": "Format", "enum": ["csv", "json", "jsonl"], "default": "csv", "description": "CSV with a header row, a JSON array of objects, or one JSON object per line"},
                        "gzip": {"type": "boolean", "title": "Gzip", "description": "Compress the output (adds .gz)", "default": false},
                        "destination": {"type": "string", "title": "Destination", "enum": ["artifact", "file"], "default": "artifact", "description": "An artifact of the execution (downloadable through the API), or a file in the export directory (almanac.export-dir)"},
                        "file_name_pattern": {"type": "string", "title": "File name", "description": "The name of the file; placeholders {job} {date} {time} {timestamp} {table} {target} {ext}; letters, digits, '.', '_' and '-' otherwise", "maxLength": 120, "default": "{job}-{timestamp}.{ext}"}
                      },
                      "required": ["target", "table"],
                      "additionalProperties": false
                    }
                    """.formatted(Conditions.SCHEMA))
            .exampleParameters("""
                    {"target": "demo", "table": "users", "columns": ["id", "email", "status", "created_at"],
                     "conditions": [{"column": "status", "op": "=", "value": "active"}],
                     "order_by": [{"column": "id", "direction": "asc"}], "format": "csv", "gzip": false,
                     "destination": "artifact"}
                    """)
            .build();

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
        return List.of(new TemplateChange(
                "1", "Exports rows as CSV, JSON or JSON Lines to an artifact or the export directory."));
    }

    @Override
    public List<ParameterError> validate(Map<String, Object> parameters, TemplateEnvironment environment) {
        Params params = new Params(parameters);
        List<ParameterError> errors = new ArrayList<>();
        Optional<TargetDescription> target = Conditions.target(params, environment, errors);
        target.ifPresent(described -> {
            String table = params.string("table");
            List<String> columns = params.strings("columns");
            for (int i = 0; i < columns.size(); i++) {
                Conditions.column(described, table, "columns[" + i + "]", columns.get(i), errors);
            }
            Conditions.validate(described, table, params.list("conditions"), errors);
            List<Object> order = params.list("order_by");
            for (int i = 0; i < order.size(); i++) {
                Object column = ((Map<?, ?>) order.get(i)).get("column");
                Conditions.column(described, table, "order_by[" + i + "].column", String.valueOf(column), errors);
            }
        });
        String pattern = params.string("file_name_pattern");
        if (pattern != null) {
            String problem = SafeFiles.patternProblem(pattern);
            if (problem != null) {
                errors.add(new ParameterError("file_name_pattern", problem));
            }
        }
        return errors;
    }

    /** The columns the run will name: exported, in conditions, in the order. */
    private static List<String> preflightColumns(Params params) {
        List<String> columns = new ArrayList<>(params.strings("columns"));
        Conditions.parse(params).forEach(condition -> columns.add(condition.column()));
        params.list("order_by").forEach(order -> columns.add(String.valueOf(((Map<?, ?>) order).get("column"))));
        return columns;
    }

    private record Query(String sql, Conditions.Where where, List<String> columns) {}

    private static Query query(JobContext context, TargetDescription target) {
        Params params = new Params(context.parameters());
        String table = params.string("table");
        List<String> columns =
                params.has("columns") && !params.strings("columns").isEmpty()
                        ? params.strings("columns")
                        : target.columns().get(table);
        Conditions.Where where = Conditions.where(Conditions.parse(params));
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(String.join(
                        ", ", columns.stream().map(Conditions::quote).toList()))
                .append(" FROM ")
                .append(Conditions.quote(table))
                .append(where.clause());
        List<String> order = new ArrayList<>();
        for (Object item : params.list("order_by")) {
            Map<?, ?> key = (Map<?, ?>) item;
            order.add(Conditions.quote((String) key.get("column"))
                    + ("desc".equals(key.get("direction")) ? " DESC" : " ASC"));
        }
        if (!order.isEmpty()) {
            sql.append(" ORDER BY ").append(String.join(", ", order));
        }
        if (params.has("limit")) {
            sql.append(" LIMIT ").append(params.number("limit", 1));
        }
        return new Query(sql.toString(), where, columns);
    }

    private static String fileName(JobContext context) {
        Params params = new Params(context.parameters());
        String format = params.string("format", "csv");
        String name = SafeFiles.name(
                params.string("file_name_pattern", DEFAULT_PATTERN),
                context.clock().instant(),
                Map.of(
                        "job", context.jobName(),
                        "table", params.string("table"),
                        "target", params.string("target"),
                        "ext", format));
        if (!name.endsWith("." + format)) {
            name = name + "." + format;
        }
        return params.bool("gzip", false) ? name + ".gz" : name;
    }

    @Override
    public JobResult dryRun(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        Preflight preflight =
                Preflight.of(context).target(params.string("target"), params.string("table"), preflightColumns(params));
        if (params.string("destination", "artifact").equals("file")) {
            preflight.directory("export", "almanac.export-dir", null);
        }
        if (preflight.failed()) {
            return preflight.failure();
        }
        TargetDatabase target = context.target(params.string("target"));
        Query query = query(context, target.description());
        long rows;
        try (Connection connection = target.connect();
                PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM (" + query.sql() + ") q")) {
            Conditions.bind(
                    count, 1, query.where().values(), Conditions.columnTypes(connection, params.string("table")));
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                rows = rs.getLong(1);
            }
        }
        String destination = params.string("destination", "artifact");
        String name = fileName(context);
        return preflight
                .addTo(JobResult.builder(JobResult.Status.SUCCEEDED))
                .message("Dry run: would export " + rows + " rows of " + params.string("table") + " as "
                        + params.string("format", "csv") + (params.bool("gzip", false) ? " (gzip)" : "") + " to "
                        + (destination.equals("file")
                                ? "the file " + name + " in the export directory"
                                : "the artifact " + name))
                .recordsProcessed(rows)
                .detail("changes_nothing", true)
                .detail("rows", rows)
                .detail("columns", query.columns())
                .detail("file_name", name)
                .detail("destination", destination)
                .build();
    }

    @Override
    public JobResult execute(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        TargetDatabase target = context.target(params.string("target"));
        Query query = query(context, target.description());
        String format = params.string("format", "csv");
        boolean gzip = params.bool("gzip", false);
        String name = fileName(context);
        String contentType = gzip ? "application/gzip" : RowWriter.contentType(format);
        AtomicLong rows = new AtomicLong();
        context.log()
                .info(
                        "exporting {}.{} ({} columns) as {}",
                        params.string("target"),
                        params.string("table"),
                        query.columns().size(),
                        name);
        JobResult.Builder result = JobResult.builder(JobResult.Status.SUCCEEDED);
        if (params.string("destination", "artifact").equals("file")) {
            Path base = context.directory("export")
                    .orElseThrow(
                            () -> new IllegalStateException("no export directory is configured (almanac.export-dir)"));
            Path file = SafeFiles.createInside(base, name);
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            try (OutputStream out = new DigestOutputStream(SafeFiles.open(file), sha256)) {
                write(context, target, query, format, gzip, out, rows);
            } catch (IOException | SQLException | RuntimeException e) {
                Files.deleteIfExists(file);
                throw e;
            }
            result.detail("file", file.getFileName().toString())
                    .detail("size_bytes", Files.size(file))
                    .detail("sha256", HexFormat.of().formatHex(sha256.digest()));
            name = file.getFileName().toString();
        } else {
            StoredArtifact artifact = context.artifacts().write(name, contentType, out -> {
                try {
                    write(context, target, query, format, gzip, out, rows);
                } catch (SQLException e) {
                    throw new IOException(e.getMessage(), e);
                }
            });
            result.detail("artifact_id", artifact.id())
                    .detail("size_bytes", artifact.sizeBytes())
                    .detail("sha256", artifact.sha256());
        }
        context.log().info("exported {} rows to {}", rows.get(), name);
        return result.message("Exported " + rows.get() + " rows of " + params.string("table") + " to " + name)
                .recordsProcessed(rows.get())
                .recordsAffected(rows.get())
                .detail("rows", rows.get())
                .detail("file_name", name)
                .detail("format", format)
                .detail("gzip", gzip)
                .detail("content_type", contentType)
                .build();
    }

    private static void write(
            JobContext context,
            TargetDatabase target,
            Query query,
            String format,
            boolean gzip,
            OutputStream out,
            AtomicLong rows)
            throws IOException, SQLException {
        Params params = new Params(context.parameters());
        try (Connection connection = target.connect()) {
            var types = Conditions.columnTypes(connection, params.string("table"));
            // PostgreSQL streams a result only inside a transaction with a fetch size; otherwise it reads it whole.
            connection.setAutoCommit(false);
            // Embedded H2 materialises a whole result before the first row (spilling to a temporary file past
            // MAX_MEMORY_ROWS) unless the session executes queries lazily.
            boolean h2 = target.description().product().equals("h2");
            if (h2) {
                lazyQueries(connection, true);
            }
            try (PreparedStatement select = connection.prepareStatement(query.sql())) {
                select.setFetchSize(FETCH_SIZE);
                Conditions.bind(select, 1, query.where().values(), types);
                OutputStream sink = gzip ? new GZIPOutputStream(out, 64 * 1024) : out;
                try (ResultSet rs = select.executeQuery();
                        RowWriter writer = RowWriter.of(format, sink, query.columns())) {
                    int columns = query.columns().size();
                    while (rs.next()) {
                        writer.write(rs, columns);
                        long written = rows.incrementAndGet();
                        if (written % PROGRESS_EVERY == 0) {
                            context.checkCancelled();
                            context.log().info("{} rows written", written);
                        }
                    }
                }
            } finally {
                connection.rollback();
                if (h2) {
                    lazyQueries(connection, false);
                }
                connection.setAutoCommit(true);
            }
        }
    }

    private static void lazyQueries(Connection connection, boolean lazy) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET LAZY_QUERY_EXECUTION " + (lazy ? "TRUE" : "FALSE"));
        }
    }
}
