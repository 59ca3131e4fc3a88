package dev.almanac.jobfile;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.job.Job;
import dev.almanac.job.JobForm;
import dev.almanac.job.JobId;
import dev.almanac.job.JobLookups;
import dev.almanac.job.JobRequest;
import dev.almanac.job.JobResponse;
import dev.almanac.job.JobService;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Limits;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.NamespaceQuotas;
import dev.almanac.security.Permissions;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Jobs out of, into and between registries: an export in the jobs file's own format (so it can be kept in Git and
 * applied with {@code almanac.jobs-file}), secrets masked; an import of such a file, planned or applied all or nothing;
 * and a clone of one job.
 */
@RestController
@RequestMapping("/api/admin/scheduler/jobs")
@Tag(name = "Jobs")
class JobTransferController {

    /** The one mask of every response, export and log, so an exported file can be imported back as it is. */
    static final String MASK = dev.almanac.common.Sealed.MASK;

    private final JobService jobs;
    private final JobLookups lookups;
    private final JsonMapper json;
    private final JobTransfer transfer;
    private final Permissions permissions;
    private final Limits limits;
    private final AuditTrail audit;
    private final NamespaceQuotas quotas;
    private final TransactionTemplate transactions;
    private final NamespaceAccess namespaces;

    JobTransferController(
            JobService jobs,
            JobLookups lookups,
            JsonMapper json,
            JobTransfer transfer,
            Permissions permissions,
            Limits limits,
            AuditTrail audit,
            NamespaceQuotas quotas,
            TransactionTemplate transactions,
            NamespaceAccess namespaces) {
        this.transactions = transactions;
        this.namespaces = namespaces;
        this.quotas = quotas;
        this.limits = limits;
        this.jobs = jobs;
        this.lookups = lookups;
        this.json = json;
        this.transfer = transfer;
        this.permissions = permissions;
        this.audit = audit;
    }

    /** What a clone answers. */
    record Cloned(JobResponse job, String message) {}

    /** What a clone may be told; no body, or either field left out, keeps the default. */
    record CloneRequest(
            @Schema(description = "The copy's name; left out: <name>-copy (or -copy-2, ...)")
            String name,

            @Schema(description = "The namespace of the copy; left out: the original's")
            String namespace) {}

    @GetMapping("/export")
    @Operation(
            summary = "Export job definitions as a jobs file",
            description = "JSON or YAML in the format almanac.jobs-file reads; all jobs or those with a tag or template"
                    + " type; parameters marked x-secret are masked.")
    @ApiResponse(responseCode = "200", description = "The jobs file")
    ResponseEntity<String> export(
            @Parameter(description = "json (default) or yaml") @RequestParam(required = false) String format,
            @RequestParam(required = false) String tag,
            @RequestParam(name = "template_type", required = false) String templateType,
            @Parameter(description = "Only the jobs of this namespace") @RequestParam(required = false)
                    String namespace) {
        JobTransfer.Export export = transfer.export(format, tag, templateType, namespace);
        return ResponseEntity.ok()
                .contentType(export.contentType())
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + export.filename() + "\"")
                .body(export.body());
    }

    @PostMapping("/{id}/clone")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(
            summary = "Clone a job",
            description = "A copy named <name>-copy (or -copy-2, ...), or the body's name, in the original's namespace"
                    + " or the body's, disabled so it does not run twice until you enable it. The name and namespace"
                    + " are checked as a create's.")
    @ApiResponse(responseCode = "201", description = "The copy")
    Cloned cloneJob(@PathVariable String id, @RequestBody(required = false) CloneRequest request) {
        Job original =
                jobs.getVisible(JobId.parse(id).orElseThrow(() -> new NotFoundException("no job with id " + id)));
        String from = original.definition().namespace();
        String namespace = request == null
                        || request.namespace() == null
                        || request.namespace().isBlank()
                ? from
                : request.namespace().strip();
        // another namespace is checked as a create or a move there is: one the user may not see is one that is not
        if (!namespace.equals(from)
                && (!namespaces.exists(namespace) || !namespaces.may(namespace, NamespaceAccess.Action.READ))) {
            throw new InvalidInputException("namespace", "no namespace named '" + namespace + "'");
        }
        if (!namespace.equals(from)) {
            // the copy carries the original's secrets, which its new namespace's editors could send anywhere: copying
            // a job out of its namespace needs the right to change it there, as a move does
            namespaces.require(
                    from,
                    NamespaceAccess.Action.EDIT,
                    "copy its jobs into another namespace",
                    AuditTrail.Target.of(
                            "job", original.id(), original.definition().name(), namespace),
                    () -> new NotFoundException("no job with id " + id));
        }
        permissions.requireMayActOn(
                original.definition().templateType(),
                "create",
                namespace.equals(from)
                        ? AuditTrail.Target.of(
                                "job", original.id(), original.definition().name())
                        : AuditTrail.Target.of(
                                "job", original.id(), original.definition().name(), namespace));
        String actor = CurrentActor.name();
        // the quotas are counted in the transaction that adds the copy, so concurrent creates count in turn
        Job copy = transactions.execute(status -> {
            limits.requireJobQuota(actor, atMost -> jobs.countCreatedBy(actor, atMost));
            quotas.requireJobRoom(namespace, 1);
            ObjectNode tree = (ObjectNode) json.valueToTree(jobs.plainRequest(original));
            tree.remove("version");
            tree.put("namespace", namespace);
            // a name given is checked as a create's is (a taken one refused); none: the first free <name>-copy
            tree.put(
                    "name",
                    request == null || request.name() == null
                            ? freeName(namespace, original.definition().name())
                            : request.name());
            tree.put("enabled", false);
            Job created = jobs.create(json.treeToValue(tree, JobRequest.class), actor);
            audit.record(
                    "job.created",
                    AuditTrail.Target.of(
                            "job", created.id(), created.definition().name()),
                    Map.of("cloned_from", original.id().toString()));
            return created;
        });
        return new Cloned(
                jobs.response(copy), "Job cloned as '" + copy.definition().name() + "'. " + JobForm.CLONE_DISABLED);
    }

    private String freeName(String namespace, String name) {
        for (int n = 1; n < 1000; n++) {
            String suffix = n == 1 ? "-copy" : "-copy-" + n;
            String candidate = name.substring(0, Math.min(name.length(), 100 - suffix.length())) + suffix;
            if (!lookups.nameTaken(namespace, candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free name for a copy of " + name);
    }

    @PostMapping(
            path = "/import",
            consumes = {MediaType.APPLICATION_JSON_VALUE, "application/yaml", "application/x-yaml", "text/yaml"})
    @Operation(
            summary = "Import job definitions (a jobs file, JSON or YAML)",
            description = "mode=plan (default) lists per job create, update, unchanged or invalid, with the changed"
                    + " fields, and changes nothing; mode=apply applies all of them in one transaction, or none when"
                    + " one is invalid. Jobs are matched by name; masked secrets keep their stored values.")
    @ApiResponse(responseCode = "200", description = "The plan, or what was applied")
    JobTransfer.ImportResult importJobs(
            @Parameter(description = "plan (default) or apply") @RequestParam(required = false) String mode,
            @RequestBody String body) {
        return transfer.importJobs(mode, body);
    }
}
