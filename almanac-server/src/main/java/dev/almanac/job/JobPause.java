package dev.almanac.job;

import java.time.Instant;

/** A job held from running since {@code since}, until {@code until} (null: until someone resumes it). */
public record JobPause(Instant since, Instant until, String reason) {

    /** Whether a slot at {@code at} falls while the job is paused. */
    public boolean holdsAt(Instant at) {
        return until == null || at.isBefore(until);
    }

    /** What pausing the job named {@code jobName} did, as the API's message and the page's flash say it. */
    public String said(String jobName) {
        return "Job '" + jobName + "' paused " + (until == null ? "until resumed" : "until " + until);
    }
}
