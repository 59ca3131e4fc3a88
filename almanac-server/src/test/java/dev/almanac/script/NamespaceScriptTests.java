package dev.almanac.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import dev.almanac.testing.WithSandbox;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.test.web.servlet.result.MockMvcResultMatchers;
import org.springframework.web.context.WebApplicationContext;

/**
 * Scripts and namespaces (issue #20): names unique per namespace, a job that uses only the scripts of its own namespace
 * and the global ones (on save, import, move and again at run time), and the script pages opened to the members of a
 * namespace for its scripts. Ed is an editor in {@code a} only, Olga its owner, Bea an editor in {@code b} only.
 */
abstract class NamespaceScriptTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends NamespaceScriptTests {}

    @WithPostgres
    static class OnPostgres extends NamespaceScriptTests {}

    static final String API = "/api/admin/scheduler";

    static final RequestPostProcessor ED = user("ed").roles("USER");
    static final RequestPostProcessor OLGA = user("olga").roles("USER");
    static final RequestPostProcessor VIC = user("vic").roles("USER");

    @Autowired
    WebApplicationContext context;

    @Autowired
    Engine engine;

    MockMvc pages;
    String root;
    String admin;
    String ed;
    String olga;
    String bea;

    @BeforeEach
    void twoTeams() throws Exception {
        pages = securedMvc();
        root = logins.token(TestLogins.SUPER_ADMIN);
        admin = logins.token(TestLogins.ADMIN);
        ed = logins.token("ed", TestLogins.USER, false);
        olga = logins.token("olga", TestLogins.USER, false);
        bea = logins.token("bea", TestLogins.USER, false);
        logins.token("vic", TestLogins.USER, false);
        for (String name : List.of("a", "b")) {
            created(send(root, "POST", "/namespaces", "{\"name\":\"" + name + "\"}"));
        }
        ok(send(root, "PUT", "/namespaces/a/members", """
                {"members":[{"username":"ed","role":"editor"},{"username":"olga","role":"owner"},
                            {"username":"vic","role":"viewer"}]}"""));
        ok(send(root, "PUT", "/namespaces/b/members", "{\"members\":[{\"username\":\"bea\",\"role\":\"editor\"}]}"));
    }

    @Test
    void namesAreUniquePerNamespaceAndARefusalSpeaksOnlyOfWhatTheCallerSees() throws Exception {
        String bReport = script(bea, "report", "b");
        // the same name in another namespace is no refusal, so writing one tells nothing about b
        String aReport = script(ed, "report", "a");
        assertThat(aReport).isNotEqualTo(bReport);

        MockHttpServletResponse again = send(ed, "POST", "/scripts", body("report", "a"));
        assertThat(again.getStatus()).isEqualTo(409);
        assertThat(again.getContentType()).contains("application/problem+json");
        assertThat(again.getContentAsString())
                .contains("\"field\":\"name\"", "namespace 'a' already has a script named 'report'")
                .doesNotContain("'b'");

        // a global script's name is every namespace's: no namespace's script takes it, and the other way round
        String shared = script(admin, "shared", null);
        MockHttpServletResponse shadowing = send(ed, "POST", "/scripts", body("shared", "a"));
        assertThat(shadowing.getStatus()).isEqualTo(409);
        assertThat(shadowing.getContentAsString()).contains("a global script is named 'shared'");
        MockHttpServletResponse globalClash = send(admin, "POST", "/scripts", body("report", null));
        assertThat(globalClash.getStatus()).isEqualTo(409);
        assertThat(globalClash.getContentAsString()).contains("namespaces 'a', 'b' have a script named 'report'");
        assertThat(send(admin, "POST", "/scripts", body("shared", null)).getContentAsString())
                .contains("a global script named 'shared' already exists");

        // ed sees a's scripts and the global ones; b's, by no road
        String list = send(ed, "GET", "/scripts", null).getContentAsString();
        assertThat(list).contains(aReport, shared).doesNotContain(bReport, "\"namespace\":\"b\"");
        for (String path : List.of("/scripts/" + bReport, "/scripts/" + bReport + "/versions/1")) {
            MockHttpServletResponse hidden = send(ed, "GET", path, null);
            assertThat(hidden.getStatus()).as(path).isEqualTo(404);
        }
    }

    @Test
    void aJobUsesOnlyTheScriptsOfItsNamespaceAndTheGlobalOnesOnSaveImportAndMove() throws Exception {
        String bTool = script(bea, "b-tool", "b");
        approve(root, bTool);
        String aReport = script(ed, "report", "a");
        approve(olga, aReport);
        String shared = script(admin, "shared", null);
        approve(root, shared);

        // ed cannot see b: b's script is no script at all to them
        MockHttpServletResponse probe = send(ed, "POST", "/jobs", job("uses-b", "a", "b-tool"));
        assertThat(probe.getStatus()).isEqualTo(400);
        assertThat(probe.getContentAsString())
                .contains("\"field\":\"parameters.script\"", "no script is named 'b-tool'")
                .doesNotContain("namespace 'b'");
        // a super admin sees both, and is told the rule
        MockHttpServletResponse across = send(root, "POST", "/jobs", job("uses-b", "a", "b-tool"));
        assertThat(across.getStatus()).isEqualTo(400);
        assertThat(across.getContentAsString())
                .contains("\"field\":\"parameters.script\"")
                .contains("script 'b-tool' is of namespace 'b', not of namespace 'a'");
        created(send(ed, "POST", "/jobs", job("uses-own", "a", "report")));
        created(send(ed, "POST", "/jobs", job("uses-global", "a", "shared")));

        // a move takes the job where its script is not
        String bJob = JsonPath.read(created(send(root, "POST", "/jobs", job("b-job", "b", "b-tool"))), "$.job.id");
        MockHttpServletResponse move = send(root, "PUT", "/jobs/" + bJob, "{\"namespace\":\"a\"}");
        assertThat(move.getStatus()).isEqualTo(400);
        assertThat(move.getContentAsString()).contains("\"field\":\"parameters.script\"", "not of namespace 'a'");

        // an import, per job
        MockHttpServletResponse imported = send(root, "POST", "/jobs/import?mode=apply", """
                {"jobs":[{"name":"imported","namespace":"a","template_type":"script",
                          "parameters":{"script":"b-tool"},"schedule":{"type":"interval","interval_seconds":60}}]}""");
        assertThat(imported.getStatus()).isEqualTo(400);
        assertThat(imported.getContentAsString()).contains("parameters.script", "not of namespace 'a'");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs WHERE name = 'imported'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void theWizardRefusesAnotherNamespacesScriptAtItsField() throws Exception {
        approve(root, script(bea, "b-tool", "b"));
        approve(olga, script(ed, "report", "a"));

        String probe = wizardSave(ED, "b-tool").getContentAsString();
        assertThat(probe).contains("no script is named &#39;b-tool&#39;").doesNotContain("namespace &#39;b&#39;");
        assertThat(probe)
                .containsPattern(
                        "<[^>]*(name=\"p\\.script\"[^>]*aria-invalid=\"true\"|aria-invalid=\"true\"[^>]*name=\"p\\.script\")");
        assertThat(wizardSave(user("root").roles("SUPER_ADMIN"), "b-tool").getContentAsString())
                .contains("script &#39;b-tool&#39; is of namespace &#39;b&#39;, not of namespace &#39;a&#39;");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isZero();

        MockHttpServletResponse saved = wizardSave(ED, "report");
        assertThat(saved.getStatus()).as(saved.getContentAsString()).isEqualTo(302);
    }

    private MockHttpServletResponse wizardSave(RequestPostProcessor who, String script) throws Exception {
        return pages.perform(post("/jobs/wizard")
                        .with(who)
                        .with(csrf())
                        .param("namespace", "a")
                        .param("template_type", "script")
                        .param("name", "wizard-job")
                        .param("p.script", script)
                        .param("p.version", "latest_approved")
                        .param("schedule_kind", "daily")
                        .param("daily_time", "02:00")
                        .param("timezone", "UTC")
                        .param("timeout_seconds", "3600")
                        .param("max_retries", "0")
                        .param("retry_delay_seconds", "60")
                        .param("backoff_multiplier", "2")
                        .param("concurrency_policy", "forbid")
                        .param("misfire_policy", "run_once")
                        .param("catch_up_window_seconds", "3600")
                        .param("enabled", "true")
                        .param("step", "5")
                        .param("_action", "save"))
                .andReturn()
                .getResponse();
    }

    @Test
    @WithSandbox
    void aStoredJobThatNamesAnotherNamespacesScriptFailsEveryRunScheduledManualOrTriggeredWithTheReason()
            throws Exception {
        String bTool = script(bea, "b-tool", "b");
        approve(root, bTool);
        // saved when the rule was not there yet, or moved behind its back: a row that names b's script from a
        String up = JsonPath.read(
                created(send(
                        root,
                        "POST",
                        "/jobs",
                        "{\"name\":\"up\",\"namespace\":\"b\",\"template_type\":\"heartbeat\","
                                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 0 1 1 *\"}}")),
                "$.job.id");
        String stored = job("stored", "b", "b-tool", "0 3 * * *");
        String job = JsonPath.read(
                created(send(
                        root,
                        "POST",
                        "/jobs",
                        stored.substring(0, stored.length() - 1) + ",\"triggers\":[{\"job\":\"up\"}]}")),
                "$.job.id");
        jdbc.sql("UPDATE jobs SET namespace = 'a' WHERE id = ?")
                .param(UUID.fromString(job))
                .update();

        clock.advance(Duration.ofHours(25));
        engine.runDueOnce();
        engine.runDueOnce();
        ok(send(root, "POST", "/jobs/" + job + "/run", null));
        engine.runDueOnce();
        engine.runDueOnce();
        // and a run its upstream's success starts
        ok(send(root, "POST", "/jobs/" + up + "/run", null));
        engine.runDueOnce();
        engine.runDueOnce();
        engine.runDueOnce();

        List<Map<String, Object>> runs = jdbc.sql(
                        "SELECT status, error, triggered_by FROM executions WHERE job_id = ? AND status <> 'skipped'")
                .param(UUID.fromString(job))
                .query()
                .listOfRows();
        assertThat(runs)
                .extracting(run -> String.valueOf(run.get("triggered_by")).replaceFirst(":.*", ""))
                .containsExactlyInAnyOrder("scheduler", "manual", "dependency");
        assertThat(runs).allSatisfy(run -> {
            assertThat(run.get("status")).isEqualTo("failed");
            assertThat(run.get("error").toString())
                    .contains("no script named 'b-tool' is of namespace 'a' or global")
                    .contains("a job may use only the scripts of its own namespace and the global scripts")
                    .doesNotContain("'b'");
        });
    }

    @Test
    void aMemberOpensTheScriptPagesOfTheirNamespaceOnlyAndAnOwnerApprovesThere() throws Exception {
        String bSecret = script(bea, "b-secret", "b");
        String aReport = script(ed, "report", "a");
        String shared = script(admin, "shared", null);

        String list = html(ED, "/scripts");
        assertThat(list).contains("report", "shared", "id=\"new-script\"").doesNotContain("b-secret");
        for (String path : List.of(
                "/scripts/" + bSecret,
                "/scripts/" + bSecret + "/versions/1",
                "/scripts/" + bSecret + "/versions/new")) {
            MockHttpServletResponse hidden =
                    pages.perform(get(path).with(ED)).andReturn().getResponse();
            assertThat(hidden.getStatus()).as(path).isEqualTo(404);
            assertThat(hidden.getContentAsString()).doesNotContain("b-secret");
        }
        pages.perform(post("/scripts/" + bSecret + "/versions")
                        .with(ED)
                        .with(csrf())
                        .param("source", "echo sneaky"))
                .andExpect(status().isNotFound());

        // the form offers a's namespace only; b and global are refused at the field, a taken name too
        String form = html(ED, "/scripts/new");
        assertThat(form).contains("<option value=\"a\"").doesNotContain("<option value=\"b\"", "<option value=\"\"");
        String intoB = pages.perform(newScript(ED, "other", "b"))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(intoB).contains("id=\"namespace-error\"", "no namespace named &#39;b&#39;");
        String taken = pages.perform(newScript(ED, "report", "a"))
                .andExpect(status().isConflict())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(taken)
                .contains("namespace &#39;a&#39; already has a script named &#39;report&#39;")
                .doesNotContain("b-secret");
        pages.perform(newScript(ED, "global-try", "")).andExpect(status().isForbidden());
        String location = pages.perform(newScript(ED, "a-tool", "a"))
                .andExpect(status().is3xxRedirection())
                .andReturn()
                .getResponse()
                .getRedirectedUrl();
        assertThat(html(ED, location)).contains("namespace a", "id=\"new-version\"");

        // an editor writes a version; a viewer reads without a button; the global script is not theirs to change
        pages.perform(post("/scripts/" + aReport + "/versions")
                        .with(ED)
                        .with(csrf())
                        .param("source", "echo v2"))
                .andExpect(status().is3xxRedirection());
        assertThat(html(VIC, "/scripts/" + aReport)).doesNotContain("id=\"new-version\"");
        assertThat(html(ED, "/scripts/" + shared)).doesNotContain("id=\"new-version\"");
        pages.perform(post("/scripts/" + shared + "/versions")
                        .with(ED)
                        .with(csrf())
                        .param("source", "echo mine"))
                .andExpect(status().isForbidden());

        // the owner reviews on the page: not what they wrote, and an editor not at all
        assertThat(html(ED, "/scripts/" + aReport + "/versions/1"))
                .contains("id=\"who-reviews\"", "an owner of namespace a")
                .doesNotContain("id=\"review-form\"");
        assertThat(html(OLGA, "/scripts/" + aReport + "/versions/1")).contains("id=\"review-form\"");
        pages.perform(review(ED, aReport, 1, false)).andExpect(status().isForbidden());
        pages.perform(post("/scripts/" + aReport + "/versions")
                        .with(OLGA)
                        .with(csrf())
                        .param("source", "echo v3"))
                .andExpect(status().is3xxRedirection());
        pages.perform(review(OLGA, aReport, 3, true))
                .andExpect(status().isForbidden())
                .andExpect(MockMvcResultMatchers.content().string(containsString("cannot approve it")));
        pages.perform(review(OLGA, aReport, 1, false)).andExpect(status().is3xxRedirection());
        pages.perform(review(OLGA, aReport, 2, true))
                .andExpect(status().isOk())
                .andExpect(header().string("HX-Redirect", "/scripts/" + aReport));
        assertThat(html(OLGA, "/scripts/" + aReport)).contains("olga", "latest approved");
        String versions =
                send(root, "GET", "/scripts/" + aReport + "/versions", null).getContentAsString();
        assertThat(versions).contains("\"version\":2,").contains("\"reviewer\":\"olga\"");
    }

    /**
     * The editor is offered only to whoever may save what they write in it: a viewer opening the new-script form or a
     * new version of their namespace's script by its address, or an editor a global script's, is refused there (403,
     * as a page and through htmx, recorded), not only when saving.
     */
    @Test
    void theEditorFormsAreRefusedByAddressToWhoeverMayNotWriteThere() throws Exception {
        String aReport = script(ed, "report", "a");
        String shared = script(admin, "shared", null);

        assertThat(html(VIC, "/scripts")).doesNotContain("id=\"new-script\"");
        Map<RequestPostProcessor, List<String>> refused = Map.of(
                VIC, List.of("/scripts/new", "/scripts/" + aReport + "/versions/new"),
                ED, List.of("/scripts/" + shared + "/versions/new"));
        for (Map.Entry<RequestPostProcessor, List<String>> who : refused.entrySet()) {
            for (String path : who.getValue()) {
                for (boolean htmx : List.of(false, true)) {
                    MockHttpServletRequestBuilder open = get(path).with(who.getKey());
                    MockHttpServletResponse page = pages.perform(htmx ? open.header("HX-Request", "true") : open)
                            .andReturn()
                            .getResponse();
                    assertThat(page.getStatus())
                            .as(path + (htmx ? " (htmx)" : ""))
                            .isEqualTo(403);
                    assertThat(page.getContentAsString())
                            .as(path)
                            .containsPattern("may not write|only an admin may write")
                            .doesNotContain("data-code-editor");
                }
            }
        }
        assertThat(html(ED, "/scripts/new")).contains("data-code-editor");
        assertThat(html(ED, "/scripts/" + aReport + "/versions/new")).contains("data-code-editor");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND actor = 'vic'")
                        .query(Integer.class)
                        .single())
                .isEqualTo(4);
    }

    private MockHttpServletRequestBuilder newScript(RequestPostProcessor who, String name, String namespace) {
        return post("/scripts")
                .with(who)
                .with(csrf())
                .param("name", name)
                .param("language", "sh")
                .param("source", "echo hi")
                .param("namespace", namespace);
    }

    private MockHttpServletRequestBuilder review(RequestPostProcessor who, String script, int version, boolean htmx) {
        MockHttpServletRequestBuilder review = post("/scripts/" + script + "/versions/" + version + "/review")
                .with(who)
                .with(csrf())
                .param("decision", "approve")
                .param("comment", "read it");
        return htmx ? review.header("HX-Request", "true") : review;
    }

    private String html(RequestPostProcessor who, String path) throws Exception {
        MockHttpServletResponse response =
                pages.perform(get(path).with(who)).andReturn().getResponse();
        assertThat(response.getStatus())
                .as(path + ": " + response.getContentAsString())
                .isEqualTo(200);
        return response.getContentAsString();
    }

    private String script(String token, String name, String namespace) throws Exception {
        return JsonPath.read(created(send(token, "POST", "/scripts", body(name, namespace))), "$.id");
    }

    private void approve(String token, String script) throws Exception {
        ok(send(token, "POST", "/scripts/" + script + "/versions/1/approve", "{\"comment\":\"read it\"}"));
    }

    private static String body(String name, String namespace) {
        return "{\"name\":\"" + name + "\",\"language\":\"sh\",\"source\":\"echo hi\""
                + (namespace == null ? "" : ",\"namespace\":\"" + namespace + "\"") + "}";
    }

    private static String job(String name, String namespace, String script) {
        return job(name, namespace, script, null);
    }

    private static String job(String name, String namespace, String script, String cron) {
        String schedule = cron == null
                ? "{\"type\":\"interval\",\"interval_seconds\":3600}"
                : "{\"type\":\"cron\",\"expression\":\"" + cron + "\",\"timezone\":\"UTC\"}";
        return "{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\",\"template_type\":\"script\","
                + "\"parameters\":{\"script\":\"" + script + "\"},\"schedule\":" + schedule + "}";
    }

    private static String created(MockHttpServletResponse response) throws Exception {
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(201);
        return response.getContentAsString();
    }

    private static void ok(MockHttpServletResponse response) throws Exception {
        assertThat(response.getStatus()).as(response.getContentAsString()).isBetween(200, 299);
    }

    private MockHttpServletResponse send(String token, String method, String path, String body) throws Exception {
        MockHttpServletRequestBuilder call =
                request(HttpMethod.valueOf(method), API + path).with(TestLogins.bearer(token));
        if (body != null) {
            call.contentType(MediaType.APPLICATION_JSON).content(body);
        }
        return mvc.perform(call).andReturn().getResponse();
    }
}
