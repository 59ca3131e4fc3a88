package dev.almanac.security.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.IsoTimes;
import dev.almanac.common.NotFoundException;
import dev.almanac.security.Namespace;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.NamespaceCalendars;
import dev.almanac.security.NamespaceChanged;
import dev.almanac.security.NamespacePause;
import dev.almanac.security.NamespacePauses;
import dev.almanac.security.NamespaceRole;
import dev.almanac.security.NamespaceUsage;
import dev.almanac.security.Permissions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Namespaces and their members, for the API: a super admin creates and deletes namespaces; an owner (or a super
 * admin) changes one's description, quotas and members; whoever may see one reads it. Every change is audited.
 */
@Service
class NamespaceService {

    /** A lower-case identifier, as it appears in URLs and job files. */
    static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    /** The largest value of each quota, by its field name; the least is 1. */
    static final Map<String, Integer> QUOTA_MAXIMA = Map.of(
            "jobs", 1_000_000,
            "manual_runs_per_hour", 1_000_000,
            "runs_at_once", 10_000,
            "history_days", 36_500,
            "runs_per_job", 10_000_000);

    private final NamespaceRepository namespaces;
    private final UserRepository users;
    private final NamespaceAccess access;
    private final Permissions permissions;
    private final ObjectProvider<NamespaceUsage> usage;
    private final ObjectProvider<NamespaceCalendars> calendars;
    private final AuditTrail audit;
    private final NamespacePauses pauses;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    NamespaceService(
            NamespaceRepository namespaces,
            UserRepository users,
            NamespaceAccess access,
            Permissions permissions,
            ObjectProvider<NamespaceUsage> usage,
            ObjectProvider<NamespaceCalendars> calendars,
            AuditTrail audit,
            NamespacePauses pauses,
            ApplicationEventPublisher events,
            Clock clock) {
        this.namespaces = namespaces;
        this.users = users;
        this.access = access;
        this.permissions = permissions;
        this.usage = usage;
        this.calendars = calendars;
        this.audit = audit;
        this.pauses = pauses;
        this.events = events;
        this.clock = clock;
    }

    /** What a namespace's description and quotas are set to; on update, null fields keep their value. */
    record Changes(String name, String displayName, String description, Namespace.Quotas quotas) {}

    @Transactional(readOnly = true)
    List<Namespace> visible() {
        NamespaceAccess.Scope scope = access.visible();
        return namespaces.all().stream().filter(n -> scope.includes(n.name())).toList();
    }

    @Transactional(readOnly = true)
    Namespace get(String name) {
        Namespace namespace = namespaces.find(name).orElseThrow(() -> notFound(name));
        access.requireVisible(name, () -> notFound(name));
        return namespace;
    }

