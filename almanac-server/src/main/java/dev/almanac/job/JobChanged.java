package dev.almanac.job;

/**
 * A job definition was created, updated or deleted (published after the change commits). The engine listens, so a
 * change takes effect at once instead of at the next poll.
 */
public record JobChanged(JobId jobId, Kind kind) {

    /** What happened to the job. */
    public enum Kind {
        CREATED,
        UPDATED,
        DELETED
    }
}
