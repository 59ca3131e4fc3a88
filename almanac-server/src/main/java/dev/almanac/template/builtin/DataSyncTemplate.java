package dev.almanac.template.builtin;

import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ParameterError;
import dev.almanac.template.PreflightCheck;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TargetDatabase;
import dev.almanac.template.TargetDescription;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import dev.almanac.template.TemplateEnvironment;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Copies rows from an allowed table of one target to an allowed table of another (or the same) target: chosen
 * columns, upserted on a key column, in batches of their own transactions, optionally only the rows past the
 * watermark the job reached last time. Rows whose values already match are left alone, so a second run changes
 * nothing; a dry run counts what a real run would insert and update.
 */
@Component
public class DataSyncTemplate implements JobTemplate {

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("data_sync")
            .name("Data sync")
            .description("Copies chosen columns of the rows of an allowed table of one target database to an allowed"
                    + " table of another (or the same) target, upserting on a key column, in batches; optionally only"
                    + " the rows past the last watermark.")
            .category("data")
            .icon("arrows-right-left")
            .riskLevel(RiskLevel.MEDIUM)
            .destructive(true)
            .estimatedDuration(Duration.ofMinutes(2))
            .resourceUsage(ResourceUsage.MEDIUM)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "source_target": {"type": "string", "title": "Source target", "description": "The configured target database rows are read from (GET /targets)", "x-source": "targets"},
                        "source_table": {"type": "string", "title": "Source table", "description": "An allowed table of the source target", "pattern": "^[a-z][a-z0-9_]{0,62}$"},
                        "target": {"type": "string", "title": "Destination target", "description": "The configured target database rows are written to; may be the source target", "x-source": "targets"},
                        "table": {"type": "string", "title": "Destination table", "description": "An allowed table of the destination target; H2 or PostgreSQL, with a unique key on the key column on PostgreSQL", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-aliases": ["destination_table"], "x-source": "tables"},
                        "columns": {"type": "array", "title": "Columns", "description": "The columns copied, allowed on both tables and named alike in both; the key column is always copied", "items": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-source": "columns"}, "minItems": 1, "maxItems": 100, "uniqueItems": true},
                        "key_column": {"type": "string", "title": "Key column", "description": "The column that identifies a row in both tables: a row whose key exists is updated, others are inserted", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-aliases": ["key", "primary_key"], "x-source": "columns"},
                        "watermark_column": {"type": "string", "title": "Watermark column", "description": "Optional: an allowed source column that grows with every change (e.g. updated_at); each run copies only rows past the highest value the last run reached", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-aliases": ["incremental_column", "cursor_column"]},
                        "batch_size": {"type": "integer", "title": "Batch size", "description": "Rows read, compared and written per transaction", "minimum": 1, "maximum": 5000, "default": 1000}
                      },
                      "required": ["source_target", "source_table", "target", "table", "columns", "key_column"],
                      "additionalProperties": false
                    }
                    """)
            .exampleParameters("""
                    {"source_target": "demo", "source_table": "users", "target": "demo", "table": "users_copy",
                     "columns": ["email", "name", "status", "created_at"], "key_column": "id",
                     "watermark_column": "created_at", "batch_size": 1000}
                    """)
            .build();

    private final SyncWatermarks watermarks;

    DataSyncTemplate(SyncWatermarks watermarks) {
        this.watermarks = watermarks;
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
                        "Copies chosen columns between allowed tables of two targets, upserting on a key, in batches, optionally past a watermark."));
    }

    @Override
    public List<ParameterError> validate(Map<String, Object> parameters, TemplateEnvironment environment) {
        Params params = new Params(parameters);
        List<ParameterError> errors = new ArrayList<>();
        Optional<TargetDescription> source = table(
                environment,
                params.string("source_target"),
                "source_target",
                params.string("source_table"),
                "source_table",
                errors);
        Optional<TargetDescription> destination =
                table(environment, params.string("target"), "target", params.string("table"), "table", errors);
        if (source.isPresent()
                && destination.isPresent()
                && source.get().name().equals(destination.get().name())
                && params.string("source_table").equals(params.string("table"))) {
            errors.add(new ParameterError("table", "must not be the source table itself"));
        }
        List<String> columns = params.strings("columns");
        for (int i = 0; i < columns.size(); i++) {
            allowedOnBoth(
                    source,
                    params.string("source_table"),
                    destination,
                    params.string("table"),
                    "columns[" + i + "]",
                    columns.get(i),
                    errors);
        }
        allowedOnBoth(
                source,
                params.string("source_table"),
                destination,
                params.string("table"),
                "key_column",
                params.string("key_column"),
                errors);
        source.ifPresent(described -> Conditions.column(
                described,
                params.string("source_table"),
                "watermark_column",
                params.string("watermark_column"),
                errors));
        destination.ifPresent(described -> {
            if (!described.product().equals("h2") && !described.product().equals("postgresql")) {
                errors.add(new ParameterError("target", "data_sync writes to H2 and PostgreSQL targets only"));
            }
        });
        return errors;
    }

    private static Optional<TargetDescription> table(
            TemplateEnvironment environment,
            String name,
            String targetField,
            String table,
            String tableField,
            List<ParameterError> errors) {
        Optional<TargetDescription> target = environment.target(name);
        if (target.isEmpty()) {
            errors.add(new ParameterError(
                    targetField,
                    "no target named '" + name + "'; configured: "
                            + environment.targets().stream()
                                    .map(TargetDescription::name)
                                    .collect(Collectors.joining(", "))));
            return Optional.empty();
        }
        if (!target.get().allowsTable(table)) {
            errors.add(new ParameterError(
                    tableField,
                    "'" + table + "' is not an allowed table of target '" + name + "'; allowed: "
                            + String.join(", ", target.get().columns().keySet())));
            return Optional.empty();
        }
        return target;
    }

    private static void allowedOnBoth(
            Optional<TargetDescription> source,
            String sourceTable,
            Optional<TargetDescription> destination,
            String table,
            String field,
            String column,
            List<ParameterError> errors) {
        int before = errors.size();
        source.ifPresent(described -> Conditions.column(described, sourceTable, field, column, errors));
        if (errors.size() == before) {
            destination.ifPresent(described -> Conditions.column(described, table, field, column, errors));
        }
    }

    @Override
    public JobResult execute(JobContext context) throws Exception {
        return sync(context, true, JobResult.builder(JobResult.Status.SUCCEEDED));
    }

    @Override
    public JobResult dryRun(JobContext context) throws Exception {
        Plan plan = Plan.of(context);
        List<String> sourceColumns = new ArrayList<>(plan.columns());
        if (plan.watermarkColumn() != null) {
            sourceColumns.add(plan.watermarkColumn());
        }
        Preflight preflight = Preflight.of(context)
                .target(plan.sourceTarget(), plan.sourceTable(), sourceColumns)
                .target(plan.target(), plan.table(), plan.columns());
        if (preflight.failed()) {
            return preflight.failure();
        }
        List<String> uncopied;
        try (Connection out = context.target(plan.target()).connect()) {
            uncopied = requiredColumns(out, plan.table()).stream()
                    .filter(column -> !plan.columns().contains(column))
                    .toList();
        }
        if (!uncopied.isEmpty()) {
            // the insert of a new row leaves them NULL, which the destination refuses
            return preflight
                    .check(PreflightCheck.failed(
                            "columns",
                            plan.target() + "." + plan.table() + " requires "
                                    + uncopied.stream()
                                            .map(column -> "'" + column + "'")
                                            .collect(Collectors.joining(", "))
                                    + " (NOT NULL without a default), which the sync does not copy; add "
                                    + (uncopied.size() == 1 ? "it" : "them") + " to columns or give "
                                    + (uncopied.size() == 1 ? "it" : "them") + " a default"))
                    .failure();
        }
        return sync(context, false, preflight.addTo(JobResult.builder(JobResult.Status.SUCCEEDED)));
    }

    /** The columns of a table an insert must give a value: NOT NULL, without a default, not generated. */
    private static List<String> requiredColumns(Connection connection, String table) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        for (String name : List.of(table, table.toUpperCase(Locale.ROOT))) {
            List<String> required = new ArrayList<>();
            boolean found = false;
            try (ResultSet rs = meta.getColumns(
                    connection.getCatalog(),
                    MetadataPatterns.exactly(meta, connection.getSchema()),
                    MetadataPatterns.exactly(meta, name),
                    "%")) {
                while (rs.next()) {
                    found = true;
                    boolean notNull = rs.getInt("NULLABLE") == DatabaseMetaData.columnNoNulls;
                    boolean generated = "YES".equalsIgnoreCase(rs.getString("IS_AUTOINCREMENT"))
                            || "YES".equalsIgnoreCase(rs.getString("IS_GENERATEDCOLUMN"));
                    if (notNull && rs.getString("COLUMN_DEF") == null && !generated) {
                        required.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                    }
                }
            }
            if (found) {
                return required;
            }
        }
        return List.of();
    }

    /** What the parameters ask for; the key column first among the copied columns. */
    private record Plan(
            String sourceTarget,
            String sourceTable,
            String target,
            String table,
            List<String> columns,
            String keyColumn,
            String watermarkColumn,
            int batchSize) {

        static Plan of(JobContext context) {
            Params params = new Params(context.parameters());
            LinkedHashSet<String> columns = new LinkedHashSet<>();
            columns.add(params.string("key_column"));
            columns.addAll(params.strings("columns"));
            return new Plan(
                    params.string("source_target"),
                    params.string("source_table"),
                    params.string("target"),
                    params.string("table"),
                    List.copyOf(columns),
                    params.string("key_column"),
                    params.string("watermark_column"),
                    params.integer("batch_size", 1000));
        }

        /** Where the watermark belongs: a job whose source changed starts over. */
        String watermarkSource() {
            return sourceTarget + "." + sourceTable + "." + watermarkColumn;
        }
    }

    /** How a column's values are read, compared, written and bound. */
    private enum Kind {
        TIMESTAMP_TZ,
        TIMESTAMP,
        DATE,
        NUMBER,
        UUID,
        OTHER;

        Object read(ResultSet rs, int index) throws SQLException {
            return switch (this) {
                case TIMESTAMP_TZ -> rs.getObject(index, OffsetDateTime.class);
                case TIMESTAMP -> rs.getObject(index, LocalDateTime.class);
                case DATE -> rs.getObject(index, LocalDate.class);
                case NUMBER, UUID, OTHER -> rs.getObject(index);
            };
        }

        Object parse(String text, String column) {
            return switch (this) {
                case TIMESTAMP_TZ -> OffsetDateTime.parse(text);
                case TIMESTAMP -> LocalDateTime.parse(text);
                case DATE -> LocalDate.parse(text);
                case NUMBER -> Conditions.convert(text, Types.NUMERIC, column);
                case UUID -> java.util.UUID.fromString(text);
                case OTHER -> text;
            };
        }
    }

    private static final java.util.Set<Integer> NUMBERS = java.util.Set.of(
            Types.BIGINT,
            Types.INTEGER,
            Types.SMALLINT,
            Types.TINYINT,
            Types.DECIMAL,
            Types.NUMERIC,
            Types.DOUBLE,
            Types.FLOAT,
            Types.REAL);

    /** Whether a primary key or a unique index of the table covers exactly {@code column}. */
    private static boolean uniqueOn(Connection connection, String table, String column) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        for (String name : List.of(table, table.toUpperCase(java.util.Locale.ROOT))) {
            Map<String, List<String>> keys = new HashMap<>();
            try (ResultSet rs = meta.getPrimaryKeys(connection.getCatalog(), connection.getSchema(), name)) {
                while (rs.next()) {
                    keys.computeIfAbsent("pk", k -> new ArrayList<>()).add(rs.getString("COLUMN_NAME"));
                }
            }
            try (ResultSet rs = meta.getIndexInfo(connection.getCatalog(), connection.getSchema(), name, true, true)) {
                while (rs.next()) {
                    if (rs.getString("COLUMN_NAME") != null && !rs.getBoolean("NON_UNIQUE")) {
                        keys.computeIfAbsent("ix " + rs.getString("INDEX_NAME"), k -> new ArrayList<>())
                                .add(rs.getString("COLUMN_NAME"));
                    }
                }
            }
            if (!keys.isEmpty()) {
                return keys.values().stream()
                        .anyMatch(
                                columns -> columns.size() == 1 && columns.get(0).equalsIgnoreCase(column));
            }
        }
        return false;
    }

    /** The kinds of a table's columns, read from the table itself; a timestamp with time zone by its type name. */
    private static Map<String, Kind> kinds(Connection connection, String table) throws SQLException {
        Map<String, Kind> kinds = new HashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT * FROM " + Conditions.quote(table) + " WHERE 1 = 0")) {
            ResultSetMetaData meta = rs.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                String typeName = String.valueOf(meta.getColumnTypeName(i)).toLowerCase(Locale.ROOT);
                int type = meta.getColumnType(i);
                Kind kind = type == Types.TIMESTAMP_WITH_TIMEZONE
                                || typeName.equals("timestamptz")
                                || typeName.contains("with time zone")
                        ? Kind.TIMESTAMP_TZ
                        : type == Types.TIMESTAMP
                                ? Kind.TIMESTAMP
                                : type == Types.DATE
                                        ? Kind.DATE
                                        : NUMBERS.contains(type)
                                                ? Kind.NUMBER
                                                : typeName.equals("uuid") ? Kind.UUID : Kind.OTHER;
                kinds.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), kind);
            }
        }
        return kinds;
    }

    private static Optional<String> missing(Map<String, Kind> kinds, List<String> columns) {
        return columns.stream().filter(column -> !kinds.containsKey(column)).findFirst();
    }

    /** The counts of one sync, growing batch by batch. */
    private static final class Counts {
        long read;
        long inserted;
        long updated;
        int batches;
        String watermark;
    }

    private JobResult sync(JobContext context, boolean write, JobResult.Builder result) throws SQLException {
        Plan plan = Plan.of(context);
        TargetDatabase source = context.target(plan.sourceTarget());
        TargetDatabase destination = context.target(plan.target());
        Optional<SyncWatermarks.Position> stored = plan.watermarkColumn() == null
                ? Optional.empty()
                : watermarks.find(context.jobId(), plan.watermarkSource());
        Counts counts = new Counts();
        counts.watermark = stored.map(SyncWatermarks.Position::watermark).orElse(null);
        try (Connection in = source.connect();
                Connection out = destination.connect()) {
            Map<String, Kind> sourceKinds = kinds(in, plan.sourceTable());
            Map<String, Kind> destinationKinds = kinds(out, plan.table());
            List<String> read = new ArrayList<>(plan.columns());
            if (plan.watermarkColumn() != null) {
                read.add(plan.watermarkColumn());
            }
            Optional<String> absent = missing(sourceKinds, read)
                    .map(column -> plan.sourceTarget() + "." + plan.sourceTable() + " has no column '" + column + "'")
                    .or(() -> missing(destinationKinds, plan.columns())
                            .map(column -> plan.target() + "." + plan.table() + " has no column '" + column + "'"));
            if (absent.isPresent()) {
                return JobResult.failed("The allowlist names a column the table does not have: " + absent.get());
            }
            if (!uniqueOn(out, plan.table(), plan.keyColumn())) {
                // the upsert (ON CONFLICT / MERGE ... KEY) needs it; a dry run says so instead of counting updates
                return JobResult.failed(plan.target() + "." + plan.table() + " has no primary key or unique index on"
                        + " exactly the key column '" + plan.keyColumn() + "'; the sync updates rows by that key");
            }
            SyncDialect dialect = SyncDialect.of(out.getMetaData().getDatabaseProductName());
            context.log()
                    .info(
                            "syncing {}.{} to {}.{} on key {} in batches of {}{}",
                            plan.sourceTarget(),
                            plan.sourceTable(),
                            plan.target(),
                            plan.table(),
                            plan.keyColumn(),
                            plan.batchSize(),
                            stored.map(at -> ", rows with " + plan.watermarkColumn() + " past " + at.watermark()
                                            + (at.key() == null ? "" : " (" + plan.keyColumn() + " " + at.key() + ")"))
                                    .orElse(""));
            Object[] storedValue = stored.map(at -> new Object[] {
                        sourceKinds.get(plan.watermarkColumn()).parse(at.watermark(), plan.watermarkColumn()),
                        storedKey(at.key(), sourceKinds.get(plan.keyColumn()), plan.keyColumn(), context)
                    })
                    .orElse(null);
            if (write) {
                out.setAutoCommit(false);
            }
            try {
                copy(context, plan, in, out, dialect, sourceKinds, destinationKinds, storedValue, write, counts);
            } finally {
                if (write) {
                    out.setAutoCommit(true);
                }
            }
        }
        long changed = counts.inserted + counts.updated;
        String verb = write ? "Inserted " : "Dry run: would insert ";
        return result.message(verb + counts.inserted + " and " + (write ? "updated " : "update ") + counts.updated
                        + " of " + counts.read + " rows read from " + plan.sourceTarget() + "." + plan.sourceTable()
                        + " into " + plan.target() + "." + plan.table() + (write ? "" : "; nothing was written"))
                .recordsProcessed(counts.read)
                .recordsAffected(write ? changed : 0)
                .detail("dry_run", !write)
                .detail("inserted", counts.inserted)
                .detail("updated", counts.updated)
                .detail("unchanged", counts.read - changed)
                .detail("watermark", counts.watermark)
                .detail("batches", counts.batches)
                .build();
    }

    private void copy(
            JobContext context,
            Plan plan,
            Connection in,
            Connection out,
            SyncDialect dialect,
            Map<String, Kind> sourceKinds,
            Map<String, Kind> destinationKinds,
            Object[] storedWatermark,
            boolean write,
            Counts counts)
            throws SQLException {
        List<String> columns = plan.columns();
        String wm = plan.watermarkColumn();
        Object[] last = null;
        while (true) {
            context.checkCancelled();
            List<Object[]> page = page(in, plan, sourceKinds, storedWatermark, last);
            if (page.isEmpty()) {
                break;
            }
            Map<Object, List<Object>> existing = existing(out, plan, destinationKinds, page);
            List<Object[]> changed = new ArrayList<>();
            long inserted = 0;
            for (Object[] row : page) {
                List<Object> now = existing.get(normalize(row[0]));
                if (now == null) {
                    inserted++;
                    changed.add(row);
                } else if (!now.equals(normalized(row, columns.size()))) {
                    changed.add(row);
                }
            }
            if (write && !changed.isEmpty()) {
                upsert(out, dialect.upsert(plan.table(), columns, plan.keyColumn()), columns.size(), changed);
            }
            Object[] end = page.get(page.size() - 1);
            if (wm != null) {
                counts.watermark = text(end[columns.size()]);
                if (write) {
                    // with the key: rows sharing this watermark value after this row are still to come
                    watermarks.save(
                            context.jobId(),
                            plan.watermarkSource(),
                            new SyncWatermarks.Position(counts.watermark, keyText(end[0])),
                            context.clock().instant());
                }
            }
            counts.read += page.size();
            counts.inserted += inserted;
            counts.updated += changed.size() - inserted;
            counts.batches++;
            context.log()
                    .info(
                            "batch {}: {} rows read, {} {}, {} {}",
                            counts.batches,
                            page.size(),
                            inserted,
                            write ? "inserted" : "to insert",
                            changed.size() - inserted,
                            write ? "updated" : "to update");
            if (page.size() < plan.batchSize()) {
                break;
            }
            last = end;
        }
    }

    /**
     * The next batch of source rows in key order (watermark, then key, with a watermark column), after the row
     * {@code last}; each row holds the copied columns, then the watermark.
     */
    private static List<Object[]> page(
            Connection in, Plan plan, Map<String, Kind> kinds, Object[] storedWatermark, Object[] last)
            throws SQLException {
        List<String> columns = plan.columns();
        String key = Conditions.quote(plan.keyColumn());
        String wm = plan.watermarkColumn() == null ? null : Conditions.quote(plan.watermarkColumn());
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(columns.stream().map(Conditions::quote).collect(Collectors.joining(", ")));
        if (wm != null) {
            sql.append(", ").append(wm);
        }
        sql.append(" FROM ").append(Conditions.quote(plan.sourceTable()));
        List<Object> values = new ArrayList<>();
        List<String> where = new ArrayList<>();
        if (wm != null) {
            where.add(wm + " IS NOT NULL");
            if (storedWatermark != null && storedWatermark[1] != null) {
                // past the last committed row: later rows of its watermark value, then later values
                where.add("(" + wm + " > ? OR (" + wm + " = ? AND " + key + " > ?))");
                values.add(storedWatermark[0]);
                values.add(storedWatermark[0]);
                values.add(storedWatermark[1]);
            } else if (storedWatermark != null) {
                // a watermark saved without its key: its value's rows again (unchanged ones are left alone)
                where.add(wm + " >= ?");
                values.add(storedWatermark[0]);
            }
            if (last != null) {
                where.add("(" + wm + " > ? OR (" + wm + " = ? AND " + key + " > ?))");
                values.add(last[columns.size()]);
                values.add(last[columns.size()]);
                values.add(last[0]);
            }
        } else if (last != null) {
            where.add(key + " > ?");
            values.add(last[0]);
        }
        if (!where.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", where));
        }
        sql.append(" ORDER BY ").append(wm == null ? key : wm + ", " + key);
        sql.append(" FETCH FIRST ").append(plan.batchSize()).append(" ROWS ONLY");
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement select = in.prepareStatement(sql.toString())) {
            for (int i = 0; i < values.size(); i++) {
                select.setObject(i + 1, values.get(i));
            }
            try (ResultSet rs = select.executeQuery()) {
                int width = columns.size() + (wm == null ? 0 : 1);
                while (rs.next()) {
                    Object[] row = new Object[width];
                    for (int i = 0; i < columns.size(); i++) {
                        row[i] = kinds.get(columns.get(i)).read(rs, i + 1);
                    }
                    if (wm != null) {
                        row[columns.size()] = kinds.get(plan.watermarkColumn()).read(rs, width);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** The destination's rows with the keys of a batch, normalised for comparison, by key. */
    private static Map<Object, List<Object>> existing(
            Connection out, Plan plan, Map<String, Kind> kinds, List<Object[]> page) throws SQLException {
        List<String> columns = plan.columns();
        String sql = "SELECT " + columns.stream().map(Conditions::quote).collect(Collectors.joining(", ")) + " FROM "
                + Conditions.quote(plan.table()) + " WHERE " + Conditions.quote(plan.keyColumn()) + " IN ("
                + String.join(", ", java.util.Collections.nCopies(page.size(), "?")) + ")";
        Map<Object, List<Object>> existing = new HashMap<>();
        try (PreparedStatement select = out.prepareStatement(sql)) {
            for (int i = 0; i < page.size(); i++) {
                select.setObject(i + 1, page.get(i)[0]);
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Object[] row = new Object[columns.size()];
                    for (int i = 0; i < columns.size(); i++) {
                        row[i] = kinds.get(columns.get(i)).read(rs, i + 1);
                    }
                    existing.put(normalize(row[0]), normalized(row, columns.size()));
                }
            }
        }
        return existing;
    }

    private static void upsert(Connection out, String sql, int width, List<Object[]> rows) throws SQLException {
        try (PreparedStatement upsert = out.prepareStatement(sql)) {
            for (Object[] row : rows) {
                for (int i = 0; i < width; i++) {
                    upsert.setObject(i + 1, row[i]);
                }
                upsert.addBatch();
            }
            upsert.executeBatch();
            out.commit();
        } catch (SQLException | RuntimeException e) {
            out.rollback();
            throw e;
        }
    }

    private static List<Object> normalized(Object[] row, int width) {
        return Arrays.stream(row, 0, width).map(DataSyncTemplate::normalize).toList();
    }

    /** A value as two databases compare equal: numbers by value, instants by instant, bytes by content. */
    private static Object normalize(Object value) {
        if (value instanceof Number number) {
            BigDecimal decimal = number instanceof BigDecimal big ? big : new BigDecimal(number.toString());
            return decimal.stripTrailingZeros();
        }
        if (value instanceof OffsetDateTime timestamp) {
            return timestamp.toInstant();
        }
        if (value instanceof byte[] bytes) {
            return ByteBuffer.wrap(bytes);
        }
        if (value instanceof Character character) {
            return character.toString();
        }
        return value;
    }

    /**
     * The stored last key as the key column reads it, or none (re-reading the rows of the watermark's value) when it no
     * longer reads as that column's value: the job's key column changed since it was saved.
     */
    private static Object storedKey(String key, Kind kind, String keyColumn, JobContext context) {
        if (key == null) {
            return null;
        }
        try {
            return kind.parse(key, keyColumn);
        } catch (IllegalArgumentException changed) {
            context.log()
                    .warn(
                            "the last key saved, '{}', is no {} value: this run starts at the watermark's value",
                            key,
                            keyColumn);
            return null;
        }
    }

    /**
     * A last key as it is stored, or none (null: the next run re-reads the rows of the watermark's value, which the
     * upsert leaves as they are) for a key that does not read back as text (binary) or would not fit its column.
     */
    private static String keyText(Object key) {
        String text = key instanceof byte[] ? null : text(key);
        return text != null && text.length() <= SyncWatermarks.KEY_LENGTH ? text : null;
    }

    /** A watermark as it is stored: ISO-8601 for times, plain digits for numbers. */
    private static String text(Object value) {
        if (value instanceof Number number) {
            return (number instanceof BigDecimal big ? big : new BigDecimal(number.toString())).toPlainString();
        }
        return Objects.toString(value, null);
    }
}
