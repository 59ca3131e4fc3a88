package dev.almanac.job;

import dev.almanac.common.ConflictException;
import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.JsonInputErrors;
import dev.almanac.common.NotFoundException;
import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.schedule.Schedule;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.SecretParameters;
import dev.almanac.template.TemplateRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The job registry: every change to a job definition goes through here, is validated whole, and leaves a row in
 * {@code job_versions}. A change that fails leaves the stored job as it was.
 */
@Service
public class JobService {

    /** How a job of a namespace the reader may not see is named to them, wherever its id turns up. */
    public static final String HIDDEN_JOB = "(a job you may not see)";

    private final JobRepository jobs;
    private final JobVersionRepository versions;
    private final JobValidator validator;
    private final JsonMapper json;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final SecretParameters secrets;
    private final NotificationSecrets recipients;
    private final TemplateRegistry templates;
    private final TriggerStore triggerStore;
    private final JobTriggers triggers;
    private final NamespaceAccess access;

    JobService(
            JobRepository jobs,
            JobVersionRepository versions,
            JobValidator validator,
            JsonMapper json,
            Clock clock,
            ApplicationEventPublisher events,
            SecretParameters secrets,
            NotificationSecrets recipients,
            TemplateRegistry templates,
            TriggerStore triggerStore,
            JobTriggers triggers,
            NamespaceAccess access) {
        this.access = access;
        this.templates = templates;
        this.triggerStore = triggerStore;
        this.triggers = triggers;
        this.secrets = secrets;
        this.recipients = recipients;
        this.jobs = jobs;
        this.versions = versions;
        this.validator = validator;
        this.json = json;
        this.clock = clock;
        this.events = events;
    }

    /** A job after an update, whether the update changed anything, and the job as it was before. */
    public record Updated(Job job, boolean changed, Job previous) {}

    /** What a save does with a one-time job whose new or changed {@code run_at} has already passed. */
    public enum PastRunAt {
        /** Refused, naming {@code schedule.run_at}: a person scheduling a run means one ahead. */
        REFUSED,
        /**
         * Saved with no next run, as a one-time job that has run is stored: a jobs file or an import describes a job
         * as it is, and an export of one that ran, applied after its deletion or on another install, must apply.
         */
        SAVED_WITHOUT_NEXT_RUN
    }

    @Transactional
    public Job create(JobRequest request, String actor) {
        return create(request, actor, PastRunAt.REFUSED);
    }

    @Transactional
    public Job create(JobRequest request, String actor, PastRunAt pastRunAt) {
        Instant now = now();
        JobId id = JobId.generate();
        JobDefinition definition = sealed(
                unmaskedAndValidated(
                        request, null, now, new ValidationContext(null, null, homeOf(request, null), true, pastRunAt)),
                null);
        Instant nextRunAt =
                definition.enabled() ? definition.schedule().nextAfter(now).orElse(null) : null;
        // validated against its template as it is inserted; a taken name is the unique key's refusal
        Job job = new Job(id, definition, actor, now, now, null, null, nextRunAt, 1)
                .validatedAgainst(templates.version(definition.templateType()).orElse(null));
        insertOrConflict(job);
        versions.record(id, job.version(), "created", definition, actor, now);
        events.publishEvent(new JobChanged(id, JobChanged.Kind.CREATED));
        return job;
    }

    /**
     * In auto-commit: one statement, and for a job with triggers a second that reads it again whole, so each answer
     * comes from one statement's snapshot. A transaction around the read added a commit's round trip and the
     * transaction manager's work to every job read (the API's most frequent request) and guarded nothing.
     */
    public Job get(JobId id) {
        return jobs.find(id).orElseThrow(() -> notFound(id));
    }

    /** The namespace of a stored job. */
    @Transactional(readOnly = true)
    public Optional<String> namespaceOf(JobId id) {
        return jobs.namespaceOf(id);
    }

    /** The namespaces of stored jobs, in one read per 500; a job that is gone has no entry. */
    @Transactional(readOnly = true)
    public Map<JobId, String> namespacesOf(Collection<JobId> ids) {
        return jobs.namespacesOf(ids);
    }

    /**
     * The job as the API's job read and the job page show it, when the current user may see its namespace (else 404):
     * from this node's {@link JobCache} when a read of it is kept there, so showing a known job again reads it from no
     * database. Never for a decision: a change, a permission check or a run reads the job with {@link #get}.
     */
    public Job show(JobId id) {
        Job job = jobs.findToShow(id).orElseThrow(() -> notFound(id));
        access.requireVisible(job.definition().namespace(), () -> notFound(id));
        return job;
    }

    /**
     * The job, when the current user may see its namespace; otherwise 404, the same as for a missing one. One read,
     * like {@link #get}.
     */
    public Job getVisible(JobId id) {
        Job job = get(id);
        access.requireVisible(job.definition().namespace(), () -> notFound(id));
        return job;
    }

    /**
     * Refuses with 404 a job id whose job, or whose last saved version for a deleted job, is in a namespace the
     * current user may not see, and one that names neither: what its versions, history and notifications answer.
     */
    @Transactional(readOnly = true)
    public void requireVisible(JobId id) {
        Optional<String> live = jobs.namespaceOf(id);
        if (live.isPresent()) {
            access.requireVisible(live.get(), () -> notFound(id));
            return;
        }
        if (versions.versionsOf(id).isEmpty()) {
            throw notFound(id);
        }
        access.requireVisible(namespaceOfDeleted(id).orElse(null), () -> notFound(id));
    }

