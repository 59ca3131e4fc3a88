package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.web.context.WebApplicationContext;

/**
 * The namespace UI through the security filters, as a browser session meets it: a user whose only role is editor in
 * {@code a} opens the scheduler's pages and sees only {@code a}; the header's switcher is remembered per user and
 * filters the lists and the dashboard; the namespace pages show members, quotas against their use, and refuse where
 * the reader acted (in place for htmx), never as a 500 or JSON.
 */
abstract class NamespacePagesTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends NamespacePagesTests {}

    @WithPostgres
    static class OnPostgres extends NamespacePagesTests {}

    static final String API = "/api/admin/scheduler";

    @Autowired
    WebApplicationContext context;

    MockMvc pages;
    String aJob;
    String bJob;
    String bExecution;

    static final RequestPostProcessor ROOT = user("root").roles("SUPER_ADMIN");
    static final RequestPostProcessor ALICE = user("alice").roles("USER");
    static final RequestPostProcessor BOB = user("bob").roles("USER");

    @BeforeEach
    void twoTeams() throws Exception {
        pages = securedMvc();
        logins.user("root", TestLogins.SUPER_ADMIN, null);
        logins.user("alice", TestLogins.USER, null);
        logins.user("bob", TestLogins.USER, null);
        api(
                "POST",
                "/namespaces",
                "{\"name\":\"a\",\"display_name\":\"Team A\",\"quotas\":{\"jobs\":2,\"runs_at_once\":2,"
                        + "\"manual_runs_per_hour\":10}}");
        api("POST", "/namespaces", "{\"name\":\"b\"}");
        api(
                "PUT",
                "/namespaces/a/members",
                "{\"members\":[{\"username\":\"alice\",\"role\":\"editor\"},"
                        + "{\"username\":\"bob\",\"role\":\"owner\"}]}");
        aJob = JsonPath.read(api("POST", "/jobs", heartbeat("a-one", "a")), "$.job.id");
        bJob = JsonPath.read(api("POST", "/jobs", heartbeat("b-secret", "b")), "$.job.id");
        bExecution = JsonPath.read(api("POST", "/jobs/" + bJob + "/run", null), "$.execution_id");
    }

    private static String heartbeat(String name, String namespace) {
        return "{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\",\"template_type\":\"heartbeat\","
                + "\"schedule\":{\"type\":\"interval\",\"interval_seconds\":60}}";
    }

    private String html(RequestPostProcessor who, String path) throws Exception {
        var response = pages.perform(get(path).with(who)).andReturn().getResponse();
        assertThat(response.getStatus())
                .as(path + ": " + response.getContentAsString())
                .isEqualTo(200);
        return response.getContentAsString();
    }

    @Test
    void aUserWhoseOnlyRoleIsInOneNamespaceOpensThePagesAndSeesOnlyIt() throws Exception {
        assertThat(html(ALICE, "/jobs")).contains("a-one").doesNotContain("b-secret");
        assertThat(html(ALICE, "/executions")).doesNotContain("b-secret", bExecution);
        assertThat(html(ALICE, "/"))
                .contains("in the namespaces you work in")
                .doesNotContain("b-secret", "Cluster nodes");
        assertThat(html(ALICE, "/jobs/" + aJob)).contains("a-one");
        assertThat(html(ALICE, "/namespaces")).contains("Team A", "editor").doesNotContain("namespace-b");
        assertThat(html(ALICE, "/namespaces/a"))
                .contains("id=\"your-role\">editor<")
                .doesNotContain("id=\"add-member\"", "id=\"delete-namespace\"");
        // the header: the namespaces pages, the switcher with only a (no "all": one namespace)
        assertThat(html(ALICE, "/jobs"))
                .contains("id=\"namespace-switcher\"", "<option value=\"a\"")
                .doesNotContain("All namespaces", "<option value=\"b\"", "href=\"/tokens\"");
        // the wizard offers only the namespaces alice may create jobs in, and its templates there
        assertThat(html(ALICE, "/jobs/new"))
                .contains("id=\"wizard-namespace\"", "<option value=\"a\" selected=\"selected\">a</option>")
                .doesNotContain("<option value=\"b\"", "<option value=\"default\"")
                .contains("id=\"use-heartbeat\"");

        // every page of b answers like a missing one, as a page
        for (String path : new String[] {
            "/jobs/" + bJob,
            "/jobs/" + bJob + "/versions",
            "/jobs/" + bJob + "/edit",
            "/jobs/" + bJob + "/run",
            "/executions/" + bExecution,
            "/executions/" + bExecution + "/logs",
            "/namespaces/b"
        }) {
            var response = pages.perform(get(path).with(ALICE)).andReturn().getResponse();
            assertThat(response.getStatus()).as(path).isEqualTo(404);
            assertThat(response.getContentType()).as(path).startsWith("text/html");
            assertThat(response.getContentAsString()).as(path).doesNotContain("b-secret");
        }
        // an id with an encoded character is the same id to the handler, and so to the guard
        var encoded = pages.perform(
                        get(java.net.URI.create("/jobs/%" + Integer.toHexString(bJob.charAt(0)) + bJob.substring(1)))
                                .with(ALICE))
                .andReturn()
                .getResponse();
        assertThat(encoded.getStatus()).isEqualTo(404);
        assertThat(encoded.getContentAsString()).doesNotContain("b-secret");
        // and an htmx action on b's job is refused in place, the same 404
        pages.perform(post("/jobs/" + bJob + "/run").with(ALICE).with(csrf()).header("HX-Request", "true"))
                .andExpect(status().isNotFound())
                .andExpect(header().string("HX-Retarget", "#alerts"));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM executions WHERE job_id = :id")
                        .param("id", java.util.UUID.fromString(bJob))
                        .query(Long.class)
                        .single())
                .isOne();
        // a user with no role anywhere still opens no page of the scheduler
        logins.user("carol", TestLogins.USER, null);
        assertThat(pages.perform(get("/jobs").with(user("carol").roles("USER")))
                        .andReturn()
                        .getResponse()
                        .getStatus())
                .isEqualTo(403);
    }

    @Test
    void aViewerOnlyMemberIsOfferedNoNewJobWhileAnEditorAndAGlobalAdminAre() throws Exception {
        logins.user("vera", TestLogins.USER, null);
        api("PUT", "/namespaces/b/members", "{\"members\":[{\"username\":\"vera\",\"role\":\"viewer\"}]}");
        RequestPostProcessor vera = user("vera").roles("USER");
        for (String path : new String[] {"/jobs", "/"}) {
            assertThat(html(vera, path)).as(path).doesNotContain("href=\"/jobs/new\"");
        }
        assertThat(html(vera, "/jobs")).contains("b-secret");

        assertThat(html(ALICE, "/jobs")).contains("href=\"/jobs/new\"");
        assertThat(html(ROOT, "/jobs")).contains("href=\"/jobs/new\"");
        logins.user("adam", TestLogins.ADMIN, null);
        assertThat(html(user("adam").roles("ADMIN"), "/jobs")).contains("href=\"/jobs/new\"");
    }

    @Test
    void theSwitcherIsRememberedPerUserAndFiltersTheListsAndTheDashboard() throws Exception {
        assertThat(html(ROOT, "/jobs")).contains("a-one", "b-secret", "All namespaces");
        pages.perform(post("/account/namespace")
                        .with(ROOT)
                        .with(csrf())
                        .param("namespace", "b")
                        .param("back", "/jobs"))
                .andExpect(status().is3xxRedirection())
                .andExpect(header().string("Location", "/jobs"));
        assertThat(jdbc.sql("SELECT current_namespace FROM users WHERE username = 'root'")
                        .query(String.class)
                        .single())
                .isEqualTo("b");
        assertThat(html(ROOT, "/jobs"))
                .contains("b-secret", "id=\"namespace-scope\"", "<option value=\"b\" selected=\"selected\">")
                .doesNotContain("a-one");
        assertThat(html(ROOT, "/executions")).contains(bExecution);
        assertThat(html(ROOT, "/")).contains("id=\"dashboard-namespace\"", "Cluster nodes");
        assertThat(html(ROOT, "/audit")).contains("id=\"namespace-scope\"");
        // another user's pick is their own
        assertThat(html(ALICE, "/jobs")).contains("a-one");

        pages.perform(post("/account/namespace").with(ROOT).with(csrf()).param("namespace", "a"));
        assertThat(html(ROOT, "/jobs")).contains("a-one").doesNotContain("b-secret");
        // the dashboard counts a's jobs only
        assertThat(html(ROOT, "/")).containsPattern("(?s)Jobs.{0,200}>1<");

        // a namespace one may not see cannot be picked; "all" again
        pages.perform(post("/account/namespace").with(ALICE).with(csrf()).param("namespace", "b"))
                .andExpect(status().isNotFound());
        pages.perform(post("/account/namespace").with(ROOT).with(csrf()).param("namespace", ""));
        assertThat(html(ROOT, "/jobs")).contains("a-one", "b-secret");
    }

    @Test
    void theNamespacePageShowsQuotasAgainstUseAndItsOwnerManagesMembers() throws Exception {
        String page = html(BOB, "/namespaces/a");
        assertThat(page)
                .containsPattern("id=\"quota-jobs\">\\s*<td>jobs</td>\\s*<td>1 / 2</td>")
                .containsPattern("id=\"quota-runs_at_once\">\\s*<td>runs at once</td>\\s*<td>0 / 2</td>")
                .containsPattern(
                        "id=\"quota-manual_runs_per_hour\">\\s*<td>manual runs and backfills in the last hour</td>"
                                + "\\s*<td>0 / 10</td>")
                .contains("id=\"member-alice\"", "id=\"add-member\"", "id=\"edit-namespace\"")
                .doesNotContain("id=\"delete-namespace\"");

        logins.user("dave", TestLogins.USER, null);
        pages.perform(post("/namespaces/a/members")
                        .with(BOB)
                        .with(csrf())
                        .param("username", "dave")
                        .param("role", "runner"))
                .andExpect(status().is3xxRedirection());
        pages.perform(post("/namespaces/a/members")
                        .with(BOB)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("username", "alice")
                        .param("role", "viewer"))
                .andExpect(status().isOk())
                .andExpect(header().string("HX-Redirect", "/namespaces/a"));
        pages.perform(post("/namespaces/a/members/dave/remove").with(BOB).with(csrf()))
                .andExpect(status().is3xxRedirection());
        Object aliceRole =
                JsonPath.read(api("GET", "/namespaces/a/members", null), "$.members[?(@.username=='alice')].role");
        assertThat(aliceRole.toString()).contains("viewer");
        assertThat(api("GET", "/namespaces/a/members", null)).doesNotContain("dave");

        // an unknown user: refused where the owner acted, naming it
        pages.perform(post("/namespaces/a/members")
                        .with(BOB)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("username", "nobody")
                        .param("role", "viewer"))
                .andExpect(status().isBadRequest())
                .andExpect(header().string("HX-Retarget", "#alerts"))
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
                        .string(org.hamcrest.Matchers.containsString("username: no user named &#39;nobody&#39;")));
        // a viewer may not: a 403 in place, as a page fragment
        var refused = pages.perform(post("/namespaces/a/members")
                        .with(ALICE)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("username", "alice")
                        .param("role", "owner"))
                .andExpect(status().isForbidden())
                .andExpect(header().string("HX-Retarget", "#alerts"))
                .andReturn()
                .getResponse();
        assertThat(refused.getContentType()).startsWith("text/html");
        assertThat(refused.getContentAsString()).contains("data-refusal", "may not change its members");

        // the owner changes the quotas; a number that is not one is named
        pages.perform(post("/namespaces/a")
                        .with(BOB)
                        .with(csrf())
                        .param("display_name", "Team A")
                        .param("jobs", "5")
                        .param("runs_at_once", ""))
                .andExpect(status().is3xxRedirection());
        assertThat(html(BOB, "/namespaces/a"))
                .containsPattern("<td>jobs</td>\\s*<td>1 / 5</td>")
                .containsPattern("<td>runs at once</td>\\s*<td>0 \\(no quota\\)</td>");
        pages.perform(post("/namespaces/a")
                        .with(BOB)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("jobs", "many"))
                .andExpect(status().isBadRequest())
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
                        .string(org.hamcrest.Matchers.containsString(
                                "Jobs quota must be a whole number, or empty for none")));
    }

    @Test
    void aRefusedEditFormIsShownAgainOverTheInputWithTheErrorAtItsField() throws Exception {
        var plain = pages.perform(post("/namespaces/a")
                        .with(BOB)
                        .with(csrf())
                        .param("display_name", "Team Q")
                        .param("jobs", "0")
                        .param("runs_at_once", "3"))
                .andReturn()
                .getResponse();
        assertThat(plain.getStatus()).isEqualTo(400);
        assertThat(plain.getContentAsString())
                .doesNotContain("400 Bad Request", "or null for no quota")
                .contains("id=\"edit-namespace\"", "value=\"Team Q\"", "id=\"members\"")
                .containsPattern("name=\"jobs\" value=\"0\"[^>]*aria-invalid=\"true\"")
                .containsPattern("name=\"runs_at_once\" value=\"3\"")
                .containsPattern("id=\"jobs-error\">Jobs quota must be 1 to 1 000 000, or empty for none<");

        var htmx = pages.perform(post("/namespaces/a")
                        .with(BOB)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("display_name", "Team Q")
                        .param("jobs", "abc"))
                .andReturn()
                .getResponse();
        assertThat(htmx.getStatus()).isEqualTo(400);
        assertThat(htmx.getHeader("HX-Retarget")).isNull();
        assertThat(htmx.getContentAsString().strip())
                .startsWith("<form")
                .contains("id=\"edit-namespace\"", "value=\"Team Q\"")
                .contains("id=\"jobs-error\">Jobs quota must be a whole number, or empty for none<")
                .doesNotContain("id=\"members\"");
        // nothing was saved
        assertThat(html(BOB, "/namespaces/a"))
                .containsPattern("<td>jobs</td>\\s*<td>1 / 2</td>")
                .doesNotContain("Team Q");
    }

    @Test
    void aRefusedCreateFormIsShownAgainOverTheInputAndATakenNameIsAConflictAtTheName() throws Exception {
        var plain = pages.perform(post("/namespaces")
                        .with(ROOT)
                        .with(csrf())
                        .param("name", "Bad Name")
                        .param("display_name", "Bad team")
                        .param("jobs", "3"))
                .andReturn()
                .getResponse();
        assertThat(plain.getStatus()).isEqualTo(400);
        assertThat(plain.getContentAsString())
                .doesNotContain("400 Bad Request")
                .contains("id=\"namespaces\"", "id=\"create-namespace\"", "value=\"Bad Name\"", "value=\"Bad team\"")
                .containsPattern("name=\"jobs\" value=\"3\"")
                .contains("id=\"name-error\">must be a lower-case identifier");

        var taken = pages.perform(post("/namespaces")
                        .with(ROOT)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("name", "a")
                        .param("runs_per_job", "20000000"))
                .andReturn()
                .getResponse();
        assertThat(taken.getStatus()).isEqualTo(400);
        assertThat(taken.getContentAsString())
                .contains(
                        "id=\"runs_per_job-error\">Runs kept per job quota must be 1 to 10 000 000, or empty for none<");

        var conflict = pages.perform(post("/namespaces")
                        .with(ROOT)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("name", "a")
                        .param("display_name", "Again"))
                .andReturn()
                .getResponse();
        assertThat(conflict.getStatus()).isEqualTo(409);
        assertThat(conflict.getHeader("HX-Retarget")).isNull();
        assertThat(conflict.getContentAsString().strip())
                .startsWith("<form")
                .contains("id=\"create-namespace\"", "value=\"a\"", "value=\"Again\"")
                .contains("id=\"name-error\">a namespace named &#39;a&#39; already exists<")
                .doesNotContain("409 Conflict");
        var conflictPage = pages.perform(
                        post("/namespaces").with(ROOT).with(csrf()).param("name", "b"))
                .andReturn()
                .getResponse();
        assertThat(conflictPage.getStatus()).isEqualTo(409);
        assertThat(conflictPage.getContentAsString())
                .doesNotContain("409 Conflict")
                .contains("id=\"create-namespace\"", "a namespace named &#39;b&#39; already exists");
    }

    @Test
    void aSuperAdminCreatesAndDeletesNamespacesAndANonEmptyOneIsRefusedWhereTheyActed() throws Exception {
        assertThat(html(ROOT, "/namespaces")).contains("id=\"create-namespace\"", "id=\"delete-b\"");
        assertThat(html(ALICE, "/namespaces")).doesNotContain("id=\"create-namespace\"", "id=\"delete-");
        pages.perform(post("/namespaces")
                        .with(ROOT)
                        .with(csrf())
                        .param("name", "payments")
                        .param("display_name", "Payments")
                        .param("jobs", "3"))
                .andExpect(status().is3xxRedirection())
                .andExpect(header().string("Location", "/namespaces/payments"));
        assertThat(html(ROOT, "/namespaces/payments")).contains("Payments").containsPattern("<td>0 / 3</td>");
        // a bad name: the form again, the error at the name
        var bad = pages.perform(post("/namespaces").with(ROOT).with(csrf()).param("name", "Bad Name"))
                .andReturn()
                .getResponse();
        assertThat(bad.getStatus()).isEqualTo(400);
        assertThat(bad.getContentType()).startsWith("text/html");
        assertThat(bad.getContentAsString()).contains("id=\"name-error\"");

        // b holds a job: refused, in place for htmx, as a page otherwise
        pages.perform(post("/namespaces/b/delete").with(ROOT).with(csrf()).header("HX-Request", "true"))
                .andExpect(status().isConflict())
                .andExpect(header().string("HX-Retarget", "#alerts"))
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
                        .string(org.hamcrest.Matchers.containsString("still holds 1 job")));
        var page = pages.perform(post("/namespaces/b/delete").with(ROOT).with(csrf()))
                .andReturn()
                .getResponse();
        assertThat(page.getStatus()).isEqualTo(409);
        assertThat(page.getContentType()).startsWith("text/html");
        assertThat(page.getContentAsString()).contains("still holds 1 job");
        // an owner is not a super admin
        pages.perform(post("/namespaces/a/delete").with(BOB).with(csrf()).header("HX-Request", "true"))
                .andExpect(status().isForbidden());

        pages.perform(post("/namespaces/payments/delete")
                        .with(ROOT)
                        .with(csrf())
                        .header("HX-Request", "true"))
                .andExpect(status().isOk())
                .andExpect(header().string("HX-Redirect", "/namespaces"));
        assertThat(html(ROOT, "/namespaces")).doesNotContain("id=\"namespace-payments\"");
    }
}
