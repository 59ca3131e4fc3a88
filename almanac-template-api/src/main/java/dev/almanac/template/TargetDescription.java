package dev.almanac.template;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A named target database as templates may know it: its name, its kind, and the tables and columns the operator
 * allows templates to touch. Never holds a URL or credentials.
 *
 * @param name the target's name, as jobs refer to it
 * @param product the database product in lower case: {@code h2}, {@code postgresql}, or another JDBC product name
 * @param description what the operator says the target is, may be empty
 * @param columns the allowed tables (lower case) with their allowed columns (lower case), in configured order
 */
public record TargetDescription(String name, String product, String description, Map<String, List<String>> columns) {

    public TargetDescription {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(product, "product");
        description = description == null ? "" : description;
        Map<String, List<String>> copy = new LinkedHashMap<>();
        columns.forEach((table, allowed) -> copy.put(table, List.copyOf(allowed)));
        columns = Collections.unmodifiableMap(copy);
    }

    /**
     * Tells whether templates may act on a table.
     *
     * @param table a table name as a job names it
     * @return {@code true} when the table is on the allowlist (exact, case-sensitive match with the lower-case name)
     */
    public boolean allowsTable(String table) {
        return table != null && columns.containsKey(table);
    }

    /**
     * Tells whether templates may read, filter or order by a column of a table.
     *
     * @param table the table
     * @param column the column
     * @return {@code true} when both are on the allowlist
     */
    public boolean allowsColumn(String table, String column) {
        return allowsTable(table) && column != null && columns.get(table).contains(column);
    }

    /**
     * The allowed columns of a table.
     *
     * @param table the table
     * @return its allowed columns, or empty when the table is not allowed
     */
    public Optional<List<String>> columnsOf(String table) {
        return Optional.ofNullable(table == null ? null : columns.get(table));
    }
}
