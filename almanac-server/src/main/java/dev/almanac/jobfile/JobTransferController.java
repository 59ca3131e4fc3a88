package dev.almanac.jobfile;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import dev.almanac.common.QueryParameters;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobRequest;
import dev.almanac.job.JobResponse;
import dev.almanac.job.JobService;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Permissions;
import dev.almanac.template.TemplateRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

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
    private final TemplateRegistry templates;
    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final YAMLMapper yaml = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    private final JobsFile jobsFile;
    private final Permissions permissions;
    private final AuditTrail audit;

    JobTransferController(
            JobService jobs,
            TemplateRegistry templates,
            JdbcClient jdbc,
            JsonMapper json,
            JobsFile jobsFile,
            Permissions permissions,
            AuditTrail audit) {
        this.jobsFile = jobsFile;
        this.permissions = permissions;
        this.audit = audit;
        this.jobs = jobs;
        this.templates = templates;
        this.jdbc = jdbc;
        this.json = json;
    }

    /** What a clone answers. */
    record Cloned(JobResponse job, String message) {}

    @GetMapping("/export")
    @Operation(
            summary = "Export job definitions as a jobs file",
            description = "JSON or YAML in the format almanac.jobs-file reads; all jobs or those with a tag or template"
                    + " type; parameters marked x-secret are masked.")
    @ApiResponse(responseCode = "200", description = "The jobs file")
    ResponseEntity<String> export(
            @Parameter(description = "json (default) or yaml") @RequestParam(required = false) String format,
            @RequestParam(required = false) String tag,
            @RequestParam(name = "template_type", required = false) String templateType) {
        String chosen =
                QueryParameters.text(format) == null ? "json" : format.strip().toLowerCase(Locale.ROOT);
        if (!chosen.equals("json") && !chosen.equals("yaml")) {
            throw new InvalidInputException(List.of(new FieldError("format", "must be json or yaml")));
        }
        String wantedTag =
                QueryParameters.text(tag) == null ? null : tag.strip().toLowerCase(Locale.ROOT);
        List<Map<String, Object>> exported =
                jdbc.sql("SELECT id FROM jobs ORDER BY name").query(UUID.class).list().stream()
                        .map(id -> jobs.find(new JobId(id)))
                        .flatMap(java.util.Optional::stream)
                        .filter(job -> templateType == null
                                || job.definition().templateType().equals(templateType))
                        .filter(job -> wantedTag == null
                                || JobRequest.of(job.definition()).tags().contains(wantedTag))
                        .map(this::exported)
                        .toList();
        Map<String, Object> file = Map.of("jobs", exported);
        String body = chosen.equals("yaml")
                ? yaml.writeValueAsString(file)
                : json.writerWithDefaultPrettyPrinter().writeValueAsString(file);
        return ResponseEntity.ok()
                .contentType(
                        chosen.equals("yaml")
                                ? MediaType.parseMediaType("application/yaml;charset=UTF-8")
                                : MediaType.APPLICATION_JSON)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"almanac-jobs." + chosen + "\"")
                .body(body);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> exported(Job job) {
        ObjectNode tree = (ObjectNode) json.valueToTree(JobRequest.of(job.definition()));
        tree.remove("version");
        // every sealed value, at any depth (secret headers, nested objects), leaves as the mask, never as ciphertext
        tree.set(
                "parameters",
                json.valueToTree(
                        dev.almanac.common.Sealed.maskedMap(job.definition().parameters())));
        JsonNode parameters = tree.get("parameters");
        Set<String> secrets = secretParameters(job.definition().templateType());
        if (parameters instanceof ObjectNode object) {
            for (String secret : secrets) {
                if (object.has(secret)) {
                    object.put(secret, MASK);
                }
            }
        }
        return json.treeToValue(tree, LinkedHashMap.class);
    }

    private Set<String> secretParameters(String templateType) {
        Set<String> secrets = new HashSet<>();
        templates.find(templateType).ifPresent(template -> {
            JsonNode properties =
                    json.readTree(template.descriptor().parametersSchema()).get("properties");
            if (properties != null) {
                properties.properties().forEach(property -> {
                    if (property.getValue().path("x-secret").asBoolean(false)) {
                        secrets.add(property.getKey());
                    }
                });
            }
        });
        return secrets;
    }

    @PostMapping("/{id}/clone")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(
            summary = "Clone a job",
            description = "A copy named <name>-copy (or -copy-2, ...), disabled so it does not run twice until you"
                    + " enable it.")
    @ApiResponse(responseCode = "201", description = "The copy")
    Cloned cloneJob(@PathVariable String id) {
        Job original = jobs.get(JobId.parse(id).orElseThrow(() -> new NotFoundException("no job with id " + id)));
        permissions.requireMayActOn(
                original.definition().templateType(),
                "create",
                AuditTrail.Target.of("job", original.id(), original.definition().name()));
        ObjectNode tree = (ObjectNode) json.valueToTree(JobRequest.of(original.definition()));
        tree.remove("version");
        tree.put("name", freeName(original.definition().name()));
        tree.put("enabled", false);
        Job copy = jobs.create(json.treeToValue(tree, JobRequest.class), CurrentActor.name());
        audit.record(
                "job.created",
                AuditTrail.Target.of("job", copy.id(), copy.definition().name()),
                Map.of("cloned_from", original.id().toString()));
        return new Cloned(
                JobResponse.of(copy), "Job cloned as '" + copy.definition().name() + "' (disabled)");
    }

    private String freeName(String name) {
        for (int n = 1; n < 1000; n++) {
            String suffix = n == 1 ? "-copy" : "-copy-" + n;
            String candidate = name.substring(0, Math.min(name.length(), 100 - suffix.length())) + suffix;
            if (jdbc.sql("SELECT COUNT(*) FROM jobs WHERE name = ?")
                            .param(candidate)
                            .query(Long.class)
                            .single()
                    == 0) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free name for a copy of " + name);
    }

    /** What an import did or would do. */
    record ImportResult(String mode, boolean applied, Map<String, Long> summary, List<JobsFile.Outcome> jobs) {}

    @PostMapping(
            path = "/import",
            consumes = {MediaType.APPLICATION_JSON_VALUE, "application/yaml", "application/x-yaml", "text/yaml"})
    @Operation(
            summary = "Import job definitions (a jobs file, JSON or YAML)",
            description = "mode=plan (default) lists per job create, update, unchanged or invalid, with the changed"
                    + " fields, and changes nothing; mode=apply applies all of them in one transaction, or none when"
                    + " one is invalid. Jobs are matched by name; masked secrets keep their stored values.")
    @ApiResponse(responseCode = "200", description = "The plan, or what was applied")
    ImportResult importJobs(
            @Parameter(description = "plan (default) or apply") @RequestParam(required = false) String mode,
            @RequestBody String body) {
        String chosen =
                QueryParameters.text(mode) == null ? "plan" : mode.strip().toLowerCase(Locale.ROOT);
        if (!chosen.equals("plan") && !chosen.equals("apply")) {
            throw new InvalidInputException(List.of(new FieldError("mode", "must be plan or apply")));
        }
        List<JobRequest> definitions;
        try {
            definitions = jobsFile.read(body);
        } catch (JacksonException e) {
            throw new InvalidInputException(
                    List.of(new FieldError("jobs", "not a jobs file ({jobs: [...]}): " + e.getOriginalMessage())));
        }
        for (JobRequest definition : definitions) {
            if (definition.templateType() != null) {
                permissions.requireMayActOn(
                        definition.templateType(), "import", AuditTrail.Target.of("job", null, definition.name()));
            }
        }
        List<JobsFile.Outcome> outcomes = chosen.equals("apply")
                ? jobsFile.applyAll(definitions, CurrentActor.name())
                : jobsFile.plan(definitions, CurrentActor.name());
        Map<String, Long> summary = new LinkedHashMap<>();
        for (String action : List.of("create", "update", "unchanged", "invalid")) {
            summary.put(
                    action,
                    outcomes.stream().filter(o -> o.action().equals(action)).count());
        }
        if (chosen.equals("apply")) {
            audit.record(
                    "job.imported",
                    AuditTrail.Target.of("jobs", null, definitions.size() + " job(s)"),
                    Map.of(
                            "summary",
                            summary,
                            "jobs",
                            outcomes.stream()
                                    .map(o -> o.name() + ": " + o.action())
                                    .toList()));
        }
        return new ImportResult(chosen, chosen.equals("apply"), summary, outcomes);
    }
}
