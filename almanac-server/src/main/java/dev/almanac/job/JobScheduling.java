package dev.almanac.job;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** What the engine reads of stored jobs besides its own columns (which its store writes): definitions and dependents. */
@Component
public class JobScheduling {

    private final JobRepository jobs;

    JobScheduling(JobRepository jobs) {
        this.jobs = jobs;
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
