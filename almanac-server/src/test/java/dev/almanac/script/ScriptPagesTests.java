package dev.almanac.script;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultMatcher;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.test.web.servlet.result.MockMvcResultMatchers;
import org.springframework.web.context.WebApplicationContext;

/**
 * The script pages as a browser session uses them: writing in the editor, the review with its diff, the refusal of the
 * author's own approval (as a page and in place through htmx), the audit trail, and which jobs run which version.
 */
abstract class ScriptPagesTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends ScriptPagesTests {}

    @WithPostgres
    static class OnPostgres extends ScriptPagesTests {}

    /** An admin and two super admins: any of them writes scripts, a super admin who did not write one reviews it. */
    static final RequestPostProcessor ALICE = user("alice").roles("ADMIN");

    static final RequestPostProcessor BOB = user("bob").roles("SUPER_ADMIN");

    static final RequestPostProcessor CAROL = user("carol").roles("SUPER_ADMIN");

    @Autowired
    WebApplicationContext context;

    @Autowired
    ScriptService scripts;

    @Autowired
    JobService jobs;

    MockMvc pages;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        pages = securedMvc();
    }

    @Test
    void aSuperAdminWritesAScriptInTheEditorAndASecondOneApprovesItOnTheReviewPage() throws Exception {
        assertThat(html("/scripts/new", BOB))
                .contains("<textarea id=\"source\" name=\"source\"", "data-code-editor", "data-language=\"python3\"")
                .contains("/webjars/codemirror/lib/codemirror.js", "/webjars/codemirror/mode/python/python.js")
                .contains("/js/script-editor.js");

        String missingSource = pages.perform(post("/scripts")
                        .with(BOB)
                        .with(csrf())
                        .param("name", "nightly-report")
                        .param("language", "python3")
                        .param("source", " "))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(missingSource).contains("id=\"source-error\"", "is required").contains("value=\"nightly-report\"");

        String location = pages.perform(post("/scripts")
                        .with(BOB)
                        .with(csrf())
                        .param("name", "nightly-report")
                        .param("language", "python3")
                        .param("description", "counts the rows")
                        .param("source", "print('<rows>')\n")
                        .param("network_allowed", "true"))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("flash", containsString("pending until a second person approves it")))
                .andReturn()
                .getResponse()
                .getRedirectedUrl();
        String id = location.substring("/scripts/".length());
        assertThat(html("/scripts", BOB)).contains("nightly-report", "pending", "nothing approved yet");
        assertThat(html(location, BOB))
                .contains("id=\"version-1\"", "bob", "not yet", "asks for network", "id=\"no-uses\"");

        // the author is told on the page, and refused whichever way the form is sent
        String review = location + "/versions/1";
        assertThat(html(review, BOB))
                .contains("id=\"own-version\"", "id=\"review-form\"")
                .contains("print(&#39;&lt;rows&gt;&#39;)"); // the source is escaped, in the diff and the editor
        pages.perform(post(review + "/review")
                        .with(BOB)
                        .with(csrf())
                        .param("decision", "approve")
                        .param("comment", "mine, trust me"))
                .andExpect(status().isForbidden())
                .andExpect(content("cannot approve it: a second person reviews every version"));
        pages.perform(post(review + "/review")
                        .with(BOB)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("decision", "approve")
                        .param("comment", "mine, trust me"))
                .andExpect(status().isForbidden())
                .andExpect(header().string("HX-Retarget", "#alerts"))
                .andExpect(content("data-refusal"))
                .andExpect(content("cannot approve it"));

        // an admin does not review at all
        pages.perform(post(review + "/review")
                        .with(ALICE)
                        .with(csrf())
                        .param("decision", "approve")
                        .param("comment", "fine"))
                .andExpect(status().isForbidden())
                .andExpect(content("only a super admin may approve script versions"));

        // the reviewer must say something; through htmx the form comes back with the error at the field
        pages.perform(post(review + "/review")
                        .with(CAROL)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("decision", "approve")
                        .param("comment", ""))
                .andExpect(status().isBadRequest())
                .andExpect(content("id=\"comment-error\""))
                .andExpect(content("id=\"review\""));
        assertThat(html(review, CAROL)).doesNotContain("id=\"own-version\"");
        clock.advance(Duration.ofMinutes(5));
        pages.perform(post(review + "/review")
                        .with(CAROL)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("decision", "approve")
                        .param("comment", "reads only, prints one line"))
                .andExpect(status().isOk())
                .andExpect(header().string("HX-Redirect", location));

        assertThat(html(location, CAROL))
                .contains("approved", "latest approved", "carol", "reads only, prints one line")
                .doesNotContain("not yet");
        assertThat(html(review, CAROL)).doesNotContain("id=\"review-form\"");
        assertThat(scripts.version(UUID.fromString(id), 1).reviewer()).isEqualTo("carol");
        assertThat(audited("script.created", "bob")).isOne();
        assertThat(audited("access.denied", "bob")).isEqualTo(2);
        assertThat(audited("script.version_approved", "carol")).isOne();
    }

    @Test
    void aNewVersionIsReviewedAgainstTheLastApprovedOneAndCanBeRejected() throws Exception {
        Script script = asAlice(() -> scripts.create("rows", "sh", "", "echo one\necho two\necho three\n", false));
        asBob(() -> scripts.approve(script.id(), 1, "fine"));
        String base = "/scripts/" + script.id();

        assertThat(html(base + "/versions/new", ALICE))
                .contains("New version of rows", "echo one")
                .contains("data-language=\"sh\"");
        pages.perform(post(base + "/versions")
                        .with(ALICE)
                        .with(csrf())
                        .param("source", "echo one\necho 2\necho three\n"))
                .andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrl(base + "/versions/2"));
        // a third version, rejected, is not what the next one is compared with
        pages.perform(post(base + "/versions").with(ALICE).with(csrf()).param("source", "rm -rf /tmp/x\n"))
                .andExpect(redirectedUrl(base + "/versions/3"));
        pages.perform(post(base + "/versions/3/review")
                        .with(BOB)
                        .with(csrf())
                        .param("decision", "reject")
                        .param("comment", "deletes files"))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("flash", containsString("rejected: no job will run it")));

        String diff = html(base + "/versions/2", BOB);
        assertThat(diff)
                .contains("Changes since v1, the last approved version")
                .containsPattern("<td class=\"line-no\">2</td>\\s*<td class=\"line-no\"></td>\\s*<td class=\"old\">.*"
                        + "<span class=\"code-line\">- echo two</span>")
                .containsPattern("<td class=\"line-no\"></td>\\s*<td class=\"line-no\">2</td>\\s*<td class=\"new\">.*"
                        + "<span class=\"code-line\">\\+ echo 2</span>")
                .contains("<span class=\"code-line\">  echo one</span>");
        assertThat(html(base, BOB))
                .containsPattern("id=\"version-3\"[\\s\\S]*rejected[\\s\\S]*deletes files")
                .containsPattern("id=\"version-2\"[\\s\\S]*pending");
        assertThat(audited("script.version_rejected", "bob")).isOne();
        assertThat(audited("script.version_created", "alice")).isEqualTo(2);
    }

    @Test
    void aSourceWithALoneCarriageReturnIsRefusedAtTheSourceFieldOfTheEditor() throws Exception {
        String hidden = "# report\n# TODO tidy\rimport os; print('EVIL')\n";
        pages.perform(post("/scripts")
                        .with(ALICE)
                        .with(csrf())
                        .param("name", "sneaky")
                        .param("language", "python3")
                        .param("source", hidden))
                .andExpect(status().isBadRequest())
                .andExpect(MockMvcResultMatchers.content()
                        .string(containsString("id=\"source-error\">must not contain a carriage return without a"
                                + " line feed (line 2)")));
        Script script = asAlice(() -> scripts.create("tidy", "python3", "", "print('v1')\r\n", false));
        pages.perform(post("/scripts/" + script.id() + "/versions")
                        .with(ALICE)
                        .with(csrf())
                        .param("source", hidden))
                .andExpect(status().isBadRequest())
                .andExpect(MockMvcResultMatchers.content()
                        .string(containsString("id=\"source-error\">must not contain a carriage return")));
        assertThat(scripts.versions(script.id())).hasSize(1);
    }

    /**
     * A browser's text area sends CR LF; sh would run each CR as part of its line. A source written in the editor is
     * stored with LF, as a page and through htmx, for a new script and a new version, and the diff of a version stored
     * with CR LF before marks every line whose end changed.
     */
    @Test
    void aSourceWrittenInTheEditorIsStoredWithLineFeedsAndTheDiffMarksAChangedLineEnd() throws Exception {
        for (boolean htmx : List.of(false, true)) {
            var create = post("/scripts")
                    .with(ALICE)
                    .with(csrf())
                    .param("name", "typed-" + htmx)
                    .param("language", "sh")
                    .param("source", "echo one\r\necho two\r\n");
            pages.perform(htmx ? create.header("HX-Request", "true") : create).andExpect(status().is3xxRedirection());
        }
        for (Script typed : scripts.all()) {
            assertThat(scripts.version(typed.id(), 1).source()).isEqualTo("echo one\necho two\n");
        }

        Script script = scripts.all().get(0);
        asBob(() -> scripts.approve(script.id(), 1, "fine"));
        jdbc.sql("UPDATE script_versions SET source = 'echo one\r\necho two\r\n' WHERE script_id = ? AND version = 1")
                .param(script.id())
                .update();
        String base = "/scripts/" + script.id();
        for (boolean htmx : List.of(false, true)) {
            var version = post(base + "/versions").with(ALICE).with(csrf()).param("source", "echo one\r\necho 2\r\n");
            pages.perform(htmx ? version.header("HX-Request", "true") : version).andExpect(status().is3xxRedirection());
        }
        assertThat(scripts.version(script.id(), 2).source()).isEqualTo("echo one\necho 2\n");
        assertThat(scripts.version(script.id(), 3).source()).isEqualTo("echo one\necho 2\n");

        String diff = html(base + "/versions/2", BOB);
        assertThat(diff)
                .containsPattern("<span class=\"code-line\">- echo one</span><span class=\"line-end\"")
                .contains("<span class=\"code-line\">+ echo one</span></td>")
                .contains("(ends with CR LF)");
        assertThat(scripts.diff(script.id(), 2).unified()).contains("-echo one\r\n", "+echo one\n");
    }

    /** A final line break ends the last line; only adding or removing it shows, as diff(1) shows it. */
    @Test
    void theReviewDiffCountsNoEmptyLineAfterAFinalLineBreak() throws Exception {
        Script script = asAlice(() -> scripts.create("six", "sh", "", "echo 1\necho 2\necho 3\necho 4\n", false));
        asBob(() -> scripts.approve(script.id(), 1, "fine"));
        asAlice(() -> scripts.addVersion(script.id(), "echo 1\necho 2\necho 3\necho four\n", false));
        asAlice(() -> scripts.addVersion(script.id(), "echo 1\necho 2\necho 3\necho 4", false));
        String base = "/scripts/" + script.id() + "/versions/";

        assertThat(scripts.diff(script.id(), 2).unified())
                .contains("@@ -1,4 +1,4 @@", "-echo 4\n+echo four")
                .doesNotContain("No newline");
        for (RequestPostProcessor reader : List.of(BOB, ALICE)) {
            for (boolean htmx : List.of(false, true)) {
                var request = get(base + "2").with(reader);
                String page = pages.perform(htmx ? request.header("HX-Request", "true") : request)
                        .andExpect(status().isOk())
                        .andReturn()
                        .getResponse()
                        .getContentAsString();
                assertThat(page)
                        .contains("@@ -1,4 +1,4 @@", "<span class=\"code-line\">+ echo four</span>")
                        .doesNotContainPattern("<td class=\"line-no\">5</td>");
            }
        }
        assertThat(scripts.diff(script.id(), 3).unified())
                .contains("-echo 4\n+echo 4\n\\ No newline at end of file")
                .endsWith("No newline at end of file");
        assertThat(html(base + "3", BOB))
                .contains(">\\ No newline at end of file<")
                .doesNotContain("line-no\">5<");
    }

    /** The review page says when a version asks for network access the approved one before it did not have. */
    @Test
    void theReviewPageSaysWhenAVersionAsksForNetworkAccess() throws Exception {
        Script script = asAlice(() -> scripts.create("fetcher", "sh", "", "echo local\n", false));
        asBob(() -> scripts.approve(script.id(), 1, "fine"));
        asAlice(() -> scripts.addVersion(script.id(), "echo local\n", true));
        String base = "/scripts/" + script.id() + "/versions/";

        assertThat(html(base + "2", BOB))
                .contains("id=\"network-change\"", "v1 had none; this version asks for it")
                .contains("The source did not change.");
        assertThat(html(base + "1", BOB)).doesNotContain("id=\"network-change\"", "id=\"network-asked\"");
    }

    @Test
    void theScriptPageShowsWhichJobsRunWhichVersion() throws Exception {
        Script script = asAlice(() -> scripts.create("report", "sh", "", "echo v1", false));
        asBob(() -> scripts.approve(script.id(), 1, "fine"));
        asBob(() -> jobs.create(
                aCronJob("pinned-job", "0 2 * * *")
                        .template("script", Map.of("script", "report", "version", 1))
                        .build(),
                "test"));
        asBob(() -> jobs.create(
                aCronJob("following-job", "0 3 * * *")
                        .template("script", Map.of("script", "report", "version", "latest_approved"))
                        .build(),
                "test"));
        Script other = asAlice(() -> scripts.create("report-2", "sh", "", "echo other", false));
        asBob(() -> scripts.approve(other.id(), 1, "fine"));
        asBob(() -> jobs.create(
                aCronJob("other-job", "0 4 * * *")
                        .template("script", Map.of("script", "report-2"))
                        .build(),
                "test"));
        ScriptVersion second = asAlice(() -> scripts.addVersion(script.id(), "echo v2", false));
        asBob(() -> scripts.approve(script.id(), second.version(), "fine too"));

        String page = html("/scripts/" + script.id(), ALICE);
        assertThat(page)
                .containsPattern("pinned-job</a></td>\\s*<td><span>v1</span>[\\s\\S]*?pinned")
                .containsPattern("following-job</a></td>\\s*<td><span>v2</span>[\\s\\S]*?latest approved")
                .doesNotContain("other-job");
    }

    @Test
    void theScriptTemplateIsInTheWizardLikeAnyTemplateAndTheEditorIsServed() throws Exception {
        assertThat(html("/jobs/new", ALICE)).contains("id=\"use-script\"").doesNotContain("id=\"unavailable-script\"");
        pages.perform(get("/webjars/codemirror/lib/codemirror.js")).andExpect(status().isOk());
        pages.perform(get("/js/script-editor.js")).andExpect(status().isOk());
        assertThat(html("/", ALICE)).contains("href=\"/scripts\"");
    }

    /** Where bubblewrap is missing, the wizard still lists the template, saying why it cannot run here. */
    @WithH2
    @TestPropertySource(properties = "almanac.scripts.bwrap=/nonexistent/bwrap")
    static class OnH2WithoutBubblewrap extends AlmanacIntegrationTest {

        @Autowired
        WebApplicationContext context;

        @Test
        void theWizardListsTheScriptTemplateAsUnavailableWithTheReason() throws Exception {
            MockMvc pages = securedMvc();
            String wizard = pages.perform(get("/jobs/new").with(ALICE))
                    .andExpect(status().isOk())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(wizard)
                    .contains("id=\"use-script\"", "id=\"unavailable-script\"", "unavailable on this node")
                    .contains("apt-get install bubblewrap");
        }
    }

    private String html(String path, RequestPostProcessor who) throws Exception {
        return pages.perform(get(path).with(who))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
    }

    private static ResultMatcher content(String text) {
        return MockMvcResultMatchers.content().string(containsString(text));
    }

    private <T> T asAlice(Supplier<T> action) {
        return as("alice", "ROLE_ADMIN", action);
    }

    private <T> T asBob(Supplier<T> action) {
        return as("bob", "ROLE_SUPER_ADMIN", action);
    }

    private static <T> T as(String name, String role, Supplier<T> action) {
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(
                name, "n/a", List.of(new SimpleGrantedAuthority(role))));
        var previous = SecurityContextHolder.getContext();
        SecurityContextHolder.setContext(context);
        try {
            return action.get();
        } finally {
            SecurityContextHolder.setContext(previous);
        }
    }

    private int audited(String action, String actor) {
        return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = :action AND actor = :actor")
                .param("action", action)
                .param("actor", actor)
                .query(Integer.class)
                .single();
    }
}
