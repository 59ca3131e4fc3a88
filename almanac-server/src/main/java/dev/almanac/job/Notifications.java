package dev.almanac.job;

import java.time.Duration;
import java.util.List;

/**
 * Who hears about a job, and when. Each recipient is an e-mail address, an {@code http(s)} webhook URL (a generic
 * JSON payload) or {@code slack:} followed by a Slack incoming-webhook URL (a Slack-compatible payload).
 *
 * @param onSuccess told when a run succeeds
 * @param onFailure told when a run fails for good (after its retries), when the job recovers, when it was
 *     auto-paused and when the missed-run alert fires; one incident (a streak of failures) sends one message
 * @param onRetry told each time a failed attempt is retried
 * @param alertIfNoSuccessWithin the missed-run alert: fires once when the job has not succeeded for this long,
 *     whatever the reason; {@code null} for none
 * @param autoPauseAfterFailures disable the job after this many final failures in a row; 0 for never
 */
public record Notifications(
        List<String> onSuccess,
        List<String> onFailure,
        List<String> onRetry,
        Duration alertIfNoSuccessWithin,
        int autoPauseAfterFailures) {

    /** A recipient written {@code slack:<webhook URL>} gets a Slack-compatible payload. */
    public static final String SLACK_PREFIX = "slack:";

    public Notifications {
        onSuccess = onSuccess == null ? List.of() : List.copyOf(onSuccess);
        onFailure = onFailure == null ? List.of() : List.copyOf(onFailure);
        onRetry = onRetry == null ? List.of() : List.copyOf(onRetry);
    }

    public Notifications(List<String> onSuccess, List<String> onFailure) {
        this(onSuccess, onFailure, List.of(), null, 0);
    }

    public static Notifications none() {
        return new Notifications(List.of(), List.of());
    }

    /** Whether nothing is asked of the notifier: no recipient, no alert, no auto-pause. */
    public boolean isEmpty() {
        return onSuccess.isEmpty()
                && onFailure.isEmpty()
                && onRetry.isEmpty()
                && alertIfNoSuccessWithin == null
                && autoPauseAfterFailures == 0;
    }
}
