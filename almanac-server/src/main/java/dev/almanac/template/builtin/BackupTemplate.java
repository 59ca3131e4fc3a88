package dev.almanac.template.builtin;

import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ParameterError;
import dev.almanac.template.PreflightCheck;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.StoredArtifact;
import dev.almanac.template.TargetDatabase;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import dev.almanac.template.TemplateEnvironment;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Backs up the allowed tables of a target into the backup directory: H2 with {@code SCRIPT ... COMPRESSION GZIP},
 * PostgreSQL with {@code pg_dump} (custom format) when it is installed, otherwise a gzipped JSON Lines dump of the
 * allowed columns. A native dump copies whole tables, so it is taken only when the allowlist names every column of
 * every allowed table; the H2 script never carries the database's users and their password hashes. Records the
 * SHA-256 next to the file, reads the backup back to verify it, and then applies the retention ({@code keep_last},
 * {@code max_age_days}) to older backups this job made of the same target: the job id is in each file name, so one
 * job's retention never removes another job's backups.
 */
@Component
public class BackupTemplate implements JobTemplate {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** A backup being written (or left by a killed run): its name, then .part (.part.raw for H2's raw script). */
    private static final Pattern PART_NAME =
            Pattern.compile("(.+)-(\\d{8}T\\d{6}Z)(-\\d+)?\\.(sql\\.gz|dump|jsonl\\.gz)\\.part(\\.raw)?");
    /** Longer than any run of a job may take (a timeout is at most 7 days): a part this old is no live run's. */
    private static final Duration ABANDONED_AFTER = Duration.ofDays(8);

    private static final Pattern BACKUP_NAME =
            Pattern.compile("(.+)-(\\d{8}T\\d{6}Z)(-\\d+)?\\.(sql\\.gz|dump|jsonl\\.gz)");

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("backup")
            .name("Backup")
            .description("Backs up the allowed tables of a target database into the backup directory (H2 SCRIPT,"
                    + " pg_dump, or a gzipped JSON Lines dump), records its SHA-256, verifies it, and removes old"
                    + " backups by count and age.")
            .category("data")
            .icon("archive")
            .riskLevel(RiskLevel.MEDIUM)
            .destructive(false)
            .estimatedDuration(Duration.ofMinutes(5))
            .resourceUsage(ResourceUsage.HIGH)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "target": {"type": "string", "title": "Target", "description": "A configured target database (GET /targets); its allowed tables are backed up", "x-source": "targets"},
                        "method": {"type": "string", "title": "Method", "enum": ["auto", "native", "jsonl"], "default": "auto", "description": "native: H2 SCRIPT or pg_dump of whole tables, refused when an allowed table has a column the allowlist leaves out; jsonl: one JSON object per row of the allowed columns, gzipped, any database; auto: native where possible, else jsonl"},
                        "keep_last": {"type": "integer", "title": "Keep last", "description": "Backups this job made of this target kept after a successful backup, the new one included", "minimum": 1, "maximum": 1000, "default": 7},
                        "max_age_days": {"type": "integer", "title": "Maximum age", "description": "Older backups this job made of this target are removed after a successful backup", "minimum": 1, "maximum": 3650},
                        "verify": {"type": "boolean", "title": "Verify", "description": "Read the backup back and check it", "default": true},
                        "also_artifact": {"type": "boolean", "title": "Also as artifact", "description": "Copy the backup into the execution's artifacts for download", "default": false}
                      },
                      "required": ["target"],
                      "additionalProperties": false
                    }
                    """)
            .exampleParameters("""
                    {"target": "demo", "method": "auto", "keep_last": 7, "max_age_days": 30, "verify": true}
                    """)
            .build();

    private final String pgDump;
    private final String pgRestore;

    BackupTemplate(
            @Value("${almanac.backup.pg-dump:pg_dump}") String pgDump,
            @Value("${almanac.backup.pg-restore:pg_restore}") String pgRestore) {
        this.pgDump = pgDump;
        this.pgRestore = pgRestore;
    }

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
                        "Backs up the allowed tables of a target into the backup directory, verifies it, and removes old backups."));
    }

    @Override
    public List<ParameterError> validate(Map<String, Object> parameters, TemplateEnvironment environment) {
        List<ParameterError> errors = new ArrayList<>();
        Conditions.target(new Params(parameters), environment, errors);
        return errors;
    }

    private enum Method {
        H2_SCRIPT(".sql.gz", "application/gzip"),
        PG_DUMP(".dump", "application/octet-stream"),
        JSONL(".jsonl.gz", "application/gzip");

        final String extension;
        final String contentType;

        Method(String extension, String contentType) {
            this.extension = extension;
            this.contentType = contentType;
        }
    }

    /**
     * The method to back up with. A native dump copies whole tables, so {@code auto} takes jsonl, and {@code native}
     * is refused, when an allowed table has a column the allowlist leaves out.
     *
     * @throws IllegalStateException when {@code native} was asked for and cannot, or may not, be used
     */
    private Method method(Params params, TargetDatabase target, JobContext context) throws SQLException {
        String wanted = params.string("method", "auto");
        String product = target.description().product();
        if (wanted.equals("jsonl")) {
            return Method.JSONL;
        }
        Method nativeMethod = null;
        if (product.equals("h2")) {
            nativeMethod = Method.H2_SCRIPT;
        } else if (product.equals("postgresql") && !target.clientEnvironment().isEmpty() && pgDumpAvailable()) {
            nativeMethod = Method.PG_DUMP;
        }
        if (nativeMethod == null) {
            if (wanted.equals("native")) {
                throw new IllegalStateException("no native backup for " + product + " here (pg_dump not found at '"
                        + pgDump + "'); use method jsonl or auto");
            }
            return Method.JSONL;
        }
        List<String> unlisted = unlistedColumns(target);
        if (unlisted.isEmpty()) {
            return nativeMethod;
        }
        String why = "a native backup copies whole tables, and " + String.join(", ", unlisted)
                + (unlisted.size() == 1 ? " is" : " are") + " not on the allowlist of target '"
                + target.description().name() + "'";
        if (wanted.equals("native")) {
            throw new IllegalStateException(
                    "method native refused: " + why + "; allow the column or use method jsonl or auto");
        }
        context.log()
                .info("backing up with jsonl, not {}: {}", nativeMethod.name().toLowerCase(Locale.ROOT), why);
        return Method.JSONL;
    }

    /** The columns of the allowed tables, as the database has them, that the allowlist leaves out: table.column. */
    private static List<String> unlistedColumns(TargetDatabase target) throws SQLException {
        List<String> unlisted = new ArrayList<>();
        try (Connection connection = target.connect()) {
            DatabaseMetaData meta = connection.getMetaData();
            String schema = target.clientEnvironment().getOrDefault("ALMANAC_SCHEMA", connection.getSchema());
            for (Map.Entry<String, List<String>> table :
                    target.description().columns().entrySet()) {
                List<String> columns = columns(meta, connection.getCatalog(), schema, table.getKey());
                if (columns.isEmpty()) {
                    // a table whose columns cannot be read is not known to be clean: the native dump is not taken
                    unlisted.add(table.getKey() + ".* (its columns could not be read)");
                }
                for (String column : columns) {
                    boolean folded = column.equals(column.toUpperCase(Locale.ROOT));
                    if (!table.getValue().contains(column)
                            && !(folded && table.getValue().contains(column.toLowerCase(Locale.ROOT)))) {
                        unlisted.add(table.getKey() + "." + column);
                    }
                }
            }
        }
        return unlisted;
    }

    /** A table's columns; its name as written, else upper case (H2 without {@code DATABASE_TO_LOWER}). */
    private static List<String> columns(DatabaseMetaData meta, String catalog, String schema, String table)
            throws SQLException {
        for (String name : List.of(table, table.toUpperCase(Locale.ROOT))) {
            for (String inSchema : schema == null ? List.of("") : List.of(schema, schema.toUpperCase(Locale.ROOT))) {
                List<String> columns = new ArrayList<>();
                try (ResultSet rs = meta.getColumns(
                        catalog,
                        inSchema.isEmpty() ? null : MetadataPatterns.exactly(meta, inSchema),
                        MetadataPatterns.exactly(meta, name),
                        "%")) {
                    while (rs.next()) {
                        columns.add(rs.getString("COLUMN_NAME"));
                    }
                }
                if (!columns.isEmpty()) {
                    return columns;
                }
            }
        }
        return List.of();
    }

    private boolean pgDumpAvailable() {
        try {
            Process process = new ProcessBuilder(pgDump, "--version")
                    .redirectErrorStream(true)
                    .start();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Path directory(JobContext context, String target) {
        return context.directory("backup")
                .orElseThrow(() -> new IllegalStateException("no backup directory is configured (almanac.backup-dir)"))
                .resolve(SafeFiles.clean(target));
    }

    @Override
    public JobResult dryRun(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        Preflight preflight = Preflight.of(context)
                .target(params.string("target"), null, List.of())
                .directory("backup", "almanac.backup-dir", SafeFiles.clean(params.string("target")));
        if (preflight.failed()) {
            return preflight.failure();
        }
        TargetDatabase target = context.target(params.string("target"));
        Method method;
        try {
            method = method(params, target, context);
        } catch (IllegalStateException refused) {
            return preflight
                    .check(PreflightCheck.failed("method", refused.getMessage()))
                    .failure();
        }
        Path directory = directory(context, params.string("target"));
        List<Path> expiring = new ArrayList<>(
                expired(directory, ownPrefix(context), params, context.clock().instant(), null));
        expiring.addAll(
                abandonedParts(directory, ownPrefix(context), context.clock().instant()));
        return preflight
                .addTo(JobResult.builder(JobResult.Status.SUCCEEDED))
                .message("Dry run: would back up "
                        + target.description().columns().size() + " tables of "
                        + params.string("target") + " with " + method.name().toLowerCase() + " into " + directory
                        + " and then remove " + expiring.size() + " old backup(s) and unfinished file(s)")
                .detail("changes_nothing", true)
                .detail("method", method.name().toLowerCase())
                .detail("tables", List.copyOf(target.description().columns().keySet()))
                .detail(
                        "would_remove",
                        expiring.stream().map(p -> p.getFileName().toString()).toList())
                .build();
    }

    @Override
    public JobResult execute(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        String targetName = params.string("target");
        TargetDatabase target = context.target(targetName);
        Method method = method(params, target, context);
        Path directory = directory(context, targetName);
        Instant now = context.clock().instant();
        String name = ownPrefix(context) + STAMP.format(now) + method.extension;
        // written and verified under a .part name, which no listing of backups counts; renamed only when complete
        Path part = SafeFiles.createInside(directory, name + ".part");
        List<String> tables = List.copyOf(target.description().columns().keySet());
        context.log()
                .info(
                        "backing up {} tables of {} with {} to {}",
                        tables.size(),
                        targetName,
                        method,
                        part.getFileName());
        Map<String, Long> rows;
        String sha256;
        long size;
        Path file = null;
        boolean renamed = false;
        JobResult.Builder result = JobResult.builder(JobResult.Status.SUCCEEDED);
        try {
            rows = switch (method) {
                case H2_SCRIPT -> h2Script(target, tables, part);
                case PG_DUMP -> pgDump(context, target, tables, part);
                case JSONL -> jsonl(context, target, part);
            };
            context.checkCancelled();
            sha256 = sha256(part);
            size = Files.size(part);
            context.log().info("wrote {} bytes, sha256 {}", size, sha256);
            if (params.bool("verify", true)) {
                context.checkCancelled();
                String verified = verify(context, method, part, tables, sha256);
                context.log().info("verified: {}", verified);
                result.detail("verified", verified);
            }
            context.checkCancelled();
            file = SafeFiles.createInside(directory, name);
            Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
        } catch (Exception | Error e) {
            // a stopped or failed backup leaves nothing that looks like one: neither its part nor, when the rename
            // failed, the empty file created under the backup's name to rename it onto
            Files.deleteIfExists(part);
            if (file != null && !renamed) {
                Files.deleteIfExists(file);
            }
            throw e;
        }
        Files.writeString(
                file.resolveSibling(file.getFileName() + ".sha256"), sha256 + "  " + file.getFileName() + "\n");
        if (params.bool("also_artifact", false)) {
            StoredArtifact artifact =
                    context.artifacts().copyOf(file.getFileName().toString(), method.contentType, file);
            result.detail("artifact_id", artifact.id());
        }
        List<Path> expired = expired(directory, ownPrefix(context), params, now, file);
        for (Path old : expired) {
            Files.deleteIfExists(old);
            Files.deleteIfExists(old.resolveSibling(old.getFileName() + ".sha256"));
            context.log().info("removed old backup {}", old.getFileName());
        }
        for (Path abandoned : abandonedParts(directory, ownPrefix(context), now)) {
            Files.deleteIfExists(abandoned);
            context.log().info("removed {}, left unfinished by a run that was killed", abandoned.getFileName());
        }
        long total = rows.values().stream().mapToLong(Long::longValue).sum();
        return result.message("Backed up " + tables.size() + " tables of " + targetName + " to " + file.getFileName()
                        + " (" + size + " bytes); removed " + expired.size() + " old backup(s)")
                .recordsProcessed(total)
                .recordsAffected(1)
                .detail("file", file.getFileName().toString())
                .detail("directory", directory.toString())
                .detail("method", method.name().toLowerCase())
                .detail("size_bytes", size)
                .detail("sha256", sha256)
                .detail("tables", tables)
                .detail("rows", rows)
                .detail(
                        "removed",
                        expired.stream().map(p -> p.getFileName().toString()).toList())
                .build();
    }

    /**
     * Writes the H2 script without the {@code CREATE USER} lines {@code SCRIPT} adds even for chosen tables: they
     * carry the database's password hashes, which a backup of the allowed tables must not hand out.
     */
    private static Map<String, Long> h2Script(TargetDatabase target, List<String> tables, Path file)
            throws SQLException, IOException {
        Path raw = SafeFiles.createInside(file.getParent(), file.getFileName() + ".raw");
        try (Connection connection = target.connect();
                Statement statement = connection.createStatement()) {
            String path = raw.toAbsolutePath().toString().replace("'", "''");
            statement.execute("SCRIPT DROP TO '" + path + "' COMPRESSION GZIP TABLE "
                    + String.join(", ", tables.stream().map(Conditions::quote).toList()));
            withoutUsers(raw, file);
            return counts(connection, tables);
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    private static void withoutUsers(Path script, Path file) throws IOException {
        try (BufferedReader reader = gunzip(script);
                OutputStream out = new GZIPOutputStream(SafeFiles.open(file), 64 * 1024)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.startsWith("CREATE USER ")) {
                    out.write(line.getBytes(StandardCharsets.UTF_8));
                    out.write('\n');
                }
            }
        }
    }

    private static Map<String, Long> counts(Connection connection, List<String> tables) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement()) {
            for (String table : tables) {
                try (ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM " + Conditions.quote(table))) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    private Map<String, Long> pgDump(JobContext context, TargetDatabase target, List<String> tables, Path file)
            throws Exception {
        Map<String, String> environment = target.clientEnvironment();
        List<String> command = new ArrayList<>(
                List.of(pgDump, "--format=custom", "--no-owner", "--no-privileges", "--file", file.toString()));
        for (String table : tables) {
            command.add("--table=" + environment.get("ALMANAC_SCHEMA") + "." + table);
        }
        run(context, command, environment, "pg_dump");
        try (Connection connection = target.connect()) {
            return counts(connection, tables);
        }
    }

    private static String run(JobContext context, List<String> command, Map<String, String> environment, String what)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        environment.forEach((name, value) -> {
            if (name.startsWith("PG")) {
                builder.environment().put(name, value);
            }
        });
        Path output = Files.createTempFile("almanac-" + what, ".log");
        builder.redirectOutput(output.toFile());
        Process process = builder.start();
        try {
            while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
                context.checkCancelled();
            }
            String log = Files.readString(output);
            if (process.exitValue() != 0) {
                throw new IOException(what + " failed (exit " + process.exitValue() + "): " + log.strip());
            }
            return log;
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }

    private static Map<String, Long> jsonl(JobContext context, TargetDatabase target, Path file)
            throws IOException, SQLException {
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Connection connection = target.connect();
                OutputStream out = new GZIPOutputStream(SafeFiles.open(file), 64 * 1024)) {
            connection.setAutoCommit(false);
            try {
                for (Map.Entry<String, List<String>> table :
                        target.description().columns().entrySet()) {
                    context.checkCancelled();
                    List<String> columns = table.getValue();
                    long count = 0;
                    try (PreparedStatement select = connection.prepareStatement("SELECT "
                            + String.join(
                                    ", ",
                                    columns.stream().map(Conditions::quote).toList()) + " FROM "
                            + Conditions.quote(table.getKey()))) {
                        select.setFetchSize(1000);
                        try (ResultSet rs = select.executeQuery()) {
                            while (rs.next()) {
                                Map<String, Object> row = new LinkedHashMap<>();
                                for (int i = 0; i < columns.size(); i++) {
                                    row.put(columns.get(i), RowWriter.plain(rs.getObject(i + 1)));
                                }
                                Map<String, Object> line = new LinkedHashMap<>();
                                line.put("table", table.getKey());
                                line.put("row", row);
                                out.write(JSON.writeValueAsBytes(line));
                                out.write('\n');
                                count++;
                                // a row at a time: the select streams, and nothing else would stop it
                                context.checkCancelled();
                            }
                        }
                    }
                    rows.put(table.getKey(), count);
                    context.log().info("{}: {} rows", table.getKey(), count);
                }
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
        return rows;
    }

    /** Reads the backup back: the checksum again, then what the format allows to check. */
    private String verify(JobContext context, Method method, Path file, List<String> tables, String sha256)
            throws Exception {
        if (!sha256(file).equals(sha256)) {
            throw new IOException("verify: the checksum of " + file.getFileName() + " changed after writing");
        }
        switch (method) {
            case H2_SCRIPT -> {
                long inserts = 0;
                List<String> missing = new ArrayList<>(tables);
                try (BufferedReader reader = gunzip(file)) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        if (line.startsWith("INSERT INTO")) {
                            inserts++;
                        }
                        if (line.startsWith("CREATE")) {
                            String upper = line.toUpperCase();
                            missing.removeIf(table -> upper.contains("\"" + table.toUpperCase() + "\"")
                                    || upper.contains("." + table.toUpperCase() + "(")
                                    || upper.contains(" " + table.toUpperCase() + "("));
                        }
                    }
                }
                if (!missing.isEmpty()) {
                    throw new IOException("verify: the script does not create " + missing);
                }
                return "gzip SQL script readable: " + tables.size() + " tables created, " + inserts
                        + " INSERT statements";
            }
            case PG_DUMP -> {
                String listing = run(context, List.of(pgRestore, "--list", file.toString()), Map.of(), "pg_restore");
                List<String> missing = tables.stream()
                        .filter(table -> !listing.contains("TABLE DATA ") || !listing.contains(" " + table + " "))
                        .toList();
                if (!missing.isEmpty()) {
                    throw new IOException("verify: pg_restore --list does not show data of " + missing);
                }
                return "pg_restore --list reads the archive: " + tables.size() + " tables with data";
            }
            default -> {
                long lines = 0;
                try (BufferedReader reader = gunzip(file)) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        JSON.readTree(line);
                        lines++;
                    }
                }
                return "gzip JSON Lines readable: " + lines + " rows parsed";
            }
        }
    }

    private static BufferedReader gunzip(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 64 * 1024), StandardCharsets.UTF_8));
    }

    /** How this job's backups of its target begin: {@code <target>-<job id>-}, then the time stamp. */
    private static String ownPrefix(JobContext context) {
        Params params = new Params(context.parameters());
        return SafeFiles.clean(params.string("target")) + "-" + SafeFiles.clean(context.jobId()) + "-";
    }

    /**
     * This job's backups of the target ({@code prefix}) past {@code keep_last} (newest first, {@code keep} counted
     * in) or older than the age. Files of other jobs, and backups written before job ids were in the names, are
     * never counted nor removed.
     */
    private static List<Path> expired(Path directory, String prefix, Params params, Instant now, Path keep)
            throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<Path> backups = new ArrayList<>();
        try (var files = Files.list(directory)) {
            files.filter(path -> path.getFileName().toString().startsWith(prefix))
                    .filter(path ->
                            BACKUP_NAME.matcher(path.getFileName().toString()).matches())
                    .filter(path -> !Files.isSymbolicLink(path))
                    .forEach(backups::add);
        }
        backups.sort((a, b) -> stamp(b).compareTo(stamp(a)) != 0
                ? stamp(b).compareTo(stamp(a))
                : b.getFileName().toString().compareTo(a.getFileName().toString()));
        int keepLast = params.integer("keep_last", 7);
        if (keep == null) {
            keepLast--;
        }
        Optional<Instant> oldest = params.has("max_age_days")
                ? Optional.of(now.minus(Duration.ofDays(params.number("max_age_days", 1))))
                : Optional.empty();
        List<Path> expired = new ArrayList<>();
        for (int i = 0; i < backups.size(); i++) {
            Path backup = backups.get(i);
            if (backup.equals(keep)) {
                continue;
            }
            boolean tooMany = i >= keepLast;
            boolean tooOld = oldest.isPresent() && stamp(backup).isBefore(oldest.get());
            if (tooMany || tooOld) {
                expired.add(backup);
            }
        }
        return expired;
    }

    /**
     * This job's files of unfinished backups ({@code .part}) that no run can still be writing: a run killed while it
     * wrote one (SIGKILL, out of memory) leaves it, and retention counts only whole backups. One is abandoned once it
     * is older than the longest timeout a job may have, so a run of this job that overlaps this one keeps its own.
     */
    private static List<Path> abandonedParts(Path directory, String prefix, Instant now) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        Instant before = now.minus(ABANDONED_AFTER);
        try (var files = Files.list(directory)) {
            return files.filter(path -> path.getFileName().toString().startsWith(prefix))
                    .filter(path -> !Files.isSymbolicLink(path))
                    .filter(path -> {
                        Matcher part = PART_NAME.matcher(path.getFileName().toString());
                        return part.matches()
                                && STAMP.parse(part.group(2), Instant::from).isBefore(before);
                    })
                    .toList();
        }
    }

    private static Instant stamp(Path backup) {
        Matcher matcher = BACKUP_NAME.matcher(backup.getFileName().toString());
        if (!matcher.matches()) {
            return Instant.EPOCH;
        }
        return STAMP.parse(matcher.group(2), Instant::from);
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
