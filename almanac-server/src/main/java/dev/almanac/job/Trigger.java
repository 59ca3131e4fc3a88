package dev.almanac.job;

import java.util.Locale;
import java.util.Optional;

/**
 * Another job's run ending starts this one: {@code job} (with its name as it is now, which exports and the API
 * show), the outcome that counts, and an optional CEL condition over that run's result.
 */
public record Trigger(JobId job, String jobName, On on, String condition) {

    /** Which ends of an upstream run count. */
    public enum On {
        /** The run succeeded. */
        SUCCEEDED,
        /** The run failed or timed out and no retry follows: the final failure. */
        FAILED,
        /** Either of the above. */
        ANY;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<On> fromJson(String text) {
            for (On on : values()) {
                if (on.json().equals(text)) {
                    return Optional.of(on);
                }
            }
            return Optional.empty();
        }

        /** Whether a run that ended {@code status} ({@code succeeded}, {@code failed}, ...) counts. */
        public boolean matches(String status, boolean finalOutcome) {
            boolean succeeded = "succeeded".equals(status);
            boolean failedForGood = finalOutcome && ("failed".equals(status) || "timed_out".equals(status));
            return switch (this) {
                case SUCCEEDED -> succeeded;
                case FAILED -> failedForGood;
                case ANY -> succeeded || failedForGood;
            };
        }
    }

    /** Whether one of a job's triggers is enough ({@code any}) or it waits for all of them ({@code all}). */
    public enum Mode {
        ANY,
        ALL;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Mode> fromJson(String text) {
            for (Mode mode : values()) {
                if (mode.json().equals(text)) {
                    return Optional.of(mode);
                }
            }
            return Optional.empty();
        }
    }

    public Trigger {
        condition = condition == null || condition.isBlank() ? null : condition.strip();
    }
}
