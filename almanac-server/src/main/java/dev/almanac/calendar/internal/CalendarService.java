package dev.almanac.calendar.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.calendar.CalendarSpec;
import dev.almanac.calendar.CalendarUsers;
import dev.almanac.calendar.Calendars;
import dev.almanac.calendar.Freeze;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Permissions;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Changes to calendars and freezes: validated whole, audited, and seen by the engine at its next slot. */
@Service
class CalendarService {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9_.\\-]{0,98}[A-Za-z0-9_.\\-])?");

    private final CalendarStore store;
    private final Calendars calendars;
    private final List<CalendarUsers> users;
    private final Permissions permissions;
    private final AuditTrail audit;
    private final Clock clock;

    CalendarService(
            CalendarStore store,
            Calendars calendars,
            List<CalendarUsers> users,
            Permissions permissions,
            AuditTrail audit,
            Clock clock) {
        this.store = store;
        this.calendars = calendars;
        this.users = users;
        this.permissions = permissions;
        this.audit = audit;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    List<CalendarSpec> list() {
        return store.calendars();
    }

    @Transactional(readOnly = true)
    CalendarSpec get(String name) {
        return store.calendar(name).orElseThrow(() -> new NotFoundException("no calendar named '" + name + "'"));
    }

    @Transactional
    CalendarSpec create(CalendarSpec request) {
        permissions.requireGlobalAdmin("create a calendar", target(request.name()));
        CalendarSpec calendar = validated(request, request.name(), now());
        try {
            if (store.calendar(calendar.name()).isPresent() || !store.insert(calendar, now())) {
                throw taken(calendar.name());
            }
        } catch (DuplicateKeyException race) {
            throw taken(calendar.name());
        }
        calendars.forget();
        audit.record("calendar.created", target(calendar.name()), Map.of("timezone", calendar.timezone()));
        return get(calendar.name());
    }

    @Transactional
    CalendarSpec update(String name, CalendarSpec request) {
        permissions.requireGlobalAdmin("change a calendar", target(name));
        CalendarSpec current = get(name);
        if (request.name() != null && !request.name().strip().equals(name)) {
            throw new InvalidInputException("name", "a calendar cannot be renamed; create a new one");
        }
        CalendarSpec calendar = validated(request, name, now());
        store.update(calendar, now());
        calendars.forget();
        audit.record(
                "calendar.updated",
                target(name),
                Map.of("timezone", current.timezone() + " -> " + calendar.timezone()));
        return get(name);
    }

    @Transactional
    void delete(String name) {
        permissions.requireGlobalAdmin("delete a calendar", target(name));
        get(name);
        List<String> jobs =
                users.stream().flatMap(u -> u.jobsUsing(name).stream()).sorted().toList();
        if (!jobs.isEmpty()) {
            throw new ConflictException(
                    null,
                    "calendar '" + name + "' is used by "
                            + jobs.stream().map(j -> "'" + j + "'").collect(Collectors.joining(", "))
                            + "; remove it from those jobs first");
        }
        store.delete(name);
        calendars.forget();
        audit.record("calendar.deleted", target(name), Map.of());
    }

    @Transactional(readOnly = true)
    List<Freeze> freezes() {
        return store.freezes();
    }

    @Transactional
    Freeze freeze(String from, String to, String scope, String reason) {
        permissions.requireSuperAdmin("declare a freeze", AuditTrail.Target.of("freeze", null, reason));
        List<FieldError> errors = new ArrayList<>();
        Instant start = instant(from, "from", errors);
        Instant end = instant(to, "to", errors);
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

    @Transactional
    void unfreeze(UUID id) {
        permissions.requireSuperAdmin("end a freeze", AuditTrail.Target.of("freeze", id, null));
        if (!store.deleteFreeze(id)) {
            throw new NotFoundException("no freeze with id " + id);
        }
        calendars.forget();
        audit.record("freeze.deleted", AuditTrail.Target.of("freeze", id, null), Map.of());
    }

    private CalendarSpec validated(CalendarSpec request, String name, Instant now) {
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
        String zone = request.timezone() == null || request.timezone().isBlank()
                ? "UTC"
                : request.timezone().strip();
        CalendarSpec calendar = new CalendarSpec(
                trimmed,
                zone,
                request.description(),
                request.dates(),
                request.ranges(),
                request.weekly(),
                request.ics(),
                CurrentActor.name(),
                null,
                null);
        try {
            CalendarRules.compile(calendar, now, 1);
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

    private static Instant instant(String text, String field, List<FieldError> errors) {
        if (text == null || text.isBlank()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(text.strip()).toInstant();
        } catch (DateTimeParseException bad) {
            errors.add(new FieldError(field, "must be a date-time with an offset, like 2026-12-20T18:00:00Z"));
            return null;
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static ConflictException taken(String name) {
        return new ConflictException("name", "a calendar named '" + name + "' already exists");
    }

    private static AuditTrail.Target target(String name) {
        return AuditTrail.Target.of("calendar", name, name);
    }
}
