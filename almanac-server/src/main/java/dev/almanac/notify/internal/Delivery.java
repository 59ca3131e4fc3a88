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
import jakarta.mail.internet.AddressException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailSendException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends one notice to one recipient: e-mail through the configured SMTP server, a webhook through the same SSRF
 * guard as the webhook template (a generic JSON payload, or a Slack-compatible one). Network errors, 5xx and 429
 * are tried again with a growing pause; every try is recorded, and none ever throws: a failed notification never
 * fails a job.
 *
 * <p>Each recipient has a lane of its own, its notices sent in order on a small pool ({@code almanac.notify.senders})
 * and its retries scheduled, not slept: a slow or dead channel holds up only its own lane, never other recipients,
 * other jobs' notices or the notifier's checks. {@link #tell} and {@link #suppress} only queue.
 */
@Component
public class Delivery {

    private static final Logger log = LoggerFactory.getLogger(Delivery.class);
    private static final int MAX_RESPONSE = 2000;
    static final String NOT_SENT = "not sent: Almanac stopped before it could deliver this";
    /** How many notices may wait for one recipient: a recipient that does not answer cannot fill the whole queue. */
    static final int LANE_CAPACITY = 100;

    private final OutboundMail mail;
    private final GuardedHttpClient http;
    private final NotificationRepository attempts;
    private final NotifyProperties properties;
    private final JsonMapper json;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Secrets secrets;
    private final JobService jobs;
    private final ExecutorService senders;
    private final ScheduledExecutorService retries;
    private final Counter dropped;
    // lanes by recipient key, and the sends they hold (queued, being sent, or waiting for a retry); guarded by this
    private final Map<String, Lane> lanes = new HashMap<>();
    private int pending;
    private boolean closed;

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
        this.senders = Executors.newFixedThreadPool(properties.senders(), daemons("almanac-notify-send-"));
        this.retries = Executors.newSingleThreadScheduledExecutor(daemons("almanac-notify-retry-"));
        this.dropped = Counter.builder("almanac.notifications.dropped")
                .description("Outcomes not told about because this node's notification queue was full")
                .register(meters);
    }

    /** One notice for one recipient, with its tries so far. */
    private static final class Send {
        final Notice notice;
        final String recipient;
        final Supplier<NotificationRepository.Told> told;
        final String why;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int attempt;
        boolean inFlight; // guarded by the Delivery
        // guarded by the Delivery: the sender has its try's result and records it itself
        boolean recording;
        // guarded by the Delivery: the stop recorded the try under way as not sent; the sender records nothing more
        boolean abandoned;

        Send(Notice notice, String recipient, Supplier<NotificationRepository.Told> told, String why) {
            this.notice = notice;
            this.recipient = recipient;
            this.told = told;
            this.why = why;
        }
    }

    /** One recipient's sends, in order; active while one of them is being sent or waits for its retry. */
    private static final class Lane {
        final String key;
        final Deque<Send> sends = new ArrayDeque<>();
        boolean active;

        Lane(String key) {
            this.key = key;
        }
    }

    /**
     * Tells every recipient, each on its own: one that fails or is slow does not keep the others from hearing. The
     * answer completes when every one of them is sent or given up.
     */
    CompletableFuture<Void> tell(Notice notice, List<String> recipients) {
        // webhook URLs are stored sealed; only the sending needs them plain
        return CompletableFuture.allOf(recipients.stream()
                .map(recipient -> queue(new Send(notice, secrets.reveal(recipient), null, null)))
                .toArray(CompletableFuture[]::new));
    }

    /**
     * Records that a recipient is not told, because the incident was told to them already ({@code told}, by
     * {@link #key}); one that was not (every attempt failed, or it was added since) is told now. Who was told is read
     * in the recipient's lane, after its earlier notices of the incident are sent.
     */
    void suppress(Notice notice, List<String> recipients, Supplier<NotificationRepository.Told> told, String why) {
        recipients.forEach(recipient -> queue(new Send(notice, secrets.reveal(recipient), told, why)));
    }

    private CompletableFuture<Void> queue(Send send) {
        String key = key(send.recipient);
        boolean refused;
        boolean laneFull;
        synchronized (this) {
            Lane existing = lanes.get(key);
            // one recipient that does not answer fills its own lane, not the node's queue every other one shares
            laneFull = existing != null && existing.sends.size() >= LANE_CAPACITY;
            refused = closed || laneFull || pending >= Math.max(1, properties.queueCapacity());
            if (!refused) {
                Lane lane = lanes.computeIfAbsent(key, Lane::new);
                lane.sends.add(send);
                pending++;
                if (!lane.active) {
                    lane.active = true;
                    senders.execute(() -> run(lane));
                }
            }
        }
        if (refused) {
            dropped.increment();
            record(
                    send.notice,
                    Channel.of(send.recipient),
                    send.recipient,
                    "failed",
                    closed
                            ? NOT_SENT
                            : laneFull
                                    ? "not sent: " + LANE_CAPACITY + " notices already wait for this recipient"
                                    : "not sent: this node's notification queue is full");
            send.done.complete(null);
        }
        return send.done;
    }

    /** One step of a lane: the first try of its head, or the next one. */
    private void run(Lane lane) {
        Send send;
        synchronized (this) {
            send = lane.sends.peek();
            if (send == null) {
                return;
            }
            send.inFlight = true;
        }
        boolean done;
        try {
            done = step(send);
        } catch (RuntimeException e) {
            log.warn("Could not notify {}: {}", Channel.shown(send.recipient), e.getMessage(), e);
            done = true;
        }
        if (done) {
            next(lane, send);
            return;
        }
        Duration backoff = properties.retryBackoff().multipliedBy(1L << Math.min(20, send.attempt - 1));
        try {
            synchronized (this) {
                send.inFlight = false;
                send.recording = false;
                if (closed) {
                    // the stop let this send be (its try was being recorded): its failed try is its last word
                    send.done.complete(null);
                    return;
                }
                if (backoff.isZero() || backoff.isNegative()) {
                    senders.execute(() -> run(lane));
                } else {
                    retries.schedule(() -> resubmit(lane), backoff.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (RejectedExecutionException stopping) {
            // shutting down: what the lane holds is reported by shutdown
        }
    }

    private void resubmit(Lane lane) {
        try {
            senders.execute(() -> run(lane));
        } catch (RejectedExecutionException stopping) {
            // shutting down: what the lane holds is reported by shutdown
        }
    }

    /** Done with the lane's head: on to its next send, or the lane is idle. */
    private void next(Lane lane, Send finished) {
        synchronized (this) {
            finished.inFlight = false;
            finished.recording = false;
            if (lane.sends.peek() != finished) {
                // shutdown emptied the lane meanwhile
                finished.done.complete(null);
                return;
            }
            lane.sends.poll();
            pending--;
            if (lane.sends.isEmpty()) {
                lane.active = false;
                lanes.remove(lane.key);
                notifyAll();
            } else if (!closed) {
                try {
                    senders.execute(() -> run(lane));
                } catch (RejectedExecutionException stopping) {
                    // shutting down: what the lane holds is reported by shutdown
                }
            }
        }
        finished.done.complete(null);
    }

    /** Tries a send once (or suppresses it); whether it is done, or to be tried again. */
    private boolean step(Send send) {
        Channel channel = Channel.of(send.recipient);
        if (send.attempt == 0 && send.told != null) {
            NotificationRepository.Told told = send.told.get();
            if (told.contains(key(send.recipient), Channel.shown(send.recipient))) {
                synchronized (this) {
                    if (send.abandoned) {
                        return true;
                    }
                    send.recording = true;
                }
                record(send.notice, channel, send.recipient, "suppressed", send.why);
                return true;
            }
        }
        send.attempt++;
        Result sent = send(send.notice, channel, send.recipient);
        boolean stopping;
        synchronized (this) {
            if (send.abandoned) {
                // the stop gave up waiting for this try and recorded it as not sent: one record per try
                return true;
            }
            send.recording = true;
            stopping = closed;
        }
        // an error may quote the URL, whose path is the secret: history and log get its shown form; a send the stop
        // interrupted was not refused by the recipient, and is said as what the stop left in a lane is
        Result result = new Result(
                sent.sent(),
                sent.worthRetrying(),
                !sent.sent() && stopping && Thread.currentThread().isInterrupted()
                        ? NOT_SENT
                        : withoutUrl(sent.detail(), send.recipient));
        // recorded: it stays "recording" until the lane lets go of it (next, or the retry's wait), so a stop in between
        // never takes it for a try still under way and records it a second time
        record(send.notice, channel, send.recipient, result.sent() ? "sent" : "failed", result.detail());
        if (result.sent() || !result.worthRetrying() || send.attempt >= properties.attempts() || stopping) {
            if (!result.sent()) {
                log.warn(
                        "Could not notify {} about {} of job '{}': {}",
                        Channel.shown(send.recipient),
                        send.notice.event().json(),
                        send.notice.jobName(),
                        result.detail());
            }
            return true;
        }
        return false;
    }

    /** Waits until every queued notice is sent or given up, at most {@code max}; whether they all were. */
    synchronized boolean awaitIdle(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (pending > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /**
     * Stops sending: what is queued gets {@code grace} to go out; then the sends still under way are interrupted and
     * given a moment to end; what is left, a send still under way included (a mail server that does not answer is
     * not interrupted), is recorded as failed ({@link #NOT_SENT}) and logged, once: a send that ends later records
     * nothing more. Notices are not kept in the database, so
     * they are not sent after a restart; a failed attempt does not count as told, so the incident's next failure
     * tells that recipient.
     */
    void shutdown(Duration grace) {
        try {
            awaitIdle(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Send> left = new ArrayList<>();
        synchronized (this) {
            closed = true;
            retries.shutdownNow();
            senders.shutdownNow();
        }
        try {
            senders.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            for (Lane lane : lanes.values()) {
                for (Send send : lane.sends) {
                    if (send.inFlight && send.recording) {
                        // its try ended and the sender is recording it now
                        continue;
                    }
                    if (send.inFlight) {
                        // still waiting for its channel after the wait: recorded here, not again when it ends
                        send.abandoned = true;
                    }
                    left.add(send);
                }
                lane.sends.clear();
            }
            lanes.clear();
            pending = 0;
            notifyAll();
        }
        for (Send send : left) {
            record(send.notice, Channel.of(send.recipient), send.recipient, "failed", NOT_SENT);
            send.done.complete(null);
        }
        if (!left.isEmpty()) {
            log.warn(
                    "Stopped with {} notification(s) not delivered: {}",
                    left.size(),
                    left.stream()
                            .map(send -> send.notice.event().json() + " of '" + send.notice.jobName() + "' to "
                                    + Channel.shown(send.recipient))
                            .toList());
        }
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
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
        } catch (SSLException e) {
            // a TLS handshake with a plain-http port, or a certificate not trusted, fails the same way every time
            return new Result(false, false, "TLS error: " + e.getMessage());
        } catch (IOException e) {
            return new Result(false, true, "network error: " + e.getMessage());
        } catch (AddressException e) {
            // an address the mailer cannot parse (saved before addresses were checked strictly) never gets better
            return new Result(false, false, "not a valid e-mail address: " + e.getMessage());
        } catch (MailSendException e) {
            // the mail server could not be reached, or did not answer in time: a network error, tried again; a
            // refusal it answered (550 no such user), a bad address or a TLS handshake that fails is final
            return new Result(false, causedByNetwork(e), e.getMessage());
        } catch (MailParseException e) {
            return new Result(false, false, "not a valid e-mail address: " + e.getMessage());
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
            if (t instanceof AddressException || t instanceof SSLException) {
                // a TLS handshake with a plain port, or an untrusted certificate, fails the same way every time
                return false;
            }
            if (t instanceof IOException) {
                return true;
            }
            if (t.getCause() != null) {
                pending.add(t.getCause());
            }
            if (t instanceof MailSendException nested) {
                // the mailer's own failure, kept as the cause of the one said for a person
                pending.addAll(nested.getFailedMessages().values());
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
}
