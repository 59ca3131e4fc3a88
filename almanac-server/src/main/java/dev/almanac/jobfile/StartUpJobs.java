package dev.almanac.jobfile;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The system jobs seeded and the jobs file ({@code almanac.jobs-file}) applied before the node runs or serves
 * anything: a lifecycle phase before the web server's, which is before the engine's loops'. On the application's
 * ready event they came after both, and a job the file disables ran a caught-up slot with its old definition, and an
 * invalid file let the node serve and run for seconds before it stopped. An invalid file fails the start here.
 */
@Component
class StartUpJobs implements SmartLifecycle {

    private final SystemJobs systemJobs;
    private final JobsFile jobsFile;
    private volatile boolean running;

    StartUpJobs(SystemJobs systemJobs, JobsFile jobsFile) {
        this.systemJobs = systemJobs;
        this.jobsFile = jobsFile;
    }

    @Override
    public void start() {
        // the file may edit a system job, so the jobs are seeded first
        systemJobs.seedOnce();
        jobsFile.applyAtStart();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1024;
    }
}
