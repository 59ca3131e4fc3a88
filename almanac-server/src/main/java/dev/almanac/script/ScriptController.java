package dev.almanac.script;

import dev.almanac.common.Ids;
import dev.almanac.common.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Scripts, their versions and their review. */
@RestController
@RequestMapping(path = "/api/admin/scheduler/scripts", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Scripts", description = "Your own code, versioned, approved by a second person, run in a sandbox")
class ScriptController {

    private static final String API = "/api/admin/scheduler/scripts/";

    @Schema(name = "NewScript", description = "A script with its first version")
    record NewScript(
            @Schema(example = "nightly-report") String name,

            @Schema(allowableValues = {"python3", "sh", "node"})
            String language,

            String description,
            String source,

            @Schema(name = "network_allowed", description = "Ask for network access; the approval grants it")
            Boolean networkAllowed,

            @Schema(
                    description = "The namespace whose members may see it, whose owners approve it and whose jobs"
                            + " alone may run it; left out: a global script, approved by super admins, that the jobs"
                            + " of every namespace may run. A name is unique in its namespace, and a global script's"
                            + " name is no namespace's script's (409)")
            String namespace) {}

    @Schema(name = "NewScriptVersion", description = "A new version of a script's source")
    record NewVersion(
            String source,

            @Schema(name = "network_allowed", description = "Ask for network access; the approval grants it")
            Boolean networkAllowed) {}

    @Schema(name = "ScriptReview", description = "An approval or a rejection, with what the reviewer says")
    record Review(String comment) {}

    @Schema(name = "Script")
    record ScriptView(
            UUID id,
            String name,
            String language,
            String description,
            @Schema(name = "created_by") String createdBy,
            @Schema(name = "created_at") Instant createdAt,
            @Schema(name = "latest_version") Integer latestVersion,
            @Schema(name = "latest_approved_version") Integer latestApprovedVersion,

            @Schema(description = "Null for a global script")
            String namespace) {}

    @Schema(name = "ScriptVersion")
    record VersionView(
            @Schema(name = "script_id") UUID scriptId,
            int version,
            String source,
            @Schema(name = "network_allowed") boolean networkAllowed,

            @Schema(name = "dry_run_supported", description = "The source declares '# almanac: dry-run'")
            boolean dryRunSupported,

            String author,
            @Schema(name = "created_at") Instant createdAt,

            @Schema(allowableValues = {"pending", "approved", "rejected"})
            String status,

            String reviewer,
            @Schema(name = "review_comment") String reviewComment,
            @Schema(name = "reviewed_at") Instant reviewedAt) {

        static VersionView of(ScriptVersion v) {
            return new VersionView(
                    v.scriptId(),
                    v.version(),
                    v.source(),
                    v.networkAllowed(),
                    v.supportsDryRun(),
                    v.author(),
                    v.createdAt(),
                    v.status().json(),
                    v.reviewer(),
                    v.reviewComment(),
                    v.reviewedAt());
        }
    }

    record ScriptList(List<ScriptView> scripts) {}

    record VersionList(List<VersionView> versions) {}

    @Schema(name = "ScriptDiff", description = "A version against the last approved version before it")
    record DiffView(
            int version,

            @Schema(description = "The approved version compared with; null when none was approved before")
            Integer against,

            @Schema(description = "A unified diff") String diff,

            @Schema(name = "network_allowed", description = "Whether this version asks for network access")
            boolean networkAllowed,

            @Schema(
                    name = "against_network_allowed",
                    description = "Whether the version compared with was approved with network access; null"
                            + " when none was approved before")
            Boolean againstNetworkAllowed) {}

    private final ScriptService scripts;

    ScriptController(ScriptService scripts) {
        this.scripts = scripts;
    }

    @GetMapping
    @Operation(summary = "Every script, by name")
    ScriptList list() {
        return new ScriptList(scripts.all().stream().map(this::view).toList());
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create a script with its first version, pending review")
    @ApiResponse(responseCode = "201", description = "Created")
    @ApiResponse(
            responseCode = "409",
            description = "The name is taken in that namespace, or by a global script (or, for a global script, by a"
                    + " namespace's)")
    ResponseEntity<ScriptView> create(@RequestBody NewScript body) {
        Script script = scripts.create(
                body.name(),
                body.language(),
                body.description(),
                body.source(),
                Boolean.TRUE.equals(body.networkAllowed()),
                body.namespace());
        return ResponseEntity.created(URI.create(API + script.id())).body(view(script));
    }

    @GetMapping("/{id}")
    @Operation(summary = "One script")
    ScriptView one(@PathVariable String id) {
        return view(scripts.script(id(id)));
    }

    @GetMapping("/{id}/versions")
    @Operation(summary = "A script's versions, newest first, with their review")
    VersionList versions(@PathVariable String id) {
        return new VersionList(
                scripts.versions(id(id)).stream().map(VersionView::of).toList());
    }

    @GetMapping("/{id}/versions/{version}")
    @Operation(summary = "One version of a script")
    VersionView version(@PathVariable String id, @PathVariable int version) {
        return VersionView.of(scripts.version(id(id), version));
    }

    @PostMapping(path = "/{id}/versions", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Add a version, pending review; approved versions never change")
    @ApiResponse(responseCode = "201", description = "Created")
    ResponseEntity<VersionView> addVersion(@PathVariable String id, @RequestBody NewVersion body) {
        ScriptVersion version = scripts.addVersion(id(id), body.source(), Boolean.TRUE.equals(body.networkAllowed()));
        return ResponseEntity.created(URI.create(API + id + "/versions/" + version.version()))
                .body(VersionView.of(version));
    }

    @PostMapping(path = "/{id}/versions/{version}/approve", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ApiResponse(responseCode = "200", description = "The version, approved")
    @Operation(
            summary = "Approve a pending version (a super admin, or an owner of the script's namespace, who is not its"
                    + " author, with a comment)")
    @ApiResponse(responseCode = "403", description = "Not a super admin, or the version's author")
    @ApiResponse(responseCode = "409", description = "The version was already reviewed")
    VersionView approve(@PathVariable String id, @PathVariable int version, @RequestBody Review body) {
        return VersionView.of(scripts.approve(id(id), version, body.comment()));
    }

    @PostMapping(path = "/{id}/versions/{version}/reject", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ApiResponse(responseCode = "200", description = "The version, rejected")
    @Operation(
            summary = "Reject a pending version (a super admin, or an owner of the script's namespace, who is not its"
                    + " author, with a comment)")
    @ApiResponse(responseCode = "403", description = "Not a super admin, or the version's author")
    @ApiResponse(responseCode = "409", description = "The version was already reviewed")
    VersionView reject(@PathVariable String id, @PathVariable int version, @RequestBody Review body) {
        return VersionView.of(scripts.reject(id(id), version, body.comment()));
    }

    @GetMapping("/{id}/versions/{version}/diff")
    @Operation(summary = "A version against the last approved version before it, as a unified diff")
    DiffView diff(@PathVariable String id, @PathVariable int version) {
        ScriptService.Diff diff = scripts.diff(id(id), version);
        return new DiffView(
                diff.version(), diff.against(), diff.unified(), diff.networkAllowed(), diff.againstNetworkAllowed());
    }

    private ScriptView view(Script script) {
        List<ScriptVersion> versions = scripts.versions(script.id());
        return new ScriptView(
                script.id(),
                script.name(),
                script.language().json(),
                script.description(),
                script.createdBy(),
                script.createdAt(),
                versions.isEmpty() ? null : versions.get(0).version(),
                versions.stream()
                        .filter(ScriptVersion::approved)
                        .map(ScriptVersion::version)
                        .findFirst()
                        .orElse(null),
                script.namespace());
    }

    private static UUID id(String id) {
        return Ids.parse(id).orElseThrow(() -> new NotFoundException("no script with id " + id));
    }
}
