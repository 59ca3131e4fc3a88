package dev.almanac.testing;

import dev.almanac.engine.internal.Engine;
import dev.almanac.engine.internal.ManualRuns;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionService;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import java.util.Map;

/** Creates a job from a template and runs it now through the engine, the way "run now" does. */
public class TemplateRuns {

    private final JobService jobs;
    private final ManualRuns runs;
    private final Engine engine;
    private final ExecutionService executions;

    TemplateRuns(JobService jobs, ManualRuns runs, Engine engine, ExecutionService executions) {
        this.jobs = jobs;
        this.runs = runs;
        this.engine = engine;
        this.executions = executions;
    }

    public Job create(String name, String template, Map<String, Object> parameters) {
        return jobs.create(
                JobRequests.aCronJob(name, "0 3 * * *")
                        .template(template, parameters)
                        .build(),
                "test");
    }

    /** Runs the job now and returns the execution once it ended. */
    public Execution run(Job job, boolean dryRun) {
        Execution queued = runs.run(jobs.get(job.id()), Map.of(), dryRun, "test");
        engine.runDueOnce();
        return executions.get(queued.id());
    }

    public Execution run(String template, Map<String, Object> parameters) {
        return run(create(template + "-" + System.nanoTime(), template, parameters), false);
    }

    public Execution dryRun(String template, Map<String, Object> parameters) {
        return run(create(template + "-" + System.nanoTime(), template, parameters), true);
    }
}