    /**
     * The namespace whose members may see a deleted job: that of its last saved version, while that namespace is
     * still the one it was saved in. One deleted and created again under the same name does not hand the old one's
     * jobs to its new members: empty then, as for a job that is not deleted or never was, and only the global roles
     * see it.
     */
    @Transactional(readOnly = true)
    public Optional<String> namespaceOfDeleted(JobId id) {
        if (jobs.namespaceOf(id).isPresent()) {
            return Optional.empty();
        }
        return versions.versionsOf(id).stream().findFirst().flatMap(last -> {
            // a version saved before namespaces has none: the default one, which is never deleted
            String namespace =
                    String.valueOf(last.definition().getOrDefault("namespace", JobDefinition.DEFAULT_NAMESPACE));
            return namespace.equals(JobDefinition.DEFAULT_NAMESPACE) || access.heldSince(namespace, last.changedAt())
                    ? Optional.of(namespace)
                    : Optional.empty();
        });
    }

    @Transactional(readOnly = true)
    public Optional<Job> find(JobId id) {
        return jobs.find(id);
    }

    /**
     * What a fan-in ({@code trigger_mode: all}) still waits for: its upstream jobs (and the outcome) with no matching
     * run since its last run within its window; null for a job that waits for any one trigger. One read at most, so no
     * transaction of its own: a job read waits for no second connection round trip.
     */
    public List<String> waitingFor(Job job) {
        return job.definition().triggerMode() == Trigger.Mode.ALL
                ? triggers.waitingFor(job, now()).stream()
                        .map(this::upstreamShown)
                        .toList()
                : null;
    }

    /** The job as the API answers it to the acting user: an upstream they may not see is not named. */
    public JobResponse response(Job job) {
        return JobResponse.of(job, this::upstreamShown, now());
    }

    /**
     * An upstream's stored name (or a line that starts with it) as the acting user may read it: one of another
     * namespace is stored as {@code namespace/name}, and is {@link #HIDDEN_JOB} to a reader who may not see that
     * namespace. Names in the job's own namespace carry no prefix and the reader already sees that namespace.
     */
    private String upstreamShown(String stored) {
        int slash = stored.indexOf('/');
        if (slash < 0 || access.may(stored.substring(0, slash), NamespaceAccess.Action.READ)) {
            return stored;
        }
        int outcome = stored.indexOf(" (", slash);
        return outcome < 0 ? HIDDEN_JOB : HIDDEN_JOB + stored.substring(outcome);
    }

    /**
     * A saved definition (a version's, an export's) as the acting user may read it: each trigger's upstream, saved by
     * name ({@code namespace/name} for another namespace's job), is {@link #HIDDEN_JOB} when they may not see it.
     */
    public Map<String, Object> withUpstreamsShown(Map<String, Object> definition) {
        if (!(definition.get("triggers") instanceof List<?> triggers) || triggers.isEmpty()) {
            return definition;
        }
        List<Object> shown = new ArrayList<>();
        for (Object trigger : triggers) {
            if (trigger instanceof Map<?, ?> fields && fields.get("job") instanceof String stored) {
                Map<Object, Object> copy = new LinkedHashMap<>(fields);
                copy.put("job", upstreamShown(stored));
                shown.add(copy);
            } else {
                shown.add(trigger);
            }
        }
        Map<String, Object> copy = new LinkedHashMap<>(definition);
        copy.put("triggers", shown);
        return copy;
    }

    /**
     * A job's {@code depends_on} as a jobs file writes it: each upstream by name, as triggers are saved, so the file
     * applies to an install where the ids differ. One of another namespace is {@code namespace/name}, and
     * {@link #HIDDEN_JOB} when the acting user may not see it; an id that names no job stays the id.
     */
    @Transactional(readOnly = true)
    public List<String> dependenciesByName(JobDefinition definition) {
        return definition.dependsOn().stream()
                .map(id -> jobs.find(id)
                        .map(upstream -> upstream.definition().namespace().equals(definition.namespace())
                                ? upstream.name()
                                : upstreamShown(upstream.definition().namespace() + "/" + upstream.name()))
                        .orElse(id.toString()))
                .toList();
    }

    /**
     * A saved version as the acting user may read it: an upstream they may not see not named (its secrets are still
     * sealed; {@link JobVersion#masked()} shows them as the mask).
     */
    public JobVersion shown(JobVersion version) {
        return new JobVersion(
                version.version(),
                version.change(),
                version.changedBy(),
                version.changedAt(),
                withUpstreamsShown(version.definition()),
                version.triggerJobs());
    }

    /** The jobs with a trigger or depends_on on {@code id}, by name. */
    @Transactional(readOnly = true)
    public Map<JobId, String> downstreamOf(JobId id) {
        return jobs.dependentsOf(id);
    }

    /** How many jobs there are, and how many of them are enabled. */
    public record Counts(long total, long enabled) {}

    @Transactional(readOnly = true)
    public Counts counts() {
        return jobs.counts();
    }

