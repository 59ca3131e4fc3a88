package dev.almanac.testing;

import dev.almanac.calendar.Calendars;
import dev.almanac.execution.FinishedPerHour;
import dev.almanac.job.JobTotals;
import dev.almanac.security.NamespacePauses;
import dev.almanac.web.LocalWrites;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * The whole application on a real database, with a clock the test sets. A test class extends this, stays
 * abstract, and declares one subclass per database, annotated {@link WithH2} and {@link WithPostgres}, so the
 * same tests run on both.
 */
@SpringBootTest(
        properties = {
            "almanac.data-dir=target/test-data",
            "almanac.engine.enabled=false",
            "almanac.engine.retry-jitter=0",
            "almanac.engine.node-id=test-node"
        })
@AutoConfigureMockMvc
@Import({AlmanacIntegrationTest.TestClock.class, TemplateRuns.class})
public abstract class AlmanacIntegrationTest {

    public static final Instant START = Instant.parse("2026-06-01T10:00:00Z");

    @Autowired
    protected MutableClock clock;

    @Autowired
    protected JdbcClient jdbc;

    @Autowired
    private WebApplicationContext context;

    @Autowired
    private PasswordEncoder passwords;

    @Autowired
    private FinishedPerHour finished;

    @Autowired
    private LocalWrites writes;

    @Autowired
    private JobTotals totals;

    @Autowired
    private Calendars calendars;

    @Autowired
    private NamespacePauses namespacePauses;

    /** Acting as a role: {@code .with(logins.as(TestLogins.ADMIN))}. */
    protected TestLogins logins;

    /** The API as the test super admin ({@code test-super-admin}); {@code .with(logins.as(...))} acts otherwise. */
    protected MockMvc mvc;

    @Autowired
    private WebApplicationContext webContext;

    /**
     * The pages and the API as a browser or a client meets them: through the security filter chain, which {@link #mvc}
     * leaves out, with each request signed in as it says ({@code .with(user(...))}, a bearer token).
     */
    protected MockMvc securedMvc() {
        return MockMvcBuilders.webAppContextSetup(webContext)
                .apply(SecurityMockMvcConfigurers.springSecurity())
                .build();
    }

    @BeforeEach
    void startFromAnEmptyStoreAtAKnownTime() {
        clock.set(START);
        TestTemplates.Fail.reset();
        TestTemplates.Block.reset();
        for (String table : new String[] {
            "execution_logs",
            "notification_attempts",
            "notification_incidents",
            "artifacts",
            "executions",
            "job_dependencies",
            "job_triggers",
            "job_tags",
            "job_versions",
            "jobs",
            "script_versions",
            "scripts",
            "api_tokens",
            "users",
            "audit_events",
            "nodes",
            "calendars",
            "freezes"
        }) {
            jdbc.sql("DELETE FROM " + table).update();
        }
        // every namespace but the one the migration creates, which keeps no quotas
        jdbc.sql("DELETE FROM namespaces WHERE name <> 'default'").update();
        jdbc.sql("UPDATE namespaces SET quota_jobs = NULL, quota_manual_runs_per_hour = NULL,"
                        + " quota_runs_at_once = NULL, quota_history_days = NULL, quota_runs_per_job = NULL,"
                        + " paused_at = NULL, paused_until = NULL, pause_reason = NULL")
                .update();
        finished.forget();
        writes.changed();
        totals.forget();
        calendars.forget();
        namespacePauses.forget();
        logins = new TestLogins(jdbc, passwords);
        mvc = TestLogins.mvc(context, logins.token(TestLogins.SUPER_ADMIN));
    }

    /** Replaces the system clock for the whole application context. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class TestClock {
        @Bean
        @Primary
        MutableClock mutableClock() {
            return new MutableClock(START);
        }
    }

    /**
     * Writes (as an admin) and approves (as the super admin) the script {@code hello} that the script template's
     * example names, so tests that walk every template's example can create a job of it.
     */
    /**
     * The super admin's call of the API ({@code path} under {@code /api/admin/scheduler}) with a JSON {@code body} or
     * none, which must succeed; its answer's text.
     */
    protected String api(String method, String path, String body) throws Exception {
        var call = org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request(
                org.springframework.http.HttpMethod.valueOf(method), "/api/admin/scheduler" + path);
        if (body != null) {
            call.contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                    .content(body);
        }
        var response = mvc.perform(call).andReturn().getResponse();
        org.assertj.core.api.Assertions.assertThat(response.getStatus())
                .as(method + " " + path + ": " + response.getContentAsString())
                .isLessThan(300);
        return response.getContentAsString();
    }

    protected void approveTheExampleScript() throws Exception {
        String created = mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post(
                                "/api/admin/scheduler/scripts")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                        .content("{\"name\": \"hello\", \"language\": \"sh\", \"source\": \"echo hello\"}"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        String id = com.jayway.jsonpath.JsonPath.read(created, "$.id");
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post(
                        "/api/admin/scheduler/scripts/" + id + "/versions/1/approve")
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .content("{\"comment\": \"the example\"}"));
    }
}
