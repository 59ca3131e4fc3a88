package dev.almanac.jobfile;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.JsonInputErrors;
import dev.almanac.common.QueryParameters;
import dev.almanac.common.Sealed;
import dev.almanac.job.Job;
import dev.almanac.job.JobDefinition;
import dev.almanac.job.JobLookups;
import dev.almanac.job.JobRequest;
import dev.almanac.job.JobService;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Limits;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.NamespaceQuotas;
import dev.almanac.security.Permissions;
import dev.almanac.security.SecretParameters;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Export and import of job definitions, for the REST API and the import / export page alike: an export in the jobs
 * file's own format with secrets masked, and an import planned or applied all or nothing under the same role rules.
 */
@Service
class JobTransfer {

    static final List<String> ACTIONS = List.of("create", "update", "unchanged", "invalid");

    private final JobService jobs;
    private final SecretParameters secrets;
    private final JobLookups lookups;
    private final JsonMapper json;
    private final JobsFile jobsFile;
    private final Permissions permissions;
    private final Limits limits;
    private final AuditTrail audit;
    private final NamespaceAccess namespaces;
    private final NamespaceQuotas quotas;
    private final YAMLMapper yaml = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();

    JobTransfer(
            JobService jobs,
            SecretParameters secrets,
            JobLookups lookups,
            JsonMapper json,
            JobsFile jobsFile,
            Permissions permissions,
            Limits limits,
            AuditTrail audit,
            NamespaceAccess namespaces,
            NamespaceQuotas quotas) {
        this.namespaces = namespaces;
        this.quotas = quotas;
        this.limits = limits;
        this.jobs = jobs;
        this.secrets = secrets;
        this.lookups = lookups;
        this.json = json;
        this.jobsFile = jobsFile;
        this.permissions = permissions;
        this.audit = audit;
    }

    /** A jobs file ready to download. */
    record Export(String body, MediaType contentType, String filename) {}

    /** What an import did or would do. */
    record ImportResult(String mode, boolean applied, Map<String, Long> summary, List<JobsFile.Outcome> jobs) {}

    /**
     * Every job, or those with a tag or of a template type, as a jobs file.
     *
     * @param format {@code json} (the default when null) or {@code yaml}
     */
    Export export(String format, String tag, String templateType) {
        return export(format, tag, templateType, null);
    }

    /** The same, kept to the jobs the reader may see, of one namespace when {@code namespace} names one. */
    Export export(String format, String tag, String templateType, String namespace) {
        String chosen =
                QueryParameters.text(format) == null ? "json" : format.strip().toLowerCase(Locale.ROOT);
        if (!chosen.equals("json") && !chosen.equals("yaml")) {
            throw new InvalidInputException(List.of(new FieldError("format", "must be json or yaml")));
        }
        String wantedTag =
                QueryParameters.text(tag) == null ? null : tag.strip().toLowerCase(Locale.ROOT);
        String wantedType = QueryParameters.text(templateType);
        NamespaceAccess.Scope scope = namespaces.visible();
        String wantedNamespace = QueryParameters.text(namespace);
        List<Map<String, Object>> exported = lookups.allInNameOrder().stream()
                .map(jobs::find)
                .flatMap(Optional::stream)
                .filter(job -> scope.includes(job.definition().namespace()))
                .filter(job ->
                        wantedNamespace == null || job.definition().namespace().equals(wantedNamespace))
                .filter(job ->
                        wantedType == null || job.definition().templateType().equals(wantedType))
                .filter(job -> wantedTag == null
                        || JobRequest.of(job.definition()).tags().contains(wantedTag))
                .map(this::exported)
                .toList();
        Map<String, Object> file = Map.of("jobs", exported);
        String body = chosen.equals("yaml")
                ? yaml.writeValueAsString(file)
                : json.writerWithDefaultPrettyPrinter().writeValueAsString(file);
        return new Export(
                body,
                chosen.equals("yaml")
                        ? MediaType.parseMediaType("application/yaml;charset=UTF-8")
                        : MediaType.APPLICATION_JSON,
                "almanac-jobs." + chosen);
    }

