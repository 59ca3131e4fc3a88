package dev.almanac.notify.internal;

import dev.almanac.common.Ids;
import dev.almanac.common.RunControl;
import dev.almanac.job.JobService;
import dev.almanac.outbound.GuardedHttpClient;
import dev.almanac.outbound.OutboundMail;
import dev.almanac.security.Secrets;
import dev.almanac.template.MailMessage;
import dev.almanac.template.OutboundHttp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.mail.MailSendException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends one notice to one recipient: e-mail through the configured SMTP server, a webhook through the same SSRF
 * guard as the webhook template (a generic JSON payload, or a Slack-compatible one). Network errors, 5xx and 429
 * are tried again with a growing pause; every try is recorded, and none ever throws: a failed notification never
 * fails a job.
 */
@Component
public class Delivery {

    private static final Logger log = LoggerFactory.getLogger(Delivery.class);
    private static final int MAX_RESPONSE = 2000;

    private final OutboundMail mail;
    private final GuardedHttpClient http;
    private final NotificationRepository attempts;
    private final NotifyProperties properties;
    private final JsonMapper json;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Secrets secrets;
    private final JobService jobs;

    Delivery(
            OutboundMail mail,
            GuardedHttpClient http,
            NotificationRepository attempts,
            NotifyProperties properties,
            JsonMapper json,
            Clock clock,
            MeterRegistry meters,
            Secrets secrets,
            JobService jobs) {
        this.mail = mail;
        this.http = http;
        this.attempts = attempts;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
        this.meters = meters;
        this.secrets = secrets;
        this.jobs = jobs;
    }

    /** Tells every recipient, each on its own: one that fails does not keep the others from hearing. */
    void tell(Notice notice, List<String> recipients) {
        // webhook URLs are stored sealed; only the sending needs them plain
        recipients.forEach(recipient -> tell(notice, secrets.reveal(recipient)));
    }

    /**
     * Records that a recipient is not told, because the incident was told to them already ({@code told}, by
     * {@link #key}); one that was not (every attempt failed, or it was added since) is told now.
     */
    void suppress(Notice notice, List<String> recipients, NotificationRepository.Told told, String why) {
        for (String sealed : recipients) {
            String recipient = secrets.reveal(sealed);
            if (told.contains(key(recipient), Channel.shown(recipient))) {
                record(notice, Channel.of(recipient), recipient, "suppressed", why);
            } else {
                tell(notice, recipient);
            }
        }
    }

    private void tell(Notice notice, String recipient) {
        Channel channel = Channel.of(recipient);
        for (int attempt = 1; ; attempt++) {
            Result sent = send(notice, channel, recipient);
            // an error may quote the URL, whose path is the secret: history and log get its shown form
            Result result = new Result(sent.sent(), sent.worthRetrying(), withoutUrl(sent.detail(), recipient));
            record(notice, channel, recipient, result.sent() ? "sent" : "failed", result.detail());
            if (result.sent() || !result.worthRetrying() || attempt >= properties.attempts()) {
                if (!result.sent()) {
                    log.warn(
                            "Could not notify {} about {} of job '{}': {}",
                            Channel.shown(recipient),
                            notice.event().json(),
                            notice.jobName(),
                            result.detail());
                }
                return;
            }
            if (!pause(properties.retryBackoff().multipliedBy(1L << (attempt - 1)))) {
                return;
            }
        }
    }

    private record Result(boolean sent, boolean worthRetrying, String detail) {}

    private static String withoutUrl(String detail, String recipient) {
        if (detail == null || Channel.of(recipient) == Channel.EMAIL) {
            return detail;
        }
        String url = Channel.url(recipient).toString();
        return detail.replace(url, Channel.shown(recipient));
    }

