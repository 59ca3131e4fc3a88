package dev.almanac.engine.internal;

import dev.almanac.engine.internal.RunningExecution.StopReason;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.engine.internal.store.EngineStore.Completion;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.security.SecretParameters;
import dev.almanac.template.JobCancelledException;
import dev.almanac.template.JobLogger;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.TemplateRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs one execution's template on the calling thread, with its parameters revealed and its result scrubbed of
 * secrets, and says how it ended: succeeded, failed, timed out, cancelled, or failed as {@code node_lost} when this
 * node stopped it because it could not heartbeat.
 */
@Component
class TemplateRunner {

    private static final Logger log = LoggerFactory.getLogger(TemplateRunner.class);

    private final TemplateRegistry templates;
    private final SecretParameters secrets;
    private final JobServices services;
    private final Clock clock;
    private final String nodeId;

    TemplateRunner(
            TemplateRegistry templates, SecretParameters secrets, JobServices services, EngineSettings settings) {
        this.templates = templates;
        this.secrets = secrets;
        this.services = services;
        this.clock = settings.clock();
        this.nodeId = settings.nodeId();
    }

    /** Runs the template and says how it ended; never throws. */
    Completion run(RunningExecution run, Instant startedAt) {
        Execution execution = run.execution;
        ExecutionStatus status;
        String error = null;
        Map<String, Object> result = null;
        boolean thrown = false;
        Map<String, Object> plain = null;
        Optional<JobTemplate> template = templates.find(execution.templateType());
        try {
            if (run.stopRequested() != null) {
                // stopped between its claim and its start (its node fenced or stopping, or the run cancelled): the
                // template never begins, and the stop below says how the run ended
                status = ExecutionStatus.FAILED;
            } else if (template.isEmpty()) {
                // a plugin missing here, or a node of an older release beside newer ones: said as a sentence, the
                // run's error is what the history and the dashboard show
                thrown = true;
                status = ExecutionStatus.FAILED;
                error = "the template '" + execution.templateType() + "' is not installed on node " + nodeId
                        + ": install it on every worker node (its plugin jar, or the release that has it)";
            } else {
                plain = secrets.reveal(execution.templateType(), execution.parameters());
                run.log.scrubWith(secrets.scrubber(execution.templateType(), plain));
                EngineJobContext context =
                        new EngineJobContext(execution, plain, run.log, run.deadline, clock, run, services);
                run.log.info(
                        "{} of '{}' started on {} (attempt {})",
                        execution.dryRun() ? "Dry run" : "Run",
                        execution.jobName(),
                        nodeId,
                        execution.attempt());
                JobResult outcome = execution.dryRun()
                        ? services.notificationPreflight.check(
                                execution, template.get().dryRun(context))
                        : template.get().execute(context);
                result = secrets.scrubbed(execution.templateType(), plain, resultDetails(outcome));
                status = outcome.status() == JobResult.Status.SUCCEEDED
                        ? ExecutionStatus.SUCCEEDED
                        : ExecutionStatus.FAILED;
                error = status == ExecutionStatus.FAILED
                        ? secrets.scrubbed(execution.templateType(), plain, outcome.message())
                        : null;
            }
        } catch (JobCancelledException | InterruptedException stopped) {
            status = ExecutionStatus.FAILED;
            error = "interrupted: " + stopped.getMessage();
        } catch (Throwable failure) {
            thrown = true;
            status = ExecutionStatus.FAILED;
            error = secrets.scrubbed(
                    execution.templateType(), plain, failure.getClass().getSimpleName() + ": " + failure.getMessage());
        }
        StopReason stop = run.settle();
        if (stop == null && run.deadline != null && !clock.instant().isBefore(run.deadline)) {
            stop = StopReason.TIMED_OUT;
        }
        String reason = null;
        if (stop == StopReason.TIMED_OUT) {
            status = ExecutionStatus.TIMED_OUT;
            error = "timed out after " + execution.timeoutSeconds() + " s";
            reason = "timeout";
        } else if (stop == StopReason.CANCELLED || stop == StopReason.REPLACED) {
            status = ExecutionStatus.CANCELLED;
            error = null;
            reason = stop == StopReason.REPLACED ? EngineStore.REPLACED : "cancelled";
        } else if (stop == StopReason.LEASE_LOST) {
            status = ExecutionStatus.FAILED;
            error = "node lost: " + nodeId + " could not heartbeat and stopped its runs";
            reason = EngineStore.NODE_LOST;
        }
        if (stop != null && stop != StopReason.SHUTDOWN) {
            String why = stop == StopReason.REPLACED ? "replaced by a newer run of the job" : error;
            run.log.last(JobLogger.Level.WARN, "stopped: " + status.json() + (why == null ? "" : " (" + why + ")"));
        } else if (status == ExecutionStatus.SUCCEEDED) {
            run.log.last(
                    JobLogger.Level.INFO,
                    "succeeded"
                            + (result != null && result.get("message") != null ? ": " + result.get("message") : ""));
        } else if (stop == null && (thrown || !execution.dryRun())) {
            // a template's failed result as much as a thrown one: the log ends saying why (a dry run's failed result
            // is said once, by its message)
            run.log.last(JobLogger.Level.ERROR, "failed: " + error);
        }
        // a run stopped by its node's shutdown goes back to the queue: it did not end
        if ((status == ExecutionStatus.FAILED || status == ExecutionStatus.TIMED_OUT) && stop != StopReason.SHUTDOWN) {
            log.info(
                    "Execution {} of '{}' (attempt {}) ended {}: {}",
                    execution.id(),
                    execution.jobName(),
                    execution.attempt(),
                    status.json(),
                    error);
        }
        Instant completedAt = clock.instant();
        return new Completion(
                execution.id(),
                nodeId,
                status,
                reason,
                completedAt,
                Math.max(0, Duration.between(startedAt, completedAt).toMillis()),
                StorableText.of(result),
                StorableText.of(error));
    }

    private static Map<String, Object> resultDetails(JobResult outcome) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", outcome.status().name().toLowerCase(java.util.Locale.ROOT));
        result.put("message", outcome.message());
        result.put("details", outcome.details());
        result.put("records_processed", outcome.recordsProcessed());
        result.put("records_affected", outcome.recordsAffected());
        result.put("warnings", outcome.warnings());
        return result;
    }
}
