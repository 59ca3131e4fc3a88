package dev.almanac.notify;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
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
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A failure whose retry never runs is final: when someone cancels the queued retry, or a newer slot of a job with
 * {@code concurrency_policy: replace} replaces it, the failure is told to {@code on_failure} as the last attempt's,
 * once per incident, as if no retry had been left. Real SMTP (GreenMail), the engine's manual step.
 */
abstract class CancelledRetryNotificationTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends CancelledRetryNotificationTests {}

    @WithPostgres
    static class OnPostgres extends CancelledRetryNotificationTests {}

    static final GreenMail SMTP = TestOutbound.SMTP;

    @DynamicPropertySource
    static void outbound(DynamicPropertyRegistry registry) {
        TestOutbound.register(registry);
        registry.add("almanac.notify.retry-backoff", () -> "0s");
        registry.add("almanac.engine.retry-jitter", () -> "0");
    }

    @Autowired
    Engine engine;

    @Autowired
    Notifier notifier;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @BeforeEach
    void emptyMailbox() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
    }

    @Test
    void aQueuedRetryCancelledThroughTheApiMakesTheFailureItWasToRetryFinal() throws Exception {
        Job job = jobs.create(
                anIntervalJob("cancelled-retry", 3600)
                        .template("test_fail", Map.of())
                        .retries(2, 600, 1.0)
                        .notifications(new NotificationsJson(List.of(), List.of("ops@example.com")))
                        .build(),
                "test");
        clock.advance(Duration.ofHours(1));
        engine.runDueOnce();
        notifier.deliverPending();
        assertThat(SMTP.getReceivedMessages()).as("a retry is left").isEmpty();
        Execution retry = queuedRetry(job);

        mvc.perform(post("/api/admin/scheduler/executions/{id}/cancel", retry.id()))
                .andExpect(status().is2xxSuccessful());
        notifier.deliverPending();

        MimeMessage[] mails = SMTP.getReceivedMessages();
        assertThat(mails)
                .extracting(MimeMessage::getSubject)
                .containsExactly("[Almanac] Failed: cancelled-retry (failed)");
        assertThat(GreenMailUtil.getBody(mails[0])).contains("Attempt: 1").contains("failed on purpose (run 1)");
    }

    @Test
    void aQueuedRetryReplacedByTheNextSlotMakesTheFailureFinalOncePerIncident() throws Exception {
        Job job = jobs.create(
                anIntervalJob("replaced-retry", 60)
                        .template("test_fail", Map.of())
                        .retries(1, 90, 1.0)
                        .concurrency("replace")
                        .notifications(new NotificationsJson(List.of(), List.of("ops@example.com")))
                        .build(),
                "test");
        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();
        notifier.deliverPending();
        assertThat(SMTP.getReceivedMessages()).as("a retry is left").isEmpty();

        for (int slot = 0; slot < 3; slot++) {
            clock.advance(Duration.ofMinutes(1));
            engine.runDueOnce();
            notifier.deliverPending();
        }

        List<Execution> runs = history(job);
        assertThat(runs)
                .filteredOn(e -> e.status() == ExecutionStatus.CANCELLED)
                .extracting(Execution::reason)
                .hasSize(3)
                .containsOnly("replaced");
        assertThat(SMTP.getReceivedMessages())
                .extracting(MimeMessage::getSubject)
                .as("the first final failure opens the incident; the next ones are counted in it")
                .containsExactly("[Almanac] Failed: replaced-retry (failed)");
    }

    /**
     * A retry cancelled after a newer run of its job succeeded tells nothing: the job recovered while the retry
     * waited, and an old failure told now would open an incident that is over.
     */
    @Test
    void aRetryCancelledAfterANewerRunSucceededTellsNothing() throws Exception {
        Job job = jobs.create(
                anIntervalJob("overtaken-retry", 300)
                        .template("test_fail", Map.of("failures", 1))
                        .retries(1, 600, 1.0)
                        .concurrency("allow")
                        .notifications(new NotificationsJson(List.of(), List.of("ops@example.com")))
                        .build(),
                "test");
        clock.advance(Duration.ofMinutes(5));
        engine.runDueOnce();
        Execution retry = queuedRetry(job);
        clock.advance(Duration.ofMinutes(5));
        engine.runDueOnce();
        assertThat(history(job)).extracting(Execution::status).contains(ExecutionStatus.SUCCEEDED);

        mvc.perform(post("/api/admin/scheduler/executions/{id}/cancel", retry.id()))
                .andExpect(status().is2xxSuccessful());
        notifier.deliverPending();

        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    /** The job's one queued run: its retry (written at the same instant as the run it retries, so found by state). */
    private Execution queuedRetry(Job job) {
        List<Execution> queued = history(job).stream()
                .filter(e -> e.status() == ExecutionStatus.QUEUED)
                .toList();
        assertThat(queued).hasSize(1);
        assertThat(queued.get(0).attempt()).isEqualTo(2);
        return queued.get(0);
    }

    private List<Execution> history(Job job) {
        return executions.list(ExecutionQuery.ofJob(job.id(), 500)).stream()
                .sorted(Comparator.comparing(Execution::createdAt)
                        .thenComparing(e -> e.id().value())
                        .reversed())
                .toList();
    }
}