    /** The counts of the jobs in {@code namespaces} (null: every one; empty: none). */
    @Transactional(readOnly = true)
    public Counts counts(java.util.Set<String> namespaces) {
        if (namespaces == null) {
            return jobs.counts();
        }
        return namespaces.isEmpty() ? new Counts(0, 0) : jobs.counts(namespaces);
    }

    /** How many of the jobs Almanac seeded at its first start still exist, counted up to {@code atMost}. */
    @Transactional(readOnly = true)
    public long countSeeded(int atMost) {
        return jobs.countSeeded(atMost);
    }

    /** How many jobs {@code actor} created that still exist, counted up to {@code atMost}: what the job quota counts. */
    @Transactional(readOnly = true)
    public long countCreatedBy(String actor, int atMost) {
        return jobs.countCreatedBy(actor, atMost);
    }

    @Transactional(readOnly = true)
    public JobPage list(JobQuery query) {
        return jobs.list(query);
    }

    /**
     * Applies {@code changes} to a job: every field present replaces that field whole, fields left out keep their
     * values, and {@code version}, when sent, must be the current one.
     */
    @Transactional
    public Updated update(JobId id, ObjectNode changes, String actor) {
        return update(id, changes, actor, true, PastRunAt.REFUSED);
    }

    /** The same, with a one-time run_at in the past refused or saved as {@code pastRunAt} says. */
    @Transactional
    public Updated update(JobId id, ObjectNode changes, String actor, PastRunAt pastRunAt) {
        return update(id, changes, actor, true, pastRunAt);
    }

    /**
     * The update; {@code placeholders} says whether {@link #HIDDEN_JOB} may keep a stored upstream the user may not
     * see ({@link HiddenUpstreams}), as in a job sent back as read, or only its id may, as in a rollback.
     */
    private Updated update(JobId id, ObjectNode changes, String actor, boolean placeholders, PastRunAt pastRunAt) {
        Job current = get(id);
        Long expectedVersion = expectedVersion(changes);
        if (expectedVersion != null && expectedVersion != current.version()) {
            throw new ConflictException(
                    "version",
                    "the job was changed since you read it: you sent version " + expectedVersion
                            + ", the current version is " + current.version()
                            + "; reload it and apply your change again");
        }
        JobRequest request = merged(current, changes);
        String currentType = current.definition().templateType();
        String type =
                request.templateType() == null ? null : request.templateType().strip();
        if (!changes.has("parameters") && !Objects.equals(type, currentType)) {
            // the kept parameters, their secrets among them, are another template's: they are not carried over
            throw new InvalidInputException(
                    "parameters",
                    "are required when template_type changes: the job's parameters are those of '" + currentType + "'");
        }
        if (!changes.has("parameters")) {
            // kept parameters come sealed from the store; the check below takes them plain, like a client's
            request = with(request, secrets.reveal(currentType, request.parameters()), request.notifications());
        }
        Instant now = now();
        JobDefinition definition = sealed(
                unmaskedAndValidated(
                        request,
                        current,
                        now,
                        new ValidationContext(
                                current.id(), current, homeOf(request, current), placeholders, pastRunAt)),
                current);
        if (JobRequest.of(definition).equals(JobRequest.of(current.definition()))) {
            // a definition that validates again clears the flag of a template upgrade, even unchanged
            Job same = current.invalid() ? validated(current) : current;
            return new Updated(same, false, current);
        }
        requireFreeName(definition.namespace(), definition.name(), id);
        Optional<ConflictException> placeholderUsers = placeholderUsers(current, definition);
        if (placeholderUsers.isPresent()) {
            throw placeholderUsers.get();
        }
        Job updated = new Job(
                id,
                definition,
                current.createdBy(),
                current.createdAt(),
                now,
                current.lastRunAt(),
                current.lastStatus(),
                nextRunAfterUpdate(current, definition, now),
                current.version() + 1,
                current.templateVersion(),
                current.invalidReason(),
                current.pause());
        boolean written;
        try {
            boolean renamed = !definition.name().equals(current.definition().name())
                    || !definition.namespace().equals(current.definition().namespace());
            written = jobs.update(updated, current.version(), keepsNextRun(current, definition), renamed);
        } catch (DuplicateKeyException taken) {
            throw nameTaken(definition.namespace(), definition.name());
        }
        if (!written) {
            throw new ConflictException(
                    "version", "the job was changed by someone else while this update ran; reload it and try again");
        }
        updated = validated(updated);
        versions.record(id, updated.version(), "updated", definition, actor, now);
        events.publishEvent(new JobChanged(id, JobChanged.Kind.UPDATED));
        return new Updated(updated, true, current);
    }

    /**
     * A job's definition as a request with its secrets plain, the way a client would send it: what a copy is made
     * from, so the copy seals them again under its own id. Its triggers name their upstreams by id, as its depends_on
     * does: a copy's refusal of one the user may not see then names it as their read does, never by name.
     */
    public JobRequest plainRequest(Job job) {
        JobRequest request = JobRequest.of(job.definition());
        List<JobRequest.TriggerJson> byId = request.triggers() == null
                ? null
                : job.definition().triggers().stream()
                        .map(t -> new JobRequest.TriggerJson(t.job().toString(), t.on().json(), t.condition()))
                        .toList();
        return with(
                request,
                secrets.reveal(request.templateType(), request.parameters()),
                NotificationsJson.of(recipients.reveal(job.definition().notifications())),
                byId);
    }

