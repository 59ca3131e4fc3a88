package dev.almanac.notify;

import dev.almanac.job.Notifications;
import java.net.URI;
import java.util.Locale;

/** How a recipient is reached, read off how it is written. */
enum Channel {
    EMAIL,
    WEBHOOK,
    SLACK;

    static Channel of(String recipient) {
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

    /**
     * The recipient as history shows it: an e-mail address whole, a webhook URL cut to its scheme and host, since
     * its path often is the secret (Slack's are).
     */
    static String shown(String recipient) {
        Channel channel = of(recipient);
        if (channel == EMAIL) {
            return recipient;
        }
        URI url = url(recipient);
        return (channel == SLACK ? "slack:" : "") + url.getScheme() + "://" + url.getRawAuthority() + "/…";
    }

    String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
