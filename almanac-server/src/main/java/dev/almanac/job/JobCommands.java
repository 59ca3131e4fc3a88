package dev.almanac.job;

import dev.almanac.audit.AuditTrail;
import dev.almanac.audit.Changes;
import dev.almanac.common.InvalidInputException;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Limits;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.security.NamespaceQuotas;
import dev.almanac.security.Permissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a person does to jobs, through the API or the admin UI alike: checked against their role (an admin may not
 * touch a job of a destructive template), held to their job quota, carried out by the {@link JobService}, and
 * recorded in the audit trail. The job service itself trusts its caller; system work (the jobs file, auto-pause)
 * calls it directly.
 */
@Service
public class JobCommands {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final JobService jobs;
    private final Permissions permissions;
    private final Limits limits;
    private final AuditTrail audit;
    private final JsonMapper json;
    private final NamespaceAccess namespaces;
    private final NamespaceQuotas quotas;
    private final TransactionTemplate transactions;

    JobCommands(
            JobService jobs,
            Permissions permissions,
            Limits limits,
            AuditTrail audit,
            JsonMapper json,
            NamespaceAccess namespaces,
            NamespaceQuotas quotas,
            TransactionTemplate transactions) {
        this.jobs = jobs;
        this.transactions = transactions;
        this.permissions = permissions;
        this.limits = limits;
        this.audit = audit;
        this.json = json;
        this.namespaces = namespaces;
        this.quotas = quotas;
    }

    public Job create(JobRequest request) {
        String actor = CurrentActor.name();
        String namespace = namespaceOf(request.namespace());
        permissions.requireMayActOn(
                request.templateType(), "create", AuditTrail.Target.of("job", null, request.name(), namespace));
        // the quotas are counted in the transaction that adds the job, which holds the user's and the namespace's rows
        // so that concurrent creates count in turn; the job, its first version and its audit event commit together,
        // and a refusal is audited on its own
        return transactions.execute(status -> {
            limits.requireJobQuota(actor, atMost -> jobs.countCreatedBy(actor, atMost));
            quotas.requireJobRoom(namespace, 1);
            Job job = jobs.create(request, actor);
            recordCreated(job);
            return job;
        });
    }

    /**
     * Applies the changes; a change of template needs the right to act on the new one too, and a move to another
     * namespace the right to create the job there, within that namespace's job quota.
     */
    public JobService.Updated update(JobId id, ObjectNode changes) {
        Job before = jobs.get(id);
        permissions.requireMayActOn(before.definition().templateType(), "update", target(before));
        JsonNode newType = changes.get("template_type");
        if (newType != null && newType.isString()) {
            permissions.requireMayActOn(newType.asString(), "update", target(before));
        }
        // a move counts the jobs of the namespace it enters in the transaction that moves it (see create)
        return transactions.execute(status -> {
            if (changes.has("namespace")) {
                JsonNode moveTo = changes.get("namespace");
                requireMayMove(
                        before,
                        newType != null && newType.isString()
                                ? newType.asString()
                                : before.definition().templateType(),
                        moveTo.isString() ? moveTo.asString() : null);
            }
            JobService.Updated updated = jobs.update(id, changes, CurrentActor.name());
            recordUpdated(updated);
            return updated;
        });
    }

    public JobService.Updated setEnabled(JobId id, boolean enabled) {
        return update(id, json.createObjectNode().put("enabled", enabled));
    }

    /** Restores an earlier version, as a new version; the restored template must be one the person may act on. */
    public JobService.Updated rollback(JobId id, long version, long expectedCurrentVersion) {
        Job before = jobs.get(id);
        permissions.requireMayActOn(before.definition().templateType(), "update", target(before));
        Map<String, Object> restored = jobs.version(id, version).definition();
        Object restoredType = restored.get("template_type");
        if (restoredType instanceof String type) {
            permissions.requireMayActOn(type, "update", target(before));
        }
        return transactions.execute(status -> {
            if (restored.get("namespace") instanceof String restoredNamespace) {
                requireMayMove(
                        before,
                        restoredType instanceof String type
                                ? type
                                : before.definition().templateType(),
                        restoredNamespace);
            }
            JobService.Updated updated = jobs.rollback(id, version, expectedCurrentVersion, CurrentActor.name());
            recordUpdated(updated);
            return updated;
        });
    }

