package dev.almanac.notify.internal;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Notifications ({@code almanac.notify.*}).
 *
 * @param publicUrl where people reach this Almanac (https://almanac.example.com), for links in messages; none
 *     when empty
 * @param attempts how often one message is tried before it counts as failed (network errors, 5xx, 429)
 * @param retryBackoff the wait before the second try, doubled before each further one
 * @param webhookTimeout the most one webhook call may take
 * @param checkInterval how often the missed-run alerts are checked
 * @param queueCapacity outcomes waiting to be told about on this node, and notices waiting to be sent; beyond it they
 *     are dropped and counted
 * @param senders how many recipients are sent to at once; each recipient's notices go out in order, one at a time
 * @param shutdownGrace how long a stopping node still sends what is queued; the rest is recorded as not sent
 */
@ConfigurationProperties("almanac.notify")
public record NotifyProperties(
        URI publicUrl,
        @DefaultValue("3") int attempts,
        @DefaultValue("2s") Duration retryBackoff,
        @DefaultValue("10s") Duration webhookTimeout,
        @DefaultValue("30s") Duration checkInterval,
        @DefaultValue("10000") int queueCapacity,
        @DefaultValue("4") int senders,
        @DefaultValue("10s") Duration shutdownGrace) {

    public NotifyProperties {
        attempts = Math.max(1, attempts);
        senders = Math.max(1, senders);
        shutdownGrace = shutdownGrace == null || shutdownGrace.isNegative() ? Duration.ZERO : shutdownGrace;
    }

    /** A link to an execution's page, when the public URL is known. */
    String executionLink(Object executionId) {
        return publicUrl == null ? null : base() + "/executions/" + executionId;
    }

    /** A link to a job's page, when the public URL is known. */
    String jobLink(Object jobId) {
        return publicUrl == null ? null : base() + "/jobs/" + jobId;
    }

    private String base() {
        String text = publicUrl.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }
}
