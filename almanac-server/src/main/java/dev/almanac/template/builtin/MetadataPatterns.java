package dev.almanac.template.builtin;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;

/**
 * A name as a {@link DatabaseMetaData} pattern that matches only itself: {@code _} and {@code %} are wildcards there,
 * and table names have underscores, so {@code order_items} would also read the columns of {@code orderXitems}.
 */
final class MetadataPatterns {

    private MetadataPatterns() {}

    /** {@code name} with the metadata's wildcards escaped; null stays null (no restriction). */
    static String exactly(DatabaseMetaData meta, String name) throws SQLException {
        String escape = meta.getSearchStringEscape();
        if (name == null || escape == null || escape.isEmpty()) {
            return name;
        }
        return name.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
    }
}
