package dev.almanac.execution;

import dev.almanac.common.NamespaceResolver;
import dev.almanac.common.NotFoundException;
import dev.almanac.job.JobService;
import dev.almanac.security.NamespaceAccess;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * An execution belongs to its job's namespace; one whose job was deleted is seen as that job's history is (see
 * {@link JobService#namespaceOfDeleted}), else only by the global roles.
 * Answers the audit trail and access checks, and reads an execution for a person only when they may see it, with
 * the same 404 as for a missing one.
 */
@Component
public class ExecutionAccess implements NamespaceResolver {

    private final ExecutionService executions;
    private final JobService jobs;
    private final NamespaceAccess access;

    ExecutionAccess(ExecutionService executions, JobService jobs, NamespaceAccess access) {
        this.executions = executions;
        this.jobs = jobs;
        this.access = access;
    }

    @Override
    public Optional<String> namespaceOf(String type, String id) {
        if (!"execution".equals(type) || id == null) {
            return Optional.empty();
        }
        return ExecutionId.parse(id)
                .flatMap(executionId -> {
                    try {
                        return Optional.of(executions.get(executionId));
                    } catch (NotFoundException missing) {
                        return Optional.empty();
                    }
                })
                .flatMap(this::namespaceOf);
    }

    /** The namespace of the execution's job; empty when the job is gone. */
    public Optional<String> namespaceOf(Execution execution) {
        return execution.jobId() == null ? Optional.empty() : jobs.namespaceOf(execution.jobId());
    }

    /** The execution, when the current user may see it; otherwise 404, as for one that does not exist. */
    public Execution getVisible(ExecutionId id) {
        Execution execution = executions.get(id);
        // a deleted job's run is seen by whoever sees the job's history (GET /jobs/{id}/executions)
        Optional<String> namespace = namespaceOf(execution)
                .or(() -> execution.jobId() == null ? Optional.empty() : jobs.namespaceOfDeleted(execution.jobId()));
        access.requireVisible(namespace.orElse(null), () -> new NotFoundException("no execution with id " + id));
        return execution;
    }
}
