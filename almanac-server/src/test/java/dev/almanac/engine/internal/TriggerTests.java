package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.JobId;
import dev.almanac.target.internal.DemoDatabase;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.web.context.WebApplicationContext;

/**
 * Triggers on outcomes through the API, with the clock set and the engine stepped by hand: conditions over the
 * upstream result, final failures, fan-in, results passed on, cycles and CEL errors refused, depends_on as before.
 */
abstract class TriggerTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends TriggerTests {
        @Autowired
        DemoDatabase demo;

        @DynamicPropertySource
        static void outbound(DynamicPropertyRegistry registry) {
            TestOutbound.register(registry);
        }

        @Override
        String target() {
            return "demo";
        }

        @Override
        void recreate() throws Exception {
            demo.recreate(START);
        }
    }

    @WithPostgres
    static class OnPostgres extends TriggerTests {
        static final String SCHEMA = PostgresTestDatabase.scratchSchema("chain");

        @DynamicPropertySource
        static void sampleTarget(DynamicPropertyRegistry registry) {
            TestOutbound.register(registry);
            registry.add("almanac.targets.sample.url", OnPostgres::url);
            registry.add("almanac.targets.sample.user", () -> PostgresTestDatabase.USER);
            registry.add("almanac.targets.sample.password", () -> PostgresTestDatabase.PASSWORD);
            registry.add("almanac.targets.sample.tables.sessions", () -> "id,user_id,ip_address,created_at");
            registry.add("almanac.targets.sample.tables.tickets", () -> "id,status,priority,created_at,resolved_at");
            registry.add("almanac.targets.sample.tables.logs", () -> "id,level,source,created_at");
        }

        static String url() {
            return PostgresTestDatabase.URL + "?currentSchema=" + SCHEMA;
        }

        @Override
        String target() {
            return "sample";
        }

        @Override
        void recreate() throws Exception {
            try (Connection c = DriverManager.getConnection(
                            PostgresTestDatabase.URL, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD);
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
                s.execute("CREATE SCHEMA " + SCHEMA);
            }
            try (Connection c =
                    DriverManager.getConnection(url(), PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD)) {
                DemoDatabase.create(c, START, 500);
            }
        }
    }

    static final String JOBS = "/api/admin/scheduler/jobs";

    abstract String target();

    abstract void recreate() throws Exception;

    @Autowired
    Engine engine;

    @Autowired
    ExecutionService executions;

    @Autowired
    WebApplicationContext context;

    MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aCleanupThatDeletedRowsTriggersTheReportAndPassesItsCountOnAndOneThatDeletedNoneDoesNot() throws Exception {
        recreate();
        String cleanup = idOf(create("""
                {"name":"cleanup","template_type":"database_cleanup",
                 "parameters":{"target":"%s","table":"sessions","date_column":"created_at","older_than":90,
                               "dry_run":false},
                 "schedule":{"type":"interval","interval_seconds":86400}}
                """.formatted(target())));
        String report = idOf(create("""
                {"name":"report","template_type":"heartbeat","parameters":{"message":"report"},
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "triggers":[{"job":"cleanup","on":"succeeded","condition":"result.records_affected > 0"}]}
                """));
        String hook = idOf(create("""
                {"name":"tell","template_type":"webhook_trigger",
                 "parameters":{"url":"%s","method":"POST",
                               "body":{"deleted":"{{upstream.cleanup.result.records_affected}}",
                                       "table":"{{upstream.cleanup.result.details.table}}"}},
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "triggers":[{"job":"%s"}]}
                """.formatted(server.url("/hook"), cleanup)));
        mvc.perform(get(JOBS + "/" + report))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.triggers[0].job").value("cleanup"))
                .andExpect(jsonPath("$.job.triggers[0].job_id").value(cleanup))
                .andExpect(jsonPath("$.job.triggers[0].on").value("succeeded"))
                .andExpect(jsonPath("$.job.triggers[0].condition").value("result.records_affected > 0"))
                .andExpect(jsonPath("$.job.trigger_mode").value("any"));
        // a list reads a chained job again whole: the filtered list (one statement) and the plain one (by id)
        mvc.perform(get(JOBS).param("search", "report"))
                .andExpect(jsonPath("$.jobs[0].triggers[0].job").value("cleanup"))
                .andExpect(jsonPath("$.jobs[0].triggers[0].condition").value("result.records_affected > 0"));
        mvc.perform(get(JOBS))
                .andExpect(jsonPath("$.jobs[?(@.name == 'tell')].triggers[0].job", contains("cleanup")))
                .andExpect(jsonPath("$.jobs[?(@.name == 'cleanup')].triggers", contains(empty())));
        server.enqueue(new MockResponse.Builder().code(200).build());
        server.enqueue(new MockResponse.Builder().code(200).build());

        runNow(cleanup);
        Execution first = only(history(cleanup));
        assertThat(first.status()).as(first.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        long deleted = ((Number) first.result().get("records_affected")).longValue();
        assertThat(deleted).isPositive();
        Execution reported = only(history(report));
        assertThat(reported.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(reported.triggeredBy()).isEqualTo("dependency:" + first.id());
        Execution told = only(history(hook));
        assertThat(told.status()).as(told.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        java.util.Map<?, ?> body = (java.util.Map<?, ?>) told.parameters().get("body");
        assertThat(((Number) body.get("deleted")).longValue()).isEqualTo(deleted);
        assertThat(body.get("table")).isEqualTo("sessions");
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getBody().utf8()).contains("\"deleted\":" + deleted);

        runNow(cleanup);
        Execution second = history(cleanup).get(0);
        assertThat(second.result().get("records_affected")).isEqualTo(0);
        assertThat(history(report)).hasSize(1);
        assertThat(history(hook)).hasSize(2);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getBody().utf8()).contains("\"deleted\":0");
    }

    @Test
    void aNotificationFiresOnTheFinalFailureOfEitherOfTwoJobs() throws Exception {
        String flaky = idOf(create("""
                {"name":"flaky","template_type":"test_fail","parameters":{"key":"flaky"},
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "retry_policy":{"max_retries":1,"retry_delay_seconds":60}}
                """));
        String broken = idOf(create("""
                {"name":"broken","template_type":"test_fail","parameters":{"key":"broken"},
                 "schedule":{"type":"interval","interval_seconds":86400}}
                """));
        String notify = idOf(create("""
                {"name":"notify","template_type":"heartbeat","parameters":{"message":"something failed"},
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "triggers":[{"job":"flaky","on":"failed"},{"job":"broken","on":"failed",
                              "condition":"status == 'failed' && job.name == 'broken'"}]}
                """));

        runNow(flaky);
        assertThat(history(flaky)).extracting(Execution::status).contains(ExecutionStatus.FAILED);
        assertThat(history(notify))
                .as("a failure with a retry to come is not final")
                .isEmpty();

        clock.advance(Duration.ofSeconds(61));
        engine.runDueOnce();
        assertThat(history(flaky))
                .extracting(Execution::status)
                .containsExactly(ExecutionStatus.FAILED, ExecutionStatus.FAILED);
        Execution finalFailure = history(flaky).get(0);
        assertThat(only(history(notify)).triggeredBy()).isEqualTo("dependency:" + finalFailure.id());

        runNow(broken);
        assertThat(history(notify)).hasSize(2);
        assertThat(history(notify).get(0).triggeredBy())
                .isEqualTo("dependency:" + only(history(broken)).id());
    }

    @Test
    void aFanInRunsOnceAfterBothUpstreamsSucceededWithinItsWindow() throws Exception {
        String extract = idOf(create(heartbeat("extract")));
        String load = idOf(create(heartbeat("load")));
        String publish = idOf(create("""
                {"name":"publish","template_type":"heartbeat","parameters":{"message":"both done"},
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "triggers":[{"job":"extract"},{"job":"load","on":"succeeded"}],
                 "trigger_mode":"all","trigger_window":"PT1H"}
                """));
        mvc.perform(get(JOBS + "/" + publish))
                .andExpect(jsonPath("$.job.trigger_mode").value("all"))
                .andExpect(jsonPath("$.job.trigger_window").value("PT1H"))
                .andExpect(jsonPath("$.job.waiting_for.length()").value(2));
        String read =
                mvc.perform(get(JOBS + "/" + publish)).andReturn().getResponse().getContentAsString();
        String asRead = new tools.jackson.databind.ObjectMapper()
                .readTree(read)
                .get("job")
                .toString();
        update(publish, asRead)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.message").value("Job 'publish' unchanged"));

        runNow(extract);
        assertThat(history(publish)).isEmpty();
        mvc.perform(get(JOBS + "/" + publish))
                .andExpect(jsonPath("$.job.waiting_for.length()").value(1))
                .andExpect(jsonPath("$.job.waiting_for[0]").value("load (succeeded)"));

        clock.advance(Duration.ofMinutes(10));
        runNow(load);
        Execution fanIn = only(history(publish));
        assertThat(fanIn.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(fanIn.triggeredBy())
                .isEqualTo("dependency:" + only(history(load)).id());

        clock.advance(Duration.ofMinutes(1));
        runNow(extract);
        assertThat(history(publish)).as("waits for load again").hasSize(1);

        clock.advance(Duration.ofHours(2));
        runNow(load);
        assertThat(history(publish))
                .as("extract's run is older than the window")
                .hasSize(1);
        mvc.perform(get(JOBS + "/" + publish))
                .andExpect(jsonPath("$.job.waiting_for[0]").value("extract (succeeded)"));
    }

    @Test
    void aCycleIsRefusedWithItsPath() throws Exception {
        String a = idOf(create(heartbeat("a")));
        idOf(create(withTriggers("b", "[{\"job\":\"a\"}]")));
        String c = idOf(create(heartbeat("c").replaceFirst("\\}\\s*$", ",\"depends_on\":[\"" + a + "\"]}")));

        update(a, """
                        {"triggers":[{"job":"b","on":"any"}]}
                        """)
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.errors[0].field").value("triggers[0].job"))
                .andExpect(jsonPath("$.errors[0].message").value("would create a cycle: a \u2192 b \u2192 a"));
        update(a, """
                        {"depends_on":["%s"]}
                        """.formatted(c))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("depends_on[0]"))
                .andExpect(jsonPath("$.errors[0].message").value("would create a cycle: a \u2192 c \u2192 a"));
        update(a, """
                        {"triggers":[{"job":"a"}]}
                        """)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("triggers[0].job"));
        mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete(JOBS + "/" + a))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(containsString("'b'")));
    }

    @Test
    void aBadConditionIsRefusedNamingTheField() throws Exception {
        idOf(create(heartbeat("upstream")));
        create(withTriggers("down", "[{\"job\":\"upstream\",\"condition\":\"result.records_affected > 'x'\"}]"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.errors[0].field").value("triggers[0].condition"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("no matching overload")));
        create(withTriggers("down", "[{\"job\":\"upstream\",\"condition\":\"result.records_afected > 0\"}]"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("triggers[0].condition"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("records_affected")));
        create(withTriggers("down", "[{\"job\":\"upstream\",\"condition\":\"result.records_affected\"}]"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("triggers[0].condition"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("bool")));
        create(withTriggers("down", "[{\"job\":\"nobody\"}]"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("triggers[0].job"));
        create(withTriggers("down", "[{\"job\":\"upstream\",\"on\":\"sometimes\"}]"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("triggers[0].on"));
    }

    @Test
    void aWebhookConditionIsCheckedAgainstWhatTheTemplateDeclares() throws Exception {
        create("""
                {"name":"hook","template_type":"webhook_trigger","parameters":{"url":"%s"},
                 "schedule":{"type":"interval","interval_seconds":86400}}
                """.formatted(server.url("/x"))).andExpect(status().isCreated());
        create(withTriggers("after-hook", "[{\"job\":\"hook\",\"condition\":\"result.details.status_code == 200\"}]"))
                .andExpect(status().isCreated());
        create(withTriggers("typo", "[{\"job\":\"hook\",\"condition\":\"result.details.statuscode == 200\"}]"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("triggers[0].condition"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("status_code")));
        create(withTriggers("wrong-type", "[{\"job\":\"hook\",\"condition\":\"result.details.status_code == 'ok'\"}]"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("triggers[0].condition"));
    }

    @Test
    void upstreamResultsNeverFlowIntoSecretsAndMustNameAnUpstream() throws Exception {
        idOf(create(heartbeat("source")));
        create("""
                {"name":"signed","template_type":"webhook_trigger",
                 "parameters":{"url":"%s","signing_secret":"{{upstream.source.result.message}}-0123456789abcdef"},
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "triggers":[{"job":"source"}]}
                """.formatted(server.url("/x")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.signing_secret"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("secret")));
        create("""
                {"name":"stranger","template_type":"heartbeat",
                 "parameters":{"message":"{{upstream.elsewhere.result.message}}"},
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "triggers":[{"job":"source"}]}
                """)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.message"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("elsewhere")));
    }

    @Test
    void dependsOnStillStartsTheJobOnSuccess() throws Exception {
        String upstream = idOf(create(heartbeat("extract")));
        String downstream =
                idOf(create(heartbeat("load").replaceFirst("\\}\\s*$", ",\"depends_on\":[\"" + upstream + "\"]}")));
        mvc.perform(get(JOBS + "/" + downstream))
                .andExpect(jsonPath("$.job.depends_on[0]").value(upstream))
                .andExpect(jsonPath("$.job.triggers.length()").value(0));

        runNow(upstream);

        Execution dependent = only(history(downstream));
        assertThat(dependent.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(dependent.triggeredBy())
                .isEqualTo("dependency:" + only(history(upstream)).id());
    }

    @Test
    void aPausedDownstreamRecordsTheTriggerAsSkippedInsteadOfRunning() throws Exception {
        String upstream = idOf(create(heartbeat("extract")));
        String downstream =
                idOf(create(heartbeat("load").replaceFirst("\\}\\s*$", ",\"depends_on\":[\"" + upstream + "\"]}")));
        mvc.perform(post(JOBS + "/" + downstream + "/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"reason\": \"migration\"}"))
                .andExpect(status().isOk());

        runNow(upstream);

        Execution dependent = only(history(downstream));
        assertThat(dependent.status()).isEqualTo(ExecutionStatus.SKIPPED);
        assertThat(dependent.reason()).isEqualTo("paused");
        assertThat(dependent.triggeredBy())
                .isEqualTo("dependency:" + only(history(upstream)).id());
    }

    @Test
    void theJobPageDrawsTheChainAndARunLinksToTheRunsAroundIt() throws Exception {
        String extract = idOf(create(heartbeat("extract")));
        String load = idOf(create(heartbeat("load")));
        String publish = idOf(create("""
                {"name":"publish","template_type":"heartbeat","parameters":{"message":"both done"},
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "triggers":[{"job":"extract","condition":"result.records_affected >= 0"},{"job":"load"}],
                 "trigger_mode":"all"}
                """));
        String archive = idOf(create(withTriggers("archive", "[{\"job\":\"publish\",\"on\":\"any\"}]")));
        runNow(extract);

        String page = page("/jobs/" + publish);
        assertThat(page)
                .contains("<svg class=\"chain\"", "href=\"/jobs/" + extract + "\"", "href=\"/jobs/" + archive + "\"")
                .contains("href=\"/jobs/" + load + "\"", ">archive</text>", ">extract</text>", ">publish</text>")
                .contains("still waiting for: load (succeeded)", "result.records_affected &gt;= 0");

        runNow(load);
        Execution loadRun = only(history(load));
        Execution fanIn = only(history(publish));
        assertThat(page("/executions/" + loadRun.id()))
                .contains("id=\"triggered-runs\"", "href=\"/executions/" + fanIn.id() + "\"");
        assertThat(page("/executions/" + fanIn.id()))
                .contains("href=\"/executions/" + loadRun.id() + "\"")
                .contains("href=\"/executions/" + only(history(archive)).id() + "\"");
    }

    @Test
    void anExportNamesTheUpstreamJobsAndImportsBackIntoAnEmptyScheduler() throws Exception {
        idOf(create(heartbeat("zz-upstream")));
        idOf(create("""
                {"name":"aa-downstream","template_type":"heartbeat","parameters":{"message":"after"},
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "triggers":[{"job":"zz-upstream","on":"failed","condition":"result.message != ''"}],
                 "trigger_mode":"all","trigger_window":"PT2H"}
                """));
        String file = mvc.perform(get(JOBS + "/export").param("format", "json"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(file).contains("\"job\" : \"zz-upstream\"").doesNotContain("job_id");
        jdbc.sql("DELETE FROM job_triggers").update();
        jdbc.sql("DELETE FROM jobs").update();

        mvc.perform(post(JOBS + "/import")
                        .param("mode", "apply")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(file))
                .andExpect(status().isOk());

        String imported = JsonPath.read(
                mvc.perform(get(JOBS).param("search", "aa-downstream"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.jobs[0].id");
        mvc.perform(get(JOBS + "/" + imported))
                .andExpect(jsonPath("$.job.triggers[0].job").value("zz-upstream"))
                .andExpect(jsonPath("$.job.triggers[0].on").value("failed"))
                .andExpect(jsonPath("$.job.triggers[0].condition").value("result.message != ''"))
                .andExpect(jsonPath("$.job.trigger_mode").value("all"))
                .andExpect(jsonPath("$.job.trigger_window").value("PT2H"));
    }

    @Test
    void aConditionOnAWebhooksAttemptsHoldsForTheRunItReadsAndTheAttemptsAreCounted() throws Exception {
        String hook = idOf(create("""
                {"name":"hook","template_type":"webhook_trigger",
                 "parameters":{"url":"%s","max_retries":0},
                 "schedule":{"type":"interval","interval_seconds":86400}}
                """.formatted(server.url("/x"))));
        String alarm = idOf(create(withTriggers(
                "alarm",
                "[{\"job\":\"hook\",\"on\":\"failed\",\"condition\":"
                        + "\"result.details.attempts >= 1 && result.details.url.endsWith('/x')"
                        + " && result.details.status_code == 500\"}]")));
        server.enqueue(new MockResponse.Builder().code(500).build());

        runNow(hook);

        Execution failed = only(history(hook));
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        java.util.Map<?, ?> details = (java.util.Map<?, ?>) failed.result().get("details");
        assertThat(details.get("attempts")).isEqualTo(1);
        assertThat(details.get("attempt_outcomes")).isEqualTo(List.of("HTTP 500"));
        assertThat(details.get("url")).isEqualTo(server.url("/x").toString());
        assertThat(only(history(alarm)).triggeredBy()).isEqualTo("dependency:" + failed.id());
    }

    /**
     * A declared detail the run did not report (a webhook that never reached its server has no status code) makes a
     * condition on it unknown: it counts as false and the upstream run's log says so, as for an undeclared one.
     */
    @Test
    void aConditionOnADeclaredDetailTheRunDidNotReportSaysSoInTheUpstreamRunsLog() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        String hook = idOf(create("""
                {"name":"unreachable","template_type":"webhook_trigger",
                 "parameters":{"url":"http://localhost:%d/x","max_retries":0},
                 "schedule":{"type":"interval","interval_seconds":86400}}
                """.formatted(closed)));
        String alarm = idOf(create(withTriggers(
                "on-500",
                "[{\"job\":\"unreachable\",\"on\":\"failed\",\"condition\":"
                        + "\"result.details.status_code == 500\"}]")));

        runNow(hook);

        assertThat(history(alarm)).isEmpty();
        Execution failed = only(history(hook));
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        mvc.perform(get("/api/admin/scheduler/executions/" + failed.id()))
                .andExpect(status().isOk())
                .andExpect(jsonPath(
                        "$.logs[?(@.level == 'WARN')].message",
                        hasItem(allOf(
                                containsString("'on-500'"),
                                containsString("could not be evaluated"),
                                containsString(
                                        "it reads result.details.status_code, which this run did not report")))));
    }

    @Test
    void aConditionThatCannotBeEvaluatedSaysSoInTheUpstreamRunsLog() throws Exception {
        String upstream = idOf(create(heartbeat("source")));
        String downstream = idOf(
                create(withTriggers("never", "[{\"job\":\"source\",\"condition\":\"result.details.missing > 0\"}]")));

        runNow(upstream);

        assertThat(history(downstream)).isEmpty();
        Execution run = only(history(upstream));
        mvc.perform(get("/api/admin/scheduler/executions/" + run.id()))
                .andExpect(status().isOk())
                .andExpect(jsonPath(
                        "$.logs[?(@.level == 'WARN')].message",
                        contains(allOf(
                                containsString("'never'"),
                                containsString("result.details.missing > 0"),
                                containsString("could not be evaluated")))));

        // a downstream of another namespace is not named to the upstream's readers, nor is its condition
        namespace("nsb");
        create("""
                {"name":"elsewhere","namespace":"nsb","template_type":"heartbeat",
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "triggers":[{"job":"default/source","condition":"result.details.gone > 0"}]}
                """);
        clock.advance(java.time.Duration.ofMinutes(1));
        runNow(upstream);
        Execution second = history(upstream).stream()
                .filter(e -> !e.id().equals(run.id()))
                .findFirst()
                .orElseThrow();
        mvc.perform(get("/api/admin/scheduler/executions/" + second.id()))
                .andExpect(jsonPath(
                        "$.logs[?(@.level == 'WARN')].message",
                        hasItem(containsString("A trigger of a job in another namespace was not fired"))))
                .andExpect(jsonPath("$.logs[*].message", everyItem(not(containsString("elsewhere")))))
                .andExpect(jsonPath("$.logs[*].message", everyItem(not(containsString("gone > 0")))));
    }

    @Test
    void aDependsOnPlaceholderNamingAnotherNamespacesUpstreamIsFilledAsATriggersIs() throws Exception {
        namespace("nsb");
        String up = idOf(create(heartbeat("up")));
        String dependent = idOf(create("""
                {"name":"dependent","namespace":"nsb","template_type":"heartbeat",
                 "parameters":{"message":"at={{upstream.default/up.result.details.timestamp}}"},
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "depends_on":["default/up"]}
                """));
        String triggered = idOf(create("""
                {"name":"triggered","namespace":"nsb","template_type":"heartbeat",
                 "parameters":{"message":"at={{upstream.default/up.result.details.timestamp}}"},
                 "schedule":{"type":"interval","interval_seconds":86400},
                 "triggers":[{"job":"default/up"}]}
                """));

        runNow(up);

        assertThat(only(history(dependent)).parameters().get("message")).isEqualTo("at=" + START);
        assertThat(only(history(triggered)).parameters().get("message")).isEqualTo("at=" + START);
    }

    @Test
    void aTriggerWindowWithoutTriggerModeAllIsRefusedNamingTheField() throws Exception {
        idOf(create(heartbeat("upstream")));
        create(heartbeat("window-alone").replaceFirst("\\}\\s*$", ",\"trigger_window\":\"PT5M\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("trigger_window"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("trigger_mode all")));
        create(withTriggers("any-window", "[{\"job\":\"upstream\"}]")
                        .replaceFirst("\\}\\s*$", ",\"trigger_mode\":\"any\",\"trigger_window\":\"PT5M\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("trigger_window"));
        String fanIn = idOf(create(withTriggers("fan-in", "[{\"job\":\"upstream\"}]")
                .replaceFirst("\\}\\s*$", ",\"trigger_mode\":\"all\",\"trigger_window\":\"PT5M\"}")));

        update(fanIn, """
                        {"trigger_mode":"any"}
                        """)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.trigger_mode").value("any"))
                .andExpect(jsonPath("$.job.trigger_window").doesNotExist());
    }

    private String page(String path) throws Exception {
        MockMvc ui = securedMvc();
        return ui.perform(get(path)
                        .with(SecurityMockMvcRequestPostProcessors.user("root").roles("SUPER_ADMIN")))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
    }

    private void namespace(String name) throws Exception {
        mvc.perform(post("/api/admin/scheduler/namespaces")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"" + name + "\"}"))
                .andExpect(status().isCreated());
    }

    private static String heartbeat(String name) {
        return """
                {"name":"%s","template_type":"heartbeat","parameters":{"message":"%s"},
                 "schedule":{"type":"interval","interval_seconds":86400}}
                """.formatted(name, name);
    }

    private static String withTriggers(String name, String triggers) {
        return heartbeat(name).replaceFirst("\\}\\s*$", ",\"triggers\":" + triggers + "}");
    }

    private void runNow(String job) throws Exception {
        mvc.perform(post(JOBS + "/" + job + "/run")).andExpect(status().isAccepted());
        engine.runDueOnce();
    }

    private ResultActions create(String body) throws Exception {
        return mvc.perform(post(JOBS).contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private ResultActions update(String id, String body) throws Exception {
        return mvc.perform(
                put(JOBS + "/" + id).contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private static String idOf(ResultActions created) throws Exception {
        String body = created.andReturn().getResponse().getContentAsString();
        assertThat(created.andReturn().getResponse().getStatus()).as(body).isEqualTo(201);
        return JsonPath.read(body, "$.job.id");
    }

    private List<Execution> history(String job) {
        return executions.list(ExecutionQuery.ofJob(JobId.parse(job).orElseThrow(), 500)).stream()
                .sorted(Comparator.comparing(Execution::createdAt)
                        .thenComparing(e -> e.id().value())
                        .reversed())
                .toList();
    }

    private static Execution only(List<Execution> executions) {
        assertThat(executions).hasSize(1);
        return executions.get(0);
    }
}
