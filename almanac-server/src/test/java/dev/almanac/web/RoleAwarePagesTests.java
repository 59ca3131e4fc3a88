package dev.almanac.web;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.util.MultiValueMap;
import org.springframework.web.context.WebApplicationContext;

/**
 * What the reader's role may not do is shown disabled with the reason, never offered and then refused: an admin
 * reads a destructive template but cannot start a job from it, and a destructive job's actions are disabled for
 * them on the job list and the job page. A super admin gets them all. A namespace's runner is offered running its
 * jobs (and cancelling their runs) and told why not the rest; a viewer is told they only read.
 */
@WithH2
class RoleAwarePagesTests extends AlmanacIntegrationTest {

    static final String REASON = "needs a super admin";
    static final String API = "/api/admin/scheduler";
    static final RequestPostProcessor RITA = user("rita").roles("USER");
    static final RequestPostProcessor VIC = user("vic").roles("USER");

    @Autowired
    WebApplicationContext context;

    @Autowired
    JobService jobs;

    MockMvc ui;
    Job destroyer;
    Job heartbeat;

    @BeforeEach
    void twoJobs() {
        ui = securedMvc();
        destroyer = jobs.create(
                anIntervalJob("destroyer", 3600)
                        .template("test_destroy", Map.of())
                        .build(),
                "root");
        heartbeat = jobs.create(anIntervalJob("beat", 3600).build(), "root");
    }

    @Test
    void anAdminSeesADestructiveJobsActionsDisabledWithTheReason() throws Exception {
        String page = page(get("/jobs/" + destroyer.id()), admin());
        assertThat(page)
                .contains("data-locked", REASON)
                .doesNotContain("action=\"/jobs/" + destroyer.id() + "/run\"")
                .doesNotContain("action=\"/jobs/" + destroyer.id() + "/dry-run\"")
                .doesNotContain("action=\"/jobs/" + destroyer.id() + "/disable\"")
                .doesNotContain("href=\"/jobs/" + destroyer.id() + "/edit\"")
                .doesNotContain("href=\"/jobs/" + destroyer.id() + "/clone\"")
                .doesNotContain("href=\"/jobs/" + destroyer.id() + "/delete\"");
        assertThat(page(get("/jobs/" + heartbeat.id()), admin()))
                .doesNotContain("data-locked")
                .contains("action=\"/jobs/" + heartbeat.id() + "/run\"");

        String list = page(get("/jobs"), admin());
        assertThat(list)
                .contains(REASON)
                .doesNotContain("action=\"/jobs/" + destroyer.id() + "/run\"")
                .doesNotContain("href=\"/jobs/" + destroyer.id() + "/edit\"")
                .contains("action=\"/jobs/" + heartbeat.id() + "/run\"")
                .contains("href=\"/jobs/" + heartbeat.id() + "/edit\"");

        for (String path : new String[] {"/edit", "/clone"}) {
            MockHttpServletResponse refused = ui.perform(
                            get("/jobs/" + destroyer.id() + path).with(admin()))
                    .andReturn()
                    .getResponse();
            assertThat(refused.getStatus()).as(path).isEqualTo(403);
            assertThat(refused.getContentAsString()).contains("only a super admin may", "Sign out");
        }
    }

