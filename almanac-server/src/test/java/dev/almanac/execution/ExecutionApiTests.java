package dev.almanac.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.common.SchemaVersions;
import dev.almanac.engine.internal.Engine;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.ResultActions;

/** Running jobs by hand and reading their history through the REST API, on H2 and PostgreSQL. */
abstract class ExecutionApiTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends ExecutionApiTests {}

    @WithPostgres
    static class OnPostgres extends ExecutionApiTests {}

    static final String API = "/api/admin/scheduler";

    @Autowired
    Engine engine;

    @Autowired
    JdbcTemplate jdbcTemplate;

    @Test
    void runNowQueuesARunThatEndsWithItsLogVisible() throws Exception {
        String job = createJob("by-hand", "heartbeat", "{\"message\":\"scheduled\"}");
        String execution = run(job, "{\"parameters\":{\"message\":\"by hand\"}}")
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.message").value("Run of 'by-hand' queued"))
                .andReturn()
                .getResponse()
                .getContentAsString()
                .transform(body -> JsonPath.<String>read(body, "$.execution_id"));
        mvc.perform(get(API + "/executions/" + execution))
                .andExpect(jsonPath("$.execution.status").value("queued"))
                .andExpect(jsonPath("$.execution.triggered_by").value("manual:test-super-admin"));

        engine.runDueOnce();

        mvc.perform(get(API + "/executions/" + execution))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.execution.status").value("succeeded"))
                .andExpect(jsonPath("$.execution.parameters.message").value("by hand"))
                .andExpect(jsonPath("$.execution.slot_key").value(nullValue()))
                .andExpect(jsonPath("$.execution.result.status").value("succeeded"))
                .andExpect(jsonPath("$.execution.duration_ms").isNumber())
                .andExpect(jsonPath("$.logs[*].message", hasItem(containsString("by hand"))))
                .andExpect(jsonPath("$.logs[0].seq").value(1))
                .andExpect(jsonPath("$.logs[0].level").value("INFO"));
        mvc.perform(get(API + "/executions/" + execution).param("after_seq", "1"))
                .andExpect(jsonPath("$.logs[0].seq").value(2));
        mvc.perform(get(API + "/jobs/" + job))
                .andExpect(jsonPath("$.job.last_status").value("succeeded"))
                .andExpect(jsonPath("$.job.last_run_at").value("2026-06-01T10:00:00Z"));
    }

    @Test
    void aDryRunSaysWhatItWouldDoAndLeavesTheJobsLastStatusAlone() throws Exception {
        String job = createJob("dry", "heartbeat", "{}");
        String execution = idOf(
                run(job, "{\"dry_run\":true}").andExpect(jsonPath("$.message").value("Dry run of 'dry' queued")));
        engine.runDueOnce();
        mvc.perform(get(API + "/executions/" + execution))
                .andExpect(jsonPath("$.execution.dry_run").value(true))
                .andExpect(jsonPath("$.execution.status").value("succeeded"))
                .andExpect(jsonPath("$.execution.result.message", containsString("heartbeat")));
        mvc.perform(get(API + "/jobs/" + job))
                .andExpect(jsonPath("$.job.last_status").value(nullValue()));
    }

    @Test
    void validatesParameterOverridesLikeACreate() throws Exception {
        String job = createJob("strict", "heartbeat", "{}");
        run(job, "{\"parameters\":{\"message\":42,\"nope\":1}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field", hasItem("parameters.message")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("parameters.nope")));
        run("0195f3c2-7a4e-7b61-9d3a-4c2e8f1a6b10", "{}").andExpect(status().isNotFound());
        mvc.perform(get(API + "/executions")).andExpect(jsonPath("$.executions", hasSize(0)));
    }

    @Test
    void pagesHistoryNewestFirstWithACursor() throws Exception {
        String job = createJob("paged", "heartbeat", "{}");
        for (int i = 0; i < 5; i++) {
            run(job, "{}");
            clock.advance(Duration.ofSeconds(1));
        }
        engine.runDueOnce();

        String first = mvc.perform(get(API + "/executions").param("limit", "2").param("job_id", job))
                .andExpect(jsonPath("$.executions", hasSize(2)))
                .andExpect(jsonPath("$.executions[0].created_at").value("2026-06-01T10:00:04Z"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        String cursor = JsonPath.read(first, "$.next_before");
        mvc.perform(get(API + "/executions").param("limit", "2").param("before", cursor))
                .andExpect(jsonPath("$.executions[0].created_at").value("2026-06-01T10:00:02Z"));
        mvc.perform(get(API + "/executions").param("limit", "10").param("triggered_by", "manual"))
                .andExpect(jsonPath("$.executions", hasSize(5)))
                .andExpect(jsonPath("$.next_before").value(nullValue()));
        mvc.perform(get(API + "/jobs/" + job + "/executions")
                        .param("status", "succeeded")
                        .param("limit", "3"))
                .andExpect(jsonPath("$.total").value(5))
                .andExpect(jsonPath("$.executions", hasSize(3)));
        mvc.perform(get(API + "/executions")
                        .param("status", "done")
                        .param("from", "yesterday")
                        .param("before", "x"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field", hasItem("status")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("from")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("before")));
    }

    @Test
    void cancelsAndDeletesOnlyWhatTheLifecycleAllows() throws Exception {
        String job = createJob("blocker", "test_block", "{\"key\":\"api-block\"}");
        String running = idOf(run(job, "{}"));
        String queued = idOf(run(job, "{}"));
        engine.runDueOnceWithoutWaiting();

        mvc.perform(delete(API + "/executions/" + runningOrQueued(running, queued, "running")))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail", containsString("is running")));
        mvc.perform(post(API + "/executions/" + runningOrQueued(running, queued, "running") + "/cancel"))
                .andExpect(status().isAccepted())
                .andExpect(jsonPath("$.execution.cancel_requested").value(true));
        TestTemplates.Block.release("api-block");
        engine.awaitIdle(Duration.ofSeconds(10));

        mvc.perform(post(API + "/executions/" + running + "/cancel")).andExpect(status().isConflict());
        mvc.perform(delete(API + "/executions/" + running))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.message").value("Execution deleted"));
        mvc.perform(get(API + "/executions/" + running)).andExpect(status().isNotFound());
        mvc.perform(get(API + "/executions/not-an-id")).andExpect(status().isNotFound());
    }

    @Test
    void theStatusShowsAChangeMadeThroughTheApiAtOnce() throws Exception {
        mvc.perform(get(API + "/status")).andExpect(jsonPath("$.jobs.total").value(0));
        String job = createJob("one", "heartbeat", "{}");
        mvc.perform(get(API + "/status")).andExpect(jsonPath("$.jobs.total").value(1));
        run(job, "{}");
        mvc.perform(get(API + "/status")).andExpect(jsonPath("$.queued").value(1));
    }

    @Test
    void reportsStatusOfJobsRunsLatenessAndNodes() throws Exception {
        createJob("one", "heartbeat", "{}");
        String failing = createJob("two", "test_fail", "{}");
        run(failing, "{}");
        engine.runDueOnce();

        mvc.perform(get(API + "/status"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.jobs.total").value(2))
                .andExpect(jsonPath("$.jobs.enabled").value(2))
                .andExpect(jsonPath("$.running").value(0))
                .andExpect(jsonPath("$.queued").value(0))
                .andExpect(jsonPath("$.last_24h.failed").value(1))
                .andExpect(jsonPath("$.last_24h.success_rate").value(0.0))
                .andExpect(jsonPath("$.lateness.samples").value(1))
                .andExpect(jsonPath("$.lateness.p99_ms").value(0))
                .andExpect(jsonPath("$.nodes[0].id").value("test-node"))
                .andExpect(jsonPath("$.nodes[0].alive").value(true))
                // run from classes, not a jar: no manifest version
                .andExpect(jsonPath("$.nodes[0].almanac_version").value("development"))
                .andExpect(jsonPath("$.nodes[0].schema_version").value(SchemaVersions.latestKnown()));
    }

    private String runningOrQueued(String a, String b, String wanted) throws Exception {
        String statusOfA = JsonPath.read(
                mvc.perform(get(API + "/executions/" + a))
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.execution.status");
        return statusOfA.equals(wanted) ? a : b;
    }

    @Test
    void aLogLongerThanOneAnswerSaysMoreFollowAndIsReadOnWithAfterSeq() throws Exception {
        String execution = idOf(run(createJob("chatty", "heartbeat", "{}"), "{}"));
        engine.runDueOnce();
        int written = jdbc.sql("SELECT MAX(seq) FROM execution_logs WHERE execution_id = ?")
                .param(UUID.fromString(execution))
                .query(Integer.class)
                .single();
        // as a run that logged up to the limit and then its truncation marker leaves them
        int total = 10_001;
        Timestamp at = Timestamp.from(START);
        jdbcTemplate.batchUpdate(
                "INSERT INTO execution_logs (execution_id, seq, logged_at, log_level, message) VALUES (?, ?, ?, ?, ?)",
                IntStream.rangeClosed(written + 1, total)
                        .mapToObj(seq -> new Object[] {
                            UUID.fromString(execution),
                            seq,
                            at,
                            seq == total ? "WARN" : "INFO",
                            seq == total ? "log truncated: this execution logged more than 10000 lines" : "line " + seq
                        })
                        .toList());

        mvc.perform(get(API + "/executions/" + execution))
                .andExpect(jsonPath("$.logs", hasSize(10_000)))
                .andExpect(jsonPath("$.more_logs").value(true));
        mvc.perform(get(API + "/executions/" + execution).param("after_seq", "10000"))
                .andExpect(jsonPath("$.logs", hasSize(1)))
                .andExpect(jsonPath("$.logs[0].message").value(containsString("log truncated")))
                .andExpect(jsonPath("$.more_logs").value(false));

        assertThat(page(execution + "/logs?after_seq=10000", false))
                .contains("log truncated")
                .doesNotContain("log-more");
    }

    @Test
    void theRunPageShowsALongLogAPageAtATimeWithAJumpToItsLastLines() throws Exception {
        String execution = idOf(run(createJob("long-log", "heartbeat", "{}"), "{}"));
        engine.runDueOnce();
        jdbcTemplate.update("DELETE FROM execution_logs WHERE execution_id = ?", UUID.fromString(execution));
        jdbcTemplate.update(
                "UPDATE executions SET error = 'killed: ran past its timeout' WHERE id = ?",
                UUID.fromString(execution));
        Timestamp at = Timestamp.from(START);
        jdbcTemplate.batchUpdate(
                "INSERT INTO execution_logs (execution_id, seq, logged_at, log_level, message) VALUES (?, ?, ?, ?, ?)",
                IntStream.rangeClosed(1, 2500)
                        .mapToObj(
                                seq -> new Object[] {UUID.fromString(execution), seq, at, "INFO", "line " + seq + "."})
                        .toList());

        String first = page(execution, false);
        assertThat(rows(first)).isEqualTo(1000);
        assertThat(first)
                .contains("line 1.", "line 1000.", "id=\"execution-error\">killed: ran past its timeout<")
                .doesNotContain("line 1001.")
                .contains("/executions/" + execution + "/logs?after_seq=1000&amp;")
                .contains("href=\"/executions/" + execution + "?tail=true&amp;level=#log-heading\"");
        assertThat(first.indexOf("execution-error")).isLessThan(first.indexOf("log-lines"));
        // the next page through htmx, as the link asks for it
        String next = page(execution + "/logs?after_seq=1000", true);
        assertThat(rows(next)).isEqualTo(1000);
        assertThat(next).contains("line 1001.", "line 2000.", "/logs?after_seq=2000&amp;");

        for (boolean htmx : new boolean[] {false, true}) {
            String last = htmx
                    ? page(execution + "/logs?after_seq=1000&tail=true", true)
                    : page(execution + "?tail=true", false);
            int skippedFrom = htmx ? 1001 : 1;
            assertThat(rows(last)).isEqualTo(1000);
            assertThat(last)
                    .contains("line 1501.", "line 2500.")
                    .doesNotContain("line 1500.", "id=\"log-more\"")
                    .contains("Lines " + skippedFrom + " to 1500 are not shown: show them")
                    .contains("/logs?after_seq=" + (skippedFrom - 1) + "&amp;before_seq=1501&amp;");
        }
        String gap = page(execution + "/logs?after_seq=0&before_seq=1501", true);
        assertThat(rows(gap)).isEqualTo(1000);
        assertThat(gap).contains("id=\"log-gap\"", "/logs?after_seq=1000&amp;before_seq=1501&amp;");
        String restOfGap = page(execution + "/logs?after_seq=1000&before_seq=1501", true);
        assertThat(rows(restOfGap)).isEqualTo(500);
        assertThat(restOfGap)
                .contains("line 1001.", "line 1500.")
                .doesNotContain("line 1501.", "log-gap", "log-more", "log-tail");
    }

    private String page(String path, boolean htmx) throws Exception {
        var request = get("/executions/" + path).with(user("root").roles("SUPER_ADMIN"));
        return securedMvc()
                .perform(htmx ? request.header("HX-Request", "true") : request)
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
    }

    private static int rows(String html) {
        return html.split("class=\"level-").length - 1;
    }

    private String createJob(String name, String template, String parameters) throws Exception {
        String body = """
                {"name":"%s","template_type":"%s","parameters":%s,
                 "schedule":{"type":"interval","interval_seconds":86400}}
                """.formatted(name, template, parameters);
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

    private ResultActions run(String job, String body) throws Exception {
        return mvc.perform(post(API + "/jobs/" + job + "/run")
                .contentType(MediaType.APPLICATION_JSON)
                .content(body));
    }

    private static String idOf(ResultActions accepted) throws Exception {
        return JsonPath.read(accepted.andReturn().getResponse().getContentAsString(), "$.execution_id");
    }
}
