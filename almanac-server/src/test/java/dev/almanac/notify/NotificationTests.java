package dev.almanac.notify;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.jayway.jsonpath.JsonPath;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Notifications through their real channels: e-mail received by GreenMail, webhooks received by MockWebServer (let
 * through the SSRF guard by the operator allowlist), driven step by step with the engine's manual step and the
 * notifier's.
 */
abstract class NotificationTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends NotificationTests {}

    @WithPostgres
    static class OnPostgres extends NotificationTests {}

    static final GreenMail SMTP = TestOutbound.SMTP;

    @DynamicPropertySource
    static void outbound(DynamicPropertyRegistry registry) {
        TestOutbound.register(registry);
        registry.add("almanac.notify.retry-backoff", () -> "0s");
        registry.add("almanac.notify.public-url", () -> "https://almanac.example.org/");
    }

    @Autowired
    Engine engine;

    @Autowired
    Notifier notifier;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    NotificationHistory history;

    @Autowired
    dev.almanac.testing.TemplateRuns templateRuns;

    @Autowired
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus;

    MockWebServer server;

    /** Requests by path, in order; a path starting with /down answers 500, one with /slow once this is let go. */
    final List<RecordedRequest> received = Collections.synchronizedList(new ArrayList<>());

    final CountDownLatch slowReceiver = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                received.add(request);
                if (request.getTarget().startsWith("/slow")) {
                    try {
                        slowReceiver.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return request.getTarget().startsWith("/down")
                        ? new MockResponse.Builder().code(500).body("down").build()
                        : new MockResponse.Builder().code(200).body("ok").build();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        slowReceiver.countDown();
        server.close();
    }

    @Test
    void aFailingJobWithRetriesSendsOneEmailAndOneWebhookAfterItsLastAttempt() throws Exception {
        Job job = jobs.create(
                anIntervalJob("flaky-export", 3600)
                        .template("test_fail", Map.of())
                        .retries(2, 10, 1.0)
                        .notifications(new NotificationsJson(List.of(), List.of("ops@example.com", hook("/hook"))))
                        .build(),
                "test");

        clock.advance(Duration.ofHours(1));
        engine.runDueOnce();
        notifier.deliverPending();
        clock.advance(Duration.ofSeconds(10));
        engine.runDueOnce();
        notifier.deliverPending();
        assertThat(SMTP.getReceivedMessages())
                .as("no message while retries are left")
                .isEmpty();
        assertThat(received).isEmpty();

        clock.advance(Duration.ofSeconds(10));
        engine.runDueOnce();
        notifier.deliverPending();

        List<Execution> attempts = history(job);
        assertThat(attempts).extracting(Execution::status).containsOnly(ExecutionStatus.FAILED);
        assertThat(attempts).hasSize(3);
        MimeMessage[] mails = SMTP.getReceivedMessages();
        assertThat(mails).hasSize(1);
        assertThat(mails[0].getSubject()).isEqualTo("[Almanac] Failed: flaky-export (failed)");
        assertThat(mails[0].getAllRecipients()[0].toString()).isEqualTo("ops@example.com");
        String body = GreenMailUtil.getBody(mails[0]);
        assertThat(body)
                .contains("Attempt: 3")
                .contains("failed on purpose (run 3)")
                .contains("https://almanac.example.org/executions/"
                        + attempts.get(0).id());

        assertThat(received).hasSize(1);
        String payload = received.get(0).getBody().utf8();
        assertThat(received.get(0).getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat((String) JsonPath.read(payload, "$.event")).isEqualTo("failure");
        assertThat((String) JsonPath.read(payload, "$.job.name")).isEqualTo("flaky-export");
        assertThat((String) JsonPath.read(payload, "$.execution.id"))
                .isEqualTo(attempts.get(0).id().toString());
        assertThat((Integer) JsonPath.read(payload, "$.execution.attempt")).isEqualTo(3);
        assertThat((String) JsonPath.read(payload, "$.execution.error")).isEqualTo("failed on purpose (run 3)");

        mvc.perform(get(
                        "/api/admin/scheduler/executions/{id}/notifications",
                        attempts.get(0).id()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.notifications.length()").value(2))
                .andExpect(jsonPath("$.notifications[*].event", everyItem(is("failure"))))
                .andExpect(jsonPath("$.notifications[*].outcome", everyItem(is("sent"))))
                // each recipient is sent to on its own, so the two attempts are recorded in either order
                .andExpect(jsonPath("$.notifications[?(@.channel == 'email')].recipient")
                        .value(org.hamcrest.Matchers.contains("ops@example.com")))
                .andExpect(jsonPath("$.notifications[?(@.channel == 'webhook')].recipient")
                        .value(org.hamcrest.Matchers.contains("http://localhost:" + server.getPort() + "/…")))
                .andExpect(jsonPath("$.notifications[?(@.channel == 'webhook')].detail")
                        .value(org.hamcrest.Matchers.contains("HTTP 200: ok")));
        mvc.perform(get(
                        "/api/admin/scheduler/executions/{id}/notifications",
                        attempts.get(2).id()))
                .andExpect(jsonPath("$.notifications.length()").value(0));
    }

    @Test
    void failuresInARowAreOneIncidentUntilASuccessEndsIt() throws Exception {
        Job job = jobs.create(
                anIntervalJob("nightly", 60)
                        .template("test_fail", Map.of("failures", 3))
                        .notifications(new NotificationsJson(List.of(), List.of("ops@example.com")))
                        .build(),
                "test");
        for (int slot = 0; slot < 4; slot++) {
            clock.advance(Duration.ofMinutes(1));
            engine.runDueOnce();
            notifier.deliverPending();
        }

        assertThat(SMTP.getReceivedMessages())
                .extracting(MimeMessage::getSubject)
                .containsExactly("[Almanac] Failed: nightly (failed)", "[Almanac] Recovered: nightly");
        assertThat(GreenMailUtil.getBody(SMTP.getReceivedMessages()[1])).contains("Failures in a row before: 3");
        List<Execution> runs = history(job);
        assertThat(runs).extracting(Execution::status).first().isEqualTo(ExecutionStatus.SUCCEEDED);
        mvc.perform(get(
                        "/api/admin/scheduler/executions/{id}/notifications",
                        runs.get(1).id()))
                .andExpect(jsonPath("$.notifications[0].outcome").value("suppressed"))
                .andExpect(jsonPath("$.notifications[0].detail")
                        .value(org.hamcrest.Matchers.containsString("this is failure 3 in a row")));

        // a new failure after the recovery is a new incident, told again
        clock.advance(Duration.ofMinutes(1));
        jobs.update(
                job.id(),
                json().createObjectNode()
                        .set("parameters", json().createObjectNode().put("key", "again")),
                "test");
        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();
        notifier.deliverPending();
        assertThat(SMTP.getReceivedMessages()).hasSize(3);
    }

    @Test
    void successRetryAndSlackRecipientsGetTheirOwnMessages() throws Exception {
        Job job = jobs.create(
                anIntervalJob("sync", 3600)
                        .template("test_fail", Map.of("failures", 1))
                        .retries(1, 5, 1.0)
                        .notifications(new NotificationsJson(
                                List.of("slack:" + hook("/slack")), List.of(), List.of("team@example.com"), null, null))
                        .build(),
                "test");
        clock.advance(Duration.ofHours(1));
        engine.runDueOnce();
        notifier.deliverPending();
        assertThat(SMTP.getReceivedMessages())
                .extracting(MimeMessage::getSubject)
                .containsExactly("[Almanac] Retrying: sync (attempt 1 failed)");

        clock.advance(Duration.ofSeconds(5));
        engine.runDueOnce();
        notifier.deliverPending();
        assertThat(history(job)).extracting(Execution::status).first().isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(received).hasSize(1);
        String slack = received.get(0).getBody().utf8();
        assertThat((String) JsonPath.read(slack, "$.text")).isEqualTo("Succeeded: sync");
        assertThat((String) JsonPath.read(slack, "$.blocks[0].type")).isEqualTo("section");
        assertThat((String) JsonPath.read(slack, "$.blocks[0].text.type")).isEqualTo("mrkdwn");
        assertThat((String) JsonPath.read(slack, "$.blocks[0].text.text"))
                .startsWith(":white_check_mark: *Succeeded: sync*");
    }

    @Test
    void aJobThatNeverSucceedsWithinItsWindowRaisesTheAlertOnce() throws Exception {
        Job job = jobs.create(
                anIntervalJob("never-runs", 3600)
                        .disabled()
                        .notifications(new NotificationsJson(
                                List.of(), List.of("ops@example.com", hook("/alerts")), null, "PT2M", null))
                        .build(),
                "test");
        clock.advance(Duration.ofSeconds(119));
        assertThat(notifier.checkMissedRuns()).isZero();

        clock.advance(Duration.ofSeconds(1));
        assertThat(notifier.checkMissedRuns()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(10));
        assertThat(notifier.checkMissedRuns()).as("one incident, one alert").isZero();

        MimeMessage[] mails = SMTP.getReceivedMessages();
        assertThat(mails).hasSize(1);
        assertThat(mails[0].getSubject()).isEqualTo("[Almanac] Missed: never-runs has not succeeded within 2 minutes");
        assertThat(GreenMailUtil.getBody(mails[0])).contains("Last success: never");
        assertThat(received).hasSize(1);
        assertThat((String) JsonPath.read(received.get(0).getBody().utf8(), "$.event"))
                .isEqualTo("missed_run");
        mvc.perform(get("/api/admin/scheduler/jobs/{id}/notifications", job.id()))
                .andExpect(jsonPath("$.notifications.length()").value(2))
                .andExpect(jsonPath("$.notifications[0].event").value("missed_run"))
                .andExpect(jsonPath("$.notifications[0].execution_id").doesNotExist());

        // a success ends the incident and says so; the window starts again from it
        mvc.perform(post("/api/admin/scheduler/jobs/{id}/run", job.id())
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{}"))
                .andExpect(status().isAccepted());
        engine.runDueOnce();
        notifier.deliverPending();
        assertThat(SMTP.getReceivedMessages())
                .extracting(MimeMessage::getSubject)
                .containsExactly(
                        "[Almanac] Missed: never-runs has not succeeded within 2 minutes",
                        "[Almanac] Recovered: never-runs");
        clock.advance(Duration.ofMinutes(1));
        assertThat(notifier.checkMissedRuns()).isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(notifier.checkMissedRuns()).isEqualTo(1);
    }

    @Test
    void aJobThatFailsTooOftenInARowIsPausedAuditedAndTold() throws Exception {
        Job job = jobs.create(
                anIntervalJob("brittle", 60)
                        .template("test_fail", Map.of())
                        .notifications(new NotificationsJson(List.of(), List.of(hook("/ops")), null, null, 2))
                        .build(),
                "test");
        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();
        notifier.deliverPending();
        assertThat(jobs.get(job.id()).definition().enabled()).isTrue();

        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();
        notifier.deliverPending();

        assertThat(jobs.get(job.id()).definition().enabled()).isFalse();
        assertThat(received)
                .extracting(r -> (String) JsonPath.read(r.getBody().utf8(), "$.event"))
                .containsExactly("failure", "auto_paused");
        assertThat((Integer) JsonPath.read(received.get(1).getBody().utf8(), "$.consecutive_failures"))
                .isEqualTo(2);
        mvc.perform(get("/api/admin/scheduler/audit").param("action", "job.auto_paused"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.events.length()").value(1))
                .andExpect(jsonPath("$.events[0].actor").value("system"))
                .andExpect(jsonPath("$.events[0].target_name").value("brittle"));

        clock.advance(Duration.ofMinutes(5));
        assertThat(engine.runDueOnce()).as("a paused job does not run").isZero();
    }

    @Test
    void messagesSayDurationsAndCountsAsPeopleWriteThem() throws Exception {
        jobs.create(
                anIntervalJob("fragile", 60)
                        .template("test_fail", Map.of())
                        .notifications(new NotificationsJson(List.of(), List.of("ops@example.com"), null, null, 1))
                        .build(),
                "test");
        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();
        notifier.deliverPending();

        MimeMessage[] mails = SMTP.getReceivedMessages();
        assertThat(mails)
                .extracting(MimeMessage::getSubject)
                .containsExactlyInAnyOrder(
                        "[Almanac] Failed: fragile (failed)",
                        "[Almanac] Auto-paused: fragile after 1 failure in a row");
        for (MimeMessage mail : mails) {
            String body = GreenMailUtil.getBody(mail);
            if (mail.getSubject().contains("Failed")) {
                assertThat(body)
                        .containsPattern("Took: \\d+(\\.\\d)? (ms|s)\\r?\\n")
                        .doesNotContain("PT");
            } else {
                assertThat(body).contains("It failed once in a row and was disabled");
            }
        }
    }

    /**
     * Alerts that have no run (the missed-run alert here) go with their job when it is deleted, and with history
     * retention once older than it; the attempts about a run stay with the run.
     */
    @Test
    void alertsWithoutARunGoWithTheirJobAndOnceOlderThanTheRetention() throws Exception {
        Job gone = jobs.create(
                anIntervalJob("goes-away", 3600)
                        .disabled()
                        .notifications(new NotificationsJson(List.of(), List.of(hook("/gone")), null, "PT2M", null))
                        .build(),
                "test");
        Job stays = jobs.create(
                anIntervalJob("stays", 3600)
                        .disabled()
                        .notifications(new NotificationsJson(List.of(), List.of(hook("/stays")), null, "PT2M", null))
                        .build(),
                "test");
        Job runs = jobs.create(
                anIntervalJob("runs", 60)
                        .notifications(new NotificationsJson(List.of(hook("/ran")), List.of()))
                        .build(),
                "test");
        clock.advance(Duration.ofMinutes(2));
        assertThat(notifier.checkMissedRuns()).isEqualTo(2);
        engine.runDueOnce();
        notifier.deliverPending();
        assertThat(attempts("execution_id IS NULL")).isEqualTo(2);
        assertThat(attempts("execution_id IS NOT NULL")).isEqualTo(1);

        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete(
                        "/api/admin/scheduler/jobs/{id}", gone.id()))
                .andExpect(status().is2xxSuccessful());
        assertThat(attempts("job_id = '" + gone.id().value() + "'"))
                .as("the deleted job's alert")
                .isZero();
        assertThat(attempts("job_id = '" + stays.id().value() + "'")).isOne();

        clock.advance(Duration.ofDays(31));
        java.time.Instant cutoff = clock.instant().minus(Duration.ofDays(30));
        assertThat(history.deleteAlertsBefore(cutoff, List.of(), "another-namespace", 100))
                .isZero();
        assertThat(history.deleteAlertsBefore(cutoff, List.of(stays.id()), null, 100))
                .as("a job that keeps its history longer is left to its own limit")
                .isZero();
        assertThat(history.deleteAlertsOfJobBefore(stays.id(), cutoff.minus(Duration.ofDays(31)), 100))
                .isZero();
        assertThat(attempts("execution_id IS NOT NULL"))
                .as("alerts only, never an attempt about a run")
                .isOne();
        // the history retention template removes what is left past its cutoff
        Execution retention = templateRuns.run("history_retention", Map.of("keep_days", 30));
        assertThat(retention.status()).as(retention.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(retention.result().get("details"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("alerts_deleted", 1);
        assertThat(attempts("execution_id IS NULL")).isZero();
        assertThat(attempts("job_id = '" + runs.id().value() + "'"))
                .as("the attempt about a run went with the run, which the retention removed")
                .isZero();
    }

    private long attempts(String where) {
        return jdbc.sql("SELECT COUNT(*) FROM notification_attempts WHERE " + where)
                .query(Long.class)
                .single();
    }

    /**
     * One incident, one message, to each recipient: one the incident never reached (every attempt failed) is told at
     * the next failure, while one told already is suppressed.
     */
    @Test
    void aRecipientTheIncidentNeverReachedIsToldAtTheNextFailure() throws Exception {
        Job job = jobs.create(
                anIntervalJob("flaky-channel", 60)
                        .template("test_fail", Map.of("failures", 2))
                        .notifications(new NotificationsJson(List.of(), List.of(hook("/down/a"), "ops@example.com")))
                        .build(),
                "test");
        for (int slot = 0; slot < 2; slot++) {
            clock.advance(Duration.ofMinutes(1));
            engine.runDueOnce();
            notifier.deliverPending();
        }

        assertThat(received)
                .extracting(RecordedRequest::getTarget)
                .as("the webhook the first failure never reached is tried again at the second")
                .containsExactly("/down/a", "/down/a", "/down/a", "/down/a", "/down/a", "/down/a");
        assertThat(SMTP.getReceivedMessages())
                .as("the address told at the first failure is not told again")
                .hasSize(1);
        Execution second = history(job).get(0);
        mvc.perform(get("/api/admin/scheduler/executions/{id}/notifications", second.id()))
                .andExpect(jsonPath("$.notifications[?(@.outcome == 'suppressed')].recipient")
                        .value(org.hamcrest.Matchers.contains("ops@example.com")));
    }

    @Test
    void aSlowWebhookHoldsUpNeitherTheOtherRecipientsNorOtherJobsNorTheChecks() throws Exception {
        Job slow = jobs.create(
                anIntervalJob("told-slowly", 60)
                        .notifications(new NotificationsJson(List.of(hook("/slow"), "ops@example.com"), List.of()))
                        .build(),
                "test");
        Job quick = jobs.create(
                anIntervalJob("told-quickly", 60)
                        .notifications(new NotificationsJson(List.of(hook("/quick")), List.of()))
                        .build(),
                "test");
        Job quiet = jobs.create(
                anIntervalJob("gone-quiet", 3600)
                        .disabled()
                        .notifications(new NotificationsJson(List.of(), List.of(hook("/alerts")), null, "PT2M", null))
                        .build(),
                "test");
        clock.advance(Duration.ofMinutes(2));
        engine.runDueOnce();

        notifier.dispatchPending();
        notifier.checkMissedRuns();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(received).extracting(RecordedRequest::getTarget).contains("/slow", "/quick", "/alerts");
            assertThat(SMTP.getReceivedMessages()).hasSize(1);
        });
        assertThat(slowReceiver.getCount())
                .as("the slow webhook is still answering")
                .isOne();
        slowReceiver.countDown();
        notifier.deliverPending();
        for (Job job : List.of(slow, quick)) {
            mvc.perform(get(
                            "/api/admin/scheduler/executions/{id}/notifications",
                            history(job).get(0).id()))
                    .andExpect(jsonPath("$.notifications[*].outcome", everyItem(is("sent"))));
        }
        mvc.perform(get("/api/admin/scheduler/jobs/{id}/notifications", quiet.id()))
                .andExpect(jsonPath("$.notifications[0].outcome").value("sent"));
    }

    /** Two webhooks on one host are shown alike, and are still two recipients: one added since is told. */
    @Test
    void aWebhookAddedDuringAnIncidentIsToldThoughAnotherOnItsHostWasToldAlready() throws Exception {
        Job job = jobs.create(
                anIntervalJob("two-channels", 60)
                        .template("test_fail", Map.of())
                        .notifications(new NotificationsJson(List.of(), List.of(hook("/team-a"))))
                        .build(),
                "test");
        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();
        notifier.deliverPending();
        var notifications = json().createObjectNode();
        notifications.putArray("on_failure").add(hook("/team-a")).add(hook("/team-b"));
        jobs.update(job.id(), json().createObjectNode().set("notifications", notifications), "test");

        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();
        notifier.deliverPending();

        assertThat(received).extracting(RecordedRequest::getTarget).containsExactly("/team-a", "/team-b");
        mvc.perform(get(
                        "/api/admin/scheduler/executions/{id}/notifications",
                        history(job).get(0).id()))
                .andExpect(jsonPath("$.notifications[?(@.outcome == 'suppressed')]")
                        .value(hasSize(1)))
                .andExpect(jsonPath("$.notifications[?(@.outcome == 'sent')]").value(hasSize(1)));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM notification_attempts WHERE recipient_key LIKE '%team%'"
                                + " OR recipient LIKE '%team%'")
                        .query(Long.class)
                        .single())
                .as("the webhook's secret path is kept nowhere in history")
                .isZero();
    }

    @Test
    void aNotificationThatCannotBeDeliveredIsRecordedAndNeverFailsTheJob() throws Exception {
        // a host that does not resolve may be saved (it may resolve later); the guard refuses it when sending
        Job job = jobs.create(
                anIntervalJob("steady", 60)
                        .notifications(new NotificationsJson(
                                List.of(hook("/down"), "http://hooks.unresolvable.invalid/hook"), List.of()))
                        .build(),
                "test");
        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();
        notifier.deliverPending();

        Execution run = history(job).get(0);
        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(received).as("tried three times").hasSize(3);
        mvc.perform(get("/api/admin/scheduler/executions/{id}/notifications", run.id()))
                .andExpect(jsonPath("$.notifications.length()").value(4))
                .andExpect(jsonPath("$.notifications[*].outcome", everyItem(is("failed"))))
                .andExpect(jsonPath("$.notifications[?(@.detail == 'HTTP 500: down')]")
                        .value(hasSize(3)))
                .andExpect(jsonPath("$.notifications[?(@.recipient == 'http://hooks.unresolvable.invalid/…')].detail")
                        .value(org.hamcrest.Matchers.contains(org.hamcrest.Matchers.startsWith("refused: "))));
        assertThat(jobs.get(job.id()).lastStatus()).isEqualTo("succeeded");
        assertThat(prometheus.scrape())
                .contains("almanac_notifications_total{channel=\"webhook\",namespace=\"default\",outcome=\"failed\"}");
    }

    @Test
    void badSettingsAreRefusedWithTheFieldNamed() throws Exception {
        mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name":"bad","template_type":"heartbeat","parameters":{},
                                 "schedule":{"type":"interval","interval_seconds":60},
                                 "notifications":{"on_failure":["not an address"],"on_retry":["slack:ftp://x"],
                                   "alert_if_no_success_within":"PT10S","auto_pause_after_failures":-1}}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[?(@.field == 'notifications.on_failure[0]')]")
                        .exists())
                .andExpect(jsonPath("$.errors[?(@.field == 'notifications.on_retry[0]')]")
                        .exists())
                .andExpect(jsonPath("$.errors[?(@.field == 'notifications.alert_if_no_success_within')]")
                        .exists())
                .andExpect(jsonPath("$.errors[?(@.field == 'notifications.auto_pause_after_failures')]")
                        .exists());
        mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name":"alert-nobody","template_type":"heartbeat","parameters":{},
                                 "schedule":{"type":"interval","interval_seconds":60},
                                 "notifications":{"alert_if_no_success_within":"PT1H"}}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("notifications.alert_if_no_success_within"))
                .andExpect(jsonPath("$.errors[0].message")
                        .value(org.hamcrest.Matchers.containsString("on_failure recipient")));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isZero();
    }

    @Test
    void anAddressTheMailerReadsAsTwoIsRefusedOnSaveAndOneSavedBeforeIsTriedOnce() throws Exception {
        for (String address : List.of("x,evil@example.com", "ops@example.com;evil@example.com", "<ops@example.com>")) {
            mvc.perform(post("/api/admin/scheduler/jobs")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content(json().writeValueAsString(Map.of(
                                    "name", "listy",
                                    "template_type", "heartbeat",
                                    "parameters", Map.of(),
                                    "schedule", Map.of("type", "interval", "interval_seconds", 60),
                                    "notifications", Map.of("on_failure", List.of("ops@example.com", address))))))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors.length()").value(1))
                    .andExpect(jsonPath("$.errors[0].field").value("notifications.on_failure[1]"));
        }
        // a job saved before addresses were checked strictly
        Job job = jobs.create(
                anIntervalJob("saved-before", 60)
                        .notifications(new NotificationsJson(List.of("ops@example.com"), List.of()))
                        .build(),
                "test");
        jdbc.sql("UPDATE jobs SET notifications = REPLACE(notifications, 'ops@example.com', 'x,evil@example.com')"
                        + " WHERE id = ?")
                .param(job.id().value())
                .update();
        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();
        notifier.deliverPending();

        assertThat(SMTP.getReceivedMessages()).isEmpty();
        mvc.perform(get(
                        "/api/admin/scheduler/executions/{id}/notifications",
                        history(job).get(0).id()))
                .andExpect(jsonPath("$.notifications.length()").value(1))
                .andExpect(jsonPath("$.notifications[0].outcome").value("failed"))
                .andExpect(jsonPath("$.notifications[0].detail")
                        .value(org.hamcrest.Matchers.startsWith("not a valid e-mail address")));
    }

    @Test
    void theSettingsRoundTripThroughTheApi() throws Exception {
        mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name":"watched","template_type":"heartbeat","parameters":{},
                                 "schedule":{"type":"interval","interval_seconds":60},
                                 "notifications":{"on_failure":["ops@example.com"],"on_retry":["slack:https://hooks.slack.com/services/T/B/x"],
                                   "alert_if_no_success_within":"pt26h","auto_pause_after_failures":5}}
                                """))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.notifications.on_success.length()").value(0))
                .andExpect(jsonPath("$.job.notifications.on_retry[0]").value("slack:https://hooks.slack.com/…"))
                .andExpect(jsonPath("$.job.notifications.alert_if_no_success_within")
                        .value("PT26H"))
                .andExpect(jsonPath("$.job.notifications.auto_pause_after_failures")
                        .value(5));
    }

    private String hook(String path) {
        return "http://localhost:" + server.getPort() + path;
    }

    /** Newest first. */
    // A failure whose retry never runs is final: when someone cancels the queued retry, or a newer slot of a job
    // with concurrency_policy: replace replaces it, the failure is told to on_failure as the last attempt's, once per
    // incident, as if no retry had been left.

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

    private tools.jackson.databind.json.JsonMapper json() {
        return tools.jackson.databind.json.JsonMapper.builder().build();
    }
}