    /**
     * Restores the definition a job had at {@code version}: a new version with that definition, validated like any
     * update (a one-time run in the past or a template no longer installed is refused with the field named).
     */
    @Transactional
    public Updated rollback(JobId id, long version, long expectedCurrentVersion, String actor) {
        JobVersion target = version(id, version);
        if (target.change().equals("deleted")) {
            throw new InvalidInputException("version", "version " + version + " records the deletion; pick another");
        }
        // an upstream the person may not see is named by its id, and kept only if stored now (HiddenUpstreams)
        ObjectNode changes = json.valueToTree(withUpstreamsById(target, get(id)));
        // the version holds its secrets sealed; the update takes them plain, like any client's, and seals them again
        if (changes.get("parameters") instanceof ObjectNode parameters) {
            @SuppressWarnings("unchecked")
            Map<String, Object> sealed = json.treeToValue(parameters, Map.class);
            changes.set(
                    "parameters",
                    json.valueToTree(
                            secrets.reveal(changes.path("template_type").asString(null), sealed)));
        }
        if (changes.get("notifications") instanceof ObjectNode notifications) {
            NotificationsJson sealed = json.treeToValue(notifications, NotificationsJson.class);
            changes.set("notifications", json.valueToTree(NotificationsJson.of(recipients.reveal(sealed.stored()))));
        }
        // a version leaves out its null and empty fields, and an update keeps a field left out: each is cleared instead
        changes = JobRequest.whole(changes);
        changes.put("version", expectedCurrentVersion);
        return update(id, changes, actor, false, PastRunAt.REFUSED);
    }

    /**
     * A saved definition with each trigger's upstream named by its id where the version kept it and the job still
     * exists, so that a rollback finds an upstream renamed since. One the acting user may not see is named by its id
     * only when {@code current} has a trigger on it now, and as {@link #HIDDEN_JOB} otherwise: a rollback may keep such
     * a trigger, never restore one, and its refusal names no job it did not show. A version saved before ids were kept
     * finds such an upstream by the name it saved.
     */
    private Map<String, Object> withUpstreamsById(JobVersion version, Job current) {
        Map<String, Object> definition = version.definition();
        if (!(definition.get("triggers") instanceof List<?> triggers) || triggers.isEmpty()) {
            return definition;
        }
        List<Object> named = new ArrayList<>();
        for (int i = 0; i < triggers.size(); i++) {
            Object trigger = triggers.get(i);
            if (!(trigger instanceof Map<?, ?> fields && fields.get("job") instanceof String stored)) {
                named.add(trigger);
                continue;
            }
            Optional<Job> upstream = version.triggerJob(i).flatMap(jobs::find);
            boolean hidden = upstream.isPresent()
                    ? !access.may(upstream.get().definition().namespace(), NamespaceAccess.Action.READ)
                    : upstreamShown(stored).equals(HIDDEN_JOB);
            if (upstream.isEmpty() && hidden) {
                int slash = stored.indexOf('/');
                upstream = jobs.findByName(stored.substring(0, slash), stored.substring(slash + 1));
            }
            Optional<JobId> byId = upstream.map(Job::id)
                    .filter(job -> !hidden
                            || current.definition().triggers().stream()
                                    .anyMatch(t -> t.job().equals(job)));
            Map<Object, Object> copy = new LinkedHashMap<>(fields);
            copy.put("job", byId.map(JobId::toString).orElse(hidden ? HIDDEN_JOB : stored));
            named.add(copy);
        }
        Map<String, Object> copy = new LinkedHashMap<>(definition);
        copy.put("triggers", named);
        return copy;
    }

    /**
     * Every problem {@link #create} (when {@code editing} is null) or an update of {@code editing} would report for
     * this definition, without saving anything: the form shows them next to their fields before the last step.
     */
    @Transactional(readOnly = true)
    public List<FieldError> problems(JobRequest request, JobId editing) {
        Job current = editing == null ? null : jobs.find(editing).orElse(null);
        try {
            JobDefinition definition = unmaskedAndValidated(
                    request,
                    current,
                    now(),
                    new ValidationContext(editing, current, homeOf(request, current), true, PastRunAt.REFUSED));
            if (jobs.nameTaken(definition.namespace(), definition.name(), editing)) {
                return List.of(new FieldError("name", nameTakenMessage(definition.namespace(), definition.name())));
            }
            return current == null
                    ? List.of()
                    : placeholderUsers(current, definition)
                            .map(refused -> List.of(new FieldError(refused.field(), refused.getMessage())))
                            .orElse(List.of());
        } catch (InvalidInputException invalid) {
            // a taken name is said with the other errors, not in a round of its own after they are fixed
            if (request.name() != null
                    && invalid.errors().stream().noneMatch(e -> "name".equals(e.field()))
                    && jobs.nameTaken(homeOf(request, current), request.name().strip(), editing)) {
                List<FieldError> errors = new ArrayList<>(invalid.errors());
                errors.add(new FieldError(
                        "name",
                        nameTakenMessage(
                                homeOf(request, current), request.name().strip())));
                return errors;
            }
            return invalid.errors();
        }
    }

