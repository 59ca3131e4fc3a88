package dev.almanac.script.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rows of a unified diff with their line numbers, for the review page. It reads the unified text the API serves
 * ({@code ScriptService.diff}), so the page and the API show one diff.
 */
final class DiffRows {

    /**
     * One row: a hunk header, or a line kept, removed or added, with its number before and after, and whether it ends
     * CR LF (the text then without the CR, which the page marks).
     */
    record Row(Kind kind, Integer before, Integer after, String text, boolean crlf) {

        Row(Kind kind, Integer before, Integer after, String text) {
            this(
                    kind,
                    before,
                    after,
                    text.endsWith("\r") ? text.substring(0, text.length() - 1) : text,
                    text.endsWith("\r"));
        }
    }

    enum Kind {
        HUNK,
        KEPT,
        REMOVED,
        ADDED;

        /** The row's CSS class. */
        public String css() {
            return switch (this) {
                case HUNK -> "hunk";
                case KEPT -> "kept";
                case REMOVED -> "old";
                case ADDED -> "new";
            };
        }
    }

    private static final Pattern HUNK = Pattern.compile("^@@ -(\\d+)(?:,\\d+)? \\+(\\d+)(?:,\\d+)? @@.*");

    private DiffRows() {}

    static List<Row> of(String unified) {
        List<Row> rows = new ArrayList<>();
        int before = 0;
        int after = 0;
        for (String line : unified.split("\n", -1)) {
            if (line.startsWith("---") && rows.isEmpty() || line.startsWith("+++") && rows.isEmpty()) {
                continue; // the file header names the versions, which the page says in words
            }
            Matcher hunk = HUNK.matcher(line);
            if (hunk.matches()) {
                before = Integer.parseInt(hunk.group(1));
                after = Integer.parseInt(hunk.group(2));
                rows.add(new Row(Kind.HUNK, null, null, line));
            } else if (line.startsWith("-")) {
                rows.add(new Row(Kind.REMOVED, before++, null, line.substring(1)));
            } else if (line.startsWith("+")) {
                rows.add(new Row(Kind.ADDED, null, after++, line.substring(1)));
            } else if (line.startsWith(" ")) {
                rows.add(new Row(Kind.KEPT, before++, after++, line.substring(1)));
            } else if (line.startsWith("\\")) {
                rows.add(new Row(Kind.HUNK, null, null, line)); // "\ No newline at end of file", about the row above
            }
        }
        return rows;
    }
}
