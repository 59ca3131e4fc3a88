package dev.almanac.execution;

import dev.almanac.job.JobService;
import dev.almanac.security.NamespaceQuotas;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Why a queued run has not started, when it is not a matter of time or free workers: its namespace's
 * {@code runs_at_once} quota (issue #20) is taken, so the engine's claim passes over it until one of the namespace's
 * runs ends. Shown as {@code waiting_reason} by the API and on the run page.
 */
@Component
public class WaitingReasons {

    private final ExecutionRepository executions;
    private final JobService jobs;
    private final NamespaceQuotas quotas;

    WaitingReasons(ExecutionRepository executions, JobService jobs, NamespaceQuotas quotas) {
        this.executions = executions;
        this.jobs = jobs;
        this.quotas = quotas;
    }

    /** The reason {@code execution} waits, or empty: it is not queued, a node holds it, or no quota holds it back. */
    public Optional<String> of(Execution execution) {
        if (execution.status() != ExecutionStatus.QUEUED
                || execution.executionHost() != null
                || execution.jobId() == null) {
            return Optional.empty();
        }
        String namespace = jobs.namespaceOf(execution.jobId()).orElse(null);
        Integer quota = namespace == null ? null : quotas.runsAtOnce(namespace);
        if (quota == null) {
            return Optional.empty();
        }
        long held = executions.heldInNamespace(namespace);
        if (held < quota) {
            return Optional.empty();
        }
        return Optional.of("namespace quota runs_at_once (" + quota + ") of '" + namespace + "' reached: " + held
                + (held == 1 ? " of its runs holds" : " of its runs hold")
                + " a slot; this run starts when one of them ends");
    }
}
