package dev.almanac.calendar.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.audit.Changes;
import dev.almanac.calendar.CalendarSpec;
import dev.almanac.calendar.CalendarUsers;
import dev.almanac.calendar.Calendars;
import dev.almanac.calendar.Freeze;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.IsoTimes;
import dev.almanac.common.NotFoundException;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.CurrentNamespace;
import dev.almanac.security.Namespace;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.Permissions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Changes to calendars and freezes: validated whole, audited, and seen by the engine at its next slot. */
@Service
class CalendarService {

    /** How much of an iCalendar text an update's audit event keeps, before and after. */
    static final int AUDITED_ICS_CHARACTERS = 200;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9_.\\-]{0,98}[A-Za-z0-9_.\\-])?");

    private final CalendarStore store;
    private final Calendars calendars;
    private final List<CalendarUsers> users;
    private final Permissions permissions;
    private final NamespaceAccess access;
    private final Supplier<List<String>> namespaceNames;
    private final AuditTrail audit;
    private final Clock clock;

    CalendarService(
            CalendarStore store,
            Calendars calendars,
            List<CalendarUsers> users,
            Permissions permissions,
            NamespaceAccess access,
            CurrentNamespace currentNamespace,
            AuditTrail audit,
            Clock clock) {
        this.store = store;
        this.calendars = calendars;
        this.users = users;
        this.permissions = permissions;
        this.access = access;
        this.namespaceNames =
                () -> currentNamespace.options().stream().map(Namespace::name).toList();
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * The calendars the reader may see, global ones first: with {@code namespace}, the global ones and that
     * namespace's (none of its own when the reader may not see it); without, the global ones and those of every
     * namespace the reader may see.
     */
    @Transactional(readOnly = true)
    List<CalendarSpec> list(String namespace) {
        Set<String> scope = access.visible().restrict(namespace);
        return store.calendars(scope);
    }

    /** The calendar {@code name} of {@code namespace} (null: the global one); one the reader may not see is a 404. */
    @Transactional(readOnly = true)
    CalendarSpec get(String namespace, String name) {
        if (namespace != null) {
            access.requireVisible(namespace, () -> missing(namespace, name));
        }
        return store.calendar(namespace, name).orElseThrow(() -> missing(namespace, name));
    }

    /** Whether the reader may create and change calendars of {@code namespace} (null: the global ones). */
    boolean mayManage(String namespace) {
        return access.global() || (namespace != null && access.may(namespace, NamespaceAccess.Action.MANAGE));
    }

    /** The namespaces the reader may create calendars in, by name: those they own (every one for a global role). */
    List<String> managedNamespaces() {
        return namespaceNames.get().stream().filter(this::mayManage).toList();
    }

    @Transactional
    CalendarSpec create(CalendarSpec request) {
        String namespace = request.namespace();
        if (namespace != null && (!access.exists(namespace) || !access.may(namespace, NamespaceAccess.Action.READ))) {
            throw new InvalidInputException("namespace", "no namespace named '" + namespace + "'");
        }
        requireMayPut(namespace, request.name(), true);
        CalendarSpec calendar = validated(request, namespace, request.name(), now());
        try {
            if (store.calendar(namespace, calendar.name()).isPresent()) {
                throw taken(namespace, calendar.name());
            }
            refuseShadowing(calendar);
            if (!store.insert(calendar, now())) {
                throw taken(namespace, calendar.name());
            }
        } catch (DuplicateKeyException race) {
            throw taken(namespace, calendar.name());
        }
        calendars.forget();
        audit.record(
                "calendar.created",
                target(namespace, calendar.name()),
                Map.of("timezone", calendar.timezone(), "namespace", namespace == null ? "(global)" : namespace));
        return get(namespace, calendar.name());
    }

    @Transactional
    CalendarSpec update(String namespace, String name, CalendarSpec request) {
        CalendarSpec current = get(namespace, name);
        requireMayPut(namespace, name, false);
        if (request.name() != null && !request.name().strip().equals(name)) {
            throw new InvalidInputException("name", "a calendar cannot be renamed; create a new one");
        }
        if (request.namespace() != null && !request.namespace().equals(namespace)) {
            throw new InvalidInputException(
                    "namespace", "a calendar cannot move to another namespace; create a new one there");
        }
        CalendarSpec calendar = validated(request, namespace, name, now());
        store.update(calendar, now());
        calendars.forget();
        Map<String, Object> changes = Changes.between(audited(current), audited(calendar));
        if (!changes.isEmpty()) {
            audit.record("calendar.updated", target(namespace, name), Map.of("changes", changes));
        }
        return get(namespace, name);
    }

    /**
     * A calendar's rules as an update's audit event compares them: windows as the form writes them ({@code FRI 18:00
     * .. MON 06:00}), a long iCalendar text cut to its start and its length.
     */
    private static Map<String, Object> audited(CalendarSpec calendar) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("timezone", calendar.timezone());
        fields.put("description", calendar.description());
        fields.put("dates", calendar.dates());
        fields.put("ranges", windows(calendar.ranges()));
        fields.put("weekly", windows(calendar.weekly()));
        fields.put("ics", shortened(calendar.ics()));
        return fields;
    }

    private static List<String> windows(List<CalendarSpec.Window> windows) {
        return windows.stream().map(w -> w.from() + " .. " + w.to()).toList();
    }

    /** The iCalendar text as the trail keeps it; two long texts that differ only after the cut still differ. */
    static String shortened(String ics) {
        if (ics == null || ics.length() <= AUDITED_ICS_CHARACTERS) {
            return ics;
        }
        return ics.substring(0, AUDITED_ICS_CHARACTERS) + "… (" + ics.length() + " characters, SHA-256 "
                + sha256(ics).substring(0, 12) + ")";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Transactional
    void delete(String namespace, String name) {
        get(namespace, name);
        if (namespace == null) {
            permissions.requireGlobalAdmin("delete a calendar", target(null, name));
        } else {
            requireManage(namespace, "delete its calendars", name);
        }
        List<String> jobs = users.stream()
                .flatMap(u -> u.jobsUsing(namespace, name).stream())
                .sorted()
                .toList();
        if (!jobs.isEmpty()) {
            throw new ConflictException(
                    null,
                    "calendar '" + name + "' is used by "
                            + jobs.stream().map(j -> "'" + j + "'").collect(Collectors.joining(", "))
                            + "; remove it from those jobs first");
        }
        store.delete(namespace, name);
        calendars.forget();
        audit.record("calendar.deleted", target(namespace, name), Map.of());
    }

    /** The calendar API's 403 when the reader may not create ({@code creating}) or change calendar {@code name}. */
    void requireMayPut(String namespace, String name, boolean creating) {
        if (namespace == null) {
            permissions.requireGlobalAdmin(creating ? "create a calendar" : "change a calendar", target(null, name));
        } else {
            requireManage(namespace, creating ? "create calendars" : "change its calendars", name);
        }
    }

    /** A namespace's calendars are its owners' to manage (and the global roles'); a 403 names the reader's role. */
    private void requireManage(String namespace, String what, String name) {
        if (!access.global()) {
            access.require(
                    namespace,
                    NamespaceAccess.Action.MANAGE,
                    what,
                    target(namespace, name),
                    () -> missing(namespace, name));
        }
    }

    /**
     * A name means one calendar to a job: a namespace's calendar may not take a global calendar's name, nor a global
     * one a name some namespace's calendar has, so that "which one does my job follow" never needs an answer.
     */
    void refuseShadowing(CalendarSpec calendar) {
        for (CalendarSpec other : store.calendarsNamed(calendar.name())) {
            if (calendar.global() && !other.global()) {
                throw new ConflictException(
                        "name",
                        "namespace '" + other.namespace() + "' has a calendar named '" + calendar.name()
                                + "'; a global calendar needs a name no namespace's calendar has");
            }
            if (!calendar.global() && other.global()) {
                throw new ConflictException(
                        "name",
                        "a global calendar named '" + calendar.name()
                                + "' exists; a namespace's calendar needs a name of its own");
            }
        }
    }

    @Transactional(readOnly = true)
    List<Freeze> freezes() {
        return store.freezes();
    }

    @Transactional
    Freeze freeze(String from, String to, String scope, String reason) {
        return freeze(from, to, scope, reason, List.of());
    }

    /**
     * Declares a freeze unless {@code found} (what a form already found wrong, such as its time zone) or the fields
     * hold an error; a field {@code found} names is not checked again, so the refusal names each problem once.
     */
    @Transactional
    Freeze freeze(String from, String to, String scope, String reason, List<FieldError> found) {
        permissions.requireSuperAdmin("declare a freeze", AuditTrail.Target.of("freeze", null, reason));
        List<FieldError> errors = new ArrayList<>(found);
        Set<String> named = found.stream().map(FieldError::field).collect(Collectors.toSet());
        Instant start = named.contains("from") ? null : instant(from, "from", errors);
        Instant end = named.contains("to") ? null : instant(to, "to", errors);
        if (start != null && end != null && !end.isAfter(start)) {
            errors.add(new FieldError("to", "must be after from"));
        }
        String chosen = scope == null || scope.isBlank() ? Freeze.ALL : scope.strip();
        if (!chosen.equals(Freeze.ALL) && !chosen.equals(Freeze.DESTRUCTIVE)) {
            errors.add(new FieldError("scope", "must be all or destructive"));
        }
        if (reason == null || reason.isBlank()) {
            errors.add(new FieldError("reason", "is required: it is shown on every page while the freeze lasts"));
        } else if (reason.length() > 500) {
            errors.add(new FieldError("reason", "must be at most 500 characters"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Freeze freeze = new Freeze(UUID.randomUUID(), start, end, chosen, reason.strip(), CurrentActor.name(), now());
        store.insert(freeze);
        calendars.forget();
        audit.record(
                "freeze.created",
                AuditTrail.Target.of("freeze", freeze.id(), freeze.reason()),
                Map.of("from", start.toString(), "to", end.toString(), "scope", chosen));
        return freeze;
    }

    /**
     * Ends a freeze now. One in force keeps its row with its end moved to now, so the slots it blocked stay blocked
     * for a backfill and it is listed as over; one that has not begun is withdrawn (removed: it blocked nothing); one
     * already over is a 409, its past is kept.
     */
    @Transactional
    Ended unfreeze(UUID id) {
        permissions.requireSuperAdmin("end a freeze", AuditTrail.Target.of("freeze", id, null));
        Freeze freeze = store.freeze(id).orElseThrow(() -> new NotFoundException("no freeze with id " + id));
        Instant now = now();
        AuditTrail.Target target = AuditTrail.Target.of("freeze", id, freeze.reason());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("from", freeze.from().toString());
        details.put("to", freeze.to().toString());
        details.put("scope", freeze.scope());
        if (!freeze.to().isAfter(now)) {
            throw new ConflictException(
                    null,
                    "freeze '" + freeze.reason() + "' is already over (it ended at " + freeze.to()
                            + "); it is kept: backfills of its time keep to it");
        }
        Ended ended;
        if (freeze.from().isAfter(now)) {
            store.deleteFreeze(id);
            audit.record("freeze.deleted", target, details);
            ended = new Ended(freeze, null);
        } else {
            store.endFreeze(id, now);
            details.put("ended_at", now.toString());
            audit.record("freeze.ended", target, details);
            ended = new Ended(freeze, now);
        }
        calendars.forget();
        return ended;
    }

    /** A freeze as declared, and when it was ended (null: withdrawn before it began). */
    record Ended(Freeze freeze, Instant at) {}

    private CalendarSpec validated(CalendarSpec request, String namespace, String name, Instant now) {
        return validated(request, namespace, name, CurrentActor.name(), now);
    }

    /** The calendar as it will be stored, created by {@code actor}; every problem named by its field. */
    CalendarSpec validated(CalendarSpec request, String namespace, String name, String actor, Instant now) {
        List<FieldError> errors = new ArrayList<>();
        String trimmed = name == null ? null : name.strip();
        if (trimmed == null || trimmed.isEmpty()) {
            errors.add(new FieldError("name", "is required"));
        } else if (!NAME.matcher(trimmed).matches()) {
            errors.add(new FieldError(
                    "name", "must be 1..100 letters, digits, '_', '-' or '.', starting with a letter or digit"));
        }
        if (request.description() != null && request.description().length() > 2000) {
            errors.add(new FieldError("description", "must be at most 2000 characters"));
        }
        // stored as the preview and the engine name it: 'Z' is UTC
        String zone = dev.almanac.common.TimeZones.normalized(request.timezone());
        CalendarSpec calendar = new CalendarSpec(
                trimmed,
                namespace,
                zone,
                request.description(),
                request.dates(),
                request.ranges(),
                // stored as the rules read them ('sat 00:00' is 'SAT 00:00'): retyping one is no change
                request.weekly().stream()
                        .map(w -> new CalendarSpec.Window(weeklyTime(w.from()), weeklyTime(w.to())))
                        .toList(),
                request.ics(),
                actor,
                null,
                null);
        try {
            CalendarRules.compile(calendar, now, dev.almanac.calendar.Calendars.HORIZON_YEARS);
        } catch (InvalidInputException invalid) {
            errors.addAll(invalid.errors());
        }
        if (calendar.dates().isEmpty()
                && calendar.ranges().isEmpty()
                && calendar.weekly().isEmpty()
                && (calendar.ics() == null || calendar.ics().isBlank())) {
            errors.add(new FieldError("dates", "a calendar needs dates, ranges, weekly windows or an ics file"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return calendar;
    }

    /** A weekly window's end as stored: upper case, one space between its day and time; null stays null. */
    private static String weeklyTime(String text) {
        return text == null ? null : text.strip().replaceAll("\\s+", " ").toUpperCase(java.util.Locale.ROOT);
    }

    private static Instant instant(String text, String field, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        try {
            return IsoTimes.instant(text.strip());
        } catch (DateTimeParseException bad) {
            errors.add(new FieldError(field, "must be a date-time with an offset, like 2026-12-20T18:00:00Z"));
            return null;
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    static ConflictException taken(String namespace, String name) {
        return new ConflictException(
                "name",
                namespace == null
                        ? "a global calendar named '" + name + "' already exists"
                        : "namespace '" + namespace + "' already has a calendar named '" + name + "'");
    }

    private static NotFoundException missing(String namespace, String name) {
        return new NotFoundException(
                namespace == null
                        ? "no global calendar named '" + name + "'"
                        : "no calendar named '" + name + "' in namespace '" + namespace + "'");
    }

    private static AuditTrail.Target target(String namespace, String name) {
        return AuditTrail.Target.of("calendar", name, name, namespace);
    }
}
