package dev.almanac.web;

import static dev.almanac.testing.WizardWalk.html;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.almanac.job.JobDrafts;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.BrowserForm;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WizardWalk;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * The wizard at its edges: a copy of a job whose name is as long as allowed, an edit of a job deleted meanwhile, and a
 * save under a name another job has.
 */
@WithH2
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
class WizardCloneAndDeletedPagesTests extends AlmanacIntegrationTest {

    @Autowired
    JsonMapper json;

    private WizardWalk walk;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        walk = new WizardWalk(securedMvc(), mvc, json);
    }

    @Test
    void aCopyOfAJobWithTheLongestNameOffersANameOfItsOwn() throws Exception {
        String name = "n".repeat(100);
        String id = create(name);
        MultiValueMap<String, String> copy = walk.form("/jobs/" + id + "/clone", "wizard");
        assertThat(copy.getFirst("name")).isNotEqualTo(name).endsWith(" copy").hasSizeLessThanOrEqualTo(100);
        MockHttpServletResponse next = walk.click(copy, "next");
        assertThat(next.getStatus()).as(next.getContentAsString()).isEqualTo(200);
    }

    @Test
    void anEditOfAJobDeletedMeanwhileKeepsTheInputAndSavesItAsANewJob() throws Exception {
        String id = create("to be deleted");
        MultiValueMap<String, String> form = walk.form("/jobs/" + id + "/edit", "wizard");
        form.set("description", "typed before it was deleted");
        deleteJob(id);

        for (boolean htmx : List.of(false, true)) {
            form.set("_action", "next");
            MockHttpServletResponse answer = walk.post(WizardWalk.WIZARD, form, htmx);
            String html = html(answer);
            assertThat(answer.getStatus()).as(html).isEqualTo(409);
            assertThat(html).contains("deleted while you were editing it", "typed before it was deleted");
            MultiValueMap<String, String> kept = BrowserForm.of(html, "wizard");
            assertThat(kept.getFirst("step")).isEqualTo("2");
            assertThat(kept).doesNotContainKey("job_id");
            if (htmx) {
                form = kept;
            }
        }
        MockHttpServletResponse saved =
                walk.save(walk.nextToTheReview("as a new job", form)).getResponse();
        assertThat(saved.getStatus()).as(saved.getContentAsString()).isEqualTo(302);
        assertThat(jdbc.sql("SELECT description FROM jobs").query(String.class).single())
                .isEqualTo("typed before it was deleted");
    }

    @Test
    void aDryRunOrARefusedDryRunOfAJobDeletedMeanwhileSaysSoOverTheKeptInput() throws Exception {
        String id = create("deleted before its dry run");
        MultiValueMap<String, String> form = walk.form("/jobs/" + id + "/edit", "wizard");
        form.set("description", "typed before it was deleted");
        form.set("step", "5");
        deleteJob(id);

        MockHttpServletResponse asHtmx = walk.post("/jobs/wizard/dry-run", form, true);
        assertThat(asHtmx.getStatus()).as(html(asHtmx)).isEqualTo(409);
        assertThat(html(asHtmx)).contains("deleted while you were editing it").doesNotContain("<html");

        // without htmx the dry run goes back to the wizard (a forward, which MockMvc does not follow) ...
        MockHttpServletResponse plain = walk.post("/jobs/wizard/dry-run", form, false);
        assertThat(plain.getStatus()).isEqualTo(409);
        assertThat(plain.getForwardedUrl()).isEqualTo(WizardWalk.WIZARD);
        // ... which shows the review step over the same input, as does a dry run refused before the job went away
        for (String refused : new String[] {null, "The dry run was refused: at most 10 manual runs"}) {
            var call = WizardWalk.posting(WizardWalk.WIZARD, form);
            MockHttpServletResponse wizard =
                    walk.perform(refused == null ? call : call.requestAttr(JobDrafts.REFUSED, refused));
            String html = html(wizard);
            assertThat(wizard.getStatus()).as(html).isEqualTo(409);
            assertThat(html).contains("deleted while you were editing it", "typed before it was deleted", "Sign out");
            if (refused != null) {
                assertThat(html).contains("at most 10 manual runs");
            }
            MultiValueMap<String, String> kept = BrowserForm.of(html, "wizard");
            assertThat(kept.getFirst("step")).isEqualTo("5");
            assertThat(kept).doesNotContainKey("job_id");
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM executions").query(Long.class).single())
                .isZero();
    }

    @Test
    void aSaveOfAJobDeletedMeanwhileSaysSoOnTheReviewStep() throws Exception {
        String id = create("deleted before its save");
        MultiValueMap<String, String> form = walk.form("/jobs/" + id + "/edit", "wizard");
        form.set("description", "typed before it was deleted");
        form.set("step", "5");
        form.set("_action", "save");
        deleteJob(id);
        for (boolean htmx : List.of(false, true)) {
            MockHttpServletResponse answer = walk.post(WizardWalk.WIZARD, form, htmx);
            String html = html(answer);
            assertThat(answer.getStatus()).as(html).isEqualTo(409);
            assertThat(html).contains("deleted while you were editing it", "typed before it was deleted");
            assertThat(BrowserForm.of(html, "wizard").getFirst("step")).isEqualTo("5");
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isZero();
    }

    @Test
    void savingUnderATakenNameAnswers409AtTheNameFieldAsTheApiDoes() throws Exception {
        create("taken");
        String other = create("other");
        MultiValueMap<String, String> created = AdminPagesTests.wizardForm("taken", "heartbeat");
        created.set("description", "typed for the new job");
        MultiValueMap<String, String> edited = walk.form("/jobs/" + other + "/edit", "wizard");
        edited.set("name", "taken");
        edited.set("description", "typed for the edit");
        for (MultiValueMap<String, String> form : List.of(created, edited)) {
            form.set("step", "5");
            form.set("_action", "save");
            for (boolean htmx : List.of(false, true)) {
                MockHttpServletResponse answer = walk.post(WizardWalk.WIZARD, form, htmx);
                String html = html(answer);
                assertThat(answer.getStatus()).as(html).isEqualTo(409);
                assertThat(html)
                        .contains("id=\"name-error\">a job named &#39;taken&#39; already exists<")
                        .contains(form.getFirst("description"));
                assertThat(BrowserForm.of(html, "wizard").getFirst("step")).isEqualTo("2");
            }
        }
        MockHttpServletResponse api = mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(Map.of(
                                "name",
                                "taken",
                                "template_type",
                                "heartbeat",
                                "schedule",
                                Map.of("type", "interval", "interval_seconds", 3600)))))
                .andReturn()
                .getResponse();
        assertThat(api.getStatus()).as(api.getContentAsString()).isEqualTo(409);
        assertThat(jdbc.sql("SELECT name FROM jobs ORDER BY name")
                        .query(String.class)
                        .list())
                .containsExactly("other", "taken");
    }

    @Test
    void savingUnderATakenNameWithOtherProblemsMarksThemAllAs400() throws Exception {
        create("taken");
        MultiValueMap<String, String> form = AdminPagesTests.wizardForm("taken", "heartbeat");
        form.set("timeout_seconds", "0");
        form.set("step", "5");
        form.set("_action", "save");
        MockHttpServletResponse answer = walk.post(WizardWalk.WIZARD, form, false);
        String html = html(answer);
        assertThat(answer.getStatus()).as(html).isEqualTo(400);
        assertThat(html).contains("id=\"name-error\">a job named &#39;taken&#39; already exists<");
    }

    /** An old or mistyped link to the wizard with a template says the template is unknown over the list to pick. */
    @Test
    void aLinkNamingAnUnknownTemplateSaysSoOverTheTemplatesToPick() throws Exception {
        MockHttpServletResponse answer = walk.perform(get("/jobs/new").param("template", "nope"));
        String html = html(answer);
        assertThat(answer.getStatus()).as(html).isEqualTo(404);
        assertThat(html).contains("There is no template &#39;nope&#39;; pick one below.", "heartbeat", "Sign out");
        assertThat(BrowserForm.of(html, "wizard").getFirst("step")).isEqualTo("1");
    }

    /** Each field the wizard marks invalid points a screen reader at its message, on every step that has one. */
    @Test
    void everyFieldMarkedInvalidNamesItsErrorMessage() throws Exception {
        List<Map<String, String>> wrongs = List.of(
                Map.of("step", "3", "schedule_kind", "cron", "cron_expression", "nope", "timezone", "Mars/Base"),
                Map.of("step", "3", "schedule_kind", "interval", "interval_value", "0"),
                Map.of("step", "3", "schedule_kind", "once", "once_at", "soon"),
                Map.of("step", "4", "concurrency_policy", "sometimes", "misfire_policy", "never", "priority", "10"),
                Map.of(
                        "step",
                        "4",
                        "notify_failure",
                        "not an address",
                        "notify_success",
                        "nor this",
                        "notify_retry",
                        "x@"),
                Map.of("step", "4", "depends_on", "00000000-0000-0000-0000-000000000000"));
        for (Map<String, String> wrong : wrongs) {
            MultiValueMap<String, String> form = AdminPagesTests.wizardForm("accessible", "heartbeat");
            wrong.forEach(form::set);
            form.set("_action", "next");
            for (boolean htmx : List.of(false, true)) {
                MockHttpServletResponse answer = walk.post(WizardWalk.WIZARD, form, htmx);
                String html = html(answer);
                assertThat(answer.getStatus()).as(wrong + ": " + html).isEqualTo(400);
                assertThat(WizardWalk.assertEveryInvalidControlNamesItsError(html, wrong.toString()))
                        .as(wrong.toString())
                        .isPositive();
            }
        }
    }

    private void deleteJob(String id) throws Exception {
        assertThat(mvc.perform(delete("/api/admin/scheduler/jobs/" + id))
                        .andReturn()
                        .getResponse()
                        .getStatus())
                .isLessThan(300);
    }

    private String create(String name) throws Exception {
        return walk.createJob(Map.of("name", name, "template_type", "heartbeat"));
    }
}
