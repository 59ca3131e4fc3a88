package dev.almanac.template.builtin;

import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.PreflightCheck;
import dev.almanac.template.TargetDatabase;
import dev.almanac.template.TargetDescription;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a dry run checks that the real run will need, so "would send" is not said of a mail no server will take. A
 * failed check fails the dry run: the real run cannot work at all.
 */
final class Preflight {

    /** Short enough that a dry run of a target that does not answer still returns promptly. */
    static final Duration TARGET_TIMEOUT = Duration.ofSeconds(3);

    private final JobContext context;
    private final List<PreflightCheck> checks = new ArrayList<>();

    private Preflight(JobContext context) {
        this.context = context;
    }

    static Preflight of(JobContext context) {
        return new Preflight(context);
    }

    Preflight mail() {
        boolean configured;
        try {
            configured = context.mailer().configured();
        } catch (UnsupportedOperationException none) {
            configured = false;
        }
        checks.add(
                configured
                        ? PreflightCheck.passed("smtp", "an SMTP server is configured")
                        : PreflightCheck.failed(
                                "smtp",
                                "no SMTP server configured: set spring.mail.host (SPRING_MAIL_HOST) and its port"));
        return this;
    }

    Preflight url(URI uri, String shown) {
        Optional<String> refusal;
        try {
            refusal = context.http().refusal(uri);
        } catch (UnsupportedOperationException none) {
            refusal = Optional.of("this node offers no HTTP client");
        }
        checks.add(refusal.map(why -> PreflightCheck.failed("url", "the SSRF guard refuses " + shown + ": " + why))
                .orElseGet(() -> PreflightCheck.passed("url", "the SSRF guard allows " + shown)));
        return this;
    }

    /**
     * The target exists, answers within {@link #TARGET_TIMEOUT}, and allows the table and columns; {@code table} may
     * be {@code null} when the run uses every allowed table.
     */
    Preflight target(String name, String table, Collection<String> columns) {
        TargetDatabase target;
        try {
            target = context.target(name);
        } catch (IllegalArgumentException | UnsupportedOperationException unknown) {
            checks.add(PreflightCheck.failed("target", "no target named '" + name + "' is configured"));
            return this;
        }
        TargetDescription description = target.description();
        if (table != null) {
            if (!description.allowsTable(table)) {
                checks.add(PreflightCheck.failed(
                        "table", "table '" + table + "' is not on the allowlist of target '" + name + "'"));
            } else {
                List<String> refused = columns.stream()
                        .filter(column -> column != null && !description.allowsColumn(table, column))
                        .toList();
                checks.add(
                        refused.isEmpty()
                                ? PreflightCheck.passed(
                                        "table", "table '" + table + "' and its columns are allowed on '" + name + "'")
                                : PreflightCheck.failed(
                                        "column",
                                        (refused.size() == 1 ? "column " : "columns ")
                                                + refused.stream()
                                                        .map(column -> "'" + column + "'")
                                                        .collect(Collectors.joining(", "))
                                                + " of '" + table + "' not on the allowlist of target '" + name
                                                + "'"));
            }
        }
        try {
            target.checkReachable(TARGET_TIMEOUT);
            checks.add(PreflightCheck.passed("target", "target '" + name + "' answers"));
        } catch (SQLException | RuntimeException unreachable) {
            checks.add(PreflightCheck.failed(
                    "target", "target '" + name + "' does not answer: " + firstLine(unreachable.getMessage())));
        }
        return this;
    }

    /** The configured directory of an area, or the nearest folder that exists above it, is writable. */
    Preflight directory(String area, String property, String subdirectory) {
        Optional<Path> base = context.directory(area);
        if (base.isEmpty()) {
            checks.add(
                    PreflightCheck.failed("directory", "no " + area + " directory is configured (" + property + ")"));
            return this;
        }
        Path directory = subdirectory == null ? base.get() : base.get().resolve(subdirectory);
        Path existing = directory;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        boolean writable = existing != null && Files.isDirectory(existing) && Files.isWritable(existing);
        checks.add(
                writable
                        ? PreflightCheck.passed("directory", "the " + area + " directory " + directory + " is writable")
                        : PreflightCheck.failed(
                                "directory", "the " + area + " directory " + directory + " is not writable"));
        return this;
    }

    /** A check the template made itself, such as whether its method may be used on the target. */
    Preflight check(PreflightCheck check) {
        checks.add(check);
        return this;
    }

    boolean failed() {
        return checks.stream().anyMatch(check -> !check.ok());
    }

    /** The dry run's outcome when a check failed: what is missing, and that nothing was done. */
    JobResult failure() {
        String missing = checks.stream()
                .filter(check -> !check.ok())
                .map(PreflightCheck::message)
                .collect(Collectors.joining("; "));
        return addTo(JobResult.builder(JobResult.Status.FAILED))
                .message("Pre-flight failed, a real run would fail: " + missing + "; nothing was done")
                .detail("changes_nothing", true)
                .build();
    }

    JobResult.Builder addTo(JobResult.Builder result) {
        checks.forEach(result::check);
        return result;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no answer";
        }
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
