package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;

/** The engine on its own threads and the real clock, as a user meets it: through the API, on H2 and PostgreSQL. */
@SpringBootTest(
        properties = {
            "almanac.data-dir=target/test-data",
            "almanac.engine.enabled=true",
            "almanac.engine.node-id=live-node"
        })
@AutoConfigureMockMvc
abstract class LiveEngineTests {

    @WithH2
    static class OnH2 extends LiveEngineTests {}

    @WithPostgres
    static class OnPostgres extends LiveEngineTests {}

    static final String API = "/api/admin/scheduler";

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WebApplicationContext context;

    @Autowired
    PasswordEncoder passwords;

    MockMvc mvc;

    @BeforeEach
    void startFromAnEmptyStore() {
        for (String table : List.of(
                "execution_logs",
                "executions",
                "job_dependencies",
                "job_triggers",
                "job_tags",
                "job_versions",
                "jobs")) {
            jdbc.sql("DELETE FROM " + table).update();
        }
        mvc = TestLogins.mvc(context, new TestLogins(jdbc, passwords).token(TestLogins.SUPER_ADMIN));
    }

    @Test
    void aJobEverySecondShowsASucceededExecutionWithinTwoSeconds() throws Exception {
        long created = System.nanoTime();
        String job = create("every-second", "{\"type\":\"interval\",\"interval_seconds\":1}");

        await().atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> succeeded(job) > 0);

        assertThat(Duration.ofNanos(System.nanoTime() - created)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aRunRequestedThroughTheApiReachesAFinalStateWithItsLogs() throws Exception {
        String job = create("on-demand", "{\"type\":\"cron\",\"expression\":\"0 0 1 1 *\"}");
        String execution = JsonPath.read(
                mvc.perform(post(API + "/jobs/" + job + "/run"))
                        .andExpect(status().isAccepted())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.execution_id");

        await().atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> "succeeded".equals(JsonPath.read(detail(execution), "$.execution.status")));
        List<String> logs = JsonPath.read(detail(execution), "$.logs[*].message");
        assertThat(logs).anyMatch(line -> line.contains("heartbeat"));
    }

    private String create(String name, String schedule) throws Exception {
        String body = "{\"name\":\"%s\",\"template_type\":\"heartbeat\",\"schedule\":%s}".formatted(name, schedule);
        return JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(body))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
    }

    private int succeeded(String job) throws Exception {
        String body = mvc.perform(get(API + "/jobs/" + job + "/executions").param("status", "succeeded"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        return JsonPath.<Integer>read(body, "$.total");
    }

    private String detail(String execution) throws Exception {
        return mvc.perform(get(API + "/executions/" + execution))
                .andReturn()
                .getResponse()
                .getContentAsString();
    }
}
