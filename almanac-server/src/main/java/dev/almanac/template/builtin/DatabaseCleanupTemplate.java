package dev.almanac.template.builtin;

import dev.almanac.template.JobCancelledException;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Deletes rows older than an age from an allowed table of a target, with optional extra conditions, in batches of
 * their own transactions up to a maximum; by default it only counts what it would delete.
 */
public class DatabaseCleanupTemplate implements JobTemplate {

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("database_cleanup")
            .name("Database cleanup")
            .description("Deletes rows older than a given age from an allowed table of a target database, in batches,"
                    + " with optional extra conditions. Counts only unless dry_run is false.")
            .category("data")
            .icon("trash")
            .riskLevel(RiskLevel.HIGH)
            .destructive(true)
            .estimatedDuration(Duration.ofMinutes(2))
            .resourceUsage(ResourceUsage.MEDIUM)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "target": {"type": "string", "title": "Target", "description": "A configured target database (GET /targets)", "x-source": "targets"},
                        "table": {"type": "string", "title": "Table", "description": "An allowed table of the target", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-aliases": ["collection"], "x-source": "tables"},
                        "date_column": {"type": "string", "title": "Date column", "description": "The allowed column holding each row's age", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-source": "columns"},
                        "older_than": {"type": ["integer", "string"], "format": "duration", "title": "Older than", "description": "Rows whose date column is older than this: whole days (30) or an ISO-8601 duration (P30D, PT12H, P1M); the form also takes 30d, 12h or 90m", "minimum": 1, "maximum": 36500, "maxLength": 40},
                        "conditions": %s,
                        "dry_run": {"type": "boolean", "title": "Dry run", "description": "Only count the matching rows; set to false to delete them", "default": true},
                        "batch_size": {"type": "integer", "title": "Batch size", "description": "Rows deleted per transaction", "minimum": 1, "maximum": 100000, "default": 1000},
                        "max_rows": {"type": "integer", "title": "Maximum rows", "description": "The most rows one run deletes", "minimum": 1, "maximum": 100000000, "default": 100000}
                      },
                      "required": ["target", "table", "date_column", "older_than"],
                      "additionalProperties": false
                    }
                    """.formatted(Conditions.SCHEMA))
            .exampleParameters("""
                    {"target": "demo", "table": "sessions", "date_column": "created_at", "older_than": 90,
                     "conditions": [], "dry_run": true, "batch_size": 500, "max_rows": 10000}
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
        return List.of(
                new TemplateChange(
                        "1",
                        "Deletes rows older than an age in batches, with conditions, up to max_rows; counts only unless dry_run is false."));
    }

    @Override
    public Map<String, String> resultDetails() {
        return Map.of(
                "dry_run", "bool",
                "target", "string",
                "table", "string",
                "cutoff", "string",
                "matching_rows", "int",
                "deleted", "int",
                "batches", "int",
                "would_delete", "int");
    }

    @Override
    public List<ParameterError> validate(Map<String, Object> parameters, TemplateEnvironment environment) {
        Params params = new Params(parameters);
        List<ParameterError> errors = new ArrayList<>();
        Optional<TargetDescription> target = Conditions.target(params, environment, errors);
        String problem = Age.problem(params.raw("older_than"));
        if (problem != null) {
            errors.add(new ParameterError("older_than", problem));
        }
        target.ifPresent(described -> {
            Conditions.column(described, params.string("table"), "date_column", params.string("date_column"), errors);
            Conditions.validate(described, params.string("table"), params.list("conditions"), errors);
            if (!described.product().equals("h2") && !described.product().equals("postgresql")) {
                errors.add(new ParameterError(
                        "target", "database_cleanup deletes in batches on H2 and PostgreSQL targets only"));
            }
        });
        return errors;
    }

    @Override
    public JobResult execute(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        Optional<String> notATime = dateColumnProblem(context);
        if (notATime.isPresent()) {
            return JobResult.failed(notATime.get());
        }
        if (params.bool("dry_run", true)) {
            return count(context, "dry_run is true: nothing deleted", JobResult.builder(JobResult.Status.SUCCEEDED));
        }
        return delete(context);
    }

    @Override
    public JobResult dryRun(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        List<String> columns = new ArrayList<>();
        columns.add(params.string("date_column"));
        Conditions.parse(params).forEach(condition -> columns.add(condition.column()));
        Preflight preflight = Preflight.of(context).target(params.string("target"), params.string("table"), columns);
        if (preflight.failed()) {
            return preflight.failure();
        }
        Optional<String> notATime = dateColumnProblem(context);
        if (notATime.isPresent()) {
            return preflight
                    .check(PreflightCheck.failed("date_column", notATime.get()))
                    .failure();
        }
        return count(
                context, "dry run: nothing deleted", preflight.addTo(JobResult.builder(JobResult.Status.SUCCEEDED)));
    }

    private record Plan(String table, Instant cutoff, Conditions.Where where) {}

    /** A real run's result, whole or stopped between batches: what it found and what its committed batches deleted. */
    private static JobResult.Builder deleted(
            JobResult.Status status, String target, Plan plan, long matching, long deleted, int batches) {
        return JobResult.builder(status)
                .recordsProcessed(matching)
                .recordsAffected(deleted)
                .detail("dry_run", false)
                .detail("target", target)
                .detail("table", plan.table())
                .detail("cutoff", plan.cutoff().toString())
                .detail("matching_rows", matching)
                .detail("deleted", deleted)
                .detail("batches", batches);
    }

    /** The SQL types a date column may have: rows are compared with the cutoff as times, never as text. */
    private static final java.util.Set<Integer> TIMES =
            java.util.Set.of(Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.DATE);

    /** Why the date column cannot hold each row's time (it is text, a number, ...), read from the table itself. */
    private static Optional<String> dateColumnProblem(JobContext context) throws SQLException {
        Params params = new Params(context.parameters());
        String table = params.string("table");
        String column = params.string("date_column");
        try (Connection connection = context.target(params.string("target")).connect();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(
                        "SELECT " + Conditions.quote(column) + " FROM " + Conditions.quote(table) + " WHERE 1 = 0")) {
            ResultSetMetaData meta = rs.getMetaData();
            if (TIMES.contains(meta.getColumnType(1))) {
                return Optional.empty();
            }
            return Optional.of("parameters.date_column: '" + column + "' of " + params.string("target") + "."
                    + table + " is a " + meta.getColumnTypeName(1).toLowerCase(java.util.Locale.ROOT)
                    + " column, not a date or timestamp column; rows cannot be compared with the cutoff by it");
        }
    }

    private static Plan plan(JobContext context) {
        Params params = new Params(context.parameters());
        String table = params.string("table");
        Instant cutoff = Age.cutoff(params.raw("older_than"), context.clock().instant());
        String dateColumn = params.string("date_column");
        Conditions.Where where = Conditions.where(Conditions.parse(params))
                .and(Conditions.quote(dateColumn) + " < ?", List.of(new Conditions.Bound(dateColumn, cutoff)));
        return new Plan(table, cutoff, where);
    }

    private JobResult count(JobContext context, String note, JobResult.Builder result) throws SQLException {
        Params params = new Params(context.parameters());
        Plan plan = plan(context);
        TargetDatabase target = context.target(params.string("target"));
        long matching;
        try (Connection connection = target.connect()) {
            matching = count(connection, plan);
        }
        long wouldDelete = Math.min(matching, params.number("max_rows", 100_000));
        context.log()
                .info(
                        "{} rows of {}.{} are older than {}",
                        matching,
                        params.string("target"),
                        plan.table(),
                        plan.cutoff());
        return result.message("Would delete " + wouldDelete + " of " + matching + " matching rows from " + plan.table()
                        + " (older than " + plan.cutoff() + "); " + note)
                .recordsProcessed(matching)
                .detail("dry_run", true)
                .detail("target", params.string("target"))
                .detail("table", plan.table())
                .detail("cutoff", plan.cutoff().toString())
                .detail("matching_rows", matching)
                .detail("would_delete", wouldDelete)
                .detail("where", plan.where().sql())
                .build();
    }

    private static long count(Connection connection, Plan plan) throws SQLException {
        try (PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM "
                + Conditions.quote(plan.table()) + plan.where().clause())) {
            Conditions.bind(count, 1, plan.where().values(), Conditions.columnTypes(connection, plan.table()));
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private JobResult delete(JobContext context) throws SQLException {
        Params params = new Params(context.parameters());
        Plan plan = plan(context);
        TargetDatabase target = context.target(params.string("target"));
        int batchSize = params.integer("batch_size", 1000);
        long maxRows = params.number("max_rows", 100_000);
        String table = Conditions.quote(plan.table());
        String sql = target.description().product().equals("postgresql")
                ? "DELETE FROM " + table + " WHERE ctid IN (SELECT ctid FROM " + table
                        + plan.where().clause() + " LIMIT ?)"
                : "DELETE FROM " + table + plan.where().clause() + " FETCH FIRST ? ROWS ONLY";
        long deleted = 0;
        int batches = 0;
        try (Connection connection = target.connect()) {
            var types = Conditions.columnTypes(connection, plan.table());
            long matching = count(connection, plan);
            context.log()
                    .info(
                            "{} rows of {}.{} are older than {}; deleting up to {} in batches of {}",
                            matching,
                            params.string("target"),
                            plan.table(),
                            plan.cutoff(),
                            maxRows,
                            batchSize);
            connection.setAutoCommit(false);
            JobCancelledException stopped = null;
            try (PreparedStatement delete = connection.prepareStatement(sql)) {
                while (deleted < maxRows) {
                    context.checkCancelled();
                    int limit = (int) Math.min(batchSize, maxRows - deleted);
                    int next = Conditions.bind(delete, 1, plan.where().values(), types);
                    delete.setInt(next, limit);
                    int affected;
                    try {
                        affected = delete.executeUpdate();
                        connection.commit();
                    } catch (SQLException | RuntimeException e) {
                        connection.rollback();
                        throw e;
                    }
                    deleted += affected;
                    batches++;
                    context.log().info("batch {}: deleted {} rows ({} so far)", batches, affected, deleted);
                    if (affected < limit) {
                        break;
                    }
                }
            } catch (JobCancelledException stop) {
                // the batches committed before stay deleted: the run says how many, then ends stopped
                stopped = stop;
            } finally {
                connection.setAutoCommit(true);
            }
            if (stopped != null) {
                context.log().info("stopped after {} batches: {} rows deleted", batches, deleted);
                return deleted(JobResult.Status.FAILED, params.string("target"), plan, matching, deleted, batches)
                        .message("Stopped (" + stopped.getMessage() + ") after deleting " + deleted + " rows from "
                                + plan.table() + " older than " + plan.cutoff() + " in " + batches + " batch"
                                + (batches == 1 ? "" : "es") + "; the rest is left for the next run")
                        .build();
            }
            JobResult.Builder result = deleted(
                            JobResult.Status.SUCCEEDED, params.string("target"), plan, matching, deleted, batches)
                    .message("Deleted " + deleted + " rows from " + plan.table() + " older than " + plan.cutoff()
                            + " in " + batches + " batch" + (batches == 1 ? "" : "es"));
            if (deleted >= maxRows && matching > deleted) {
                result.warning("Stopped at max_rows (" + maxRows + "); " + (matching - deleted)
                        + " matching rows are left for the next run");
            }
            return result.build();
        }
    }
}