    /**
     * The job this request describes, validated (its secrets sealed) but not saved, for a dry run before it exists: the id of the job
     * being edited, or a fresh one that no stored job has.
     *
     * @throws InvalidInputException naming every wrong field
     */
    @Transactional(readOnly = true)
    public Job draft(JobRequest request, JobId editing, String actor) {
        Job current = editing == null ? null : get(editing);
        Instant now = now();
        // sealed like a saved job's: a dry run of the draft snapshots these parameters, and the engine reveals them
        JobDefinition definition = sealed(
                unmaskedAndValidated(
                        request,
                        current,
                        now,
                        new ValidationContext(editing, current, homeOf(request, current), true, PastRunAt.REFUSED)),
                current);
        return new Job(
                editing == null ? JobId.generate() : editing,
                definition,
                actor,
                now,
                now,
                null,
                null,
                null,
                current == null ? 0 : current.version());
    }

    /** Records that a job's definition just passed validation against the installed version of its template. */
    private Job validated(Job job) {
        String version = templates.version(job.definition().templateType()).orElse(null);
        jobs.markValidated(job.id(), version);
        return job.validatedAgainst(version);
    }

    /** Deletes a job; its execution history and versions stay. Refused while other jobs depend on it. */
    @Transactional
    public Job delete(JobId id, String actor) {
        Job current = get(id);
        Map<JobId, String> dependents = jobs.dependentsOf(id);
        if (!dependents.isEmpty()) {
            // a dependent the user may not see is not named (one gone meanwhile neither), only said to be there
            throw new ConflictException(
                    null,
                    "other jobs depend on '" + current.name() + "': "
                            + dependents.entrySet().stream()
                                    .map(d -> jobs.find(d.getKey())
                                            .filter(j -> !hidden(j))
                                            .map(j -> "'" + d.getValue() + "'")
                                            .orElse(HIDDEN_JOB))
                                    .distinct()
                                    .collect(Collectors.joining(", "))
                            + "; remove the dependency from them first");
        }
        jobs.delete(id);
        versions.record(id, current.version() + 1, "deleted", current.definition(), actor, now());
        events.publishEvent(new JobChanged(id, JobChanged.Kind.DELETED));
        return current;
    }

    /**
     * The refusal of a rename or move of {@code current} to {@code renamed} while other jobs fill in its results by the
     * name they give it ({@code {{upstream.<name>.result...}}}): the rename would leave those placeholders empty, and
     * the jobs would no longer save. Shaped as a delete's refusal of a job with dependents: a job the user may not see
     * is not named, only said to be there.
     */
    private Optional<ConflictException> placeholderUsers(Job current, JobDefinition renamed) {
        JobDefinition before = current.definition();
        if (before.name().equals(renamed.name()) && before.namespace().equals(renamed.namespace())) {
            return Optional.empty();
        }
        List<String> users = new ArrayList<>();
        for (JobId dependent : jobs.dependentsOf(current.id()).keySet()) {
            Optional<Job> job = jobs.find(dependent);
            if (job.isEmpty()) {
                continue;
            }
            String namespace = job.get().definition().namespace();
            String named = UpstreamPlaceholders.nameOf(before, namespace);
            if (!named.equals(UpstreamPlaceholders.nameOf(renamed, namespace))
                    && UpstreamPlaceholders.names(job.get().definition().parameters())
                            .contains(named)) {
                users.add(
                        hidden(job.get())
                                ? HIDDEN_JOB
                                : "'" + job.get().name() + "' ({{upstream." + named + ".result...}})");
            }
        }
        if (users.isEmpty()) {
            return Optional.empty();
        }
        boolean moved = !before.namespace().equals(renamed.namespace());
        String change = moved ? "moving it to another namespace" : "renaming it";
        return Optional.of(new ConflictException(
                moved ? "namespace" : "name",
                "other jobs fill in results of '" + current.name() + "' by its name: "
                        + users.stream().distinct().collect(Collectors.joining(", "))
                        + "; " + change + " would leave those placeholders empty. Take the placeholders out of them"
                        + " first, then write them with its new name once it is saved"));
    }

