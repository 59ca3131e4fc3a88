package dev.almanac.template.builtin;

import dev.almanac.template.ParameterError;
import dev.almanac.template.TargetDescription;
import dev.almanac.template.TemplateEnvironment;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where clauses from parameters, the one way templates build SQL for a target: every table and column must be on the
 * target's allowlist and is quoted, every operator comes from a fixed list, and every value is bound as a parameter,
 * converted to the column's type.
 */
final class Conditions {

    static final Set<String> OPERATORS = Set.of("=", "!=", "<", "<=", ">", ">=", "in", "is_null", "is_not_null");
    static final int MAX_IN_VALUES = 1000;

    /** One condition: {@code column op value}. */
    record Condition(String column, String op, Object value) {}

    /** A where clause and the values to bind, in order. */
    record Where(String sql, List<Bound> values) {
        Where and(String moreSql, List<Bound> more) {
            List<Bound> all = new ArrayList<>(values);
            all.addAll(more);
            return new Where(sql.isEmpty() ? moreSql : sql + " AND " + moreSql, all);
        }

        String clause() {
            return sql.isEmpty() ? "" : " WHERE " + sql;
        }
    }

    /**
     * A value and the column it is compared with, whose type decides how it is bound; {@code field} names the
     * parameter it came from ({@code conditions[0].value}), or is null for a value the template made itself.
     */
    record Bound(String column, Object value, String field) {
        Bound(String column, Object value) {
            this(column, value, null);
        }
    }

    private Conditions() {}

    /** The JSON Schema of a conditions list, shared by every template that filters rows. */
    static final String SCHEMA = """
            {
              "type": "array",
              "title": "Conditions",
              "description": "Extra filters, all of which must hold. Values are always bound as parameters.",
              "maxItems": 20,
              "default": [],
              "x-aliases": ["condition", "where", "filters"],
              "items": {
                "type": "object",
                "properties": {
                  "column": {"type": "string", "description": "An allowed column of the table", "pattern": "^[a-z][a-z0-9_]{0,62}$", "x-source": "columns"},
                  "op": {"type": "string", "enum": ["=", "!=", "<", "<=", ">", ">=", "in", "is_null", "is_not_null"], "description": "The comparison"},
                  "value": {"description": "The value to compare with; a list for 'in'; none for is_null and is_not_null"}
                },
                "required": ["column", "op"],
                "additionalProperties": false
              }
            }""";

    /** Checks target and table: the target exists and the table is on its allowlist. */
    static Optional<TargetDescription> target(
            Params params, TemplateEnvironment environment, List<ParameterError> errors) {
        String name = params.string("target");
        Optional<TargetDescription> target = environment.target(name);
        if (target.isEmpty()) {
            errors.add(new ParameterError(
                    "target",
                    "no target named '" + name + "'; configured: "
                            + String.join(
                                    ", ",
                                    environment.targets().stream()
                                            .map(TargetDescription::name)
                                            .toList())));
            return Optional.empty();
        }
        String table = params.string("table");
        if (table == null) {
            // missing (or not text): the schema says so, and no column can be checked without the table
            return Optional.empty();
        }
        if (!target.get().allowsTable(table)) {
            errors.add(new ParameterError(
                    "table",
                    "'" + table + "' is not an allowed table of target '" + name + "'; allowed: "
                            + String.join(", ", target.get().columns().keySet())));
            return Optional.empty();
        }
        return target;
    }

    static void column(
            TargetDescription target, String table, String field, String column, List<ParameterError> errors) {
        if (column != null && !target.allowsColumn(table, column)) {
            errors.add(new ParameterError(
                    field, "'" + column + "' is not an allowed column of " + target.name() + "." + table));
        }
    }

    /** Whether a value is a JSON number too large for a double (as 1e400 parses), or not a number at all. */
    private static boolean nonFinite(Object value) {
        return (value instanceof Double d && !Double.isFinite(d)) || (value instanceof Float f && !Float.isFinite(f));
    }

    @SuppressWarnings("unchecked")
    static List<Condition> parse(Params params) {
        List<Condition> conditions = new ArrayList<>();
        for (Object item : params.list("conditions")) {
            Map<String, Object> condition = (Map<String, Object>) item;
            conditions.add(new Condition(
                    (String) condition.get("column"),
                    ((String) condition.get("op")).toLowerCase(Locale.ROOT),
                    condition.get("value")));
        }
        return conditions;
    }

    static void validate(TargetDescription target, String table, List<Object> raw, List<ParameterError> errors) {
        for (int i = 0; i < raw.size(); i++) {
            String field = "conditions[" + i + "]";
            if (!(raw.get(i) instanceof Map<?, ?> condition)) {
                errors.add(new ParameterError(field, "must be an object with column, op and value"));
                continue;
            }
            Object column = condition.get("column");
            Object op = condition.get("op");
            Object value = condition.get("value");
            column(target, table, field + ".column", String.valueOf(column), errors);
            if (!(op instanceof String operator) || !OPERATORS.contains(operator)) {
                errors.add(new ParameterError(field + ".op", "must be one of " + String.join(" ", ordered())));
                continue;
            }
            switch (operator) {
                case "is_null", "is_not_null" -> {
                    if (condition.containsKey("value") && value != null) {
                        errors.add(new ParameterError(field + ".value", "must be left out for " + operator));
                    }
                }
                case "in" -> {
                    if (!(value instanceof List<?> values) || values.isEmpty() || values.size() > MAX_IN_VALUES) {
                        errors.add(new ParameterError(
                                field + ".value", "must be a list of 1 to " + MAX_IN_VALUES + " values"));
                    } else if (values.stream().anyMatch(v -> !isScalar(v))) {
                        errors.add(new ParameterError(field + ".value", "must hold only strings, numbers or booleans"));
                    } else if (values.stream().anyMatch(Conditions::nonFinite)) {
                        errors.add(new ParameterError(field + ".value", "must hold only finite numbers"));
                    }
                }
                default -> {
                    if (!isScalar(value)) {
                        errors.add(new ParameterError(field + ".value", "must be a string, number or boolean"));
                    } else if (nonFinite(value)) {
                        errors.add(new ParameterError(field + ".value", "must be a finite number, not " + value));
                    }
                }
            }
        }
    }

