package dev.almanac.notify.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.outbound.GuardedHttpClient;
import dev.almanac.outbound.OutboundMail;
import dev.almanac.outbound.TestMailers;
import dev.almanac.security.Secrets;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.WithH2;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/** A stopping node's deliveries against webhooks that never answer in time (MockWebServer holding each request). */
@WithH2
class DeliveryShutdownTests extends AlmanacIntegrationTest {

    @DynamicPropertySource
    static void outbound(DynamicPropertyRegistry registry) {
        TestOutbound.register(registry);
    }

    @Autowired
    OutboundMail mail;

    @Autowired
    GuardedHttpClient http;

    @Autowired
    NotificationRepository repository;

    @Autowired
    JsonMapper json;

    @Autowired
    MeterRegistry meters;

    @Autowired
    Secrets secrets;

    @Autowired
    JobService jobs;

    final CountDownLatch answer = new CountDownLatch(1);
    final List<RecordedRequest> received = Collections.synchronizedList(new ArrayList<>());
    MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                received.add(request);
                answer.await(30, TimeUnit.SECONDS);
                return new MockResponse.Builder().code(200).build();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        answer.countDown();
        server.close();
    }

    @Test
    void stoppingWaitsNoLongerThanItsGraceAndRecordsWhatWasNotSent() {
        NotifyProperties properties = new NotifyProperties(
                null, 3, Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(30), 100, 2, Duration.ofMillis(500));
        Delivery delivery = new Delivery(mail, http, repository, properties, json, clock, meters, secrets, jobs);
        JobId job = new JobId(UUID.randomUUID());
        Notice notice = Notice.missedRun(
                job, "slow-receivers", "heartbeat", Duration.ofHours(1), null, properties, clock.instant());
        delivery.tell(notice, List.of(hook("/a"), hook("/b"), hook("/c")));
        delivery.tell(notice, List.of(hook("/a")));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);

        long started = System.nanoTime();
        delivery.shutdown(properties.shutdownGrace());

        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("the grace and a short wait for the sends under way, not their 30 s timeouts")
                .isLessThan(Duration.ofSeconds(5));
        List<NotificationAttempt> attempts = repository.ofJob(job, 10);
        assertThat(attempts).hasSize(4).extracting(NotificationAttempt::outcome).containsOnly("failed");
        assertThat(attempts)
                .extracting(NotificationAttempt::detail)
                .as("the two never started and the two the stop interrupted are recorded as not sent")
                .containsOnly(Delivery.NOT_SENT);
        assertThat(received).as("nothing is tried again once stopping").hasSize(2);
    }

    @Test
    void aSendTheStopInterruptsIsRecordedAsNotSentNotAsTheInterruption() {
        NotifyProperties properties = new NotifyProperties(
                null, 3, Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(30), 100, 2, Duration.ZERO);
        Delivery delivery = new Delivery(mail, http, repository, properties, json, clock, meters, secrets, jobs);
        JobId job = new JobId(UUID.randomUUID());
        Notice notice = Notice.missedRun(
                job, "slow-receiver", "heartbeat", Duration.ofHours(1), null, properties, clock.instant());
        delivery.tell(notice, List.of(hook("/held")));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);

        delivery.shutdown(properties.shutdownGrace());

        assertThat(repository.ofJob(job, 10)).singleElement().satisfies(attempt -> {
            assertThat(attempt.outcome()).isEqualTo("failed");
            assertThat(attempt.detail()).isEqualTo(Delivery.NOT_SENT);
        });
    }

    @Test
    void aWebhookThatStallsAfterItsHeadersFailsAtItsTimeoutAndSaysWhy() throws Exception {
        try (MockWebServer stalling = new MockWebServer()) {
            stalling.enqueue(new MockResponse.Builder()
                    .code(200)
                    .body("ok")
                    .bodyDelay(60, TimeUnit.SECONDS)
                    .build());
            stalling.start();
            NotifyProperties properties = new NotifyProperties(
                    null, 1, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(30), 100, 2, Duration.ZERO);
            Delivery delivery = new Delivery(mail, http, repository, properties, json, clock, meters, secrets, jobs);
            JobId job = new JobId(UUID.randomUUID());
            Notice notice = Notice.missedRun(
                    job, "stalled-receiver", "heartbeat", Duration.ofHours(1), null, properties, clock.instant());

            long started = System.nanoTime();
            delivery.tell(notice, List.of("http://localhost:" + stalling.getPort() + "/stall"))
                    .get(10, TimeUnit.SECONDS);

            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .as("about the 1 s webhook timeout, not until the server gives up")
                    .isLessThan(Duration.ofSeconds(3));
            assertThat(repository.ofJob(job, 10)).singleElement().satisfies(attempt -> {
                assertThat(attempt.outcome()).isEqualTo("failed");
                assertThat(attempt.detail())
                        .isEqualTo("network error: timed out reading the response from localhost after 1 s");
            });
            delivery.shutdown(Duration.ZERO);
        }
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aSendStillStuckAfterTheStopsWaitIsRecordedAsNotSentOnceAndLogged(CapturedOutput output) throws Exception {
        // a mail server that accepts and never answers: a blocked socket read, which no interrupt ends
        List<Socket> held = Collections.synchronizedList(new ArrayList<>());
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread accepting = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            accepting.setDaemon(true);
            accepting.start();
            OutboundMail stuckMail = TestMailers.at("127.0.0.1", silent.getLocalPort(), 5000);
            NotifyProperties properties = new NotifyProperties(
                    null, 3, Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(30), 100, 2, Duration.ZERO);
            Delivery delivery =
                    new Delivery(stuckMail, http, repository, properties, json, clock, meters, secrets, jobs);
            JobId job = new JobId(UUID.randomUUID());
            Notice notice = Notice.missedRun(
                    job, "stuck-mail", "heartbeat", Duration.ofHours(1), null, properties, clock.instant());
            CompletableFuture<Void> done = delivery.tell(notice, List.of("ops@example.com"));
            await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 1);

            long started = System.nanoTime();
            delivery.shutdown(Duration.ZERO);

            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .as("the stop's short wait, not the mail server's 5 s timeout")
                    .isLessThan(Duration.ofMillis(4500));
            assertThat(repository.ofJob(job, 10)).singleElement().satisfies(attempt -> {
                assertThat(attempt.outcome()).isEqualTo("failed");
                assertThat(attempt.detail()).isEqualTo(Delivery.NOT_SENT);
            });
            assertThat(output.getOut() + output.getErr())
                    .contains("Stopped with 1 notification(s) not delivered")
                    .contains("ops@example.com");

            // the stuck send ends at its 5 s timeout; it records nothing more, and is not tried again
            assertThat(done).as("told as given up").isDone();
            Thread.sleep(Math.max(
                    0,
                    Duration.ofMillis(6500).toMillis()
                            - Duration.ofNanos(System.nanoTime() - started).toMillis()));
            assertThat(repository.ofJob(job, 10))
                    .singleElement()
                    .satisfies(attempt -> assertThat(attempt.detail()).isEqualTo(Delivery.NOT_SENT));
            assertThat(held).hasSize(1);
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    private String hook(String path) {
        return "http://localhost:" + server.getPort() + path;
    }
}