    @Test
    void anAdminReadsADestructiveTemplateButCannotStartAJobFromIt() throws Exception {
        assertThat(page(get("/templates"), admin()))
                .contains(REASON)
                .doesNotContain("href=\"/jobs/new?template=test_destroy\"")
                .contains("href=\"/jobs/new?template=heartbeat\"");
        assertThat(page(get("/templates/test_destroy"), admin()))
                .contains("Test: destroy", REASON)
                .doesNotContain("href=\"/jobs/new?template=test_destroy\"");

        String step1 = page(get("/jobs/new"), admin());
        assertThat(step1)
                .contains(REASON)
                .doesNotContain("value=\"template:test_destroy\"")
                .contains("value=\"template:heartbeat\"");
        // a link or a form from elsewhere is stopped on step 1 with the reason, before anything is filled in
        assertThat(page(get("/jobs/new").param("template", "test_destroy"), admin()))
                .contains("Choose a template", REASON);
        MultiValueMap<String, String> form = AdminPagesTests.wizardForm("x", "");
        form.set("step", "1");
        form.set("_action", "template:test_destroy");
        assertThat(ui.perform(post("/jobs/wizard").with(csrf()).with(admin()).params(form))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("Choose a template", REASON);
    }

    @Test
    void aSuperAdminIsOfferedEverything() throws Exception {
        assertThat(page(get("/jobs/" + destroyer.id()), superAdmin()))
                .doesNotContain("data-locked")
                .contains("action=\"/jobs/" + destroyer.id() + "/run\"");
        assertThat(page(get("/templates"), superAdmin()))
                .doesNotContain(REASON)
                .contains("href=\"/jobs/new?template=test_destroy\"");
        assertThat(page(get("/jobs/new"), superAdmin())).contains("value=\"template:test_destroy\"");
    }

    @Test
    void aRunnerIsOfferedRunningAndAViewerReadingEachToldWhyNotTheRest() throws Exception {
        for (String name : new String[] {"rita", "vic"}) {
            logins.user(name, TestLogins.USER, null);
        }
        api(post(API + "/namespaces"), "{\"name\":\"ops\"}");
        api(
                put(API + "/namespaces/ops/members"),
                "{\"members\":[{\"username\":\"rita\",\"role\":\"runner\"},"
                        + "{\"username\":\"vic\",\"role\":\"viewer\"}]}");
        Job beat = jobs.create(anIntervalJob("ops-beat", 3600).namespace("ops").build(), "root");
        Job wipe = jobs.create(
                anIntervalJob("ops-wipe", 3600)
                        .namespace("ops")
                        .template("test_destroy", Map.of())
                        .build(),
                "root");
        String runner = "(runner) may run its jobs, not create or change them";
        String viewer = "(viewer) may only read its jobs";
        String job = "/jobs/" + beat.id();

        assertThat(page(get(job), RITA))
                .contains("action=\"" + job + "/run\"", "action=\"" + job + "/dry-run\"")
                .contains("data-locked", "Run now…, enable, disable, edit, clone and delete: your role in namespace")
                .contains(runner)
                // Run now… takes other parameters: changing the job for a run is an editor's
                .doesNotContain(
                        "href=\"" + job + "/run\"", "action=\"" + job + "/disable\"", "href=\"" + job + "/edit\"")
                .doesNotContain("href=\"" + job + "/clone\"", "href=\"" + job + "/delete\"", REASON);
        assertThat(page(get("/jobs/" + wipe.id()), RITA))
                .contains("This job: needs a super admin or an owner of namespace")
                .doesNotContain("action=\"/jobs/" + wipe.id() + "/run\"");
        assertThat(page(get(job), VIC))
                .contains("This job: your role in namespace", viewer)
                .doesNotContain("action=\"" + job + "/run\"", "action=\"" + job + "/dry-run\"", REASON);

        assertThat(page(get("/jobs"), RITA))
                .contains("value=\"" + beat.id() + "\" aria-label=\"Select ops-beat\"", "action=\"" + job + "/run\"")
                .contains(runner)
                .doesNotContain("href=\"" + job + "/edit\"");
        assertThat(page(get("/jobs"), VIC))
                .contains("value=\"" + beat.id() + "\" aria-label=\"Select ops-beat: your role in namespace")
                .containsPattern("value=\"" + beat.id() + "\"[^>]* disabled=\"disabled\"")
                .doesNotContain("action=\"" + job + "/run\"");

        // the bulk confirmation refuses by the action: a runner's run is not refused, their delete is
        assertThat(page(bulk("run", beat), RITA)).doesNotContain("bulk-refused");
        assertThat(page(bulk("delete", beat), RITA)).contains("id=\"bulk-refused\"", runner);
        MockHttpServletResponse ran = ui.perform(
                        bulk("run", beat).param("confirmed", "yes").with(RITA))
                .andReturn()
                .getResponse();
        assertThat(ran.getStatus()).isEqualTo(302);
        String execution = jdbc.sql("select id from executions where job_id = ?")
                .param(beat.id().value())
                .query(String.class)
                .single();
        assertThat(page(get("/executions/" + execution), RITA)).contains("id=\"cancel\"");
        assertThat(page(get("/executions/" + execution), VIC)).doesNotContain("id=\"cancel\"");
        assertThat(page(get("/executions/" + execution + "/status"), VIC)).doesNotContain("id=\"cancel\"");

        assertThat(page(get(job + "/time"), RITA)).contains("id=\"backfill-form\"");
        assertThat(page(get(job + "/time"), VIC)).doesNotContain("id=\"backfill-form\"");

        assertThat(page(get("/templates"), RITA))
                .contains("creating jobs needs an editor&#39;s or an owner&#39;s role in a namespace")
                .doesNotContain("href=\"/jobs/new?template=heartbeat\"", REASON);
    }

    private static MockHttpServletRequestBuilder bulk(String action, Job job) {
        return post("/jobs/bulk")
                .with(csrf())
                .param("action", action)
                .param("id", job.id().toString());
    }

    private void api(MockHttpServletRequestBuilder request, String body) throws Exception {
        MockHttpServletResponse response = mvc.perform(
                        request.contentType(MediaType.APPLICATION_JSON).content(body))
                .andReturn()
                .getResponse();
        assertThat(response.getStatus()).as(response.getContentAsString()).isLessThan(300);
    }

    private String page(MockHttpServletRequestBuilder request, RequestPostProcessor who) throws Exception {
        MockHttpServletResponse response =
                ui.perform(request.with(who)).andReturn().getResponse();
        assertThat(response.getStatus()).isEqualTo(200);
        return response.getContentAsString();
    }

    private static RequestPostProcessor admin() {
        return user("amy").roles("ADMIN");
    }

    private static RequestPostProcessor superAdmin() {
        return user("root").roles("SUPER_ADMIN");
    }
}