    private static List<String> ordered() {
        return List.of("=", "!=", "<", "<=", ">", ">=", "in", "is_null", "is_not_null");
    }

    private static boolean isScalar(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    /** The where clause of the conditions, all values bound. */
    static Where where(List<Condition> conditions) {
        StringBuilder sql = new StringBuilder();
        List<Bound> values = new ArrayList<>();
        for (int i = 0; i < conditions.size(); i++) {
            Condition condition = conditions.get(i);
            String field = "parameters.conditions[" + i + "].value";
            if (!sql.isEmpty()) {
                sql.append(" AND ");
            }
            String column = quote(condition.column());
            switch (condition.op()) {
                case "is_null" -> sql.append(column).append(" IS NULL");
                case "is_not_null" -> sql.append(column).append(" IS NOT NULL");
                case "in" -> {
                    List<?> list = (List<?>) condition.value();
                    sql.append(column)
                            .append(" IN (")
                            .append(String.join(", ", java.util.Collections.nCopies(list.size(), "?")))
                            .append(')');
                    for (int j = 0; j < list.size(); j++) {
                        values.add(new Bound(condition.column(), list.get(j), field + "[" + j + "]"));
                    }
                }
                case "=", "!=", "<", "<=", ">", ">=" -> {
                    sql.append(column)
                            .append(' ')
                            .append(condition.op().equals("!=") ? "<>" : condition.op())
                            .append(" ?");
                    values.add(new Bound(condition.column(), condition.value(), field));
                }
                default -> throw new IllegalArgumentException("unknown operator " + condition.op());
            }
        }
        return new Where(sql.toString(), values);
    }

    /**
     * An identifier that validation checked against the allowlist, refused unless it is a plain lower-case name
     * whatever validation let through. Left unquoted on purpose: plain names fold the way the database folded them when
     * the tables were created (upper case in H2, lower case in PostgreSQL), and nothing but letters, digits and
     * underscores can get through.
     */
    static String quote(String identifier) {
        if (identifier == null || !identifier.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain identifier: " + identifier);
        }
        return identifier;
    }

    /** The SQL types of a table's columns, read from the table itself. */
    static Map<String, Integer> columnTypes(Connection connection, String table) throws SQLException {
        Map<String, Integer> types = new HashMap<>();
        try (Statement statement = connection.createStatement();
                var rs = statement.executeQuery("SELECT * FROM " + quote(table) + " WHERE 1 = 0")) {
            ResultSetMetaData meta = rs.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                types.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), meta.getColumnType(i));
            }
        }
        return types;
    }

    /** Binds values from position {@code first} on, each converted to its column's type. */
    static int bind(PreparedStatement statement, int first, List<Bound> values, Map<String, Integer> types)
            throws SQLException {
        int index = first;
        for (Bound bound : values) {
            Integer type = types.get(bound.column());
            statement.setObject(
                    index++,
                    convert(bound.value(), type == null ? Types.VARCHAR : type, bound.column(), bound.field()));
        }
        return index;
    }

    static Object convert(Object value, int type, String column) {
        return convert(value, type, column, null);
    }

    /**
     * A value converted to a column's type.
     *
     * @throws IllegalArgumentException naming {@code field} (when given), the value and the column when it does not fit
     */
    static Object convert(Object value, int type, String column, String field) {
        if (value == null) {
            return null;
        }
        try {
            return switch (type) {
                case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.DATE ->
                    value instanceof Instant instant
                            ? instant.atOffset(ZoneOffset.UTC)
                            : timestamp(String.valueOf(value));
                case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT ->
                    new BigDecimal(String.valueOf(value)).longValueExact();
                case Types.DECIMAL, Types.NUMERIC, Types.DOUBLE, Types.FLOAT, Types.REAL ->
                    new BigDecimal(String.valueOf(value));
                case Types.BOOLEAN, Types.BIT -> flag(value);
                default -> String.valueOf(value);
            };
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            String what = switch (type) {
                case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.DATE ->
                    withoutOffset(String.valueOf(value))
                            ? "a time without an offset (which time zone?); add one, as in '" + value + "Z' for UTC,"
                            : "not an ISO-8601 date or timestamp";
                case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> "not a whole number";
                case Types.BOOLEAN, Types.BIT -> "not true or false";
                default -> "not a number";
            };
            throw new IllegalArgumentException(
                    (field == null ? "value" : field + ":") + " '" + value + "' is " + what + " for column " + column);
        }
    }

    /** true or false, as a JSON boolean or its text; anything else (1, "yes") would silently read as false. */
    private static Boolean flag(Object value) {
        if (value instanceof Boolean flag) {
            return flag;
        }
        String text = String.valueOf(value).strip();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.valueOf(text);
        }
        throw new NumberFormatException(text);
    }

    /** A local date and time, such as {@code 2026-01-01T00:00:00}: a time, but in no particular zone. */
    private static boolean withoutOffset(String text) {
        try {
            LocalDateTime.parse(text.strip());
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static OffsetDateTime timestamp(String text) {
        if (text.length() == 10) {
            return LocalDate.parse(text).atStartOfDay().atOffset(ZoneOffset.UTC);
        }
        return OffsetDateTime.parse(text);
    }
}
