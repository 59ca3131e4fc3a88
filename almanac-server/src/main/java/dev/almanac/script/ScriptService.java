package dev.almanac.script;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.almanac.audit.AuditTrail;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.Ids;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.Permissions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Scripts and their review. A global script: a global admin writes it or a new version of it, a super admin who is
 * not the version's author approves or rejects it with a comment. A script of a namespace: its editors and owners
 * write it, an owner (or a super admin) who is not the author reviews it, and only those who may see the namespace see
 * the script. Every step is audited.
 */
@Service
public class ScriptService {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern CODING_DECLARATION = Pattern.compile("^[ \\t\\f]*#.*?coding[:=][ \\t]*([-\\w.]+)");
    private static final Set<String> UTF_8_NAMES = Set.of("utf-8", "utf8", "utf_8");
    static final int MAX_SOURCE_CHARACTERS = 256 * 1024;
    static final int MAX_COMMENT_CHARACTERS = 2000;
    static final int MAX_DESCRIPTION_CHARACTERS = 2000;

    private final ScriptRepository scripts;
    private final AuditTrail audit;
    private final Permissions permissions;
    private final NamespaceAccess access;
    private final Clock clock;

    ScriptService(
            ScriptRepository scripts, AuditTrail audit, Permissions permissions, NamespaceAccess access, Clock clock) {
        this.scripts = scripts;
        this.audit = audit;
        this.permissions = permissions;
        this.access = access;
        this.clock = clock;
    }

    /** A new global script with its first version, pending review. */
    @Transactional
    public Script create(String name, String language, String description, String source, boolean networkAllowed) {
        return create(name, language, description, source, networkAllowed, null);
    }

