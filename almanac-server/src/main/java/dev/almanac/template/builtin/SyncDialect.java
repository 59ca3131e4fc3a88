package dev.almanac.template.builtin;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How data_sync writes a batch to a destination: an upsert on the key column, in the dialect the destination's own
 * metadata names. H2 has {@code MERGE … KEY}; PostgreSQL has {@code INSERT … ON CONFLICT}, which needs a unique
 * constraint on the key.
 */
enum SyncDialect {
    H2 {
        @Override
        String upsert(String table, List<String> columns, String key) {
            return "MERGE INTO " + Conditions.quote(table) + " (" + list(columns) + ") KEY (" + Conditions.quote(key)
                    + ") VALUES (" + placeholders(columns) + ")";
        }
    },
    POSTGRESQL {
        @Override
        String upsert(String table, List<String> columns, String key) {
            List<String> rest =
                    columns.stream().filter(column -> !column.equals(key)).toList();
            String onConflict = rest.isEmpty()
                    ? "DO NOTHING"
                    : "DO UPDATE SET "
                            + rest.stream()
                                    .map(column -> Conditions.quote(column) + " = EXCLUDED." + Conditions.quote(column))
                                    .collect(Collectors.joining(", "));
            return "INSERT INTO " + Conditions.quote(table) + " (" + list(columns) + ") VALUES ("
                    + placeholders(columns) + ") ON CONFLICT (" + Conditions.quote(key) + ") " + onConflict;
        }
    };

    /** The upsert of one row, its values bound in the order of {@code columns}. */
    abstract String upsert(String table, List<String> columns, String key);

    /**
     * The dialect of a database product as JDBC metadata names it.
     *
     * @throws IllegalArgumentException for any other product
     */
    static SyncDialect of(String productName) {
        String product = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (product.startsWith("h2")) {
            return H2;
        }
        if (product.startsWith("postgresql")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("data_sync writes to H2 and PostgreSQL only, not to " + productName);
    }

    private static String list(List<String> columns) {
        return columns.stream().map(Conditions::quote).collect(Collectors.joining(", "));
    }

    private static String placeholders(List<String> columns) {
        return String.join(", ", java.util.Collections.nCopies(columns.size(), "?"));
    }
}
