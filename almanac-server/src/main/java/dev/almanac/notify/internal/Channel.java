package dev.almanac.notify.internal;

import dev.almanac.job.Notifications;
import java.net.URI;
import java.util.Locale;

/** How a recipient is reached, read off how it is written. */
public enum Channel {
    EMAIL,
    WEBHOOK,
    SLACK;

    public static Channel of(String recipient) {
        if (recipient.startsWith(Notifications.SLACK_PREFIX)) {
            return SLACK;
        }
        if (recipient.startsWith("http://") || recipient.startsWith("https://")) {
            return recipient.startsWith("https://hooks.slack.com/") ? SLACK : WEBHOOK;
        }
        return EMAIL;
    }

    /** The URL a webhook recipient posts to. */
    static URI url(String recipient) {
        return URI.create(
                recipient.startsWith(Notifications.SLACK_PREFIX)
                        ? recipient.substring(Notifications.SLACK_PREFIX.length())
                        : recipient);
    }

    /** The recipient as history shows it: {@link Notifications#shown}, a Slack URL always named as one. */
    static String shown(String recipient) {
        boolean unnamedSlack = of(recipient) == SLACK && !recipient.startsWith(Notifications.SLACK_PREFIX);
        return (unnamedSlack ? Notifications.SLACK_PREFIX : "") + Notifications.shown(recipient);
    }

    String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