    /**
     * Pauses a job until {@code until} (null: until resumed), with a reason: its slots meanwhile are recorded as
     * skipped with reason {@code paused}. Not a change of its definition: no new version.
     */
    @Transactional
    public Job pause(JobId id, Instant until, String reason) {
        Job current = get(id);
        Instant now = now();
        List<FieldError> errors = new ArrayList<>();
        if (until != null && !until.isAfter(now)) {
            errors.add(new FieldError("until", "must lie ahead; leave it out to pause until resumed"));
        }
        if (reason != null && reason.length() > 500) {
            errors.add(new FieldError("reason", "must be at most 500 characters"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        // pausing again changes until and reason: paused since stays when the pause began
        JobPause held = current.pauseAt(now);
        JobPause pause = new JobPause(
                held == null ? now : held.since(),
                until == null ? null : until.truncatedTo(ChronoUnit.MILLIS),
                reason == null || reason.isBlank() ? null : reason.strip());
        jobs.pause(id, pause);
        events.publishEvent(new JobChanged(id, JobChanged.Kind.UPDATED));
        return get(current.id());
    }

    /**
     * Resumes a paused job: its next run is its next slot from now, so the slots it missed while paused never run
     * (they are in its history as skipped).
     */
    @Transactional
    public Job resume(JobId id) {
        Job current = get(id);
        if (current.pauseAt(now()) == null) {
            // nothing to resume: a catch-up run asked for with it would run a slot no pause skipped
            throw new ConflictException(null, "job '" + current.name() + "' is not paused");
        }
        jobs.pause(id, null);
        events.publishEvent(new JobChanged(id, JobChanged.Kind.UPDATED));
        return get(current.id());
    }

    @Transactional(readOnly = true)
    public List<JobVersion> versions(JobId id) {
        List<JobVersion> list = versions.versionsOf(id);
        if (list.isEmpty()) {
            throw notFound(id);
        }
        return list;
    }

    @Transactional(readOnly = true)
    public JobVersion version(JobId id, long version) {
        return versions.find(id, version)
                .orElseThrow(() -> new NotFoundException("job " + id + " has no version " + version));
    }

    /**
     * The request with every mask (and every shown notification URL) it carries replaced by the plain secret stored
     * at its place in {@code current}, validated.
     *
     * @throws InvalidInputException naming every problem together: a mask with no secret stored at its place, and
     *     whatever else the validator finds (not only the masks, which an import or a jobs file would otherwise name
     *     alone, and the rest only once they are fixed)
     */
    private JobDefinition unmaskedAndValidated(
            JobRequest request, Job current, Instant now, ValidationContext context) {
        List<FieldError> masks = new ArrayList<>();
        Map<String, Object> parameters = request.parameters();
        try {
            // the masks that have a stored secret unmasked even when another has none: validated as the mask, a secret
            // that is fine got the validator's words about the mask's characters or length
            SecretParameters.Unmasked unmasked = secrets.unmaskWhatIsStored(
                    request.templateType(),
                    request.parameters(),
                    current == null ? Map.of() : current.definition().parameters());
            parameters = unmasked.parameters();
            masks.addAll(unmasked.errors());
        } catch (InvalidInputException masked) {
            masks.addAll(masked.errors());
        }
        NotificationSecrets.Unmasked shown = recipients.unmaskWhatIsStored(
                request.notifications(),
                current == null ? null : current.definition().notifications());
        NotificationsJson notifications = shown.notifications();
        masks.addAll(shown.errors());
        JobRequest unmasked = with(request, parameters, notifications);
        if (masks.isEmpty()) {
            return validator.validate(unmasked, now, context);
        }
        List<FieldError> errors = new ArrayList<>(masks);
        try {
            validator.validate(unmasked, now, context);
        } catch (InvalidInputException invalid) {
            // the validator's words on a field a mask is left at are about the mask: its own error says it better
            invalid.errors().stream()
                    .filter(error -> masks.stream().noneMatch(mask -> sameOrWithin(error.field(), mask.field())))
                    .forEach(errors::add);
        }
        throw new InvalidInputException(errors);
    }

    /** Whether {@code field} is {@code other} or a field within it. */
    private static boolean sameOrWithin(String field, String other) {
        return field != null
                && other != null
                && (field.equals(other) || field.startsWith(other + ".") || field.startsWith(other + "["));
    }

    /**
     * The definition with its secret parameters and notification URLs sealed; a secret equal to the one {@code
     * current} stores keeps its sealed form.
     */
    private JobDefinition sealed(JobDefinition d, Job current) {
        Map<String, Object> parameters = secrets.seal(
                d.templateType(),
                d.parameters(),
                current == null ? Map.of() : current.definition().parameters());
        return new JobDefinition(
                        d.name(),
                        d.description(),
                        d.templateType(),
                        parameters,
                        d.schedule(),
                        d.enabled(),
                        d.priority(),
                        d.timeoutSeconds(),
                        d.retryPolicy(),
                        d.concurrencyPolicy(),
                        d.misfirePolicy(),
                        d.catchUpWindowSeconds(),
                        d.dependsOn(),
                        recipients.seal(
                                d.notifications(),
                                current == null ? null : current.definition().notifications()),
                        d.tags())
                .withTriggers(d.triggers(), d.triggerMode(), d.triggerWindow())
                .withCalendars(d.calendars())
                .inNamespace(d.namespace())
                .withUpkeep(d.expectedDuration(), d.retention());
    }

    private static JobRequest with(JobRequest r, Map<String, Object> parameters, NotificationsJson notifications) {
        return with(r, parameters, notifications, r.triggers());
    }

    /** The request with these parameters, notifications and triggers, every other field as it is. */
    private static JobRequest with(
            JobRequest r,
            Map<String, Object> parameters,
            NotificationsJson notifications,
            List<JobRequest.TriggerJson> triggers) {
        return new JobRequest(
                r.name(),
                r.description(),
                r.templateType(),
                parameters,
                r.schedule(),
                r.enabled(),
                r.priority(),
                r.timeoutSeconds(),
                r.retryPolicy(),
                r.concurrencyPolicy(),
                r.misfirePolicy(),
                r.catchUpWindowSeconds(),
                r.dependsOn(),
                notifications,
                r.tags(),
                r.version(),
                triggers,
                r.triggerMode(),
                r.triggerWindow(),
                r.calendars(),
                r.namespace(),
                r.expectedDuration(),
                r.retention());
    }

    /** Milliseconds are what both databases keep, so a time answered now equals the same time read later. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static Instant nextRunAfterUpdate(Job current, JobDefinition definition, Instant now) {
        if (!definition.enabled()) {
            return null;
        }
        if (keepsNextRun(current, definition)) {
            return current.nextRunAt();
        }
        return definition.schedule().nextAfter(now).orElse(null);
    }

    /**
     * An edit that leaves the schedule and the enabled flag alone keeps the next run the engine set, even if the
     * engine advanced it after this update read the job.
     */
    private static boolean keepsNextRun(Job current, JobDefinition definition) {
        return definition.enabled()
                && current.definition().enabled()
                && current.nextRunAt() != null
                && definition
                        .schedule()
                        .toSpec()
                        .equals(current.definition().schedule().toSpec())
                // an H cron resolves by the job's name: a rename moves its slots though the expression stays
                && definition.schedule().equals(current.definition().schedule());
    }

    private JobRequest merged(Job current, ObjectNode changes) {
        ObjectNode merged = json.valueToTree(JobRequest.of(current.definition()));
        if (merged.get("triggers") instanceof ArrayNode kept) {
            // a trigger left as it is names its upstream by id, as depends_on does: the same job whatever its name,
            // and one the user may not see is kept by it (HiddenUpstreams)
            List<Trigger> stored = current.definition().triggers();
            for (int i = 0; i < kept.size(); i++) {
                ((ObjectNode) kept.get(i)).put("job", stored.get(i).job().toString());
            }
        }
        for (Map.Entry<String, JsonNode> field : changes.properties()) {
            if (!field.getKey().equals("version")) {
                merged.set(field.getKey(), field.getValue());
            }
        }
        if (!changes.has("trigger_window")
                && !"all".equals(merged.path("trigger_mode").asString(null))) {
            // the kept window of a fan-in turned into "any" goes with it: the request did not send one
            merged.remove("trigger_window");
        }
        // every unknown field and every value of the wrong type, not only the first
        return JsonInputErrors.read(json, merged, json.constructType(JobRequest.class));
    }

    private static Long expectedVersion(ObjectNode changes) {
        JsonNode version = changes.get("version");
        if (version == null || version.isNull()) {
            return null;
        }
        if (!version.isIntegralNumber()) {
            throw new InvalidInputException("version", "must be an integer");
        }
        return version.longValue();
    }

    private void requireFreeName(String namespace, String name, JobId self) {
        if (jobs.nameTaken(namespace, name, self)) {
            throw nameTaken(namespace, name);
        }
    }

    /** The namespace a request puts its job in: the one it names, else the job's own, else the default. */
    private static String homeOf(JobRequest request, Job current) {
        if (request.namespace() != null && !request.namespace().isBlank()) {
            return request.namespace().strip();
        }
        return current != null ? current.definition().namespace() : JobDefinition.DEFAULT_NAMESPACE;
    }

    private void insertOrConflict(Job job) {
        try {
            jobs.insert(job);
        } catch (DuplicateKeyException taken) {
            throw nameTaken(job.definition().namespace(), job.name());
        }
    }

    // names are unique per namespace: the refusal names only a namespace the user may already change
    private static ConflictException nameTaken(String namespace, String name) {
        return new ConflictException("name", nameTakenMessage(namespace, name));
    }

    private static String nameTakenMessage(String namespace, String name) {
        return "a job named '" + name + "' already exists"
                + (JobDefinition.DEFAULT_NAMESPACE.equals(namespace) ? "" : " in namespace '" + namespace + "'");
    }

    private static NotFoundException notFound(JobId id) {
        return new NotFoundException("no job with id " + id);
    }

    /**
     * Whether the acting user may not see {@code job}: a job in another team's namespace can be neither an upstream nor
     * named in an error, so its name and results do not leak. Start-up work (no user) sees every job.
     */
    private boolean hidden(Job job) {
        return !CurrentActor.ANONYMOUS.equals(CurrentActor.name())
                && !access.may(job.definition().namespace(), NamespaceAccess.Action.READ);
    }

    /** What the validator needs to know about the stored jobs around the one being validated. */
    private final class ValidationContext implements JobValidator.Context {

        private final JobId self;
        private final Job current;
        private final String namespace;
        private final boolean placeholders;
        private final PastRunAt pastRunAt;

        ValidationContext(JobId self, Job current, String namespace, boolean placeholders, PastRunAt pastRunAt) {
            this.pastRunAt = pastRunAt;
            this.self = self;
            this.current = current;
            this.namespace = namespace;
            this.placeholders = placeholders;
        }

        @Override
        public Optional<List<String>> cycleThrough(JobId upstream) {
            if (self == null) {
                return Optional.empty();
            }
            // walk upstream from the new upstream; reaching this job closes a loop
            Map<JobId, JobId> reachedFrom = new HashMap<>();
            reachedFrom.put(upstream, null);
            Deque<JobId> frontier = new ArrayDeque<>(List.of(upstream));
            while (!frontier.isEmpty()) {
                List<JobId> level = List.copyOf(frontier);
                frontier.clear();
                Map<JobId, List<JobId>> edges = new HashMap<>();
                jobs.dependenciesOf(level)
                        .forEach((k, v) ->
                                edges.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
                triggerStore
                        .upstreamsOf(level)
                        .forEach((k, v) ->
                                edges.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
                for (JobId from : level) {
                    for (JobId id : edges.getOrDefault(from, List.of())) {
                        if (id.equals(self)) {
                            // runs flow: this job → ... → from → ... → upstream → this job
                            List<String> path = new ArrayList<>();
                            path.add(nameOf(self));
                            for (JobId at = from; at != null; at = reachedFrom.get(at)) {
                                path.add(nameOf(at));
                            }
                            path.add(nameOf(self));
                            return Optional.of(path);
                        }
                        if (!reachedFrom.containsKey(id)) {
                            reachedFrom.put(id, from);
                            frontier.add(id);
                        }
                    }
                }
            }
            return Optional.empty();
        }

        private String nameOf(JobId id) {
            if (id.equals(self) && current != null) {
                return current.name();
            }
            return jobs.find(id).map(j -> hidden(j) ? HIDDEN_JOB : j.name()).orElse(id.toString());
        }

        /**
         * An upstream by id, by {@code namespace/name}, or by a bare name: in the job's own namespace first, else the
         * one job of that name in the namespaces the user may see. One in another namespace is named {@code
         * namespace/name}, as {@code {{upstream.<name>...}}} then names it too.
         */
        @Override
        public Optional<JobValidator.Upstream> upstream(String idOrName) {
            Optional<Job> found = JobId.parse(idOrName)
                    .flatMap(jobs::find)
                    .or(() -> byName(idOrName))
                    .filter(j -> !hidden(j));
            return found.map(j -> new JobValidator.Upstream(
                    j.id(),
                    UpstreamPlaceholders.nameOf(j.definition(), namespace),
                    j.definition().templateType()));
        }

        private Optional<Job> byName(String name) {
            int slash = name.indexOf('/');
            if (slash > 0) {
                return jobs.findByName(name.substring(0, slash), name.substring(slash + 1));
            }
            Optional<Job> own = jobs.findByName(namespace, name);
            if (own.isPresent()) {
                return own;
            }
            List<Job> elsewhere =
                    jobs.findAllByName(name).stream().filter(j -> !hidden(j)).toList();
            return elsewhere.size() == 1 ? Optional.of(elsewhere.get(0)) : Optional.empty();
        }

        @Override
        public Optional<JobId> self() {
            return Optional.ofNullable(self);
        }

        @Override
        public boolean refusesPastRunAt(Schedule schedule) {
            return pastRunAt == PastRunAt.REFUSED
                    && (current == null
                            || !schedule.toSpec()
                                    .equals(current.definition().schedule().toSpec()));
        }

        @Override
        public Optional<String> movedFrom() {
            return current == null || current.definition().namespace().equals(namespace)
                    ? Optional.empty()
                    : Optional.of(current.definition().namespace());
        }

        @Override
        public int storedParameterDepth() {
            return current == null
                    ? 0
                    : JobValidator.depthOf(current.definition().parameters());
        }

        @Override
        public long storedParameterBytes() {
            return current == null
                    ? 0
                    : JobValidator.jsonSizeOf(current.definition().parameters());
        }

        @Override
        public HiddenUpstreams.Kept hiddenKept(List<String> dependsOn, List<JobRequest.TriggerJson> requested) {
            // a job moved to another namespace keeps none: its new readers would get the hidden job's runs and results
            if (current == null || !current.definition().namespace().equals(namespace)) {
                return HiddenUpstreams.Kept.NONE;
            }
            Map<JobId, Job> hiddenJobs = new HashMap<>();
            for (JobId id : current.definition().dependsOn()) {
                jobs.find(id).filter(JobService.this::hidden).ifPresent(j -> hiddenJobs.put(id, j));
            }
            for (Trigger t : current.definition().triggers()) {
                jobs.find(t.job()).filter(JobService.this::hidden).ifPresent(j -> hiddenJobs.put(t.job(), j));
            }
            HiddenUpstreams.Kept kept = HiddenUpstreams.kept(
                    current.definition().dependsOn().stream()
                            .filter(hiddenJobs::containsKey)
                            .toList(),
                    current.definition().triggers().stream()
                            .filter(t -> hiddenJobs.containsKey(t.job()))
                            .toList(),
                    dependsOn,
                    requested,
                    placeholders);
            // the names {{upstream.<name>...}} gives them when their runs fill the parameters (JobTriggers)
            java.util.Set<String> names = new java.util.HashSet<>();
            kept.dependencies()
                    .values()
                    .forEach(id -> names.add(
                            UpstreamPlaceholders.nameOf(hiddenJobs.get(id).definition(), namespace)));
            kept.triggers().values().forEach(t -> names.add(t.jobName()));
            return kept.named(names);
        }

        @Override
        public Map<String, Object> storedParameters(String templateType) {
            return current == null || !current.definition().templateType().equals(templateType)
                    ? Map.of()
                    : current.definition().parameters();
        }
    }
}
