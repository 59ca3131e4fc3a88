package dev.almanac.job;

/**
 * How much of a job's history the retention system job keeps: its last {@code keepRuns} ended runs and/or those that
 * ended within {@code keepDays}; a run outside any limit that is set goes. {@code null} limits fall back to the
 * retention job's default; the job's namespace quota ({@code history_days}, {@code runs_per_job}) caps both.
 */
public record Retention(Integer keepRuns, Integer keepDays) {

    /** No limit of its own: the retention job's default applies. */
    public static final Retention DEFAULT = new Retention(null, null);

    public boolean isDefault() {
        return keepRuns == null && keepDays == null;
    }
}
