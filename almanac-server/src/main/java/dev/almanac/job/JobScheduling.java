package dev.almanac.job;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** What the engine may do to stored jobs: lock the due ones, advance them, and record how their runs ended. */
@Component
public class JobScheduling {

    private final JobRepository jobs;

    JobScheduling(JobRepository jobs) {
        this.jobs = jobs;
    }

    /**
     * Locks up to {@code limit} enabled jobs due by {@code now}, skipping rows another node holds, inside the
     * caller's transaction. Tags and dependencies are not read: triggering does not need them.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public List<Job> lockDue(Instant now, int limit) {
        return jobs.lockDue(now, limit);
    }

    /** Sets the next run of each job (null: it has no further run). Does not touch the definition's version. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void advance(Map<JobId, Instant> nextRuns) {
        jobs.advance(nextRuns);
    }

    /** The outcome of a job's latest run, as its list entry shows it. */
    public record Outcome(JobId job, Instant ranAt, String status) {}

    @Transactional(propagation = Propagation.MANDATORY)
    public void recordOutcomes(List<Outcome> outcomes) {
        jobs.recordOutcomes(outcomes);
    }

    /** Those of {@code jobs} that some other job waits for: one query for a whole batch of outcomes. */
    @Transactional(readOnly = true)
    public Set<JobId> withDependents(Collection<JobId> jobs) {
        return this.jobs.withDependents(jobs);
    }

    /** The jobs that wait for {@code job} to succeed. */
    @Transactional(readOnly = true)
    public List<Job> dependentsOf(JobId job) {
        return jobs.dependents(job);
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
