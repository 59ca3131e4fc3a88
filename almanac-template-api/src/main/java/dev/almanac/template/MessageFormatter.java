package dev.almanac.template;

import java.util.Arrays;

/**
 * Formats {@link JobLogger} messages the way SLF4J does, so every logger implementation renders them alike.
 * Each {@code {}} takes the next argument; {@code \{}} is a literal {@code {}}; missing arguments leave the
 * placeholder as it is; a trailing {@link Throwable} that no placeholder takes is appended after a colon.
 */
final class MessageFormatter {

    private static final String PLACEHOLDER = "{}";

    private MessageFormatter() {}

    static String format(String pattern, Object... args) {
        if (pattern == null) {
            return "null";
        }
        if (args == null || args.length == 0) {
            return pattern;
        }
        StringBuilder out = new StringBuilder(pattern.length() + 16 * args.length);
        int next = 0;
        int from = 0;
        while (true) {
            int at = pattern.indexOf(PLACEHOLDER, from);
            if (at < 0) {
                break;
            }
            if (at > 0 && pattern.charAt(at - 1) == '\\') {
                out.append(pattern, from, at - 1).append(PLACEHOLDER);
            } else if (next < args.length) {
                out.append(pattern, from, at).append(render(args[next++]));
            } else {
                out.append(pattern, from, at + PLACEHOLDER.length());
            }
            from = at + PLACEHOLDER.length();
        }
        out.append(pattern, from, pattern.length());
        if (next < args.length && args[args.length - 1] instanceof Throwable thrown) {
            out.append(": ").append(thrown);
        }
        return out.toString();
    }

    private static String render(Object arg) {
        if (arg == null) {
            return "null";
        }
        if (arg instanceof Object[] array) {
            return Arrays.deepToString(array);
        }
        if (arg.getClass().isArray()) {
            String wrapped = Arrays.deepToString(new Object[] {arg});
            return wrapped.substring(1, wrapped.length() - 1);
        }
        return String.valueOf(arg);
    }
}
