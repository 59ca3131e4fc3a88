package dev.almanac.engine.internal;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQueued;
import dev.almanac.job.Job;
import dev.almanac.security.SecretParameters;
import dev.almanac.template.TemplateRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * "Run now": queues an execution of a job outside its schedule, at once, whatever its enabled flag and concurrency
 * policy say (a person asked for it). Parameter overrides replace the job's values key by key and are validated
 * like a create.
 */
@Service
public class ManualRuns {

    private final EngineStore store;
    private final TemplateRegistry templates;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final SecretParameters secrets;

    ManualRuns(
            SecretParameters secrets,
            EngineStore store,
            TemplateRegistry templates,
            ApplicationEventPublisher events,
            Clock clock) {
        this.secrets = secrets;
        this.store = store;
        this.templates = templates;
        this.events = events;
        this.clock = clock;
    }

    /** A run of {@code job} as the caller has just read it. */
    @Transactional
    public Execution run(Job job, Map<String, Object> overrides, boolean dryRun, String actor) {
        String type = job.definition().templateType();
        Map<String, Object> stored = job.definition().parameters();
        Map<String, Object> parameters = new LinkedHashMap<>(secrets.reveal(type, stored));
        if (overrides != null) {
            parameters.putAll(secrets.unmask(type, overrides, stored));
        }
        List<FieldError> errors = templates.validateParameters(type, parameters).stream()
                .map(e -> e.prefixed("parameters"))
                .toList();
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Execution execution = NewExecutions.queued(
                job, null, now, "manual:" + actor, secrets.seal(type, parameters, stored), dryRun, now);
        store.enqueue(List.of(execution));
        events.publishEvent(new ExecutionQueued(execution.id()));
        return execution;
    }
}
