package dev.almanac.template;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a running template sees of the world: its parameters, the execution log, its deadline and cancellation,
 * and the clock.
 *
 * <p>Almanac implements this interface; templates only call it (tests may implement it). New capabilities —
 * target data sources, the artifact store, mail, a guarded HTTP client — will arrive as new default methods,
 * so an implementation written today keeps compiling.
 */
public interface JobContext {

    /**
     * Identifies this run (one attempt of one execution).
     *
     * @return the execution id
     */
    String executionId();

    /**
     * Identifies the job definition this run belongs to.
     *
     * @return the job id
     */
    String jobId();

    /**
     * The job's name, for messages.
     *
     * @return the job name
     */
    String jobName();

    /**
     * The job's parameters, already validated against the template's schema and its
     * {@link JobTemplate#validate(Map)}. Values are parsed JSON: {@link Map}, {@link java.util.List},
     * {@link String}, {@link Number}, {@link Boolean} or {@code null}.
     *
     * @return the parameters, never {@code null}
     */
    Map<String, Object> parameters();

    /**
     * The execution log of this run.
     *
     * @return the logger, never {@code null}
     */
    JobLogger log();

    /**
     * When this run must have finished, if it has a timeout.
     *
     * @return the deadline, or empty when the run may take as long as it needs
     */
    Optional<Instant> deadline();

    /**
     * Tells whether someone asked this run to stop. Long-running templates check this (or call
     * {@link #checkCancelled()}) between units of work.
     *
     * @return {@code true} once cancellation was requested
     */
    boolean isCancelled();

    /**
     * Throws when the run must stop: it was cancelled, or the {@linkplain #clock() clock} has reached the
     * {@linkplain #deadline() deadline}. Call it between units of work, e.g. between batches of a delete.
     *
     * @throws JobCancelledException when the run must stop
     */
    default void checkCancelled() {
        if (isCancelled()) {
            throw new JobCancelledException(JobCancelledException.Reason.CANCELLED, "the run was cancelled");
        }
        Optional<Instant> deadline = deadline();
        if (deadline.isPresent() && !clock().instant().isBefore(deadline.get())) {
            throw new JobCancelledException(
                    JobCancelledException.Reason.DEADLINE_PASSED, "the run passed its deadline " + deadline.get());
        }
    }

    /**
     * The clock to read the time from; never use {@link Instant#now()} so tests can control time.
     *
     * @return the clock
     */
    Clock clock();

    /**
     * Tells whether this is a dry run, in which nothing may be changed.
     *
     * @return {@code true} during {@link JobTemplate#dryRun(JobContext)}
     */
    boolean dryRun();
}