    /** Pauses a job until a time (null: until resumed), with a reason; audited. */
    public Job pause(JobId id, Instant until, String reason) {
        Job current = jobs.get(id);
        permissions.requireMayActOn(current.definition().templateType(), "pause", target(current));
        Job paused = jobs.pause(id, until, reason);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("until", until == null ? "resumed by hand" : until.toString());
        if (paused.pause().reason() != null) {
            details.put("reason", paused.pause().reason());
        }
        audit.record("job.paused", target(paused), details);
        return paused;
    }

    /** Resumes a paused job; its missed slots stay skipped. Audited. */
    public Job resume(JobId id, boolean catchUp) {
        Job current = jobs.get(id);
        permissions.requireMayActOn(current.definition().templateType(), "resume", target(current));
        Job resumed = jobs.resume(id);
        audit.record("job.resumed", target(resumed), Map.of("catch_up", catchUp));
        return resumed;
    }

    public Job delete(JobId id) {
        Job current = jobs.get(id);
        permissions.requireMayActOn(current.definition().templateType(), "delete", target(current));
        Job deleted = jobs.delete(id, CurrentActor.name());
        audit.record("job.deleted", target(deleted), Map.of("definition", definitionOf(deleted)));
        return deleted;
    }

    /**
     * A job leaving its namespace for {@code namespace} (null: {@code default}) is created there: the right to, and
     * the room in its job quota. A namespace the user may not see is named like one that does not exist.
     */
    private void requireMayMove(Job before, String templateType, String namespace) {
        String to = namespaceOf(namespace);
        if (to.equals(before.definition().namespace())) {
            return;
        }
        // the job by its id, as every other refusal about it, in the namespace it was to go to
        permissions.requireMayActOn(
                templateType, "create", AuditTrail.Target.of("job", before.id(), before.name(), to));
        quotas.requireJobRoom(to, 1);
    }

    /**
     * The namespace a request names, stripped; {@code default} when it names none. One the user may not see is
     * refused as a field error, the same as one that does not exist.
     */
    private String namespaceOf(String requested) {
        String namespace =
                requested == null || requested.isBlank() ? JobDefinition.DEFAULT_NAMESPACE : requested.strip();
        if (!namespaces.exists(namespace) || !namespaces.may(namespace, NamespaceAccess.Action.READ)) {
            throw new InvalidInputException("namespace", "no namespace named '" + namespace + "'");
        }
        return namespace;
    }

    /** Records a job created otherwise than through {@link #create} (a jobs file), as {@link #create} records it. */
    public void recordCreated(Job job) {
        audit.record("job.created", target(job), Map.of("definition", definitionOf(job)));
    }

    /**
     * Records a change, made here or otherwise than through {@link #update} (a jobs file), with its diff: nothing when
     * nothing changed.
     */
    public void recordUpdated(JobService.Updated updated) {
        if (!updated.changed()) {
            return;
        }
        Map<String, Object> diff = Changes.between(definitionOf(updated.previous()), definitionOf(updated.job()));
        String action = "job.updated";
        if (diff.containsKey("namespace")) {
            // a move: recorded in the namespace it left, and (by the job's id) in the one it entered
            audit.record(
                    "job.moved",
                    AuditTrail.Target.of(
                            "job",
                            updated.job().id(),
                            updated.job().name(),
                            updated.previous().definition().namespace()),
                    Map.of(
                            "from",
                            updated.previous().definition().namespace(),
                            "to",
                            updated.job().definition().namespace()));
        }
        if (diff.keySet().equals(Set.of("enabled"))) {
            action = updated.job().definition().enabled() ? "job.enabled" : "job.disabled";
        }
        audit.record(
                action, target(updated.job()), Map.of("version", updated.job().version(), "changes", diff));
    }

    static AuditTrail.Target target(Job job) {
        return AuditTrail.Target.of(
                "job", job.id(), job.name(), job.definition().namespace());
    }

    /**
     * A definition as the audit trail keeps it: the request that would recreate it. Secrets are still sealed here,
     * so a changed secret shows in a diff; the trail masks them before it stores anything.
     */
    private Map<String, Object> definitionOf(Job job) {
        return json.convertValue(JobRequest.of(job.definition()), MAP);
    }
}
