package dev.almanac.security;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.http.MediaType;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.test.context.TestPropertySource;

/** The limits with small configured values: manual runs, the job quota, the API rate, and Basic turned off. */
@WithH2
@TestPropertySource(
        properties = {
            "almanac.security.manual-runs-per-hour=2",
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
