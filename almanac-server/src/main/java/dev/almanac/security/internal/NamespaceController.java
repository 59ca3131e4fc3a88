package dev.almanac.security.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.security.Namespace;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.NamespacePause;
import dev.almanac.security.NamespaceQuotas;
import dev.almanac.security.NamespaceRole;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Namespaces: a team's jobs with their history, the roles people hold over them, and their quotas. A namespace the
 * caller may not see answers 404, like one that does not exist.
 */
@RestController
@RequestMapping(path = "/api/admin/scheduler/namespaces", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Namespaces", description = "Teams' jobs, members with their roles, and quotas")
class NamespaceController {

    private final NamespaceService namespaces;
    private final NamespaceAccess access;
    private final NamespaceQuotas quotas;

    NamespaceController(NamespaceService namespaces, NamespaceAccess access, NamespaceQuotas quotas) {
        this.namespaces = namespaces;
        this.access = access;
        this.quotas = quotas;
    }

    /**
     * Quotas as JSON carries them; a missing or null one is no quota. Read as long integers, so that one beyond an
     * int's range is told the quota's own range ("must be 1..10000"), not an int's.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record QuotasJson(
            @Schema(description = "How many jobs the namespace may hold", example = "50")
            Long jobs,

            @JsonProperty("manual_runs_per_hour")
            @Schema(
                    description = "Manual runs and backfills (one each) its people may start in an hour, all together",
                    example = "100")
            Long manualRunsPerHour,

            @JsonProperty("runs_at_once")
            @Schema(description = "How many of its runs may run at the same time", example = "4")
            Long runsAtOnce,

            @JsonProperty("history_days")
            @Schema(description = "How many days of execution history it keeps", example = "30")
            Long historyDays,

            @JsonProperty("runs_per_job")
            @Schema(description = "How many executions per job it keeps", example = "1000")
            Long runsPerJob) {

        static QuotasJson of(Namespace.Quotas q) {
            return new QuotasJson(
                    wide(q.jobs()),
                    wide(q.manualRunsPerHour()),
                    wide(q.runsAtOnce()),
                    wide(q.historyDays()),
                    wide(q.runsPerJob()));
        }

        Namespace.Quotas stored() {
            return new Namespace.Quotas(
                    narrow(jobs),
                    narrow(manualRunsPerHour),
                    narrow(runsAtOnce),
                    narrow(historyDays),
                    narrow(runsPerJob));
        }

        private static Long wide(Integer quota) {
            return quota == null ? null : quota.longValue();
        }

        /** Beyond an int, the nearest int: outside every quota's range too, and refused as that. */
        private static Integer narrow(Long quota) {
            return quota == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, quota));
        }
    }

    /** What a namespace uses against its quotas. */
    record Usage(
            long jobs,
            @JsonProperty("manual_runs_last_hour") long manualRunsLastHour) {}

    record NamespaceView(
            String name,
            @JsonProperty("display_name") String displayName,
            String description,
            QuotasJson quotas,

            @Schema(description = "Counted for the quotas that limit it")
            Usage usage,

            @JsonProperty("your_role") @Schema(description = "The caller's own role here; null for a global role")
            String yourRole,

            @JsonProperty("paused_since") @Schema(description = "Set while the namespace is paused")
            Instant pausedSince,

            @JsonProperty("paused_until") @Schema(description = "When the pause lifts by itself; null: until resumed")
            Instant pausedUntil,

            @JsonProperty("pause_reason") String pauseReason,
            @JsonProperty("created_at") Instant createdAt,
            @JsonProperty("updated_at") Instant updatedAt) {}

    record PauseRequest(
            @Schema(description = "When the pause lifts by itself; left out: until resumed")
            Instant until,

            @Schema(example = "database migration") String reason) {}

    record NamespaceRequest(
            @Schema(description = "A lower-case identifier; cannot change", example = "billing")
            String name,

            @JsonProperty("display_name") @Schema(example = "Billing")
            String displayName,

            String description,

            @Schema(description = "On update, replaces every quota; left out, they stay")
            QuotasJson quotas) {}

    record NamespaceList(List<NamespaceView> namespaces) {}

    record NamespaceEnvelope(NamespaceView namespace, String message) {}

    record Member(
            String username,

            @Schema(allowableValues = {"owner", "editor", "runner", "viewer"})
            String role) {}

    record Members(List<Member> members) {}

    @GetMapping
    @Operation(summary = "The namespaces you may see, with their quotas and use")
    NamespaceList list() {
        return new NamespaceList(namespaces.visible().stream().map(this::view).toList());
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create a namespace (super admins)")
    @ApiResponse(responseCode = "201", description = "Created")
    @ApiResponse(
            responseCode = "409",
            description = "The name is taken",
            content = @Content(mediaType = "application/problem+json"))
    ResponseEntity<NamespaceEnvelope> create(@RequestBody NamespaceRequest request) {
        Namespace created = namespaces.create(changes(request));
        return ResponseEntity.created(URI.create("/api/admin/scheduler/namespaces/" + created.name()))
                .body(new NamespaceEnvelope(view(created), "Namespace '" + created.name() + "' created"));
    }

    @GetMapping("/{name}")
    @ApiResponse(responseCode = "200", description = "The namespace")
    @Operation(summary = "Read a namespace, with its use against each quota")
    @ApiResponse(
            responseCode = "404",
            description = "No such namespace, or not one you may see",
            content = @Content(mediaType = "application/problem+json"))
    NamespaceEnvelope get(@PathVariable String name) {
        return new NamespaceEnvelope(view(namespaces.get(name)), null);
    }

    @PutMapping(path = "/{name}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Change a namespace's display name, description or quotas (its owners, super admins)",
            description = "Fields left out keep their values; quotas, when sent, replace all five.")
    NamespaceEnvelope update(@PathVariable String name, @RequestBody NamespaceRequest request) {
        Namespace updated = namespaces.update(name, changes(request));
        return new NamespaceEnvelope(view(updated), "Namespace '" + name + "' updated");
    }

    @DeleteMapping("/{name}")
    @ApiResponse(responseCode = "200", description = "The namespace, deleted")
    @Operation(summary = "Delete an empty namespace (super admins)")
    @ApiResponse(
            responseCode = "409",
            description = "It still holds jobs or calendars (the count is named), or it is 'default'",
            content = @Content(mediaType = "application/problem+json"))
    NamespaceEnvelope delete(@PathVariable String name) {
        Namespace deleted = namespaces.delete(name);
        return new NamespaceEnvelope(view(deleted), "Namespace '" + name + "' deleted");
    }

    @PostMapping(path = "/{name}/pause")
    @Operation(
            summary = "Pause every job of a namespace (its owners, super admins)",
            description = "Slots while paused are recorded as skipped with reason 'paused'; the pause lifts by itself"
                    + " at 'until', and no missed slot runs then. Manual runs are not held.")
    NamespaceEnvelope pause(@PathVariable String name, @RequestBody(required = false) PauseRequest request) {
        NamespacePause pause = namespaces.pause(
                name, request == null ? null : request.until(), request == null ? null : request.reason());
        return new NamespaceEnvelope(
                view(namespaces.get(name)),
                "Namespace '" + name + "' paused "
                        + (pause.until() == null ? "until resumed" : "until " + pause.until()));
    }

    /** A namespace's resume: the same body as a job's, whose catch_up a namespace cannot honour. */
    record ResumeRequest(
            @JsonProperty("catch_up")
            @Schema(description = "Only false: a namespace's resume queues no catch-up run (resume a job for one)")
            Boolean catchUp) {}

    @PostMapping(path = "/{name}/resume")
    @Operation(
            summary = "Resume a paused namespace (its owners, super admins)",
            description = "Its jobs run from their next slot; the slots the pause skipped stay skipped. 409 when the"
                    + " namespace is not paused; catch_up: true is refused (400).")
    @ApiResponse(responseCode = "200", description = "The namespace, no longer paused")
    @ApiResponse(
            responseCode = "409",
            description = "The namespace is not paused",
            content = @Content(mediaType = "application/problem+json"))
    NamespaceEnvelope resume(@PathVariable String name, @RequestBody(required = false) ResumeRequest request) {
        if (request != null && Boolean.TRUE.equals(request.catchUp())) {
            throw new InvalidInputException(
                    "catch_up",
                    "a namespace's resume runs no catch-up: one run for each of its jobs would flood them; resume"
                            + " the namespace, then a job with catch_up for that job alone");
        }
        namespaces.resume(name);
        return new NamespaceEnvelope(
                view(namespaces.get(name)), "Namespace '" + name + "' resumed: the slots it missed stay skipped");
    }

    @GetMapping("/{name}/members")
    @Operation(summary = "Who holds which role in a namespace")
    Members members(@PathVariable String name) {
        return members(namespaces.members(name));
    }

    @PutMapping(path = "/{name}/members", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(
            summary = "Replace a namespace's members (its owners, super admins)",
            description = "Roles: owner, editor, runner, viewer. A user left out loses their role here.")
    Members replaceMembers(@PathVariable String name, @RequestBody Members request) {
        // a body without the list is a mistake, not "remove everyone": that is an empty list, said on purpose
        if (request.members() == null) {
            throw new InvalidInputException("members", "is required: the whole list of members ([] removes everyone)");
        }
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < request.members().size(); i++) {
            if (request.members().get(i) == null) {
                errors.add(new FieldError("members[" + i + "]", "must be an object with username and role"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        List<Map.Entry<String, String>> sent = request.members().stream()
                .map(m -> (Map.Entry<String, String>) new AbstractMap.SimpleEntry<>(m.username(), m.role()))
                .toList();
        return members(namespaces.replaceMembers(name, sent));
    }

    private static Members members(Map<String, NamespaceRole> members) {
        return new Members(members.entrySet().stream()
                .map(e -> new Member(e.getKey(), e.getValue().json()))
                .toList());
    }

    private static NamespaceService.Changes changes(NamespaceRequest request) {
        return new NamespaceService.Changes(
                request.name(),
                request.displayName(),
                request.description(),
                request.quotas() == null ? null : request.quotas().stored());
    }

    private NamespaceView view(Namespace n) {
        Usage usage = new Usage(quotas.jobsIn(n.name()), quotas.manualRunsLastHour(n.name()));
        NamespacePause pause = namespaces.pauseOf(n.name()).orElse(null);
        return new NamespaceView(
                n.name(),
                n.displayName(),
                n.description(),
                QuotasJson.of(n.quotas()),
                usage,
                access.roleIn(n.name()).map(NamespaceRole::json).orElse(null),
                pause == null ? null : pause.since(),
                pause == null ? null : pause.until(),
                pause == null ? null : pause.reason(),
                n.createdAt(),
                n.updatedAt());
    }
}
