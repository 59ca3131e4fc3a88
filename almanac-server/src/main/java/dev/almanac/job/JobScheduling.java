package dev.almanac.job;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** What the engine reads of stored jobs besides its own columns (which its store writes): definitions and dependents. */
@Component
public class JobScheduling {

    private final JobRepository jobs;
    private final JobTriggers triggers;
    private final JobCache cache;

    JobScheduling(JobRepository jobs, JobTriggers triggers, JobCache cache) {
        this.jobs = jobs;
        this.triggers = triggers;
        this.cache = cache;
    }

    /** A run that ended, as triggers see it. {@code finalOutcome}: no retry follows it. */
    public record Ended(
            UUID execution,
            JobId job,
            String jobName,
            String templateType,
            String status,
            boolean finalOutcome,
            Map<String, Object> result) {}

    /**
     * A run to queue because an upstream run ended: of {@code job}, with its upstream results filled in, and {@code
     * warnings} for the run's own log, such as a placeholder filled in empty because its upstream has no result.
     */
    public record Start(Job job, String triggeredBy, Map<String, Object> parameters, List<String> warnings) {

        public Start {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * What follows from a run that ended: the runs it starts, and {@code warnings} for its log, such as a trigger
     * whose condition could not be evaluated on its result.
     */
    public record Followed(List<Start> starts, List<String> warnings) {

        public Followed {
            starts = List.copyOf(starts);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Those of {@code jobs} that some other job waits for, through depends_on or a trigger, each with the jobs that
     * wait for it: one query for a whole batch of outcomes.
     */
    @Transactional(readOnly = true)
    public Map<JobId, Set<JobId>> downstreamOf(Collection<JobId> jobs) {
        return this.jobs.downstreamOf(jobs);
    }

    /**
     * The runs that follow from {@code ended}: depends_on dependents of a succeeded run, jobs whose trigger on it
     * matches (outcome and condition), and fan-ins that now have every upstream run they wait for. Records what
     * arrived for fan-ins still waiting. Runs in the caller's transaction.
     */
    @Transactional
    public Followed started(Ended ended, Instant now) {
        return triggers.started(ended, now);
    }

    /** The upstream jobs a fan-in ({@code trigger_mode: all}) still waits for; empty for other jobs. */
    @Transactional(readOnly = true)
    public List<String> waitingFor(Job job, Instant now) {
        return triggers.waitingFor(job, now);
    }

    /** The jobs that wait for {@code job} to succeed. */
    @Transactional(readOnly = true)
    public List<Job> dependentsOf(JobId job) {
        return jobs.dependents(job);
    }

    /**
     * The engine wrote these jobs' own columns (next run, last outcome) in the caller's transaction: their reads kept
     * by the {@link JobCache} are evicted, here and on the other nodes once it commits.
     */
    public void written(Collection<JobId> jobs) {
        cache.written(jobs);
    }

    /** Lifts the pauses of {@code jobs} whose time is up at {@code now}: the caller holds the transaction. */
    public int liftPauses(Collection<JobId> jobs, Instant now) {
        return this.jobs.liftPauses(jobs, now);
    }

    @Transactional(readOnly = true)
    public Optional<Instant> earliestDue() {
        return jobs.earliestDue();
    }

    @Transactional(readOnly = true)
    public Optional<Job> find(JobId id) {
        return jobs.find(id);
    }
}
