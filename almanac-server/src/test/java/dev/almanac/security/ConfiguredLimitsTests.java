package dev.almanac.security;

import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.jobfile.JobsFile;
import dev.almanac.security.internal.AdminBootstrap;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.http.MediaType;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.context.WebApplicationContext;

/** The limits with small configured values: manual runs, the job quota, the API rate, and Basic turned off. */
@WithH2
@TestPropertySource(
        properties = {
            "almanac.security.manual-runs-per-hour=2",
            "almanac.security.dry-runs-per-hour=3",
            "almanac.security.job-quota=2",
            "almanac.security.api-requests-per-minute=30",
            "almanac.security.basic-auth-enabled=false",
            "almanac.security.admin-password=the configured admin password"
        })
class ConfiguredLimitsTests extends AlmanacIntegrationTest {

    static final String API = "/api/admin/scheduler";

    @Autowired
    AdminBootstrap bootstrap;

    @Autowired
    PasswordEncoder passwords;

    @Autowired
    JobsFile jobsFile;

    @Autowired
    WebApplicationContext context;

    @Test
    void manualRunsAreLimitedPerUserPerHourWithRetryAfter() throws Exception {
        String job = create("runs");
        mvc.perform(post(API + "/jobs/" + job + "/run")).andExpect(status().isAccepted());
        clock.advance(Duration.ofMinutes(10));
        mvc.perform(post(API + "/jobs/" + job + "/run")).andExpect(status().isAccepted());
        clock.advance(Duration.ofMinutes(10));

        mvc.perform(post(API + "/jobs/" + job + "/run"))
                .andExpect(status().isTooManyRequests())
                .andExpect(header().string("Retry-After", "2400"))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("at most 2 manual runs")));
        mvc.perform(post(API + "/jobs/" + job + "/run").with(logins.as(TestLogins.ADMIN)))
                .andExpect(status().isAccepted());

        clock.advance(Duration.ofMinutes(41));
        mvc.perform(post(API + "/jobs/" + job + "/run")).andExpect(status().isAccepted());
    }

    @Test
    void aBackfillCountsAsOneManualRunAgainstThePerUserLimit() throws Exception {
        String job = create("backfilled");
        String range = "{\"from\":\"2026-06-01T08:00:00Z\",\"to\":\"2026-06-01T08:30:00Z\"}";
        mvc.perform(post(API + "/jobs/" + job + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(range))
                .andExpect(status().isCreated());
        mvc.perform(post(API + "/jobs/" + job + "/run")).andExpect(status().isAccepted());

        mvc.perform(post(API + "/jobs/" + job + "/run"))
                .andExpect(status().isTooManyRequests())
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("at most 2 manual runs")));
        mvc.perform(post(API + "/jobs/" + job + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"from\":\"2026-06-01T09:00:00Z\",\"to\":\"2026-06-01T09:30:00Z\"}"))
                .andExpect(status().isTooManyRequests());
    }

    @Test
    void dryRunsSpendALimitOfTheirOwnAndTheJobPageSaysHowManyRunsAreLeft() throws Exception {
        String job = create("tried");
        for (int i = 0; i < 3; i++) {
            mvc.perform(post(API + "/jobs/" + job + "/run")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"dry_run\":true}"))
                    .andExpect(status().isAccepted());
        }
        mvc.perform(post(API + "/jobs/" + job + "/run")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"dry_run\":true}"))
                .andExpect(status().isTooManyRequests())
                .andExpect(header().string("Retry-After", "3600"))
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("at most 3 dry runs")));

        MockMvc ui = securedMvc();
        ui.perform(get("/jobs/" + job).with(user("test-super-admin").roles("SUPER_ADMIN")))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("You have 2 manual runs left")));
        mvc.perform(post(API + "/jobs/" + job + "/run")).andExpect(status().isAccepted());
        ui.perform(get("/jobs/" + job).with(user("test-super-admin").roles("SUPER_ADMIN")))
                .andExpect(content().string(org.hamcrest.Matchers.containsString("You have 1 manual run left")));
        mvc.perform(get(API + "/audit").param("action", "job.dry_run"))
                .andExpect(jsonPath("$.events.length()").value(3));
    }

    @Test
    void theJobQuotaRefusesANewJobWithAClearProblemUntilOneIsDeleted() throws Exception {
        String first = create("one");
        create("two");
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content(body("three")))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail")
                        .value("job quota reached: 'test-super-admin' has 2 jobs and the quota is 2; delete jobs,"
                                + " or raise ALMANAC_SECURITY_JOB_QUOTA"));
        mvc.perform(delete(API + "/jobs/" + first)).andExpect(status().isOk());
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content(body("three")))
                .andExpect(status().isCreated());
    }

    @Test
    void concurrentCreatesOfOneUserStopAtTheJobQuota() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(10);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String name = "racer-" + i;
                answers.add(pool.submit(() -> {
                    start.await();
                    return mvc.perform(post(API + "/jobs")
                                    .contentType(MediaType.APPLICATION_JSON)
                                    .content(body(name)))
                            .andReturn()
                            .getResponse()
                            .getStatus();
                }));
            }
            start.countDown();
            List<Integer> statuses = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Integer> answer : answers) {
                statuses.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            Assertions.assertThat(statuses)
                    .containsOnly(201, 403)
                    .filteredOn(s -> s == 201)
                    .hasSize(2);
        } finally {
            pool.shutdownNow();
        }
        Assertions.assertThat(jobCount()).isEqualTo(2);
    }

    @Test
    void theQuotaHoldsForAClone() throws Exception {
        String first = create("one");
        create("two");

        mvc.perform(post(API + "/jobs/" + first + "/clone"))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.startsWith("job quota reached")));
        Assertions.assertThat(jobCount()).isEqualTo(2);
    }

    @Test
    void theImportPlanShowsTheJobsOverTheQuotaAndTheApplyStoresNone() throws Exception {
        create("one");
        String file = """
                {"jobs":[%s,%s,%s]}""".formatted(body("one"), body("two"), body("three"));

        mvc.perform(post(API + "/jobs/import?mode=plan")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(file))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.summary.create").value(1))
                .andExpect(jsonPath("$.summary.invalid").value(1))
                .andExpect(jsonPath("$.jobs[1].action").value("create"))
                .andExpect(jsonPath("$.jobs[2].name").value("three"))
                .andExpect(jsonPath("$.jobs[2].action").value("invalid"))
                .andExpect(jsonPath("$.jobs[2].errors[0].message")
                        .value("over the job quota: 'test-super-admin' has 1 jobs and the quota is 2; this file may"
                                + " create at most 1"));

        mvc.perform(post(API + "/jobs/import?mode=apply")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(file))
                .andExpect(status().isForbidden())
                .andExpect(
                        header().string("Content-Type", org.hamcrest.Matchers.startsWith("application/problem+json")))
                .andExpect(jsonPath("$.detail")
                        .value("job quota reached: this would create 2 jobs, 'test-super-admin' has 1 jobs and the"
                                + " quota is 2 (room for 1); nothing was stored; delete jobs, or raise"
                                + " ALMANAC_SECURITY_JOB_QUOTA"));
        Assertions.assertThat(jobCount()).isEqualTo(1);
        Assertions.assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied'"
                                + " AND outcome = 'denied' AND actor = 'test-super-admin'")
                        .query(Long.class)
                        .single())
                .as("the refusal is audited")
                .isEqualTo(1);

        mvc.perform(post(API + "/jobs/import?mode=apply")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"jobs":[%s]}""".formatted(body("two"))))
                .andExpect(status().isOk());
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content(body("three")))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("has 2 jobs")));
    }

    @Test
    void theImportPageShowsTheJobsOverTheQuotaAndTheWizardAndItsCloneAreHeldToIt() throws Exception {
        String first = create("one");
        MockMvc ui = MockMvcBuilders.webAppContextSetup(context)
                .apply(SecurityMockMvcConfigurers.springSecurity())
                .defaultRequest(get("/").with(user("test-super-admin").roles("SUPER_ADMIN")))
                .build();

        String plan = ui.perform(
                        post("/import/plan").with(csrf()).param("text", """
                                {"jobs":[%s,%s]}""".formatted(body("two"), body("three"))))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        Assertions.assertThat(plan).contains("over the job quota");
        ui.perform(post("/import/apply").with(csrf()).param("text", """
                                {"jobs":[%s,%s]}""".formatted(body("two"), body("three"))))
                .andExpect(status().isForbidden());
        Assertions.assertThat(jobCount()).isEqualTo(1);

        create("two");
        Assertions.assertThat(ui.perform(get("/jobs/" + first + "/clone"))
                        .andExpect(status().isOk())
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("one copy");
        LinkedMultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("template_type", "heartbeat");
        form.add("name", "one copy");
        form.add("schedule_kind", "interval");
        form.add("interval_value", "1");
        form.add("interval_unit", "hours");
        form.add("timezone", "UTC");
        form.add("concurrency_policy", "forbid");
        form.add("misfire_policy", "run_once");
        form.add("enabled", "true");
        form.add("step", "5");
        form.add("_action", "save");
        ui.perform(post("/jobs/wizard").with(csrf()).params(form))
                .andExpect(status().isForbidden())
                .andExpect(content().string(org.hamcrest.Matchers.containsString("job quota reached")));
        Assertions.assertThat(jobCount()).isEqualTo(2);
    }

    @Test
    void theJobsFileAppliedAtStartAsSystemIsNotHeldToTheQuota(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jobs.json");
        Files.writeString(file, """
                {"jobs":[%s,%s,%s]}""".formatted(body("one"), body("two"), body("three")));

        jobsFile.apply(file);

        Assertions.assertThat(jobCount()).isEqualTo(3);
        // someone over the quota (jobs handed over, or stored before it held everywhere) is told the true count
        jdbc.sql("UPDATE jobs SET created_by = 'test-super-admin'").update();
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content(body("four")))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("has 3 jobs")));
    }

    @Test
    void theApiRateLimitAnswers429WithRetryAfterPerToken() throws Exception {
        String token = logins.token("hasty", TestLogins.ADMIN, false);
        for (int i = 0; i < 30; i++) {
            mvc.perform(get(API + "/me").with(TestLogins.bearer(token))).andExpect(status().isOk());
        }
        mvc.perform(get(API + "/me").with(TestLogins.bearer(token)))
                .andExpect(status().isTooManyRequests())
                .andExpect(header().exists("Retry-After"))
                .andExpect(
                        header().string("Content-Type", org.hamcrest.Matchers.startsWith("application/problem+json")));
        mvc.perform(get(API + "/me").with(logins.as(TestLogins.ADMIN))).andExpect(status().isOk());
    }

    @Test
    void basicAuthenticationCanBeTurnedOffAndTheAdminPasswordComesFromConfiguration() throws Exception {
        jdbc.sql("DELETE FROM users").update();
        bootstrap.run(new DefaultApplicationArguments());
        String hash = jdbc.sql("SELECT password_hash FROM users WHERE username = 'admin'")
                .query(String.class)
                .single();
        Assertions.assertThat(passwords.matches("the configured admin password", hash))
                .isTrue();

        String basic = "Basic "
                + Base64.getEncoder()
                        .encodeToString("admin:the configured admin password".getBytes(StandardCharsets.UTF_8));
        mvc.perform(get(API + "/me").with(request -> {
                    request.removeHeader("Authorization");
                    request.addHeader("Authorization", basic);
                    return request;
                }))
                .andExpect(status().isUnauthorized());
    }

    private long jobCount() {
        return jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single();
    }

    private String create(String name) throws Exception {
        return JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(body(name)))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
    }

    private static String body(String name) {
        return """
                {"name":"%s","template_type":"heartbeat","schedule":{"type":"interval","interval_seconds":60}}""".formatted(name);
    }
}