    /** A new script, global ({@code namespace} null) or of a namespace, with its first version, pending review. */
    @Transactional
    public Script create(
            String name, String language, String description, String posted, boolean networkAllowed, String namespace) {
        String source = stored(posted);
        String home = namespace == null || namespace.isBlank() ? null : namespace.strip();
        if (home == null) {
            // global scripts are shared by every namespace: one team's member does not add code every team may run
            permissions.requireGlobalAdmin("write a script", AuditTrail.Target.of("script", null, name));
        } else {
            if (!access.exists(home) || !access.may(home, NamespaceAccess.Action.READ)) {
                throw new InvalidInputException("namespace", "no namespace named '" + home + "'");
            }
            access.require(
                    home,
                    NamespaceAccess.Action.EDIT,
                    "write scripts",
                    AuditTrail.Target.of("script", null, name, home),
                    () -> new InvalidInputException("namespace", "no namespace named '" + home + "'"));
        }
        List<FieldError> errors = new ArrayList<>();
        if (name == null || name.isBlank()) {
            errors.add(new FieldError("name", "is required"));
        } else if (!NAME.matcher(name).matches()) {
            errors.add(new FieldError(
                    "name",
                    "must be 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit"));
        }
        Optional<Language> parsed = Language.of(language);
        if (parsed.isEmpty()) {
            errors.add(new FieldError("language", "must be one of python3, sh, node"));
        }
        if (description != null && description.length() > MAX_DESCRIPTION_CHARACTERS) {
            errors.add(new FieldError("description", "must be at most " + MAX_DESCRIPTION_CHARACTERS + " characters"));
        }
        checkSource(source, parsed.orElse(null), errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        nameTaken(name, home).ifPresent(why -> {
            throw new ConflictException("name", why);
        });
        Instant now = now();
        String actor = CurrentActor.name();
        Script script = new Script(
                Ids.timeOrdered(), name, parsed.get(), description == null ? "" : description, actor, now, home);
        try {
            scripts.insert(script);
        } catch (DuplicateKeyException raced) {
            throw new ConflictException("name", "a script named '" + name + "' was just written in the same place");
        }
        newVersion(script, 1, source, networkAllowed, actor, now);
        audit.record(
                "script.created",
                target(script),
                details(
                        "language",
                        script.language().json(),
                        "version",
                        1,
                        "network_allowed",
                        networkAllowed,
                        "namespace",
                        home == null ? "global" : home));
        return script;
    }

    /**
     * Why {@code name} may not be a new script's in {@code home} (null: global), speaking only of namespaces the
     * caller may see. A name is unique in its namespace; a job uses the scripts of its namespace and the global ones,
     * so a global script's name is no namespace's script's, and the other way round. Only a global admin writes a
     * global script, and sees every namespace: what a refusal names is visible to them.
     */
    private Optional<String> nameTaken(String name, String home) {
        List<Script> named = scripts.named(name);
        for (Script taken : named) {
            if (Objects.equals(taken.namespace(), home)) {
                return Optional.of(
                        home == null
                                ? "a global script named '" + name + "' already exists"
                                : "namespace '" + home + "' already has a script named '" + name + "'");
            }
        }
        if (home != null) {
            return named.stream()
                    .filter(taken -> taken.namespace() == null)
                    .findFirst()
                    .map(global -> "a global script is named '" + name + "', and the jobs of every namespace may use"
                            + " it: a script of a namespace takes a name no global script has");
        }
        List<String> seen = named.stream()
                .map(Script::namespace)
                .filter(namespace -> access.may(namespace, NamespaceAccess.Action.READ))
                .toList();
        if (seen.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("namespace" + (seen.size() > 1 ? "s '" : " '") + String.join("', '", seen)
                + (seen.size() > 1 ? "' have" : "' has") + " a script named '" + name
                + "': a global script takes a name no namespace's script has, so a job's script stays unambiguous");
    }

    /** A new version of a script's source, pending review; earlier versions stay as they were. */
    @Transactional
    public ScriptVersion addVersion(UUID scriptId, String posted, boolean networkAllowed) {
        String source = stored(posted);
        Script script = requireMayWriteVersion(scriptId);
        List<FieldError> errors = new ArrayList<>();
        checkSource(source, script.language(), errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        ScriptVersion version = newVersion(
                script, scripts.lockAndGetNextVersion(script.id()), source, networkAllowed, CurrentActor.name(), now());
        audit.record(
                "script.version_created",
                target(script),
                details("version", version.version(), "network_allowed", networkAllowed));
        return version;
    }

    private ScriptVersion newVersion(
            Script script, int number, String source, boolean networkAllowed, String author, Instant now) {
        ScriptVersion version = new ScriptVersion(
                script.id(),
                number,
                source,
                networkAllowed,
                author,
                now,
                ScriptVersion.Status.PENDING,
                null,
                null,
                null);
        scripts.insert(version);
        return version;
    }

    /**
     * Approves a pending version: only a super admin (or, for a script of a namespace, an owner of it), never its
     * author, always with a comment. Not one transaction:
     * a refusal's audit event must outlive the refusal, and the review itself is one conditional update.
     */
    public ScriptVersion approve(UUID scriptId, int number, String comment) {
        return review(scriptId, number, comment, ScriptVersion.Status.APPROVED);
    }

    /** Rejects a pending version, with the reason in the comment; it can never run. */
    public ScriptVersion reject(UUID scriptId, int number, String comment) {
        return review(scriptId, number, comment, ScriptVersion.Status.REJECTED);
    }

    private ScriptVersion review(UUID scriptId, int number, String comment, ScriptVersion.Status decision) {
        Script script = script(scriptId);
        ScriptVersion version = version(script, number);
        String action = decision == ScriptVersion.Status.APPROVED ? "approve" : "reject";
        AuditTrail.Target target = target(script);
        if (script.namespace() == null) {
            permissions.requireSuperAdmin(action + " script versions", target);
        } else {
            access.require(
                    script.namespace(),
                    NamespaceAccess.Action.MANAGE,
                    action + " script versions",
                    target,
                    () -> hidden(scriptId));
        }
        String reviewer = CurrentActor.name();
        if (reviewer.equals(version.author())) {
            String reason = "the author of version " + number + " cannot " + action
                    + " it: a second person reviews every version";
            audit.record(
                    reviewer,
                    "access.denied",
                    AuditTrail.DENIED,
                    target,
                    details("action", action + " script version", "version", number, "reason", reason));
            throw new ForbiddenException(reason);
        }
        if (comment == null || comment.isBlank()) {
            throw new InvalidInputException("comment", "is required: say what you checked or why you refuse it");
        }
        if (comment.length() > MAX_COMMENT_CHARACTERS) {
            throw new InvalidInputException("comment", "must be at most " + MAX_COMMENT_CHARACTERS + " characters");
        }
        if (!scripts.review(script.id(), number, decision, reviewer, comment, now())) {
            throw new ConflictException(
                    "version",
                    "version " + number + " of '" + script.name() + "' was already "
                            + version(script, number).status().json() + "; a change is a new version");
        }
        audit.record(
                decision == ScriptVersion.Status.APPROVED ? "script.version_approved" : "script.version_rejected",
                target,
                details(
                        "version",
                        number,
                        "author",
                        version.author(),
                        "network_allowed",
                        version.networkAllowed(),
                        "comment",
                        comment));
        return version(script, number);
    }

    /**
     * The script, when the current user may write a new version of it; otherwise a 403 recorded as
     * {@code access.denied} (a 404 when they may not see it).
     */
    public Script requireMayWriteVersion(UUID scriptId) {
        Script script = script(scriptId);
        if (script.namespace() == null) {
            permissions.requireGlobalAdmin("write a script version", target(script));
        } else {
            access.require(
                    script.namespace(),
                    NamespaceAccess.Action.EDIT,
                    "write scripts",
                    target(script),
                    () -> hidden(scriptId));
        }
        return script;
    }

    /**
     * The refusal of a new script to someone who may write one nowhere, recorded as {@code access.denied}: a global
     * admin writes global scripts, an editor or owner of a namespace that namespace's.
     */
    public ForbiddenException writingRefused() {
        String reason = "you may not write scripts: a global admin writes global scripts, and an editor or owner of a"
                + " namespace writes that namespace's scripts";
        audit.record(
                CurrentActor.name(),
                "access.denied",
                AuditTrail.DENIED,
                AuditTrail.Target.of("script", null, null),
                details("action", "write a script", "reason", reason));
        return new ForbiddenException(reason);
    }

    /** Whether the current user may write a script, or a new version of one, in {@code home} (null: global). */
    public boolean mayWriteIn(String home) {
        return home == null ? access.global() : access.may(home, NamespaceAccess.Action.EDIT);
    }

    /** Whether the current user reviews the versions of {@code script} (any but the ones they wrote themselves). */
    public boolean mayReview(Script script) {
        // no namespace: MANAGE there is a super admin's alone (NamespaceAccess.may)
        return access.may(script.namespace(), NamespaceAccess.Action.MANAGE);
    }

    /**
     * The scripts the current user may see: the global ones, and those of the namespaces they may see. A token
     * limited to namespaces lists only its namespaces' scripts.
     */
    public List<Script> all() {
        boolean limited = Permissions.limitedToNamespaces();
        return scripts.all().stream()
                .filter(this::visible)
                .filter(script -> !limited || script.namespace() != null)
                .toList();
    }

    /**
     * A script the current user may see; one of a namespace they may not see is answered like a missing one, and a
     * global one is refused a token limited to namespaces (403): it carries no global role.
     */
    public Script script(UUID id) {
        Script script = scripts.find(id).filter(this::visible).orElseThrow(() -> hidden(id));
        if (script.namespace() == null) {
            permissions.requireNotLimitedToNamespaces("read a global script", target(script));
        }
        return script;
    }

    private boolean visible(Script script) {
        return script.namespace() == null || access.may(script.namespace(), NamespaceAccess.Action.READ);
    }

    private static NotFoundException hidden(UUID id) {
        return new NotFoundException("no script with id " + id);
    }

    public List<ScriptVersion> versions(UUID scriptId) {
        return scripts.versions(script(scriptId).id());
    }

    public ScriptVersion version(UUID scriptId, int number) {
        return version(script(scriptId), number);
    }

    private ScriptVersion version(Script script, int number) {
        return scripts.version(script.id(), number)
                .orElseThrow(() -> new NotFoundException("script '" + script.name() + "' has no version " + number));
    }

    /** The newest approved version of a script, if any. */
    public Optional<ScriptVersion> latestApproved(UUID scriptId) {
        return scripts.latestApproved(scriptId, Integer.MAX_VALUE);
    }

    /**
     * A version against the approved version before it, as a unified diff, with whether each asks for network access
     * ({@code againstNetworkAllowed} null when none was approved before); what a reviewer reads.
     */
    public record Diff(
            int version, Integer against, String unified, boolean networkAllowed, Boolean againstNetworkAllowed) {}

    public Diff diff(UUID scriptId, int number) {
        Script script = script(scriptId);
        ScriptVersion version = version(script, number);
        Optional<ScriptVersion> base = scripts.latestApproved(script.id(), number);
        List<String> before =
                base.map(ScriptVersion::source).map(ScriptService::lines).orElse(List.of());
        List<String> after = lines(version.source());
        String from = base.map(b -> script.name() + " v" + b.version()).orElse("/dev/null");
        List<String> unified = UnifiedDiffUtils.generateUnifiedDiff(
                from, script.name() + " v" + number, before, DiffUtils.diff(before, after), 3);
        return new Diff(
                number,
                base.map(ScriptVersion::version).orElse(null),
                unified.stream().map(ScriptService::withLineEndNoted).collect(Collectors.joining("\n")),
                version.networkAllowed(),
                base.map(ScriptVersion::networkAllowed).orElse(null));
    }

    /**
     * Lines as the interpreters see them: Python and Node.js also break at a lone CR, Node.js at U+2028/U+2029. A line
     * ending CR LF keeps its CR, so a version that changes only line ends (one stored before they were made LF) shows
     * those lines as changed: sh runs the CR as part of the line.
     */
    private static List<String> lines(String source) {
        List<String> lines = new ArrayList<>(List.of(source.split("\n|\r(?!\n)|[\u2028\u2029]", -1)));
        // a final line break ends the last line, it starts none; a last line without one is marked, so that adding
        // or removing it is a change the diff shows, as diff(1) does
        String last = lines.remove(lines.size() - 1);
        if (!last.isEmpty()) {
            lines.add(last + NO_LINE_END);
        }
        return lines;
    }

    /** The marker of a last line without a line break: no stored source holds a NUL ({@link #checkSource}). */
    private static final String NO_LINE_END = "\0";

    private static String withLineEndNoted(String diffLine) {
        return diffLine.endsWith(NO_LINE_END)
                ? diffLine.substring(0, diffLine.length() - 1) + "\n\\ No newline at end of file"
                : diffLine;
    }

    /**
     * The source as stored: every CR LF made LF. A browser's text area sends CR LF whatever was typed, sh runs a CR as
     * part of the line ({@code \r: not found}), and Python and Node.js read CR LF as LF (in strings too), so no script
     * means CR LF; the review then never hides one. A CR left is a lone one, refused as misleading.
     */
    static String stored(String source) {
        return source == null ? null : source.replace("\r\n", "\n");
    }

    private static void checkSource(String source, Language language, List<FieldError> errors) {
        if (source == null || source.isBlank()) {
            errors.add(new FieldError("source", "is required"));
        } else if (source.length() > MAX_SOURCE_CHARACTERS) {
            errors.add(new FieldError("source", "must be at most " + MAX_SOURCE_CHARACTERS + " characters"));
        } else if (source.indexOf('\0') >= 0) {
            errors.add(new FieldError("source", "must not contain NUL characters"));
        } else {
            misleadingCharacter(source)
                    .or(() -> language == Language.PYTHON3 ? foreignEncoding(source) : Optional.empty())
                    .ifPresent(message -> errors.add(new FieldError("source", message)));
        }
    }

    /**
     * A character that would make the reviewed text differ from what runs: a line break the review does not show
     * (a CR not followed by LF, U+2028, U+2029), or a bidirectional control ("Trojan Source", CVE-2021-42574).
     */
    private static Optional<String> misleadingCharacter(String source) {
        int line = 1;
        for (int i = 0; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '\n') {
                line++;
            } else if (c == '\r' && (i + 1 == source.length() || source.charAt(i + 1) != '\n')) {
                return Optional.of("must not contain a carriage return without a line feed (line " + line
                        + "): Python and Node.js break the line there, so the review would not show the code as it"
                        + " runs");
            } else if (c == '\u2028' || c == '\u2029') {
                return Optional.of(
                        "must not contain U+%04X (line %d): Node.js breaks the line there, so the review would not show the code as it runs"
                                .formatted((int) c, line));
            } else if ((c >= '\u202A' && c <= '\u202E')
                    || (c >= '\u2066' && c <= '\u2069')
                    || c == '\u200E'
                    || c == '\u200F'
                    || c == '\u061C') {
                return Optional.of(
                        "must not contain the bidirectional control character U+%04X (line %d): it makes code read differently from how it runs"
                                .formatted((int) c, line));
            }
        }
        return Optional.empty();
    }

    /**
     * A PEP 263 coding declaration on one of the first two lines naming anything but UTF-8: Python decodes the source
     * with it, so under {@code utf-7} a comment's {@code +AAo-} is a line break and the rest of the "comment" runs.
     * Almanac stores and shows the source as UTF-8. Node.js and sh honour no such declaration.
     * https://peps.python.org/pep-0263/
     */
    private static Optional<String> foreignEncoding(String source) {
        String[] lines = source.split("\r?\n", 3);
        for (int line = 0; line < Math.min(2, lines.length); line++) {
            Matcher declared = CODING_DECLARATION.matcher(lines[line]);
            if (declared.find() && !UTF_8_NAMES.contains(declared.group(1).toLowerCase(Locale.ROOT))) {
                return Optional.of(("must not declare the encoding '%s' (line %d): Python would decode the source as"
                                + " that, so the review would not show the code as it runs; declare utf-8 or remove"
                                + " the declaration")
                        .formatted(declared.group(1), line + 1));
            }
        }
        return Optional.empty();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static AuditTrail.Target target(Script script) {
        return AuditTrail.Target.of("script", script.id(), script.name(), script.namespace());
    }

    private static Map<String, Object> details(Object... keysAndValues) {
        Map<String, Object> details = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            details.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return details;
    }
}
