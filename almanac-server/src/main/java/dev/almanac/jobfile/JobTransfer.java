package dev.almanac.jobfile;

import dev.almanac.audit.AuditTrail;
import dev.almanac.calendar.CalendarFiles;
import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.QueryParameters;
import dev.almanac.common.Sealed;
import dev.almanac.job.Job;
import dev.almanac.job.JobDefinition;
import dev.almanac.job.JobId;
import dev.almanac.job.JobLookups;
import dev.almanac.job.JobRequest;
import dev.almanac.job.JobService;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Limits;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.NamespaceQuotas;
import dev.almanac.security.Permissions;
import dev.almanac.security.SecretParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
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

    /** A global calendar in a file imported with a token limited to namespaces, whatever it holds. */
    static final String GLOBAL_CALENDAR_REFUSED =
            "a token limited to namespaces may not read or change a global calendar: it is shared by every namespace";

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
    private final FileCalendars fileCalendars;
    private final CalendarFiles calendars;
    private final TransactionTemplate transactions;
    private final java.time.Clock clock;
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
            NamespaceQuotas quotas,
            FileCalendars fileCalendars,
            CalendarFiles calendars,
            TransactionTemplate transactions,
            java.time.Clock clock) {
        this.clock = clock;
        this.transactions = transactions;
        this.fileCalendars = fileCalendars;
        this.calendars = calendars;
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

    /**
     * What an import did or would do: per calendar and per job, the count of each action over both, and (in a
     * plan) the stored jobs of the file's namespaces the file does not name, which it leaves alone.
     */
    record ImportResult(
            String mode,
            boolean applied,
            Map<String, Long> summary,
            List<JobsFile.Outcome> calendars,
            List<JobsFile.Outcome> jobs,

            @com.fasterxml.jackson.annotation.JsonProperty("not_in_file")
            List<String> notInFile) {}

    /** How many jobs not in the file a plan names: enough to see a drift, not a listing of the namespace. */
    static final int NOT_IN_FILE_SHOWN = 50;

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
        List<Job> chosenJobs = lookups.allInNameOrder().stream()
                .map(jobs::find)
                .flatMap(Optional::stream)
                .filter(job -> scope.includes(job.definition().namespace()))
                .filter(job ->
                        wantedNamespace == null || job.definition().namespace().equals(wantedNamespace))
                .filter(job ->
                        wantedType == null || job.definition().templateType().equals(wantedType))
                .filter(job -> wantedTag == null
                        || JobRequest.of(job.definition()).tags().contains(wantedTag))
                .toList();
        Map<String, Object> file = new LinkedHashMap<>();
        // the calendars the jobs list travel with them, so the file applies on an install that lacks them
        // but not the global ones for a token limited to namespaces, which may not read them
        List<Map<String, Object>> listed = fileCalendars.listedBy(chosenJobs, !Permissions.limitedToNamespaces());
        if (!listed.isEmpty()) {
            file.put("calendars", listed);
        }
        file.put("jobs", chosenJobs.stream().map(this::exported).toList());
        String body = chosen.equals("yaml")
                ? pausedNote(chosenJobs) + yaml.writeValueAsString(file)
                : json.writerWithDefaultPrettyPrinter().writeValueAsString(file);
        return new Export(
                body,
                chosen.equals("yaml")
                        ? MediaType.parseMediaType("application/yaml;charset=UTF-8")
                        : MediaType.APPLICATION_JSON,
                "almanac-jobs." + chosen);
    }

    /**
     * A YAML comment naming the jobs paused here: a pause is the job's state on this install, not its definition, and
     * the file does not carry it (applied from Git at every start, it would pause again a job someone resumed); said,
     * so that an export applied elsewhere does not run a job silently that was held here. Empty: none is paused.
     */
    private String pausedNote(List<Job> exported) {
        java.time.Instant now = clock.instant();
        List<String> paused = exported.stream()
                .filter(job -> job.pauseAt(now) != null)
                .map(job -> {
                    dev.almanac.job.JobPause pause = job.pauseAt(now);
                    String name = job.definition().namespace().equals(JobDefinition.DEFAULT_NAMESPACE)
                            ? job.definition().name()
                            : job.definition().namespace() + "/"
                                    + job.definition().name();
                    String reason = pause.reason() == null || pause.reason().isBlank()
                            ? ""
                            : " ("
                                    + pause.reason()
                                            .replaceAll("[\\s\\p{Cntrl}\\u0085\\u2028\\u2029]+", " ")
                                            .strip() + ")";
                    return "#   " + name + ": paused "
                            + (pause.until() == null ? "until resumed" : "until " + pause.until()) + reason + "\n";
                })
                .toList();
        if (paused.isEmpty()) {
            return "";
        }
        return "# Paused where this file was exported; the file does not carry a pause (a job's state, not its\n"
                + "# definition), so these jobs run where it is applied unless paused there too:\n"
                + String.join("", paused);
    }

    /**
     * Plans or applies a jobs file (JSON or YAML) as the current actor. A job the file leaves unchanged plans as
     * unchanged whoever imports it; one it would create or change that the actor's role may not is that job's error in
     * a plan.
     *
     * @param mode {@code plan} (the default when null) or {@code apply}
     * @throws InvalidInputException when the text is not a jobs file, or when applying and a job is invalid
     * @throws dev.almanac.common.ForbiddenException when applying would create or change a job the actor's role may
     *     not (a destructive template's, for an admin), naming the job; recorded as {@code access.denied}
     */
    ImportResult importJobs(String mode, String body) {
        return importJobs(mode, body, null);
    }

    /**
     * The same, applied only when every job the file would create or change is still as a plan saw it: {@code seen}
     * holds each planned job's version by {@code namespace/name} (0: none was stored), as {@link #versionsSeen} gives
     * them; null holds to nothing.
     *
     * @throws dev.almanac.common.ConflictException when applying and a job was changed (created, deleted) since
     */
    ImportResult importJobs(String mode, String body, Map<String, Long> seen) {
        String chosen =
                QueryParameters.text(mode) == null ? "plan" : mode.strip().toLowerCase(Locale.ROOT);
        if (!chosen.equals("plan") && !chosen.equals("apply")) {
            throw new InvalidInputException(List.of(new FieldError("mode", "must be plan or apply")));
        }
        JobsFile.Parsed definitions;
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
            FieldError error = JobsFile.readError(e);
            throw new InvalidInputException(List.of(
                    error.message().contains(" syntax error")
                            ? new FieldError(error.field().isEmpty() ? "jobs" : error.field(), error.message())
                            : error.field().isEmpty() || error.field().equals("body")
                                    ? new FieldError("jobs", notAJobsFile(e))
                                    : error));
        }
        String actor = CurrentActor.name();
        Refusals refusals = new Refusals(seen);
        JobsFile.Outcomes outcomes;
        if (chosen.equals("apply")) {
            JobsFile.Parsed file = definitions;
            // the quotas are counted in the transaction that adds the jobs, holding the user's row and then those of
            // the file's namespaces in name order, so concurrent creates and imports count in turn
            outcomes = transactions.execute(status -> {
                Limits.JobQuota quota = limits.jobQuota(actor, atMost -> jobs.countCreatedBy(actor, atMost));
                JobsFile.namespacesOf(file).forEach(n -> refusals.rooms.put(n, quotas.lockedJobRoom(n)));
                try {
                    return jobsFile.applyAll(file, actor, quota, refusals);
                } catch (InvalidInputException | ConflictException invalid) {
                    refusals.refuseByRole();
                    throw invalid;
                }
            });
        } else {
            Limits.JobQuota quota = limits.jobQuota(actor, atMost -> jobs.countCreatedBy(actor, atMost));
            JobsFile.namespacesOf(definitions).forEach(n -> refusals.rooms.put(n, quotas.jobRoom(n)));
            outcomes = jobsFile.plan(definitions, actor, quota, refusals);
        }
        Map<String, Long> summary = new LinkedHashMap<>();
        for (String action : ACTIONS) {
            summary.put(
                    action,
                    outcomes.all().filter(o -> o.action().equals(action)).count());
        }
        if (chosen.equals("apply")) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("summary", summary);
            details.put("jobs", JobsFile.labelled(outcomes.jobs()));
            if (!outcomes.calendars().isEmpty()) {
                details.put("calendars", JobsFile.labelled(outcomes.calendars()));
            }
            audit.record(
                    "job.imported",
                    AuditTrail.Target.of(
                            "jobs",
                            null,
                            definitions.jobs().size() + " job(s)"
                                    + (definitions.calendars().isEmpty()
                                            ? ""
                                            : ", " + definitions.calendars().size() + " calendar(s)")),
                    details);
        }
        return new ImportResult(
                chosen,
                chosen.equals("apply"),
                summary,
                outcomes.calendars(),
                outcomes.jobs(),
                chosen.equals("plan") ? notInFile(definitions, outcomes) : List.of());
    }

    /**
     * The stored jobs of the namespaces the file names (those the user may see) that the file does not name, by
     * label, at most {@value #NOT_IN_FILE_SHOWN} and then how many more: a drift between the file and the install,
     * which an import leaves alone.
     */
    private List<String> notInFile(JobsFile.Parsed file, JobsFile.Outcomes outcomes) {
        java.util.Set<String> named = new java.util.HashSet<>();
        outcomes.jobs().stream()
                .filter(o -> o.name() != null && o.namespace() != null)
                .forEach(o -> named.add(o.namespace() + "/" + o.name()));
        java.util.Set<String> namespacesSeen = new java.util.HashSet<>();
        for (String namespace : JobsFile.namespacesOf(file)) {
            if (namespaces.exists(namespace) && namespaces.may(namespace, NamespaceAccess.Action.READ)) {
                namespacesSeen.add(namespace);
            }
        }
        if (namespacesSeen.isEmpty()) {
            return List.of();
        }
        List<String> left = lookups.allInNameOrder().stream()
                .map(jobs::find)
                .flatMap(Optional::stream)
                .map(Job::definition)
                .filter(d -> namespacesSeen.contains(d.namespace()))
                .filter(d -> !named.contains(d.namespace() + "/" + d.name()))
                .map(d -> d.namespace().equals(JobDefinition.DEFAULT_NAMESPACE)
                        ? d.name()
                        : d.namespace() + "/" + d.name())
                .toList();
        if (left.size() <= NOT_IN_FILE_SHOWN) {
            return left;
        }
        List<String> shown = new ArrayList<>(left.subList(0, NOT_IN_FILE_SHOWN));
        shown.add("… and " + (left.size() - NOT_IN_FILE_SHOWN) + " more");
        return shown;
    }

    /**
     * Why a text is not a jobs file: the reader's words where they are about the text (a YAML or JSON syntax error and
     * where), never where they name the types it was read into.
     */
    private static String notAJobsFile(JacksonException e) {
        if (e instanceof tools.jackson.databind.exc.MismatchedInputException) {
            return "not a jobs file: it must be an object, {jobs: [...]}, with the calendars they list under"
                    + " calendars: if any";
        }
        return "not a jobs file ({jobs: [...]}): " + e.getOriginalMessage();
    }

    /**
     * Per job: refused when it is of a namespace the user may not see (named like one that does not exist), and, only
     * when it would be created or changed, when the user's role may not change it there (an admin a destructive
     * template's job) or it would take a namespace over its job quota.
     */
    private final class Refusals implements JobsFile.Refusal {

        /** A change refused by the user's role: what an apply answers with 403. */
        private record ByRole(String name, String namespace, String templateType, String action, JobId id) {}

        /** A calendar the user's role may not create or change: what an apply answers with 403. */
        private record CalendarByRole(String name, String namespace, boolean creating) {}

        /** The jobs the file would create per namespace, over its quota or not. */
        private final Map<String, Long> creating = new HashMap<>();
        /** The namespaces the file would take over their job quota, in name order. */
        private final java.util.SortedSet<String> overQuota = new java.util.TreeSet<>();
        /** Each namespace's room as it was before the file: the jobs it creates are counted against it once. */
        final Map<String, NamespaceQuotas.JobRoom> rooms = new HashMap<>();

        private final List<ByRole> byRole = new ArrayList<>();
        /** Each job's version as a plan saw it, by {@code namespace/name} (0: none stored); null: no plan. */
        private final Map<String, Long> seen;

        Refusals(Map<String, Long> seen) {
            this.seen = seen;
        }

        private final List<CalendarByRole> calendarsByRole = new ArrayList<>();

        /** The first global calendar of the file when read with a token limited to namespaces: a 403 on apply. */
        private String globalCalendarRefused;

        @Override
        public Optional<FieldError> ofCalendar(String name, String namespace) {
            if (namespace == null && Permissions.limitedToNamespaces()) {
                // refused before it is looked up, so the answer tells nothing of whether it exists or matches
                globalCalendarRefused = globalCalendarRefused == null ? name : globalCalendarRefused;
                return Optional.of(new FieldError("", GLOBAL_CALENDAR_REFUSED));
            }
            return namespace == null ? Optional.empty() : ofJob(null, namespace);
        }

        @Override
        public Optional<FieldError> ofCalendarChange(String name, String namespace, boolean creating) {
            return calendars.whyMayNotPut(namespace, creating).map(why -> {
                calendarsByRole.add(new CalendarByRole(name, namespace, creating));
                return new FieldError("", "you may not " + (creating ? "create" : "change") + " this calendar: " + why);
            });
        }

        @Override
        public Optional<FieldError> ofJob(JobRequest definition, String namespace) {
            if (!namespaces.exists(namespace) || !namespaces.may(namespace, NamespaceAccess.Action.READ)) {
                return Optional.of(new FieldError("namespace", "no namespace named '" + namespace + "'"));
            }
            return Optional.empty();
        }

        @Override
        public Optional<FieldError> ofChange(JobRequest definition, String namespace, Optional<Job> stored) {
            long current = stored.map(Job::version).orElse(0L);
            Long planned = seen == null
                    ? null
                    : seen.get(namespace + "/" + definition.name().strip());
            if (planned != null && planned != current) {
                return Optional.of(JobsFile.stale(
                        planned == 0
                                ? "the plan saw no such job"
                                : current == 0
                                        ? "the plan saw version " + planned + " (it was deleted since)"
                                        : "the plan saw version " + planned,
                        current));
            }
            Optional<FieldError> byRole = ofRoleFor(definition, namespace, stored);
            if (byRole.isPresent()) {
                return byRole;
            }
            if (stored.isEmpty()) {
                NamespaceQuotas.JobRoom before = rooms.computeIfAbsent(namespace, quotas::jobRoom);
                long wanted = creating.merge(namespace, 1L, Long::sum);
                if (wanted > before.room()) {
                    overQuota.add(namespace);
                    return Optional.of(new FieldError(
                            "namespace",
                            "job quota of namespace '" + namespace + "' reached: it has " + before.jobs()
                                    + " jobs and its quota is " + before.quota() + " (room for " + before.room()
                                    + "), and this file would create more"));
                }
            }
            return Optional.empty();
        }

        @Override
        public Optional<FieldError> ofRole(JobRequest definition, String namespace, Job stored) {
            return ofRoleFor(definition, namespace, Optional.of(stored));
        }

        /** The role part of {@link #ofChange}: the plan's versions and the quotas are not asked. */
        private Optional<FieldError> ofRoleFor(JobRequest definition, String namespace, Optional<Job> stored) {
            String action = stored.isPresent() ? "update" : "create";
            String storedType = stored.map(j -> j.definition().templateType()).orElse(null);
            String type = definition.templateType() != null
                    ? definition.templateType().strip()
                    : storedType;
            // a job changed from one template to another needs the right to change jobs of both
            for (String template : Arrays.asList(storedType, type)) {
                if (template != null && !permissions.mayActOn(template, namespace)) {
                    byRole.add(new ByRole(
                            definition.name().strip(),
                            namespace,
                            template,
                            action,
                            stored.map(Job::id).orElse(null)));
                    return Optional.of(new FieldError(
                            "",
                            "you may not " + action + " this job: "
                                    + permissions.onJob(template, namespace).whyNotChange()));
                }
            }
            return Optional.empty();
        }

        /**
         * Answers an apply that would create or change a job the user's role may not with the role rule's 403 (and
         * its {@code access.denied}), naming the first such job, instead of the file's errors; else one that would
         * take a namespace over its job quota with the quota's 403 (and its {@code access.denied}), as a create.
         */
        void refuseByRole() {
            if (globalCalendarRefused != null) {
                try {
                    permissions.requireNotLimitedToNamespaces(
                            "read or change a global calendar",
                            AuditTrail.Target.of("calendar", null, globalCalendarRefused));
                } catch (ForbiddenException denied) {
                    throw new ForbiddenException("calendar '" + globalCalendarRefused + "': " + denied.getMessage());
                }
            }
            if (!calendarsByRole.isEmpty()) {
                CalendarByRole refused = calendarsByRole.get(0);
                try {
                    calendars.requireMayPut(refused.namespace(), refused.name(), refused.creating());
                } catch (ForbiddenException denied) {
                    String calendar =
                            refused.namespace() == null ? refused.name() : refused.namespace() + "/" + refused.name();
                    throw new ForbiddenException("calendar '" + calendar + "': " + denied.getMessage());
                }
            }
            if (byRole.isEmpty()) {
                if (!overQuota.isEmpty()) {
                    // as a create over the quota answers: 403 naming the namespace, its count, quota and room
                    String namespace = overQuota.first();
                    throw quotas.refusedJobs(rooms.get(namespace), creating.get(namespace));
                }
                return;
            }
            ByRole refused = byRole.get(0);
            String job = refused.namespace().equals(JobDefinition.DEFAULT_NAMESPACE)
                    ? refused.name()
                    : refused.namespace() + "/" + refused.name();
            try {
                permissions.requireMayActOn(
                        refused.templateType(),
                        refused.action(),
                        AuditTrail.Target.of("job", refused.id(), refused.name(), refused.namespace()));
            } catch (ForbiddenException denied) {
                throw new ForbiddenException("job '" + job + "': " + denied.getMessage());
            }
        }
    }

    /**
     * The version of each job a plan names, as stored now, by {@code namespace/name} (0: none stored): what an apply of
     * the same file holds to, so that it applies only what the plan showed.
     */
    Map<String, Long> versionsSeen(ImportResult plan) {
        Map<String, Long> seen = new TreeMap<>();
        for (JobsFile.Outcome outcome : plan.jobs()) {
            if (outcome.name() != null && outcome.namespace() != null) {
                seen.put(
                        outcome.namespace() + "/" + outcome.name(),
                        lookups.idByName(outcome.namespace(), outcome.name())
                                .flatMap(jobs::find)
                                .map(Job::version)
                                .orElse(0L));
            }
        }
        return seen;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> exported(Job job) {
        // every field written, an empty one as null or []: an import keeps a field a file leaves out, so an export
        // that left out the empty ones would not take back a description, a triggers: block, ... added since
        ObjectNode tree = JobRequest.whole(json.valueToTree(JobRequest.of(job.definition())));
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
