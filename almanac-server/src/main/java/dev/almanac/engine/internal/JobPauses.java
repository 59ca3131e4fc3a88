package dev.almanac.engine.internal;

import dev.almanac.execution.Execution;
import dev.almanac.job.Job;
import dev.almanac.job.JobCommands;
import dev.almanac.job.JobId;
import java.time.Instant;
import org.springframework.stereotype.Service;

/**
 * Pause and resume, for the API and the job page's Resume: resuming never runs the slots the pause skipped, unless the
 * person asks for one catch-up run, which is queued at once.
 */
@Service
class JobPauses {

    /** A resumed job, and its catch-up run if one was asked for. */
    record Resumed(Job job, Execution catchUp) {}

    private final JobCommands commands;
    private final RunCommands runs;

    JobPauses(JobCommands commands, RunCommands runs) {
        this.commands = commands;
        this.runs = runs;
    }

    Job pause(JobId id, Instant until, String reason) {
        return commands.pause(id, until, reason);
    }

    Resumed resume(JobId id, boolean catchUp) {
        Job job = commands.resume(id, catchUp);
        // the catch-up run is a manual run like any other: the same permission, quotas and audit event
        Execution run = catchUp ? runs.run(id, null, false) : null;
        return new Resumed(job, run);
    }

    static String resumed(Resumed resumed) {
        return "Job '" + resumed.job().name() + "' resumed"
                + (resumed.catchUp() == null ? ": the slots it missed stay skipped" : ", with one catch-up run queued");
    }
}
