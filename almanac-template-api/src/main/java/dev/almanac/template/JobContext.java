package dev.almanac.template;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a running template sees of the world: its parameters, the execution log, its deadline and cancellation,
 * and the clock.
 *
 * <p>Almanac implements this interface; templates only call it (tests may implement it). Capabilities added after
 * the first version — target databases, the artifact store, mail, the guarded HTTP client, base directories — are
 * default methods that say the capability is missing, so an implementation written earlier keeps compiling.
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

    /**
     * A target database the operator configured, to act on within its allowlist.
     *
     * @param name the target's name
     * @return the target
     * @throws IllegalArgumentException when no target has this name
     * @throws UnsupportedOperationException when this context offers no targets
     */
    default TargetDatabase target(String name) {
        throw new UnsupportedOperationException("this context offers no target databases");
    }

    /**
     * The environment parameters were validated in: the configured targets and their allowlists.
     *
     * @return the environment
     */
    default TemplateEnvironment environment() {
        return TemplateEnvironment.empty();
    }

    /**
     * The store that keeps the files this run produces with its execution.
     *
     * @return the artifact store
     * @throws UnsupportedOperationException when this context offers none
     */
    default ArtifactStore artifacts() {
        throw new UnsupportedOperationException("this context offers no artifact store");
    }

    /**
     * Sends e-mail through the configured SMTP server.
     *
     * @return the mailer
     * @throws UnsupportedOperationException when this context offers none
     */
    default Mailer mailer() {
        throw new UnsupportedOperationException("this context offers no mailer");
    }

    /**
     * HTTP out, behind the SSRF guard.
     *
     * @return the guarded client
     * @throws UnsupportedOperationException when this context offers none
     */
    default OutboundHttp http() {
        throw new UnsupportedOperationException("this context offers no HTTP client");
    }

    /**
     * A base directory the operator configured for files templates write outside the artifact store:
     * {@code "export"} for data exports, {@code "backup"} for backups. Templates build file names themselves and
     * must keep every file inside it.
     *
     * @param area {@code export} or {@code backup}
     * @return the directory, absolute and normalised, or empty when the area is not configured
     */
    default Optional<Path> directory(String area) {
        return Optional.empty();
    }
}
