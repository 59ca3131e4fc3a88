package dev.almanac.engine.internal;

import dev.almanac.execution.Execution;
import dev.almanac.job.Job;
import dev.almanac.job.JobCommands;
import dev.almanac.job.JobId;
import java.time.Instant;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

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
    private final TransactionTemplate transactions;

    JobPauses(JobCommands commands, RunCommands runs, TransactionTemplate transactions) {
        this.commands = commands;
        this.runs = runs;
        this.transactions = transactions;
    }

    Job pause(JobId id, Instant until, String reason) {
        return commands.pause(id, until, reason);
    }

    Resumed resume(JobId id, boolean catchUp) {
        if (!catchUp) {
            return new Resumed(commands.resume(id, false), null);
        }
        // the catch-up run is a manual run like any other: the same permission, quotas and audit event; the resume
        // commits with it, so a run refused (a limit, a quota) leaves the job paused
        return transactions.execute(status -> {
            Job job = commands.resume(id, true);
            return new Resumed(job, runs.run(id, null, false));
        });
    }

    static String resumed(Resumed resumed) {
        return "Job '" + resumed.job().name() + "' resumed"
                + (resumed.catchUp() == null ? ": the slots it missed stay skipped" : ", with one catch-up run queued");
    }
}
