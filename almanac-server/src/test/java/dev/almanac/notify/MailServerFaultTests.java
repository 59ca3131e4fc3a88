package dev.almanac.notify;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;

import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.job.JobService;
import dev.almanac.notify.internal.Notifier;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A mail server that fails: one that accepts connections and never answers (a hung relay, a firewall that drops
 * replies) fails each send after {@code almanac.mail.timeout-ms} and is tried again as a network error, so the notifier
 * goes on to the next notice instead of waiting for good; one that refuses the recipient (550) is not asked again. One
 * database is enough: the database plays no part here.
 */
@WithH2
class MailServerFaultTests extends AlmanacIntegrationTest {

    static final List<Socket> HELD = new CopyOnWriteArrayList<>();
    /** Whether the server answers, refusing every recipient, or stays silent. */
    static volatile boolean refusesRecipients;

    static final ServerSocket SILENT = silent();

    @DynamicPropertySource
    static void silentMailServer(DynamicPropertyRegistry registry) {
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", SILENT::getLocalPort);
        registry.add("almanac.mail.timeout-ms", () -> "500");
        registry.add("almanac.notify.retry-backoff", () -> "0s");
    }

    @Autowired
    Engine engine;

    @Autowired
    Notifier notifier;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @AfterAll
    static void close() throws IOException {
        for (Socket socket : HELD) {
            socket.close();
        }
        SILENT.close();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMailServerThatNeverAnswersFailsEachAttemptInTimeAndIsTriedAgain() throws Exception {
        Execution run = runTelling("told-by-mail", "ops@example.com");
        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        mvc.perform(get("/api/admin/scheduler/executions/{id}/notifications", run.id()))
                .andExpect(jsonPath("$.notifications.length()").value(3))
                .andExpect(jsonPath(
                        "$.notifications[*].outcome",
                        org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.is("failed"))))
                .andExpect(jsonPath("$.notifications[0].detail")
                        .value("the mail server 127.0.0.1:" + SILENT.getLocalPort() + " did not answer within 0.5 s"));
        assertThat(HELD).as("every attempt reached the silent server").hasSizeGreaterThanOrEqualTo(3);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRecipientTheMailServerRefusesIsNotAskedAgain() throws Exception {
        refusesRecipients = true;
        try {
            Execution run = runTelling("told-nobody", "nobody@example.com");
            mvc.perform(get("/api/admin/scheduler/executions/{id}/notifications", run.id()))
                    .andExpect(jsonPath("$.notifications.length()").value(1))
                    .andExpect(jsonPath("$.notifications[0].outcome").value("failed"))
                    .andExpect(jsonPath("$.notifications[0].detail")
                            .value("the mail server 127.0.0.1:" + SILENT.getLocalPort()
                                    + " refused it: 550 5.1.1 no such user"));
        } finally {
            refusesRecipients = false;
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anEmailJobFailsSayingTheMailServerDidNotAnswerNotAJavaExceptionChain() {
        Job job = jobs.create(
                anIntervalJob("mailing", 60)
                        .template(
                                "email_notification",
                                java.util.Map.of(
                                        "recipients", List.of("ops@example.com"),
                                        "subject", "hello",
                                        "body_text", "hi"))
                        .build(),
                "test");
        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();

        Execution run = executions.list(ExecutionQuery.ofJob(job.id(), 10)).get(0);
        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        // the engine puts the exception's class name before what a template throws (TemplateRunner)
        assertThat(run.error())
                .endsWith("the mail server 127.0.0.1:" + SILENT.getLocalPort() + " did not answer within 0.5 s")
                .doesNotContain("nested exception", "jakarta.mail", "\n");
    }

    /** A run of a new job that tells {@code recipient} of its success, once its notifications were delivered. */
    private Execution runTelling(String name, String recipient) {
        Job job = jobs.create(
                anIntervalJob(name, 60)
                        .notifications(new NotificationsJson(List.of(recipient), List.of()))
                        .build(),
                "test");
        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();
        notifier.deliverPending();
        return executions.list(ExecutionQuery.ofJob(job.id(), 10)).get(0);
    }

    /**
     * Accepts every connection; silent (it holds it open and never writes a byte: an SMTP server greets first), or,
     * while {@link #refusesRecipients}, an SMTP server that refuses every recipient with 550.
     */
    private static ServerSocket silent() {
        try {
            ServerSocket server = new ServerSocket(0);
            Thread accepting = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        HELD.add(socket);
                        if (refusesRecipients) {
                            Thread answering = new Thread(() -> refuseRecipients(socket));
                            answering.setDaemon(true);
                            answering.start();
                        }
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            accepting.setDaemon(true);
            accepting.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Greets, accepts the sender, refuses every recipient (550), says goodbye. */
    private static void refuseRecipients(Socket socket) {
        try (socket) {
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
            java.io.Writer out = new java.io.OutputStreamWriter(
                    socket.getOutputStream(), java.nio.charset.StandardCharsets.US_ASCII);
            out.write("220 refusing.example ESMTP\r\n");
            out.flush();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String command = line.toUpperCase(java.util.Locale.ROOT);
                String reply = command.startsWith("EHLO") || command.startsWith("HELO")
                        ? "250 refusing.example"
                        : command.startsWith("RCPT")
                                ? "550 5.1.1 no such user"
                                : command.startsWith("QUIT") ? "221 bye" : "250 OK";
                out.write(reply + "\r\n");
                out.flush();
                if (command.startsWith("QUIT")) {
                    return;
                }
            }
        } catch (IOException gone) {
            // the client hung up
        }
    }
}