    /**
     * Plans or applies a jobs file (JSON or YAML) as the current actor. Every job it names must be one the actor may
     * act on, or nothing is planned.
     *
     * @param mode {@code plan} (the default when null) or {@code apply}
     * @throws InvalidInputException when the text is not a jobs file, or when applying and a job is invalid
     * @throws dev.almanac.common.ForbiddenException when the actor may not import a job of a template it names
     */
    ImportResult importJobs(String mode, String body) {
        String chosen =
                QueryParameters.text(mode) == null ? "plan" : mode.strip().toLowerCase(Locale.ROOT);
        if (!chosen.equals("plan") && !chosen.equals("apply")) {
            throw new InvalidInputException(List.of(new FieldError("mode", "must be plan or apply")));
        }
        List<JobsFile.Definition> definitions;
        try {
            definitions = jobsFile.read(body);
        } catch (StreamConstraintsException e) {
            // a limit of the reader: the nesting, or a number, string or name too long
            String message = String.valueOf(e.getOriginalMessage()).contains("nesting depth")
                    ? "the file is nested more than " + JobsFile.MAX_DEPTH + " levels deep"
                    : "the file exceeds a limit of the reader: " + e.getOriginalMessage();
            throw new InvalidInputException(List.of(new FieldError("jobs", message)));
        } catch (JacksonException e) {
            // the field in error by its path in the file (jobs[0].tempate_type), with a hint for a near-miss name
            FieldError error = JsonInputErrors.fieldError(e);
            throw new InvalidInputException(List.of(
                    error.field().isEmpty() || error.field().equals("body")
                            ? new FieldError("jobs", "not a jobs file ({jobs: [...]}): " + e.getOriginalMessage())
                            : error));
        }
        if (namespaces.global()) {
            // an admin's refusal for a destructive template refuses the whole file, as before namespaces
            for (JobRequest definition :
                    definitions.stream().map(JobsFile.Definition::request).toList()) {
                if (definition.templateType() != null) {
                    permissions.requireMayActOn(
                            definition.templateType(),
                            "import",
                            AuditTrail.Target.of("job", null, definition.name(), namespaceOf(definition)));
                }
            }
        }
        String actor = CurrentActor.name();
        Limits.JobQuota quota = limits.jobQuota(actor, atMost -> jobs.countCreatedBy(actor, atMost));
        Function<JobRequest, Optional<FieldError>> refusal = namespaceRefusal();
        List<JobsFile.Outcome> outcomes = chosen.equals("apply")
                ? jobsFile.applyAll(definitions, actor, quota, refusal)
                : jobsFile.plan(definitions, actor, quota, refusal);
        Map<String, Long> summary = new LinkedHashMap<>();
        for (String action : ACTIONS) {
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
                                    .map(o -> o.label() + ": " + o.action())
                                    .toList()));
        }
        return new ImportResult(chosen, chosen.equals("apply"), summary, outcomes);
    }

    private static String namespaceOf(JobRequest definition) {
        return QueryParameters.text(definition.namespace()) == null
                ? JobDefinition.DEFAULT_NAMESPACE
                : definition.namespace().strip();
    }

    /**
     * Per job: refused when it would land in, or change a job of, a namespace the user may not write (one they may
     * not see is named like one that does not exist), or take a namespace over its job quota.
     */
    private Function<JobRequest, Optional<FieldError>> namespaceRefusal() {
        Map<String, Long> creating = new HashMap<>();
        return definition -> {
            String namespace = namespaceOf(definition);
            if (!namespaces.exists(namespace) || !namespaces.may(namespace, NamespaceAccess.Action.READ)) {
                return Optional.of(new FieldError("namespace", "no namespace named '" + namespace + "'"));
            }
            // the name as the API stores it, as the jobs file matches it
            Optional<Job> existing =
                    lookups.idByName(namespace, definition.name().strip()).flatMap(jobs::find);
            if (existing.isPresent()) {
                String current = existing.get().definition().namespace();
                if (!namespaces.may(current, NamespaceAccess.Action.READ)) {
                    return Optional.of(
                            new FieldError("name", "a job named '" + definition.name() + "' already exists"));
                }
                if (!permissions.mayActOn(existing.get().definition().templateType(), current)) {
                    return Optional.of(
                            new FieldError("namespace", "you may not change the jobs of namespace '" + current + "'"));
                }
            }
            String type = definition.templateType() != null
                    ? definition.templateType()
                    : existing.map(j -> j.definition().templateType()).orElse(null);
            if (type != null && !permissions.mayActOn(type, namespace)) {
                return Optional.of(new FieldError(
                        "namespace",
                        "you may not import jobs of template '" + type + "' into namespace '" + namespace + "'"));
            }
            boolean entering = existing.isEmpty()
                    || !existing.get().definition().namespace().equals(namespace);
            if (entering) {
                long room = quotas.jobRoom(namespace).room();
                long wanted = creating.merge(namespace, 1L, Long::sum);
                if (wanted > room) {
                    return Optional.of(new FieldError(
                            "namespace",
                            "over the job quota of namespace '" + namespace + "': "
                                    + quotas.jobRoom(namespace).jobs() + " jobs, quota "
                                    + quotas.jobRoom(namespace).quota()));
                }
            }
            return Optional.empty();
        };
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> exported(Job job) {
        ObjectNode tree = (ObjectNode) json.valueToTree(JobRequest.of(job.definition()));
        tree.remove("version");
        if (tree.has("depends_on")) {
            // upstream jobs by name, as triggers name theirs: their ids differ in another install or once recreated
            tree.set("depends_on", json.valueToTree(jobs.dependenciesByName(job.definition())));
        }
        // the schema's secrets leave as the mask, at any depth; an empty map of secrets stays empty
        tree.set(
                "parameters",
                json.valueToTree(secrets.masked(
                        job.definition().templateType(), job.definition().parameters())));
        // and every other sealed value (notification URLs) as what a person may see of it
        // and an upstream of a namespace the exporter may not see, unnamed
        return jobs.withUpstreamsShown(Sealed.maskedMap(json.treeToValue(tree, LinkedHashMap.class)));
    }
}
