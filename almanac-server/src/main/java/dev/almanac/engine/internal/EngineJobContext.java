package dev.almanac.engine.internal;

import dev.almanac.common.RunControl;
import dev.almanac.execution.Execution;
import dev.almanac.template.ArtifactStore;
import dev.almanac.template.JobCancelledException;
import dev.almanac.template.JobContext;
import dev.almanac.template.JobLogger;
import dev.almanac.template.Mailer;
import dev.almanac.template.OutboundHttp;
import dev.almanac.template.TargetDatabase;
import dev.almanac.template.TemplateEnvironment;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a template sees of the execution it runs in, services included. The services get the run's limits through
 * {@link #control}: target statements time out with the run and are cancelled when it stops, and so are HTTP calls
 * and e-mail sends.
 */
final class EngineJobContext implements JobContext {

    private final Execution execution;
    private final Map<String, Object> parameters;
    private final ExecutionLog log;
    private final Instant deadline;
    private final Clock clock;
    private final RunningExecution running;
    private final JobServices services;
    /** The job's namespace, read once when a target or the HTTP client is first asked for. */
    private Optional<String> namespace;

    private final RunControl control = new RunControl() {
        @Override
        public Optional<Duration> remaining() {
            return deadline().map(until -> Duration.between(clock.instant(), until));
        }

        @Override
        public void checkStop() {
            RunningExecution.StopReason stop = running.stopRequested();
            if (stop == RunningExecution.StopReason.TIMED_OUT) {
                throw new JobCancelledException(
                        JobCancelledException.Reason.DEADLINE_PASSED, "the run passed its deadline " + deadline);
            }
            if (stop != null) {
                throw new JobCancelledException(
                        JobCancelledException.Reason.CANCELLED, "the run was stopped (" + stop + ")");
            }
            checkCancelled();
        }

        @Override
        public Registration onStop(Runnable action) {
            Runnable remove = running.onStop(action);
            return remove::run;
        }
    };

    /** {@code parameters}: the execution's, with secrets revealed. */
    EngineJobContext(
            Execution execution,
            Map<String, Object> parameters,
            ExecutionLog log,
            Instant deadline,
            Clock clock,
            RunningExecution running,
            JobServices services) {
        this.execution = execution;
        this.parameters = parameters;
        this.log = log;
        this.deadline = deadline;
        this.clock = clock;
        this.running = running;
        this.services = services;
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

    @Override
    public TargetDatabase target(String name) {
        // granted when the job was saved; checked again here, for a job moved since or a grant taken away
        return services.targets.open(name, control, namespace());
    }

    @Override
    public TemplateEnvironment environment() {
        // the job's namespace as it is now: a rule checked on save is checked again for a job moved since
        String home = namespace();
        return home == null ? services : services.in(home);
    }

    @Override
    public ArtifactStore artifacts() {
        return services.artifacts.forExecution(execution.id().value());
    }

    @Override
    public Mailer mailer() {
        return services.mail.forRun(control);
    }

    @Override
    public OutboundHttp http() {
        return services.http.forRun(control, namespace());
    }

    private String namespace() {
        if (namespace == null) {
            namespace = Optional.ofNullable(services.namespaceOf(execution));
        }
        return namespace.orElse(null);
    }

    @Override
    public Optional<Path> directory(String area) {
        return services.directory(area);
    }
}
