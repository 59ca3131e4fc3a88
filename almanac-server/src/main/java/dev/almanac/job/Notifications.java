package dev.almanac.job;

import dev.almanac.common.Sealed;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Who hears about a job, and when. Each recipient is an e-mail address, an {@code http(s)} webhook URL (a generic
 * JSON payload) or {@code slack:} followed by a Slack incoming-webhook URL (a Slack-compatible payload). A URL is a
 * secret (a Slack webhook's path is its credential): stored sealed, shown as its scheme and host only.
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

    /** Whether a recipient is a webhook URL (plain or {@code slack:}): a secret, unlike an e-mail address. */
    public static boolean isUrl(String recipient) {
        String url = recipient.startsWith(SLACK_PREFIX) ? recipient.substring(SLACK_PREFIX.length()) : recipient;
        return url.startsWith("http://") || url.startsWith("https://");
    }

    /**
     * A recipient as a person may see it: an e-mail address whole, a webhook URL cut to its scheme and host
     * ({@code slack:https://hooks.slack.com/…}), since its path often is the secret.
     */
    public static String shown(String recipient) {
        if (!isUrl(recipient)) {
            return recipient;
        }
        boolean slack = recipient.startsWith(SLACK_PREFIX);
        try {
            URI url = URI.create(slack ? recipient.substring(SLACK_PREFIX.length()) : recipient);
            // the host and port only: a user and password before the host are as secret as the path
            String port = url.getPort() == -1 ? "" : ":" + url.getPort();
            return (slack ? SLACK_PREFIX : "") + url.getScheme() + "://" + url.getHost() + port + "/…";
        } catch (IllegalArgumentException notAUri) {
            return Sealed.MASK;
        }
    }

    /** These settings with every recipient replaced as {@code each} says. */
    public Notifications withRecipients(UnaryOperator<String> each) {
        return new Notifications(
                onSuccess.stream().map(each).toList(),
                onFailure.stream().map(each).toList(),
                onRetry.stream().map(each).toList(),
                alertIfNoSuccessWithin,
                autoPauseAfterFailures);
    }

    /** These settings as a person may see them: every sealed URL as its scheme and host. */
    public Notifications shown() {
        return withRecipients(r -> Sealed.isSealed(r) ? Sealed.shown(r) : r);
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
