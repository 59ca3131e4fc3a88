package dev.almanac.notify;

import dev.almanac.common.Sealed;
import dev.almanac.job.Notifications;
import dev.almanac.notify.internal.Channel;
import java.util.List;
import java.util.stream.Stream;

/** The notification recipients reached by e-mail, for a dry run's check that an SMTP server is configured. */
public final class EmailRecipients {

    private EmailRecipients() {}

    /**
     * @param notifications a job's notifications, as stored (their webhook and Slack URLs sealed) or plain
     * @return its e-mail recipients, each once
     */
    public static List<String> of(Notifications notifications) {
        return Stream.of(notifications.onSuccess(), notifications.onFailure(), notifications.onRetry())
                .flatMap(List::stream)
                // only webhook and Slack URLs are stored sealed: a sealed recipient is never an address
                .filter(recipient -> !Sealed.isSealed(recipient) && Channel.of(recipient) == Channel.EMAIL)
                .distinct()
                .toList();
    }
}
