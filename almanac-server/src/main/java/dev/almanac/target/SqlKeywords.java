package dev.almanac.target;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Words a target's table and column names may not be: the templates write names unquoted (plain names fold the way
 * the database folded them), so a reserved word such as {@code order} would make every statement naming it a syntax
 * error. Each product's own list, of the words that really fail unquoted in the statements the templates write (H2
 * 2.4, PostgreSQL 15); a product Almanac does not know gets both.
 */
final class SqlKeywords {

    /** PostgreSQL's reserved key words, those that may also be function or type names included (Appendix C). */
    static final Set<String> POSTGRESQL = Set.of(
            "all",
            "analyse",
            "analyze",
            "and",
            "any",
            "array",
            "as",
            "asc",
            "asymmetric",
            "authorization",
            "binary",
            "both",
            "case",
            "cast",
            "check",
            "collate",
            "collation",
            "column",
            "concurrently",
            "constraint",
            "create",
            "cross",
            "current_catalog",
            "current_date",
            "current_role",
            "current_schema",
            "current_time",
            "current_timestamp",
            "current_user",
            "default",
            "deferrable",
            "desc",
            "distinct",
            "do",
            "else",
            "end",
            "except",
            "false",
            "fetch",
            "for",
            "foreign",
            "freeze",
            "from",
            "full",
            "grant",
            "group",
            "having",
            "ilike",
            "in",
            "initially",
            "inner",
            "intersect",
            "into",
            "is",
            "isnull",
            "join",
            "lateral",
            "leading",
            "left",
            "like",
            "limit",
            "localtime",
            "localtimestamp",
            "natural",
            "not",
            "notnull",
            "null",
            "offset",
            "on",
            "only",
            "or",
            "order",
            "outer",
            "overlaps",
            "placing",
            "primary",
            "references",
            "returning",
            "right",
            "select",
            "session_user",
            "similar",
            "some",
            "symmetric",
            "table",
            "tablesample",
            "then",
            "to",
            "trailing",
            "true",
            "union",
            "unique",
            "user",
            "using",
            "variadic",
            "verbose",
            "when",
            "where",
            "window",
            "with");

    /** H2's keywords that cannot be used as plain identifiers (H2 2.x, "Keywords / Reserved Words"). */
    static final Set<String> H2 = Set.of(
            "all",
            "and",
            "any",
            "array",
            "as",
            "asymmetric",
            "authorization",
            "between",
            "case",
            "cast",
            "check",
            "constraint",
            "cross",
            "current_catalog",
            "current_date",
            "current_path",
            "current_role",
            "current_schema",
            "current_time",
            "current_timestamp",
            "current_user",
            "day",
            "default",
            "distinct",
            "else",
            "end",
            "except",
            "exists",
            "false",
            "fetch",
            "for",
            "foreign",
            "from",
            "full",
            "group",
            "having",
            "hour",
            "if",
            "in",
            "inner",
            "intersect",
            "interval",
            "is",
            "join",
            "key",
            "left",
            "like",
            "limit",
            "localtime",
            "localtimestamp",
            "minus",
            "minute",
            "month",
            "natural",
            "not",
            "null",
            "offset",
            "on",
            "or",
            "order",
            "primary",
            "qualify",
            "right",
            "row",
            "rownum",
            "second",
            "select",
            "session_user",
            "set",
            "some",
            "symmetric",
            "system_user",
            "table",
            "to",
            "true",
            "uescape",
            "union",
            "unique",
            "unknown",
            "user",
            "using",
            "value",
            "values",
            "when",
            "where",
            "window",
            "with",
            "year");

    private SqlKeywords() {}

    /** Whether {@code name} (lower case) is reserved in the product a target's URL names. */
    /**
     * Whether {@code name} is reserved on the target at {@code url}: an H2 URL's {@code NON_KEYWORDS} setting (H2's
     * way to use such a name unquoted) frees the words it lists.
     */
    static boolean reserved(String product, String name, String url) {
        return switch (product) {
            case "postgresql" -> POSTGRESQL.contains(name);
            case "h2" -> H2.contains(name) && !nonKeywords(url).contains(name);
            default -> POSTGRESQL.contains(name) || H2.contains(name);
        };
    }

    private static final Pattern NON_KEYWORDS = Pattern.compile("(?i);\\s*NON_KEYWORDS\\s*=\\s*([^;]*)");

    private static Set<String> nonKeywords(String url) {
        Matcher setting = NON_KEYWORDS.matcher(url == null ? "" : url);
        return setting.find()
                ? Arrays.stream(setting.group(1).split(","))
                        .map(word -> word.strip().toLowerCase(Locale.ROOT))
                        .collect(Collectors.toSet())
                : Set.of();
    }
}