    private Result send(Notice notice, Channel channel, String recipient) {
        try {
            return switch (channel) {
                case EMAIL -> email(notice, recipient);
                case WEBHOOK -> post(notice, recipient, notice.payload());
                case SLACK -> post(notice, recipient, slack(notice));
            };
        } catch (OutboundHttp.RefusedException refused) {
            return new Result(false, false, "refused: " + refused.getMessage());
        } catch (IOException e) {
            return new Result(false, true, "network error: " + e.getMessage());
        } catch (MailSendException e) {
            // the mail server could not be reached, or did not answer in time: a network error, tried again; a
            // refusal it answered (550 no such user) is final
            return new Result(false, causedByNetwork(e), "mail server: " + e.getMessage());
        } catch (RuntimeException e) {
            // a misconfiguration (no SMTP server) or a bug: recorded, never thrown into the engine
            return new Result(
                    false, false, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (Exception e) {
            return new Result(false, true, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** Whether a failed sending failed on the network (no connection, a time-out), not on the server's answer. */
    private static boolean causedByNetwork(MailSendException failed) {
        java.util.Deque<Throwable> pending = new java.util.ArrayDeque<>();
        pending.add(failed);
        pending.addAll(failed.getFailedMessages().values());
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (!pending.isEmpty()) {
            Throwable t = pending.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof IOException) {
                return true;
            }
            if (t.getCause() != null) {
                pending.add(t.getCause());
            }
            if (t instanceof jakarta.mail.MessagingException messaging && messaging.getNextException() != null) {
                pending.add(messaging.getNextException());
            }
        }
        return false;
    }

    private Result email(Notice notice, String recipient) throws Exception {
        if (!mail.configured()) {
            return new Result(false, false, "no SMTP server is configured (spring.mail.host)");
        }
        String id = mail.send(new MailMessage(
                List.of(recipient),
                null,
                null,
                "[Almanac] " + notice.subject(),
                notice.text(),
                null,
                notice.event() == Event.FAILURE || notice.event() == Event.MISSED_RUN ? "high" : "normal",
                null));
        return new Result(true, false, id == null ? "accepted by the SMTP server" : "message " + id);
    }

    /**
     * A webhook of a job's notice goes through the guard as that job's namespace sees it (the internal hosts granted to
     * it); a notice of no job (the daily summary) through the guard of the whole scheduler.
     */
    private Result post(Notice notice, String recipient, Map<String, Object> body) throws IOException {
        String namespace = namespace(notice);
        OutboundHttp client = namespace.isEmpty()
                ? http.forRun(RunControl.unlimited())
                : http.forRun(RunControl.unlimited(), namespace);
        OutboundHttp.Response response = client.send(new OutboundHttp.Request(
                "POST",
                Channel.url(recipient),
                Map.of("Content-Type", "application/json", "X-Almanac-Event", "notification"),
                json.writeValueAsBytes(body),
                properties.webhookTimeout(),
                MAX_RESPONSE,
                false));
        int status = response.status();
        String excerpt = new String(response.body(), StandardCharsets.UTF_8).strip();
        String detail = "HTTP " + status + (excerpt.isEmpty() ? "" : ": " + excerpt);
        if (status >= 200 && status < 300) {
            return new Result(true, false, detail);
        }
        return new Result(false, status >= 500 || status == 429, detail);
    }

    /** Slack's incoming-webhook format: a text fallback and one section in its markdown. */
    private static Map<String, Object> slack(Notice notice) {
        String emoji = switch (notice.event()) {
            case SUCCESS, RECOVERED -> ":white_check_mark:";
            case RETRY -> ":repeat:";
            case AUTO_PAUSED -> ":double_vertical_bar:";
            default -> ":rotating_light:";
        };
        String headline = emoji + " *" + escape(notice.subject()) + "*";
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("type", "section");
        section.put("text", Map.of("type", "mrkdwn", "text", headline + "\n" + escape(notice.text())));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", notice.subject());
        body.put("blocks", List.of(section));
        return body;
    }

    /** Slack reads &, < and > as markup. */
    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** The namespace of the notice's job; empty for a notice of no job, or of a job deleted since. */
    private String namespace(Notice notice) {
        return notice.jobId() == null ? "" : jobs.namespaceOf(notice.jobId()).orElse("");
    }

    private void record(Notice notice, Channel channel, String recipient, String outcome, String detail) {
        Counter.builder("almanac.notifications")
                .description("Notification attempts, by namespace, channel and outcome (sent, failed, suppressed)")
                .tag("namespace", namespace(notice))
                .tag("channel", channel.json())
                .tag("outcome", outcome)
                .register(meters)
                .increment();
        try {
            attempts.record(
                    new NotificationAttempt(
                            Ids.timeOrdered(),
                            notice.jobId(),
                            notice.executionId(),
                            notice.event().json(),
                            channel.json(),
                            Channel.shown(recipient),
                            outcome,
                            detail,
                            clock.instant()),
                    key(recipient));
        } catch (RuntimeException e) {
            log.warn("Could not record a notification attempt for job '{}': {}", notice.jobName(), e.getMessage());
        }
    }

    /**
     * What tells a recipient apart from others shown alike (two webhooks on one host): the SHA-256 of the whole
     * recipient, so history keeps no webhook URL, whose path is its secret, in the clear.
     */
    static String key(String recipient) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(recipient.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean pause(Duration pause) {
        if (pause.isZero() || pause.isNegative()) {
            return true;
        }
        try {
            Thread.sleep(pause.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
