package dev.almanac.engine.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.ConflictException;
import dev.almanac.execution.Execution;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.security.CurrentActor;
import dev.almanac.security.Limits;
import dev.almanac.security.Namespace;
import dev.almanac.security.Permissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * "Run now" and dry runs asked for by a person, through the API or the admin UI alike: checked against their role
 * (an admin may not run a destructive template; parameters of the run's own need the right to change the job), held
 * to the manual-run limit (a dry run to its own, larger one), queued by {@link ManualRuns}, and recorded in the audit
 * trail as {@code job.run} or {@code job.dry_run}.
 */
@Service
class RunCommands {

    private final ManualRuns manualRuns;
    private final JobService jobs;
    private final Permissions permissions;
    private final Limits limits;
    private final AuditTrail audit;
    private final TransactionTemplate transactions;

    RunCommands(
            ManualRuns manualRuns,
            JobService jobs,
            Permissions permissions,
            Limits limits,
            AuditTrail audit,
            TransactionTemplate transactions) {
        this.manualRuns = manualRuns;
        this.transactions = transactions;
        this.jobs = jobs;
        this.permissions = permissions;
        this.limits = limits;
        this.audit = audit;
    }

    Execution run(JobId id, Map<String, Object> overrides, boolean dryRun) {
        String actor = CurrentActor.name();
        Job checked = checked(jobs.get(id), overrides);
        if (dryRun) {
            limits.requireDryRunAllowed(actor);
        } else {
            limits.requireManualRunAllowed(actor);
        }
        for (int attempt = 1; ; attempt++) {
            Job asChecked = checked;
            // the queued run and its audit event commit together; a refusal is audited on its own, outside
            Optional<Execution> queued = transactions.execute(status -> {
                // read again where the run is written: a job deleted meanwhile is 404, one moved is checked again
                Job job = jobs.get(id);
                if (!Objects.equals(
                                job.definition().namespace(),
                                asChecked.definition().namespace())
                        || !job.definition()
                                .templateType()
                                .equals(asChecked.definition().templateType())) {
                    return Optional.empty();
                }
                Execution execution = manualRuns.run(job, overrides, dryRun, actor);
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("execution_id", execution.id().toString());
                details.put("dry_run", dryRun);
                if (overrides != null) {
                    details.put("parameter_overrides", overrides.keySet());
                }
                audit.record(dryRun ? Limits.DRY_RUN : Limits.RUN, target(job), details);
                return Optional.of(execution);
            });
            if (queued.isPresent()) {
                return queued.get();
            }
            if (attempt == 3) {
                throw new ConflictException("id", "the job was moved while it was being run; run it again");
            }
            checked = checked(jobs.get(id), overrides);
        }
    }

    /**
     * The job, once the current user may run it, and with {@code overrides} (any) change it: parameters of a run's
     * own may send its stored secrets elsewhere. A refusal is audited.
     */
    private Job checked(Job job, Map<String, Object> overrides) {
        permissions.requireMayActOn(job.definition().templateType(), "run", target(job));
        if (overrides != null && !overrides.isEmpty()) {
            permissions.requireMayRunWithOtherParameters(job.definition().templateType(), target(job));
        }
        return job;
    }

    private static AuditTrail.Target target(Job job) {
        return AuditTrail.Target.of(
                "job", job.id(), job.name(), job.definition().namespace());
    }

    /**
     * Before a dry run of a job that is not saved yet (the wizard's review step): the same checks in the draft's
     * namespace, and its parameters are the draft's own, for whoever may change jobs there. The stored secrets of a job
     * being edited, and its id, are the draft's only for whoever may change that job ({@code JobDrafts.editable}).
     */
    void checkDraftDryRun(Job draft) {
        String actor = CurrentActor.name();
        String namespace = draft.definition().namespace();
        AuditTrail.Target target =
                AuditTrail.Target.of("job", null, draft.name(), namespace == null ? Namespace.DEFAULT : namespace);
        permissions.requireMayActOn(draft.definition().templateType(), "run", target);
        permissions.requireMayRunWithOtherParameters(draft.definition().templateType(), target);
        limits.requireDryRunAllowed(actor);
    }

    /** After it was queued. */
    void recordDraftDryRun(Job draft, Execution execution) {
        audit.record(
                Limits.DRY_RUN,
                AuditTrail.Target.of("job", null, draft.name()),
                Map.of("execution_id", execution.id().toString(), "dry_run", true, "draft", true));
    }
}
