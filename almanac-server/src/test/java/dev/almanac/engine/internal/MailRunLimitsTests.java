package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * email_notification is bound to its run: a mail server that drips its greeting a byte at a time (no read time-out
 * ever fires) or never answers holds the run no longer than a cancel or the job's timeout allows, though the mail
 * time-out is a minute. One database is enough: the database plays no part here.
 */
@WithH2
class MailRunLimitsTests extends AlmanacIntegrationTest {

    static final List<Socket> HELD = new CopyOnWriteArrayList<>();
    static final AtomicInteger BYTES_SENT = new AtomicInteger();
    /** Whether the server drips its greeting a byte at a time, or stays silent. */
    static volatile boolean drips = true;

    static final ServerSocket SERVER = server();

    @DynamicPropertySource
    static void slowMailServer(DynamicPropertyRegistry registry) {
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", SERVER::getLocalPort);
        registry.add("almanac.mail.timeout-ms", () -> "60000");
    }

    @Autowired
    Engine engine;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @BeforeEach
    void drip() {
        drips = true;
        BYTES_SENT.set(0);
    }

    @AfterAll
    static void close() throws IOException {
        for (Socket socket : HELD) {
            socket.close();
        }
        SERVER.close();
    }

    @Test
    void cancellingARunEndsItsSendToAMailServerThatDripsBytes() {
        Job job = mailer("cancelled-mail", 3600);
        long started = System.nanoTime();
        Execution run = startOne(job);
        await().atMost(Duration.ofSeconds(10)).until(() -> BYTES_SENT.get() >= 2);

        engine.cancelLocally(run.id());
        engine.awaitIdle(Duration.ofSeconds(30));

        assertThat(executions.get(run.id()).status()).isEqualTo(ExecutionStatus.CANCELLED);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void aRunThatTimesOutEndsItsSendToAMailServerThatDripsBytes() {
        Job job = mailer("timed-out-mail", 30);
        long started = System.nanoTime();
        Execution run = startOne(job);
        await().atMost(Duration.ofSeconds(10)).until(() -> BYTES_SENT.get() >= 2);

        clock.advance(Duration.ofSeconds(31));
        engine.superviseOnce();
        engine.awaitIdle(Duration.ofSeconds(30));

        assertThat(executions.get(run.id()).status()).isEqualTo(ExecutionStatus.TIMED_OUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void aSilentMailServerWaitsNoLongerThanTheRunsRemainingTime() {
        drips = false;
        Job job = mailer("short-mail", 2);
        long started = System.nanoTime();
        Execution run = startOne(job);
        engine.awaitIdle(Duration.ofSeconds(40));

        Execution ended = executions.get(run.id());
        assertThat(ended.status()).isIn(ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    private Job mailer(String name, int timeoutSeconds) {
        return jobs.create(
                anIntervalJob(name, 60)
                        .template(
                                "email_notification",
                                Map.of(
                                        "recipients",
                                        List.of("ops@example.com"),
                                        "subject",
                                        "hello",
                                        "body_text",
                                        "body"))
                        .timeout(timeoutSeconds)
                        .build(),
                "test");
    }

    private Execution startOne(Job job) {
        clock.advance(Duration.ofSeconds(60));
        assertThat(engine.runDueOnceWithoutWaiting()).hasSize(1);
        List<Execution> history = executions.list(ExecutionQuery.ofJob(job.id(), 10));
        assertThat(history).hasSize(1);
        return history.get(0);
    }

    /** Accepts every connection; drips "220 " and then a letter every 300 ms, never ending the line, or stays silent. */
    private static ServerSocket server() {
        try {
            ServerSocket server = new ServerSocket(0);
            Thread accepting = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        HELD.add(socket);
                        if (drips) {
                            Thread dripping = new Thread(() -> dripInto(socket));
                            dripping.setDaemon(true);
                            dripping.start();
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

    private static void dripInto(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write("220 ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            while (!socket.isClosed()) {
                Thread.sleep(300);
                out.write('x');
                out.flush();
                BYTES_SENT.incrementAndGet();
            }
        } catch (IOException | InterruptedException gone) {
            // the client hung up
        }
    }
}
