package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.job.JobId;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.context.WebApplicationContext;

/**
 * What namespaces add to the API beyond isolation itself: tokens limited to some namespaces, a namespace's timed
 * pause, script approval by a namespace's owner and the namespace label on the metrics.
 */
abstract class NamespaceApiTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends NamespaceApiTests {}

    @WithPostgres
    static class OnPostgres extends NamespaceApiTests {}

    static final String API = "/api/admin/scheduler";

    @Autowired
    Engine engine;

    @Autowired
    ExecutionService executions;

    @Autowired
    WebApplicationContext context;

    @Test
    void aTokenLimitedToOneNamespaceSeesAndActsOnlyThereThoughItsUserMaySeeMore() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        namespaces("a", "b");
        String aJob = createJob(root, "a-job", "a");
        String bJob = createJob(root, "b-job", "b");

        MockHttpServletResponse created = send(root, "POST", "/tokens", "{\"name\":\"a only\",\"namespaces\":[\"a\"]}");
        assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(201);
        assertThat(created.getContentAsString()).contains("\"namespaces\":[\"a\"]");
        String limited = JsonPath.read(created.getContentAsString(), "$.secret");

        // twice each: the second answer comes through the token cache, which must keep the limit
        for (int pass = 0; pass < 2; pass++) {
            String list = send(limited, "GET", "/jobs", null).getContentAsString();
            assertThat(list).contains("a-job").doesNotContain("b-job");
            assertThat(send(limited, "GET", "/jobs/" + aJob, null).getStatus()).isEqualTo(200);
            for (String[] call : List.of(
                    new String[] {"GET", "/jobs/" + bJob},
                    new String[] {"POST", "/jobs/" + bJob + "/run"},
                    new String[] {"DELETE", "/jobs/" + bJob},
                    new String[] {"GET", "/namespaces/b"})) {
                MockHttpServletResponse hidden = send(limited, call[0], call[1], null);
                assertThat(hidden.getStatus()).as(call[0] + " " + call[1]).isEqualTo(404);
                assertThat(hidden.getContentAsString()).doesNotContain("b-job");
            }
        }
        assertThat(send(limited, "GET", "/namespaces", null).getContentAsString())
                .contains("\"name\":\"a\"")
                .doesNotContain("\"name\":\"b\"");
        assertThat(send(limited, "POST", "/jobs/" + aJob + "/run", null).getStatus())
                .isEqualTo(202);
        MockHttpServletResponse intoB = send(limited, "POST", "/jobs", job("sneaks", "b"));
        assertThat(intoB.getStatus()).isEqualTo(400);
        assertThat(intoB.getContentAsString()).contains("no namespace named 'b'");
        // what is global is out of a limited token's reach, though its user is a super admin
        assertThat(send(limited, "GET", "/users", null).getStatus()).isEqualTo(403);
        assertThat(send(limited, "GET", "/status", null).getStatus()).isEqualTo(403);
        assertThat(send(limited, "POST", "/namespaces", "{\"name\":\"c\"}").getStatus())
                .isEqualTo(403);

        // a limited token makes no token, limited or not (TokenReachTests)
        assertThat(send(limited, "POST", "/tokens", "{\"name\":\"child\"}").getStatus())
                .isEqualTo(403);
        assertThat(send(root, "POST", "/tokens", "{\"name\":\"none\",\"namespaces\":[]}")
                        .getStatus())
                .isEqualTo(400);
        assertThat(send(root, "GET", "/tokens", null).getContentAsString())
                .contains("\"namespaces\":[\"a\"]", "\"namespaces\":null");

        // the tokens page shows the limit
        String page = securedMvc()
                .perform(get("/tokens")
                        .with(user(TestLogins.username(TestLogins.SUPER_ADMIN)).roles("SUPER_ADMIN")))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(page).contains("a only", "only in a");

        // a namespace member's token limited to a (made before tokens were the global roles' alone, or by an admin
        // since demoted): her role there stays a viewer's
        logins.user("alice", TestLogins.USER, null);
        send(root, "PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"viewer\"}]}");
        String aliceLimited = limitedToken("alice", "a");
        assertThat(send(aliceLimited, "GET", "/jobs/" + aJob, null).getStatus()).isEqualTo(200);
        assertThat(send(aliceLimited, "POST", "/jobs/" + aJob + "/run", null).getStatus())
                .isEqualTo(403);
    }

    @Test
    void aRefusedMoveToAnotherNamespaceIsAuditedWithTheJobsIdSoASearchByIdFindsIt() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        namespaces("a", "b");
        logins.user("alice", TestLogins.USER, null);
        send(root, "PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"editor\"}]}");
        send(root, "PUT", "/namespaces/b/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"viewer\"}]}");
        String id = createJob(root, "mover", "a");
        String alice = logins.token("alice", TestLogins.USER, false);

        MockHttpServletResponse refused = send(alice, "PUT", "/jobs/" + id, "{\"namespace\":\"b\"}");
        assertThat(refused.getStatus()).as(refused.getContentAsString()).isEqualTo(403);

        String audit = send(root, "GET", "/audit?action=access.denied&target=" + id, null)
                .getContentAsString();
        assertThat((List<?>) JsonPath.read(audit, "$.events")).hasSize(1);
        assertThat((String) JsonPath.read(audit, "$.events[0].target_id")).isEqualTo(id);
        assertThat((String) JsonPath.read(audit, "$.events[0].target_name")).isEqualTo("mover");
        assertThat((String) JsonPath.read(audit, "$.events[0].actor")).isEqualTo("alice");
    }

    @Test
    void anUpdateIsAuditedWithEachFieldItChangedBeforeAndAfterAndNothingWhenItChangedNothing() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        namespaces("a");

        MockHttpServletResponse renamed =
                send(root, "PUT", "/namespaces/a", "{\"display_name\":\"Team A\",\"description\":\"nightly loads\"}");
        assertThat(renamed.getStatus()).as(renamed.getContentAsString()).isEqualTo(200);
        String audit =
                send(root, "GET", "/audit?action=namespace.updated", null).getContentAsString();
        assertThat((List<?>) JsonPath.read(audit, "$.events")).hasSize(1);
        assertThat(JsonPath.<Map<String, Object>>read(audit, "$.events[0].details.changes"))
                .containsOnlyKeys("display_name", "description");
        assertThat((String) JsonPath.read(audit, "$.events[0].details.changes.display_name.after"))
                .isEqualTo("Team A");
        assertThat((String) JsonPath.read(audit, "$.events[0].details.changes.description.after"))
                .isEqualTo("nightly loads");

        clock.advance(java.time.Duration.ofSeconds(1));
        assertThat(send(root, "PUT", "/namespaces/a", "{\"quotas\":{\"jobs\":5}}")
                        .getStatus())
                .isEqualTo(200);
        audit = send(root, "GET", "/audit?action=namespace.updated", null).getContentAsString();
        assertThat(JsonPath.<Map<String, Object>>read(audit, "$.events[0].details.changes"))
                .containsOnlyKeys("quotas.jobs");
        assertThat((Integer) JsonPath.read(audit, "$.events[0].details.changes['quotas.jobs'].after"))
                .isEqualTo(5);

        assertThat(send(root, "PUT", "/namespaces/a", "{\"display_name\":\"Team A\",\"quotas\":{\"jobs\":5}}")
                        .getStatus())
                .isEqualTo(200);
        audit = send(root, "GET", "/audit?action=namespace.updated", null).getContentAsString();
        assertThat((List<?>) JsonPath.read(audit, "$.events"))
                .as("nothing changed: no event")
                .hasSize(2);
    }

    @Test
    void aNamespacePausedUntilATimeSkipsItsJobsSlotsAndResumesByItselfWithoutAFlood() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        namespaces("a");
        String owner = logins.token("olga", TestLogins.USER, false);
        String editor = logins.token("ed", TestLogins.USER, false);
        String stranger = logins.token("sam", TestLogins.USER, false);
        send(root, "POST", "/namespaces", "{\"name\":\"elsewhere\"}");
        send(root, "PUT", "/namespaces/a/members", """
                {"members":[{"username":"olga","role":"owner"},{"username":"ed","role":"editor"}]}""");
        send(root, "PUT", "/namespaces/elsewhere/members", """
                {"members":[{"username":"sam","role":"owner"}]}""");
        String aJob = createJob(root, "a-hourly", "a", "0 * * * *");
        String otherJob = createJob(root, "default-hourly", "default", "0 * * * *");

        String pause = "{\"until\":\"2026-06-01T13:00:00Z\",\"reason\":\"supplier migration\"}";
        assertThat(send(editor, "POST", "/namespaces/a/pause", pause).getStatus())
                .isEqualTo(403);
        assertThat(send(stranger, "POST", "/namespaces/a/pause", pause).getStatus())
                .isEqualTo(404);
        MockHttpServletResponse past =
                send(owner, "POST", "/namespaces/a/pause", "{\"until\":\"2026-06-01T09:00:00Z\"}");
        assertThat(past.getStatus()).isEqualTo(400);
        assertThat(past.getContentAsString()).contains("until", "must lie ahead");
        MockHttpServletResponse paused = send(owner, "POST", "/namespaces/a/pause", pause);
        assertThat(paused.getStatus()).as(paused.getContentAsString()).isEqualTo(200);
        assertThat(send(editor, "GET", "/namespaces/a", null).getContentAsString())
                .contains("\"paused_until\":\"2026-06-01T13:00:00Z\"", "\"pause_reason\":\"supplier migration\"");

        // no node looked while it was paused: 11:00 and 12:00 are skipped, 13:00 (when it lifts) runs, once
        clock.set(Instant.parse("2026-06-01T13:00:05Z"));
        engine.runDueOnce();
        List<Execution> history = history(aJob);
        assertThat(history).extracting(Execution::reason).containsExactly("paused", "paused", null);
        assertThat(history.get(0).result().get("reason").toString())
                .contains("namespace 'a' paused", "supplier migration");
        // said once, as the namespace's: not "job paused: namespace 'a' paused: …"
        assertThat(history.get(0).result().get("message")).isEqualTo("namespace 'a' paused: supplier migration");
        assertThat(history(otherJob)).noneMatch(e -> "paused".equals(e.reason()));
        assertThat(send(owner, "GET", "/namespaces/a", null).getContentAsString())
                .contains("\"paused_until\":null");
        clock.advance(Duration.ofHours(1));
        engine.runDueOnce();
        assertThat(history(aJob))
                .hasSize(4)
                .last()
                .extracting(Execution::reason)
                .isNull();

        // paused until resumed: every slot skipped; resuming runs none of them
        assertThat(send(owner, "POST", "/namespaces/a/pause", "{}").getStatus()).isEqualTo(200);
        clock.advance(Duration.ofHours(3));
        engine.runDueOnce();
        assertThat(history(aJob))
                .hasSize(7)
                .last()
                .extracting(Execution::reason)
                .isEqualTo("paused");
        // a catch-up is a job's: refused on its field, as is a typo, with the name meant; nothing resumed
        assertThat(send(owner, "POST", "/namespaces/a/resume", "{\"catch_up\":true}")
                        .getContentAsString())
                .contains("\"field\":\"catch_up\"", "runs no catch-up");
        assertThat(send(owner, "POST", "/namespaces/a/resume", "{\"catchup\":false}")
                        .getContentAsString())
                .contains("\"field\":\"catchup\"", "did you mean 'catch_up'?");
        assertThat(send(owner, "POST", "/namespaces/a/resume", "{\"catch_up\":false}")
                        .getStatus())
                .isEqualTo(200);
        // resumed, there is nothing more to resume: 409, as for a job, and not audited again
        MockHttpServletResponse again = send(owner, "POST", "/namespaces/a/resume", null);
        assertThat(again.getStatus()).isEqualTo(409);
        assertThat(again.getContentAsString()).contains("namespace 'a' is not paused");
        // a pause set through another node a moment ago (this node's copy of the pauses, read just now, lacks it)
        // is resumed as stored
        jdbc.sql("UPDATE namespaces SET paused_at = CURRENT_TIMESTAMP, pause_reason = 'other node' WHERE name = 'a'")
                .update();
        assertThat(send(owner, "POST", "/namespaces/a/resume", null).getStatus())
                .isEqualTo(200);
        engine.runDueOnce();
        assertThat(history(aJob)).hasSize(7);
        clock.advance(Duration.ofHours(1));
        engine.runDueOnce();
        assertThat(history(aJob))
                .hasSize(8)
                .last()
                .extracting(Execution::reason)
                .isNull();

        String audit = send(root, "GET", "/audit?namespace=a", null).getContentAsString();
        assertThat(audit).contains("namespace.paused", "namespace.resumed", "supplier migration");
    }

    @Test
    void aNamespacesScriptIsWrittenByItsEditorsApprovedByAnOwnerWhoIsNotItsAuthorAndSeenOnlyByItsMembers()
            throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        namespaces("a", "elsewhere");
        String owner = logins.token("olga", TestLogins.USER, false);
        String editor = logins.token("ed", TestLogins.USER, false);
        String viewer = logins.token("vic", TestLogins.USER, false);
        String stranger = logins.token("sam", TestLogins.USER, false);
        String admin = logins.token(TestLogins.ADMIN);
        send(root, "PUT", "/namespaces/a/members", """
                {"members":[{"username":"olga","role":"owner"},{"username":"ed","role":"editor"},
                            {"username":"vic","role":"viewer"}]}""");
        send(root, "PUT", "/namespaces/elsewhere/members", """
                {"members":[{"username":"sam","role":"owner"}]}""");
        String script = "{\"name\":\"a-report\",\"language\":\"sh\",\"source\":\"echo hi\",\"namespace\":\"a\"}";

        assertThat(send(viewer, "POST", "/scripts", script).getStatus()).isEqualTo(403);
        MockHttpServletResponse intoHidden = send(stranger, "POST", "/scripts", script);
        assertThat(intoHidden.getStatus()).isEqualTo(400);
        assertThat(intoHidden.getContentAsString()).contains("namespace", "no namespace named 'a'");
        MockHttpServletResponse created = send(editor, "POST", "/scripts", script);
        assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(201);
        assertThat(created.getContentAsString()).contains("\"namespace\":\"a\"");
        String id = JsonPath.read(created.getContentAsString(), "$.id");
        assertThat(send(owner, "POST", "/scripts/" + id + "/versions", "{\"source\":\"echo v2\"}")
                        .getStatus())
                .isEqualTo(201);

        // its namespace's members see it; nobody else, by any road
        assertThat(send(viewer, "GET", "/scripts", null).getContentAsString()).contains("a-report");
        assertThat(send(stranger, "GET", "/scripts", null).getContentAsString()).doesNotContain("a-report");
        for (String[] call : List.of(
                new String[] {"GET", "/scripts/" + id},
                new String[] {"GET", "/scripts/" + id + "/versions"},
                new String[] {"GET", "/scripts/" + id + "/versions/1/diff"},
                new String[] {"POST", "/scripts/" + id + "/versions"},
                new String[] {"POST", "/scripts/" + id + "/versions/1/approve"})) {
            String body = call[1].endsWith("/versions") ? "{\"source\":\"echo x\"}" : "{\"comment\":\"ok\"}";
            MockHttpServletResponse hidden = send(stranger, call[0], call[1], call[0].equals("POST") ? body : null);
            assertThat(hidden.getStatus()).as(call[0] + " " + call[1]).isEqualTo(404);
            assertThat(hidden.getContentAsString()).doesNotContain("a-report");
        }

        String review = "{\"comment\":\"read it\"}";
        // an editor, a global admin and the author may not approve; an owner who is not the author may
        assertThat(send(editor, "POST", "/scripts/" + id + "/versions/2/approve", review)
                        .getStatus())
                .isEqualTo(403);
        assertThat(send(admin, "POST", "/scripts/" + id + "/versions/1/approve", review)
                        .getStatus())
                .isEqualTo(403);
        MockHttpServletResponse ownVersion = send(owner, "POST", "/scripts/" + id + "/versions/2/approve", review);
        assertThat(ownVersion.getStatus()).isEqualTo(403);
        assertThat(ownVersion.getContentAsString()).contains("author");
        MockHttpServletResponse approved = send(owner, "POST", "/scripts/" + id + "/versions/1/approve", review);
        assertThat(approved.getStatus()).as(approved.getContentAsString()).isEqualTo(200);
        assertThat(approved.getContentAsString()).contains("\"status\":\"approved\"", "\"reviewer\":\"olga\"");
        // a super admin still may
        assertThat(send(root, "POST", "/scripts/" + id + "/versions/2/reject", review)
                        .getStatus())
                .isEqualTo(200);

        // a global script stays a super admin's to approve, and a global admin's to write
        MockHttpServletResponse global =
                send(admin, "POST", "/scripts", "{\"name\":\"shared\",\"language\":\"sh\",\"source\":\"echo hi\"}");
        assertThat(global.getStatus()).isEqualTo(201);
        assertThat(global.getContentAsString()).contains("\"namespace\":null");
        String globalId = JsonPath.read(global.getContentAsString(), "$.id");
        assertThat(send(editor, "POST", "/scripts", "{\"name\":\"mine\",\"language\":\"sh\",\"source\":\"echo\"}")
                        .getStatus())
                .isEqualTo(403);
        assertThat(send(owner, "POST", "/scripts/" + globalId + "/versions/1/approve", review)
                        .getStatus())
                .isEqualTo(403);
        assertThat(send(root, "POST", "/scripts/" + globalId + "/versions/1/approve", review)
                        .getStatus())
                .isEqualTo(200);
        assertThat(send(stranger, "GET", "/scripts", null).getContentAsString()).contains("shared");

        // a namespace that holds scripts is not deleted
        MockHttpServletResponse delete = send(root, "DELETE", "/namespaces/a", null);
        assertThat(delete.getStatus()).isEqualTo(409);
        assertThat(delete.getContentAsString()).contains("scripts");

        assertThat(send(root, "GET", "/audit?namespace=a", null).getContentAsString())
                .contains("script.created", "script.version_approved", "script.version_rejected");
    }

    @Test
    void runsAreCountedByNamespaceAndTheMetricsNameNoJobAndAreOnlyForThoseWhoSeeEveryNamespace() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        namespaces("a", "b");
        createJob(root, "a-secret-name", "a", "0 * * * *");
        createJob(root, "b-secret-name", "b", "0 * * * *");
        clock.set(Instant.parse("2026-06-01T11:00:05Z"));
        engine.runDueOnce();

        MockHttpServletResponse metrics = mvc.perform(
                        request(HttpMethod.GET, "/actuator/prometheus").with(TestLogins.bearer(root)))
                .andReturn()
                .getResponse();
        assertThat(metrics.getStatus()).isEqualTo(200);
        assertThat(metrics.getContentAsString())
                .containsPattern("almanac_executions_total\\{[^}]*namespace=\"a\"[^}]*status=\"succeeded\"")
                .containsPattern("almanac_executions_total\\{[^}]*namespace=\"b\"")
                .containsPattern("almanac_execution_duration_seconds_count\\{[^}]*namespace=\"a\"")
                .doesNotContain("a-secret-name", "b-secret-name");

        // a member of a, and a token limited to a, do not read the scheduler-wide metrics
        String member = logins.token("alice", TestLogins.USER, false);
        send(root, "PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"owner\"}]}");
        String limited = JsonPath.read(
                send(root, "POST", "/tokens", "{\"name\":\"a\",\"namespaces\":[\"a\"]}")
                        .getContentAsString(),
                "$.secret");
        for (String token : List.of(member, limited)) {
            assertThat(mvc.perform(request(HttpMethod.GET, "/actuator/prometheus")
                                    .with(TestLogins.bearer(token)))
                            .andReturn()
                            .getResponse()
                            .getStatus())
                    .isEqualTo(403);
        }
    }

    @Test
    void jobNamesAreUniquePerNamespaceAndResolveInTheJobsOwnNamespaceFirstOrAsNamespaceSlashName() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        namespaces("a", "b");
        String bReport = createJob(root, "report", "b");
        String alice = logins.token("alice", TestLogins.USER, false);
        send(root, "PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"editor\"}]}");

        // a name taken in a namespace alice may not see is hers to take in hers: nothing reveals the other
        String aReport = createJob(alice, "report", "a");
        MockHttpServletResponse again = send(alice, "POST", "/jobs", job("report", "a"));
        assertThat(again.getStatus()).isEqualTo(409);
        assertThat(again.getContentAsString()).contains("a job named 'report' already exists in namespace 'a'");
        // a file of hers updates her job, not b's
        MockHttpServletResponse imported = send(
                alice,
                "POST",
                "/jobs/import?mode=apply",
                "{\"jobs\":[" + job("report", "a").replaceFirst("\\}$", ",\"description\":\"ours\"}") + "]}");
        assertThat(imported.getStatus()).as(imported.getContentAsString()).isEqualTo(200);
        assertThat(send(alice, "GET", "/jobs/" + aReport, null).getContentAsString())
                .contains("\"description\":\"ours\"");
        assertThat(send(root, "GET", "/jobs/" + bReport, null).getContentAsString())
                .doesNotContain("\"description\":\"ours\"");

        // a bare name is the job's own namespace's; b/report is hidden from alice like a missing job
        String listener = createJob(alice, "listener", "a", null, ",\"triggers\":[{\"job\":\"report\"}]");
        assertThat((String) JsonPath.read(
                        send(alice, "GET", "/jobs/" + listener, null).getContentAsString(), "$.job.triggers[0].job_id"))
                .isEqualTo(aReport);
        MockHttpServletResponse hidden = send(
                alice,
                "POST",
                "/jobs",
                job("sneaky", "a").replaceFirst("\\}$", ",\"triggers\":[{\"job\":\"b/report\"}]}"));
        assertThat(hidden.getStatus()).isEqualTo(400);
        assertThat(hidden.getContentAsString()).contains("no job named or with id 'b/report'");

        // who sees b names its job as b/report, in a trigger and in {{upstream.b/report...}}
        String crossing = createJob(
                root,
                "crossing",
                "a",
                null,
                ",\"parameters\":{\"message\":\"after {{upstream.b/report.result.message}}\"},"
                        + "\"triggers\":[{\"job\":\"b/report\"}]");
        String crossingJson = send(root, "GET", "/jobs/" + crossing, null).getContentAsString();
        assertThat((String) JsonPath.read(crossingJson, "$.job.triggers[0].job"))
                .isEqualTo("b/report");
        assertThat((String) JsonPath.read(crossingJson, "$.job.triggers[0].job_id"))
                .isEqualTo(bReport);
        assertThat(send(root, "POST", "/jobs/" + bReport + "/run", null).getStatus())
                .isEqualTo(202);
        engine.runDueOnce();
        engine.runDueOnce();
        List<Execution> crossed = history(crossing);
        assertThat(crossed).hasSize(1);
        assertThat(crossed.get(0).parameters().get("message").toString())
                .startsWith("after heartbeat at")
                .doesNotContain("{{");
    }

    private List<Execution> history(String jobId) {
        return executions.list(ExecutionQuery.ofJob(JobId.fromPath(jobId), 500)).stream()
                .sorted(Comparator.comparing(Execution::scheduledFor, Comparator.nullsLast(Comparator.naturalOrder())))
                .toList();
    }

    @Test
    void aListsTotalPerNamespaceShowsThisNodesCreatesMovesAndDeletesAtOnce() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        namespaces("a", "b");
        createJob(root, "a-1", "a");
        createJob(root, "a-2", "a");
        String b1 = createJob(root, "b-1", "b");
        assertTotals(root, 3, 2, 1);

        String a3 = createJob(root, "a-3", "a");
        assertTotals(root, 4, 3, 1);
        MockHttpServletResponse moved = send(root, "PUT", "/jobs/" + a3, "{\"namespace\":\"b\"}");
        assertThat(moved.getStatus()).as(moved.getContentAsString()).isEqualTo(200);
        assertTotals(root, 4, 2, 2);
        assertThat(send(root, "DELETE", "/jobs/" + b1, null).getStatus()).isEqualTo(200);
        assertTotals(root, 3, 2, 1);
    }

    /** The totals of lists of one job a page (so that each is counted, not read off a last page). */
    private void assertTotals(String token, int all, int inA, int inB) throws Exception {
        for (int pass = 0; pass < 2; pass++) {
            assertThat(totalOf(send(token, "GET", "/jobs?limit=1", null))).isEqualTo(all);
            assertThat(totalOf(send(token, "GET", "/jobs?limit=1&namespace=a", null)))
                    .isEqualTo(inA);
            assertThat(totalOf(send(token, "GET", "/jobs?limit=1&namespace=b", null)))
                    .isEqualTo(inB);
        }
    }

    private static int totalOf(MockHttpServletResponse list) throws Exception {
        return JsonPath.read(list.getContentAsString(), "$.total");
    }

    /** A token of {@code username} limited to {@code namespace}, as the database holds one. */
    String limitedToken(String username, String namespace) {
        String secret = logins.token(username, TestLogins.USER, false);
        jdbc.sql("UPDATE api_tokens SET namespaces = :namespaces WHERE name = :name")
                .param("namespaces", namespace)
                .param("name", "test " + username)
                .update();
        return secret;
    }

    /**
     * A viewer may not confirm a guessed secret through an import plan (or apply): a right guess written in plain text
     * is answered exactly as a wrong one, as an update the viewer may not make.
     */
    @Test
    void aViewerCannotTellARightSecretGuessFromAWrongOneThroughAnImport() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        namespaces("a");
        logins.user("vic", TestLogins.USER, null);
        send(root, "PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"vic\",\"role\":\"viewer\"}]}");
        String hook = "{\"name\":\"hook\",\"namespace\":\"a\",\"template_type\":\"webhook_trigger\","
                + "\"parameters\":{\"url\":\"https://hooks.example.com/x\",\"signing_secret\":\"%s\"},"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\",\"timezone\":\"UTC\"}}";
        MockHttpServletResponse created = send(root, "POST", "/jobs", hook.formatted("the-right-secret-1234"));
        assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(201);
        String vic = logins.token("vic", TestLogins.USER, false);
        String masked = send(vic, "GET", "/jobs/export?namespace=a", null).getContentAsString();
        assertThat(masked).contains("\"signing_secret\" : \"••••\"");

        for (String mode : new String[] {"plan", "apply"}) {
            MockHttpServletResponse right = send(
                    vic, "POST", "/jobs/import?mode=" + mode, masked.replace("\"••••\"", "\"the-right-secret-1234\""));
            MockHttpServletResponse wrong = send(
                    vic, "POST", "/jobs/import?mode=" + mode, masked.replace("\"••••\"", "\"a-wrong-secret-guess-5\""));

            assertThat(right.getStatus()).as(mode).isEqualTo(wrong.getStatus());
            assertThat(right.getContentAsString()).as(mode).isEqualTo(wrong.getContentAsString());
            assertThat(right.getContentAsString()).as(mode).contains("may not update");
        }
        // the export as it is (masks) still plans as unchanged for the viewer
        assertThat(send(vic, "POST", "/jobs/import?mode=plan", masked).getContentAsString())
                .contains("\"action\":\"unchanged\"");
    }

    /**
     * A copy carries its original's secrets: a viewer of the original's namespace who edits another may not clone the
     * job into theirs (where they could point it at their own host and run it); an editor of both may.
     */
    @Test
    void aViewerCannotCloneAJobWithItsSecretsIntoANamespaceTheyEdit() throws Exception {
        String root = logins.token(TestLogins.SUPER_ADMIN);
        namespaces("a", "b");
        logins.user("vic", TestLogins.USER, null);
        send(root, "PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"vic\",\"role\":\"viewer\"}]}");
        send(root, "PUT", "/namespaces/b/members", "{\"members\":[{\"username\":\"vic\",\"role\":\"editor\"}]}");
        MockHttpServletResponse created = send(
                root,
                "POST",
                "/jobs",
                "{\"name\":\"hook\",\"namespace\":\"a\","
                        + "\"template_type\":\"webhook_trigger\","
                        + "\"parameters\":{\"url\":\"https://hooks.example.com/x\","
                        + "\"signing_secret\":\"a-secret-of-namespace-a\"},\"schedule\":{\"interval_seconds\":3600}}");
        assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(201);
        String id = com.jayway.jsonpath.JsonPath.read(created.getContentAsString(), "$.job.id");
        String vic = logins.token("vic", TestLogins.USER, false);

        MockHttpServletResponse refused = send(vic, "POST", "/jobs/" + id + "/clone", "{\"namespace\":\"b\"}");
        assertThat(refused.getStatus()).as(refused.getContentAsString()).isEqualTo(403);
        assertThat(refused.getContentAsString()).contains("copy its jobs into another namespace");
        assertThat(send(root, "GET", "/jobs?namespace=b", null).getContentAsString())
                .doesNotContain("hook");

        send(root, "PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"vic\",\"role\":\"editor\"}]}");
        MockHttpServletResponse copied = send(vic, "POST", "/jobs/" + id + "/clone", "{\"namespace\":\"b\"}");
        assertThat(copied.getStatus()).as(copied.getContentAsString()).isEqualTo(201);
    }

    void namespaces(String... names) throws Exception {
        for (String name : names) {
            MockHttpServletResponse created =
                    send(logins.token(TestLogins.SUPER_ADMIN), "POST", "/namespaces", "{\"name\":\"" + name + "\"}");
            assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(201);
        }
    }

    String createJob(String token, String name, String namespace) throws Exception {
        return createJob(token, name, namespace, null);
    }

    String createJob(String token, String name, String namespace, String cron) throws Exception {
        return createJob(token, name, namespace, cron, "");
    }

    String createJob(String token, String name, String namespace, String cron, String more) throws Exception {
        String body = cron == null
                ? job(name, namespace)
                : job(name, namespace)
                        .replace(
                                "{\"type\":\"interval\",\"interval_seconds\":3600}",
                                "{\"type\":\"cron\",\"expression\":\"" + cron + "\",\"timezone\":\"UTC\"}");
        MockHttpServletResponse created =
                send(token, "POST", "/jobs", body.substring(0, body.length() - 1) + more + "}");
        assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(201);
        return JsonPath.read(created.getContentAsString(), "$.job.id");
    }

    static String job(String name, String namespace) {
        return "{\"name\":\"" + name + "\",\"template_type\":\"heartbeat\",\"namespace\":\"" + namespace
                + "\",\"schedule\":{\"type\":\"interval\",\"interval_seconds\":3600}}";
    }

    MockHttpServletResponse send(String token, String method, String path, String body) throws Exception {
        MockHttpServletRequestBuilder call =
                request(HttpMethod.valueOf(method), API + path).with(TestLogins.bearer(token));
        if (body != null) {
            call.contentType(MediaType.APPLICATION_JSON).content(body);
        }
        return mvc.perform(call).andReturn().getResponse();
    }
}
