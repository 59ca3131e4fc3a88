package dev.almanac.notify;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import dev.almanac.engine.internal.Engine;
import dev.almanac.job.Job;
import dev.almanac.job.JobHealth;
import dev.almanac.job.JobId;
import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.job.JobService;
import dev.almanac.notify.internal.Notifier;
import dev.almanac.notify.internal.ScheduleHealth;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Schedule health, driven by the test clock and the engine's and notifier's manual steps: a problem shows on the job
 * list, the dashboard and in the gauges, and tells the job's recipients (GreenMail) once, then that it recovered.
 */
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
abstract class ScheduleHealthTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends ScheduleHealthTests {}

    @WithPostgres
    static class OnPostgres extends ScheduleHealthTests {}

    static final GreenMail SMTP = TestOutbound.SMTP;

    @DynamicPropertySource
    static void outbound(DynamicPropertyRegistry registry) {
        TestOutbound.register(registry);
        registry.add("almanac.notify.retry-backoff", () -> "0s");
    }

    @Autowired
    Engine engine;

    @Autowired
    Notifier notifier;

    @Autowired
    ScheduleHealth health;

    @Autowired
    JobService jobs;

    @Autowired
    JsonMapper json;

    @Autowired
    JobHealth jobHealth;

    @Autowired
    PrometheusMeterRegistry prometheus;

    @Autowired
    WebApplicationContext context;

    MockMvc pages;

    @BeforeEach
    void setUp() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        TestTemplates.Take.clock = clock;
        pages = securedMvc();
    }

    /** A test that fails while a run is blocked leaves no worker blocked for the next one. */
    @AfterEach
    void releaseBlockedRuns() {
        TestTemplates.Block.reset();
    }

    @Test
    void aJobThatRunsFiveTimesItsUsualTimeIsUnhealthyAndNotifiesOnceThenRecovers() throws Exception {
        Job job = aJobTelling("ops@example.com", "nightly-report", "test_take", Map.of("seconds", 10));
        for (int run = 0; run < 6; run++) {
            runNextSlot();
        }
        assertThat(SMTP.getReceivedMessages()).as("usual runs tell nothing").isEmpty();
        assertThat(problems(job)).isEmpty();

        takes(job, 50);
        runNextSlot();
        runNextSlot();

        assertThat(problems(job)).extracting(JobHealth.Problem::reason).containsExactly(JobHealth.SLOW);
        assertThat(problems(job).get(0).detail()).contains("a run took 50s", "p95 (10s) of its last 6");
        MimeMessage[] mails = SMTP.getReceivedMessages();
        assertThat(mails)
                .as("two slow runs are one incident, one message")
                .extracting(MimeMessage::getSubject)
                .containsExactly("[Almanac] Unhealthy: nightly-report (slow)");
        assertThat(GreenMailUtil.getBody(mails[0])).contains("Why: a run took 50s");

        assertThat(html("/jobs")).contains("health-cell").contains(">slow</span>");
        assertThat(html("/"))
                .contains("Unhealthy schedules")
                .contains("nightly-report")
                .contains("a run took 50s");
        health.check();
        assertThat(prometheus.scrape()).contains("almanac_jobs_unhealthy{reason=\"slow\"} 1.0");

        takes(job, 10);
        runNextSlot();

        assertThat(problems(job)).isEmpty();
        assertThat(SMTP.getReceivedMessages())
                .extracting(MimeMessage::getSubject)
                .containsExactly(
                        "[Almanac] Unhealthy: nightly-report (slow)", "[Almanac] Recovered: nightly-report (slow)");
        health.check();
        assertThat(prometheus.scrape()).contains("almanac_jobs_unhealthy{reason=\"slow\"} 0.0");
        assertThat(html("/")).contains("Every schedule is healthy");
    }

    @Test
    void aShortJobIsNotSlowUnderSlowAtLeastThoughItTookFiveTimesItsUsualAndRecoversUnderIt() throws Exception {
        Job job = aJobTelling("ops@example.com", "quick-sync", "test_take", Map.of("seconds", 1));
        for (int run = 0; run < 6; run++) {
            runNextSlot();
        }

        takes(job, 5);
        runNextSlot();
        assertThat(problems(job))
                .as("5 s: five times its usual 1 s, under slow-at-least's 10 s")
                .isEmpty();

        takes(job, 12);
        runNextSlot();
        assertThat(problems(job)).extracting(JobHealth.Problem::reason).containsExactly(JobHealth.SLOW);
        assertThat(problems(job).get(0).detail())
                .contains(
                        "a run took 12s, more than 10s, the shortest run counted as slow",
                        "3.0 × its p95 of 1s over the last 7 successful runs is only 3s");

        takes(job, 5);
        runNextSlot();
        assertThat(problems(job)).as("a successful run under the floor ends it").isEmpty();
        assertThat(SMTP.getReceivedMessages())
                .extracting(MimeMessage::getSubject)
                .containsExactly("[Almanac] Unhealthy: quick-sync (slow)", "[Almanac] Recovered: quick-sync (slow)");
    }

    @Test
    void anExpectedDurationUnderTheFloorStillJudgesARun() throws Exception {
        String created = mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name": "tight-export", "template_type": "test_take", "parameters": {"seconds": 3},
                                 "schedule": {"type": "interval", "interval_seconds": 600},
                                 "expected_duration": "2s"}
                                """))
                .andExpect(status().isCreated())
                .andReturn()
                .getResponse()
                .getContentAsString();
        Job job = jobs.find(new JobId(UUID.fromString(
                        json.readTree(created).path("job").path("id").asString())))
                .orElseThrow();

        runNextSlot();

        assertThat(problems(job)).extracting(JobHealth.Problem::reason).containsExactly(JobHealth.SLOW);
        assertThat(problems(job).get(0).detail()).contains("a run took 3s, more than its expected duration 2s");
    }

    @Test
    void anExpectedDurationSetThroughTheApiJudgesTheFirstRun() throws Exception {
        mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name": "export", "template_type": "test_take", "parameters": {"seconds": 120},
                                 "schedule": {"type": "interval", "interval_seconds": 600},
                                 "expected_duration": "1m",
                                 "notifications": {"on_failure": ["ops@example.com"]}}
                                """))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.expected_duration").value("PT1M"));
        mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name": "bad", "template_type": "test_take",
                                 "schedule": {"type": "interval", "interval_seconds": 600},
                                 "expected_duration": "soon"}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("expected_duration"));

        runNextSlot();

        assertThat(SMTP.getReceivedMessages())
                .extracting(MimeMessage::getSubject)
                .containsExactly("[Almanac] Unhealthy: export (slow)");
        assertThat(GreenMailUtil.getBody(SMTP.getReceivedMessages()[0]))
                .contains("a run took 2m, more than its expected duration 1m");
    }

    @Test
    void aRunStillGoingPastItsExpectedDurationIsSlowBeforeItEndsNotifiesOnceAndRecoversWithTheNextNormalRun()
            throws Exception {
        Job job = aJobTelling("ops@example.com", "long-export", "test_block", Map.of("key", "long-export"));
        jobs.update(job.id(), json.createObjectNode().put("expected_duration", "1m"), "test");
        clock.advance(Duration.ofMinutes(10));
        assertThat(engine.runDueOnceWithoutWaiting()).hasSize(1);

        clock.advance(Duration.ofSeconds(30));
        assertThat(health.check()).as("30s of the minute expected").isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(health.check()).as("90s and still running").isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        assertThat(health.check()).as("once").isZero();
        notifier.deliverPending();

        assertThat(problems(job)).extracting(JobHealth.Problem::reason).containsExactly(JobHealth.SLOW);
        assertThat(problems(job).get(0).detail())
                .contains("a run has been running for 1m30s", "more than its expected duration 1m");
        assertThat(SMTP.getReceivedMessages())
                .extracting(MimeMessage::getSubject)
                .containsExactly("[Almanac] Unhealthy: long-export (slow)");
        assertThat(html("/jobs")).contains(">slow</span>");

        TestTemplates.Block.release("long-export");
        engine.awaitIdle(Duration.ofSeconds(30));
        notifier.deliverPending();
        assertThat(problems(job))
                .as("it ended slow: still slow")
                .extracting(JobHealth.Problem::reason)
                .containsExactly(JobHealth.SLOW);
        assertThat(SMTP.getReceivedMessages()).as("its end tells nobody again").hasSize(1);

        runNextSlot();

        assertThat(problems(job)).isEmpty();
        assertThat(SMTP.getReceivedMessages())
                .extracting(MimeMessage::getSubject)
                .containsExactly("[Almanac] Unhealthy: long-export (slow)", "[Almanac] Recovered: long-export (slow)");
    }

    @Test
    void aRunStillGoingFiveTimesItsUsualIsNotSlowUnderSlowAtLeastAndIsSlowOnceItPassesIt() throws Exception {
        Job job = aJobTelling("ops@example.com", "quick-poll", "test_take", Map.of("seconds", 1));
        for (int run = 0; run < 6; run++) {
            runNextSlot();
        }
        jobs.update(
                job.id(),
                json.createObjectNode()
                        .put("template_type", "test_block")
                        .set("parameters", json.createObjectNode().put("key", "quick-poll")),
                "test");
        clock.advance(Duration.ofMinutes(10));
        assertThat(engine.runDueOnceWithoutWaiting()).hasSize(1);

        clock.advance(Duration.ofSeconds(5));
        assertThat(health.check())
                .as("running 5 s: five times its usual 1 s, under slow-at-least's 10 s")
                .isZero();
        assertThat(problems(job)).isEmpty();

        clock.advance(Duration.ofSeconds(7));
        assertThat(health.check()).as("the same run, 12 s and still running").isEqualTo(1);
        notifier.deliverPending();

        assertThat(problems(job)).extracting(JobHealth.Problem::reason).containsExactly(JobHealth.SLOW);
        assertThat(problems(job).get(0).detail())
                .contains(
                        "a run has been running for 12s",
                        "more than 10s, the shortest run counted as slow",
                        "3.0 × its p95 of 1s over the last 6 successful runs is only 3s");
        assertThat(SMTP.getReceivedMessages())
                .extracting(MimeMessage::getSubject)
                .containsExactly("[Almanac] Unhealthy: quick-poll (slow)");

        TestTemplates.Block.release("quick-poll");
        engine.awaitIdle(Duration.ofSeconds(30));
        notifier.deliverPending();
    }

    @Test
    void aDueSlotNobodyFiresMakesTheJobNeverFiredUntilItRuns() throws Exception {
        Job job = jobs.create(
                anIntervalJob("hourly-sync", 3600)
                        .template("test_take", Map.of("seconds", 1))
                        .misfire("skip", null)
                        .notifications(new NotificationsJson(List.of(), List.of("ops@example.com")))
                        .build(),
                "test");
        clock.advance(Duration.ofMinutes(62));
        assertThat(health.check())
                .as("due two minutes ago: within the 5 minutes allowed")
                .isZero();

        clock.advance(Duration.ofMinutes(10));
        assertThat(health.check()).isEqualTo(1);
        assertThat(health.check()).as("once").isZero();
        assertThat(problems(job)).extracting(JobHealth.Problem::reason).containsExactly(JobHealth.NEVER_FIRED);
        assertThat(problems(job).get(0).detail()).contains("it never ran");

        engine.runDueOnce();
        notifier.deliverPending();
        health.check();
        // the check queues its message; the test waits for it to be sent
        notifier.deliverPending();

        assertThat(problems(job)).extracting(JobHealth.Problem::reason).doesNotContain(JobHealth.NEVER_FIRED);
        assertThat(SMTP.getReceivedMessages())
                .extracting(MimeMessage::getSubject)
                .contains(
                        "[Almanac] Unhealthy: hourly-sync (never fired)",
                        "[Almanac] Recovered: hourly-sync (never fired)");
    }

    @Test
    void finalFailuresInARowMakeAJobFailingUntilItSucceeds() {
        Job job = jobs.create(
                anIntervalJob("flaky", 60)
                        .template("test_fail", Map.of("failures", 3))
                        .build(),
                "test");
        for (int slot = 0; slot < 3; slot++) {
            clock.advance(Duration.ofMinutes(1));
            engine.runDueOnce();
            notifier.deliverPending();
        }
        assertThat(problems(job)).extracting(JobHealth.Problem::reason).containsExactly(JobHealth.FAILING);
        assertThat(problems(job).get(0).detail()).isEqualTo("3 final failures in a row");

        clock.advance(Duration.ofMinutes(1));
        engine.runDueOnce();
        notifier.deliverPending();
        assertThat(problems(job)).isEmpty();
    }

    /** A job every 10 minutes whose failures (and health problems) are told to {@code recipient}. */
    private Job aJobTelling(String recipient, String name, String template, Map<String, Object> parameters) {
        return jobs.create(
                anIntervalJob(name, 600)
                        .template(template, parameters)
                        .notifications(new NotificationsJson(List.of(), List.of(recipient)))
                        .build(),
                "test");
    }

    private void runNextSlot() {
        clock.advance(Duration.ofMinutes(10));
        engine.runDueOnce();
        notifier.deliverPending();
    }

    private void takes(Job job, int seconds) {
        jobs.update(
                job.id(),
                json.createObjectNode()
                        .set("parameters", json.createObjectNode().put("seconds", seconds)),
                "test");
    }

    private List<JobHealth.Problem> problems(Job job) {
        return jobHealth.of(List.of(job.id())).getOrDefault(job.id(), List.of());
    }

    private String html(String path) throws Exception {
        return pages.perform(get(path))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
    }
}
