package dev.almanac.calendar.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.calendar.CalendarSpec;
import dev.almanac.calendar.Freeze;
import dev.almanac.security.Permissions;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Calendars and freeze windows over HTTP. A token limited to namespaces reads and manages (as its owner's role there
 * allows) only its namespaces' calendars: the global calendars and the freezes are every namespace's, and it is
 * refused them (403).
 */
@RestController
@RequestMapping(path = "/api/admin/scheduler", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Calendars", description = "Calendars that jobs list as blackout or only windows, and global freezes")
@ApiResponse(
        responseCode = "400",
        description = "Invalid input; every wrong field is listed in errors",
        content = @Content(mediaType = "application/problem+json"))
class CalendarController {

    private static final String NAMESPACE =
            "The calendar's namespace; absent: the global calendar of this name. One the caller may not see is a 404";

    private final CalendarService service;
    private final Permissions permissions;

    CalendarController(CalendarService service, Permissions permissions) {
        this.service = service;
        this.permissions = permissions;
    }

    /** The body of a calendar list. */
    record CalendarList(List<CalendarSpec> calendars) {}

    /** What a freeze declares. */
    record FreezeRequest(String from, String to, String scope, String reason) {}

    /** The body of a freeze list. */
    record FreezeList(List<Freeze> freezes) {}

    @PostMapping(path = "/calendars", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Create a calendar",
            description = "Global (no namespace; admins) or of a namespace (its owners). A bad ics file is refused"
                    + " with the line ical4j reports")
    @ApiResponse(responseCode = "201", description = "Created")
    @ApiResponse(
            responseCode = "409",
            description = "A calendar with this name exists there, or the name is a global calendar's (for a"
                    + " namespace's calendar) or some namespace's calendar's (for a global one)",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<CalendarSpec> create(@RequestBody CalendarSpec request) {
        if (request != null && blankToNull(request.namespace()) == null) {
            global("create a global calendar", request.name());
        }
        CalendarSpec created = service.create(request);
        return ResponseEntity.created(URI.create(CalendarPaths.api(created.namespace(), created.name())))
                .body(created);
    }

    @GetMapping("/calendars")
    @ApiResponse(responseCode = "200", description = "The calendars")
    @Operation(
            summary = "List calendars",
            description = "The global calendars and those of the namespaces the caller may see; with namespace, the"
                    + " global ones and that namespace's: what its jobs may list")
    CalendarList list(
            @Parameter(description = "Only the global calendars and this namespace's") @RequestParam(required = false)
                    String namespace) {
        List<CalendarSpec> calendars = service.list(blankToNull(namespace));
        if (Permissions.limitedToNamespaces()) {
            // a token limited to namespaces reads its namespaces' calendars, not the global ones
            calendars = calendars.stream().filter(c -> c.namespace() != null).toList();
        }
        return new CalendarList(calendars);
    }

    @GetMapping("/calendars/{name}")
    @ApiResponse(responseCode = "200", description = "The calendar")
    @Operation(summary = "Read a calendar")
    CalendarSpec get(
            @PathVariable String name,
            @Parameter(description = NAMESPACE) @RequestParam(required = false) String namespace) {
        if (blankToNull(namespace) == null) {
            global("read a global calendar", name);
        }
        return service.get(blankToNull(namespace), name);
    }

    @PutMapping(path = "/calendars/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ApiResponse(responseCode = "200", description = "The calendar as stored now")
    @Operation(summary = "Replace a calendar's contents", description = "Jobs that use it follow the new contents")
    CalendarSpec update(
            @PathVariable String name,
            @Parameter(description = NAMESPACE) @RequestParam(required = false) String namespace,
            @RequestBody CalendarSpec request) {
        if (blankToNull(namespace) == null) {
            global("change a global calendar", name);
        }
        return service.update(blankToNull(namespace), name, request);
    }

    @DeleteMapping("/calendars/{name}")
    @Operation(summary = "Delete a calendar")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ApiResponse(
            responseCode = "409",
            description = "Jobs use it; they are named",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<Void> delete(
            @PathVariable String name,
            @Parameter(description = NAMESPACE) @RequestParam(required = false) String namespace) {
        if (blankToNull(namespace) == null) {
            global("delete a global calendar", name);
        }
        service.delete(blankToNull(namespace), name);
        return ResponseEntity.noContent().build();
    }

    /** Refuses a token limited to namespaces a global calendar: it carries no global role. */
    private void global(String action, String name) {
        permissions.requireNotLimitedToNamespaces(action, AuditTrail.Target.of("calendar", null, name));
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    @PostMapping(path = "/freezes", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Declare a freeze (super admin)",
            description = "Slots inside are skipped with reason freeze; scope all or destructive (only jobs of"
                    + " destructive templates); the reason shows on every page while it lasts")
    @ApiResponse(responseCode = "201", description = "Declared")
    ResponseEntity<Freeze> freeze(@RequestBody FreezeRequest request) {
        Freeze freeze = service.freeze(request.from(), request.to(), request.scope(), request.reason());
        return ResponseEntity.created(URI.create("/api/admin/scheduler/freezes/" + freeze.id()))
                .body(freeze);
    }

    @GetMapping("/freezes")
    @ApiResponse(responseCode = "200", description = "The freezes")
    @Operation(summary = "List freezes")
    FreezeList freezes() {
        permissions.requireNotLimitedToNamespaces("read the freezes", null);
        return new FreezeList(service.freezes());
    }

    @DeleteMapping("/freezes/{id}")
    @Operation(
            summary = "End a freeze (super admin)",
            description = "A freeze in force ends now and is kept (listed as over; the slots it skipped stay blocked"
                    + " for backfills); one that has not begun is withdrawn (removed)")
    @ApiResponse(responseCode = "204", description = "Ended, or withdrawn")
    @ApiResponse(
            responseCode = "404",
            description = "No such freeze",
            content = @Content(mediaType = "application/problem+json"))
    @ApiResponse(
            responseCode = "409",
            description = "The freeze is already over",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<Void> unfreeze(@PathVariable UUID id) {
        service.unfreeze(id);
        return ResponseEntity.noContent().build();
    }
}
