package dev.almanac.execution.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionService;
import dev.almanac.security.Permissions;
import java.util.Map;
import org.springframework.stereotype.Service;

/**
 * Cancelling and deleting executions on a person's behalf, through the API or the admin UI alike: checked against
 * their role and recorded in the audit trail.
 */
@Service
class ExecutionCommands {

    private final ExecutionService executions;
    private final Permissions permissions;
    private final AuditTrail audit;

    ExecutionCommands(ExecutionService executions, Permissions permissions, AuditTrail audit) {
        this.executions = executions;
        this.permissions = permissions;
        this.audit = audit;
    }

    /** Whether the current actor may cancel {@code execution}: what its page asks before offering the button. */
    boolean mayCancel(Execution execution) {
        return permissions.mayCancel(execution.templateType(), target(execution));
    }

    /** A queued run is cancelled at once, a running one asked to stop; an admin may not stop a destructive one. */
    Execution cancel(ExecutionId id) {
        Execution current = executions.get(id);
        permissions.requireMayActOn(current.templateType(), "cancel", target(current));
        Execution execution = executions.cancel(id);
        audit.record(
                "execution.cancelled",
                target(execution),
                Map.of(
                        "status",
                        execution.status().json(),
                        "job_id",
                        execution.jobId().toString()));
        return execution;
    }

    /** History is evidence: only a super admin removes a record, and never a running one. */
    Execution delete(ExecutionId id) {
        Execution current = executions.get(id);
        requireMayDelete(current);
        Execution deleted = executions.delete(id);
        audit.record(
                "execution.deleted",
                target(deleted),
                Map.of(
                        "status",
                        deleted.status().json(),
                        "job_id",
                        deleted.jobId().toString()));
        return deleted;
    }

    void requireMayDelete(Execution execution) {
        permissions.requireSuperAdmin("delete execution records", target(execution));
    }

    private static AuditTrail.Target target(Execution execution) {
        return AuditTrail.Target.of("execution", execution.id(), execution.jobName());
    }
}
