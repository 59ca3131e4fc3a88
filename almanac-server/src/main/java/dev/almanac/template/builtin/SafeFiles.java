package dev.almanac.template.builtin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File names made by the server inside a configured base directory. A pattern may only hold letters, digits,
 * {@code . _ -} and known placeholders, so no separator, parent reference, encoded form or NUL can reach the file
 * system; the made name is checked again, the path must stay inside the base, and an existing file or symbolic link
 * is never written through.
 */
final class SafeFiles {

    static final Pattern PATTERN =
            Pattern.compile("([A-Za-z0-9._-]|\\{(job|date|time|timestamp|table|target|ext)\\})+");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)\\}");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HHmmss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private SafeFiles() {}

    /** Why a file name pattern is refused, or {@code null}. */
    static String patternProblem(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            return "must not be empty";
        }
        if (pattern.contains("..")) {
            return "must not contain '..'";
        }
        if (!PATTERN.matcher(pattern).matches()) {
            return "may only hold letters, digits, '.', '_', '-' and the placeholders {job} {date} {time} {timestamp}"
                    + " {table} {target} {ext}";
        }
        if (pattern.startsWith(".") || pattern.startsWith("-")) {
            return "must not start with '.' or '-'";
        }
        return null;
    }

    /** A name from a pattern: placeholders filled in, every character outside the safe set replaced. */
    static String name(String pattern, Instant now, Map<String, String> values) {
        Matcher matcher = PLACEHOLDER.matcher(pattern);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = switch (matcher.group(1)) {
                case "date" -> DATE.format(now);
                case "time" -> TIME.format(now);
                case "timestamp" -> STAMP.format(now);
                default -> values.getOrDefault(matcher.group(1), "");
            };
            matcher.appendReplacement(out, Matcher.quoteReplacement(clean(value)));
        }
        matcher.appendTail(out);
        String name = out.toString().replace("..", ".");
        while (name.startsWith(".") || name.startsWith("-")) {
            name = name.substring(1);
        }
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("cannot make a safe file name from pattern '" + pattern + "'");
        }
        return name;
    }

    /** A value as it may appear in a file name. */
    static String clean(String value) {
        return value.replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    /**
     * Opens a new file for writing inside {@code base}; when the name is taken, {@code -2}, {@code -3}... is added
     * before the extension. Never follows or replaces a symbolic link.
     */
    static Path createInside(Path base, String name) throws IOException {
        if (!SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("unsafe file name '" + name + "'");
        }
        Files.createDirectories(base);
        Path root = base.toRealPath();
        int dot = name.indexOf('.');
        String stem = dot < 0 ? name : name.substring(0, dot);
        String extension = dot < 0 ? "" : name.substring(dot);
        for (int attempt = 1; attempt <= 1000; attempt++) {
            Path file = root.resolve(attempt == 1 ? name : stem + "-" + attempt + extension)
                    .normalize();
            if (!file.getParent().equals(root)) {
                throw new IllegalArgumentException("'" + name + "' would leave the base directory");
            }
            if (Files.isSymbolicLink(file)) {
                throw new IOException("refusing to write through the symbolic link " + file.getFileName());
            }
            try {
                Files.newOutputStream(
                                file,
                                StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE,
                                LinkOption.NOFOLLOW_LINKS)
                        .close();
                return file;
            } catch (FileAlreadyExistsException taken) {
                // try the next suffix
            }
        }
        throw new IOException("no free file name for '" + name + "' in " + base);
    }

    static OutputStream open(Path file) throws IOException {
        return Files.newOutputStream(
                file, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }
}
