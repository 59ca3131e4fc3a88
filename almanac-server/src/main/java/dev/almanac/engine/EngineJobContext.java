package dev.almanac.engine;

import dev.almanac.execution.Execution;
import dev.almanac.template.JobContext;
import dev.almanac.template.JobLogger;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** What a template sees of the execution it runs in. */
final class EngineJobContext implements JobContext {

    private final Execution execution;
    private final Map<String, Object> parameters;
    private final ExecutionLog log;
    private final Instant deadline;
    private final Clock clock;
    private final RunningExecution running;

    /** {@code parameters}: the execution's, with secrets revealed. */
    EngineJobContext(
            Execution execution,
            Map<String, Object> parameters,
            ExecutionLog log,
            Instant deadline,
            Clock clock,
            RunningExecution running) {
        this.execution = execution;
        this.parameters = parameters;
        this.log = log;
        this.deadline = deadline;
        this.clock = clock;
        this.running = running;
    }

    @Override
    public String executionId() {
        return execution.id().toString();
    }

    @Override
    public String jobId() {
        return execution.jobId().toString();
    }

    @Override
    public String jobName() {
        return execution.jobName();
    }

    @Override
    public Map<String, Object> parameters() {
        return parameters;
    }

    @Override
    public JobLogger log() {
        return log;
    }

    @Override
    public Optional<Instant> deadline() {
        return Optional.ofNullable(deadline);
    }

    @Override
    public boolean isCancelled() {
        return running.stopRequested() != null;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public boolean dryRun() {
        return execution.dryRun();
    }
}