    @Transactional
    Namespace create(Changes request) {
        permissions.requireSuperAdmin("create namespaces", target(request.name()));
        List<FieldError> errors = new ArrayList<>();
        String name = request.name() == null ? null : request.name().strip();
        if (name == null || name.isEmpty()) {
            errors.add(new FieldError("name", "is required"));
        } else if (!NAME.matcher(name).matches()) {
            errors.add(new FieldError(
                    "name", "must be a lower-case identifier: a letter, then letters, digits, '_' or '-', at most 63"));
        }
        Namespace.Quotas quotas = quotas(request.quotas(), Namespace.Quotas.NONE, errors);
        checkTexts(request, errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        if (namespaces.find(name).isPresent()) {
            throw new ConflictException("name", "a namespace named '" + name + "' already exists");
        }
        Instant now = now();
        Namespace namespace = new Namespace(
                name, blankToNull(request.displayName()), blankToNull(request.description()), quotas, now, now);
        namespaces.insert(namespace);
        events.publishEvent(new NamespaceChanged(name));
        audit.record("namespace.created", target(name), Map.of("quotas", quotasMap(quotas)));
        return namespace;
    }

    @Transactional
    Namespace update(String name, Changes request) {
        Namespace current = get(name);
        access.require(name, NamespaceAccess.Action.MANAGE, "change its settings", target(name), () -> notFound(name));
        List<FieldError> errors = new ArrayList<>();
        if (request.name() != null && !request.name().strip().equals(name)) {
            errors.add(new FieldError("name", "cannot be changed"));
        }
        Namespace.Quotas quotas = quotas(request.quotas(), current.quotas(), errors);
        checkTexts(request, errors);
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Namespace updated = new Namespace(
                name,
                request.displayName() == null ? current.displayName() : blankToNull(request.displayName()),
                request.description() == null ? current.description() : blankToNull(request.description()),
                quotas,
                current.createdAt(),
                now());
        namespaces.update(updated);
        events.publishEvent(new NamespaceChanged(name));
        Map<String, Object> changes = dev.almanac.audit.Changes.between(auditedFields(current), auditedFields(updated));
        if (!changes.isEmpty()) {
            audit.record("namespace.updated", target(name), Map.of("changes", changes));
        }
        return updated;
    }

    /**
     * Pauses every job of a namespace until {@code until} (null: until resumed), with a reason: their slots meanwhile
     * are recorded as skipped with reason {@code paused}, and none runs when the pause ends. Its owners and super
     * admins may.
     */
    @Transactional
    NamespacePause pause(String name, Instant until, String reason) {
        get(name);
        access.require(name, NamespaceAccess.Action.MANAGE, "pause it", target(name), () -> notFound(name));
        Instant now = now();
        List<FieldError> errors = new ArrayList<>();
        if (until != null && !IsoTimes.within(until)) {
            errors.add(new FieldError("until", IsoTimes.OUT_OF_RANGE));
        } else if (until != null && !until.isAfter(now)) {
            errors.add(new FieldError("until", "must lie ahead; leave it out to pause until resumed"));
        }
        if (reason != null && reason.length() > 500) {
            errors.add(new FieldError("reason", "must be at most 500 characters"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        // pausing again changes until and reason: paused since stays when the pause began (read as stored, as resume)
        pauses.forget();
        Instant since = pauseOf(name).map(NamespacePause::since).orElse(now);
        NamespacePause pause = new NamespacePause(
                name,
                since,
                until == null ? null : until.truncatedTo(ChronoUnit.MILLIS),
                reason == null || reason.isBlank() ? null : reason.strip());
        namespaces.pause(name, pause);
        pauses.forget();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("until", pause.until() == null ? "resumed" : pause.until().toString());
        if (pause.reason() != null) {
            details.put("reason", pause.reason());
        }
        audit.record("namespace.paused", target(name), details);
        return pause;
    }

    /**
     * Resumes a paused namespace: its jobs run from their next slot; what the pause skipped stays skipped. One not
     * paused (never, resumed already, or its pause's until has passed) is a 409, as for a job, and nothing is audited.
     */
    @Transactional
    void resume(String name) {
        get(name);
        access.require(name, NamespaceAccess.Action.MANAGE, "resume it", target(name), () -> notFound(name));
        pauses.forget(); // read as stored: a pause set on another node a moment ago is not yet in this node's copy
        if (pauseOf(name).isEmpty()) {
            throw new dev.almanac.common.ConflictException(null, "namespace '" + name + "' is not paused");
        }
        namespaces.pause(name, null);
        pauses.forget();
        audit.record("namespace.resumed", target(name), null);
    }

    /** The pause that holds the namespace now, if one does. */
    Optional<NamespacePause> pauseOf(String name) {
        return pauses.at(name, clock.instant());
    }

    /** Deletes an empty namespace; {@code default} stays. */
    @Transactional
    Namespace delete(String name) {
        Namespace current = get(name);
        permissions.requireSuperAdmin("delete namespaces", target(name));
        if (Namespace.DEFAULT.equals(name)) {
            throw new ConflictException(null, "the namespace 'default' cannot be deleted");
        }
        // the locks a create takes, in its order: who works here (their rows), then the namespace's row, under which
        // the jobs are counted, so a create either lands before the count or finds the namespace gone
        users.lockWorkingIn(name);
        namespaces.lock(name);
        NamespaceUsage counter = usage.getIfAvailable();
        long jobs = counter == null ? 0 : counter.jobsIn(name, Long.MAX_VALUE);
        if (jobs > 0) {
            throw new ConflictException(
                    null,
                    "namespace '" + name + "' still holds " + jobs + (jobs == 1 ? " job" : " jobs")
                            + "; delete or move them first");
        }
        NamespaceCalendars held = calendars.getIfAvailable();
        long owned = held == null ? 0 : held.calendarsIn(name);
        if (owned > 0) {
            throw new ConflictException(
                    null,
                    "namespace '" + name + "' still holds " + owned + (owned == 1 ? " calendar" : " calendars")
                            + "; delete them first");
        }
        try {
            namespaces.delete(name);
        } catch (DataIntegrityViolationException referenced) {
            // the scripts table's foreign key: a namespace's scripts are not the namespaces feature's to count
            throw new ConflictException(null, "namespace '" + name + "' still holds scripts; it cannot be deleted");
        }
        audit.record("namespace.deleted", target(name), null);
        events.publishEvent(new NamespaceChanged(name));
        return current;
    }

    @Transactional(readOnly = true)
    Map<String, NamespaceRole> members(String name) {
        get(name);
        return namespaces.membersOf(name);
    }

    /** Replaces the members of a namespace with {@code members} (user name to role, as sent). */
    @Transactional
    Map<String, NamespaceRole> replaceMembers(String name, List<Map.Entry<String, String>> members) {
        get(name);
        access.require(name, NamespaceAccess.Action.MANAGE, "change its members", target(name), () -> notFound(name));
        List<FieldError> errors = new ArrayList<>();
        Map<String, NamespaceRole> replaced = new LinkedHashMap<>();
        for (int i = 0; i < members.size(); i++) {
            String username = members.get(i).getKey();
            String role = members.get(i).getValue();
            String field = "members[" + i + "]";
            if (username == null || username.isBlank()) {
                errors.add(new FieldError(field + ".username", "is required"));
            } else if (users.find(username.strip()).isEmpty()) {
                errors.add(new FieldError(field + ".username", "no user named '" + username.strip() + "'"));
            } else if (replaced.containsKey(username.strip())) {
                errors.add(new FieldError(field + ".username", "'" + username.strip() + "' is listed twice"));
            }
            var parsed = role == null ? java.util.Optional.<NamespaceRole>empty() : NamespaceRole.fromJson(role);
            if (parsed.isEmpty()) {
                errors.add(new FieldError(field + ".role", "must be owner, editor, runner or viewer"));
            }
            if (username != null && !username.isBlank() && parsed.isPresent()) {
                replaced.put(username.strip(), parsed.get());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Map<String, NamespaceRole> before = namespaces.membersOf(name);
        namespaces.replaceMembers(name, replaced);
        audit.record(
                "namespace.members_updated",
                target(name),
                Map.of("members", roles(replaced), "previous_members", roles(before)));
        return replaced;
    }

    private static Map<String, String> roles(Map<String, NamespaceRole> members) {
        Map<String, String> roles = new LinkedHashMap<>();
        members.forEach((user, role) -> roles.put(user, role.json()));
        return roles;
    }

    private static Namespace.Quotas quotas(Namespace.Quotas sent, Namespace.Quotas current, List<FieldError> errors) {
        if (sent == null) {
            return current;
        }
        check("jobs", sent.jobs(), errors);
        check("manual_runs_per_hour", sent.manualRunsPerHour(), errors);
        check("runs_at_once", sent.runsAtOnce(), errors);
        check("history_days", sent.historyDays(), errors);
        check("runs_per_job", sent.runsPerJob(), errors);
        return sent;
    }

    private static void check(String quota, Integer value, List<FieldError> errors) {
        int max = QUOTA_MAXIMA.get(quota);
        if (value != null && (value < 1 || value > max)) {
            errors.add(new FieldError("quotas." + quota, "must be 1.." + max + ", or null for no quota"));
        }
    }

    private static void checkTexts(Changes request, List<FieldError> errors) {
        if (request.displayName() != null && request.displayName().length() > 200) {
            errors.add(new FieldError("display_name", "must be at most 200 characters"));
        }
        if (request.description() != null && request.description().length() > 2000) {
            errors.add(new FieldError("description", "must be at most 2000 characters"));
        }
    }

    /** What an update may change, as {@code namespace.updated} compares it before and after. */
    private static Map<String, Object> auditedFields(Namespace namespace) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("display_name", namespace.displayName());
        fields.put("description", namespace.description());
        fields.put("quotas", quotasMap(namespace.quotas()));
        return fields;
    }

    static Map<String, Object> quotasMap(Namespace.Quotas q) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("jobs", q.jobs());
        map.put("manual_runs_per_hour", q.manualRunsPerHour());
        map.put("runs_at_once", q.runsAtOnce());
        map.put("history_days", q.historyDays());
        map.put("runs_per_job", q.runsPerJob());
        return map;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static AuditTrail.Target target(String name) {
        return AuditTrail.Target.of("namespace", name, name, name);
    }

    static NotFoundException notFound(String name) {
        return new NotFoundException("no namespace named '" + name + "'");
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
