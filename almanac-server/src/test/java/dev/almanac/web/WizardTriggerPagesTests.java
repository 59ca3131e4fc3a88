package dev.almanac.web;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.job.Trigger;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.util.MultiValueMap;
import org.springframework.web.context.WebApplicationContext;

/** The wizard's triggers on other jobs' outcomes: the rows, the CEL check at its field, fan-in, the job page. */
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
abstract class WizardTriggerPagesTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends WizardTriggerPagesTests {}

    @WithPostgres
    static class OnPostgres extends WizardTriggerPagesTests {}

    @Autowired
    WebApplicationContext context;

    @Autowired
    JobService jobs;

    MockMvc ui;

    Job cleanup;

    Job export;

    @BeforeEach
    void twoUpstreamJobs() {
        ui = securedMvc();
        cleanup = jobs.create(aCronJob("cleanup", "0 1 * * *").build(), "admin");
        export = jobs.create(aCronJob("export", "0 2 * * *").build(), "admin");
    }

    @Test
    void aTriggerWithAConditionIsCheckedOnSaveWithTheErrorAtItsFieldThenShownOnTheJobPage() throws Exception {
        MultiValueMap<String, String> form = AdminPagesTests.wizardForm("report", "heartbeat");
        form.add("trigger_job", cleanup.id().toString());
        form.add("trigger_on", "succeeded");
        form.add("trigger_condition", "result.records_affected > 'many'");
        form.add("trigger_job", "");
        form.add("trigger_on", "succeeded");
        form.add("trigger_condition", "");
        form.add("trigger_mode", "any");

        MockHttpServletResponse refused = save(form);
        String page = refused.getContentAsString();
        assertThat(page)
                .contains("id=\"trigger_condition_0-error\"")
                .containsPattern("id=\"trigger_condition_0\"[^<]*aria-invalid=\"true\"")
                .contains("value=\"result.records_affected &gt; &#39;many&#39;\"")
                // the chosen upstream stays chosen, and one empty row follows to add another
                .containsPattern("<option value=\"" + cleanup.id() + "\"\\s+selected=\"selected\">cleanup</option>")
                .contains("id=\"trigger_job_1\"")
                .doesNotContain("id=\"trigger_job_2\"");

        form.set("trigger_condition", "result.records_affected > 0");
        form.get("trigger_condition").add("");
        String location = saved(form);

        Job report = jobs.get(JobId.parse(location.substring("/jobs/".length())).orElseThrow());
        assertThat(report.definition().triggers())
                .containsExactly(
                        new Trigger(cleanup.id(), "cleanup", Trigger.On.SUCCEEDED, "result.records_affected > 0"));
        assertThat(html(location))
                .contains("when any of these ends:", "result.records_affected &gt; 0")
                .containsPattern("href=\"/jobs/" + cleanup.id() + "\">cleanup</a>\\s*<span>succeeded</span>");
    }

    @Test
    void aFanInWaitsForAllItsUpstreamsWithinTheWindowAndTheEditFormKeepsItsTriggers() throws Exception {
        MultiValueMap<String, String> form = AdminPagesTests.wizardForm("merge", "heartbeat");
        form.add("trigger_job", cleanup.id().toString());
        form.add("trigger_on", "succeeded");
        form.add("trigger_condition", "");
        form.add("trigger_job", export.id().toString());
        form.add("trigger_on", "any");
        form.add("trigger_condition", "");
        form.add("trigger_mode", "all");
        form.add("trigger_window", "10s");
        assertThat(save(form).getContentAsString())
                .contains("must be from 1 minute (PT1M) to 30 days (P30D)")
                .containsPattern("id=\"trigger_window\"[^>]*aria-invalid=\"true\"");

        form.set("trigger_window", "6h");
        String location = saved(form);
        Job merge = jobs.get(JobId.parse(location.substring("/jobs/".length())).orElseThrow());
        assertThat(merge.definition().triggerMode()).isEqualTo(Trigger.Mode.ALL);
        assertThat(merge.definition().triggerWindow()).isEqualTo(Duration.ofHours(6));
        assertThat(html(location)).contains("when each of these has ended so since its last run, within PT6H:");

        // editing carries the triggers through every step, and saving keeps them
        String edit = html(location + "/edit");
        assertThat(edit)
                .contains("name=\"trigger_job\" value=\"" + cleanup.id() + "\"")
                .contains("name=\"trigger_job\" value=\"" + export.id() + "\"")
                .contains("name=\"trigger_mode\" value=\"all\"")
                .contains("name=\"trigger_window\" value=\"PT6H\"");
        MultiValueMap<String, String> options = AdminPagesTests.wizardForm("merge", "heartbeat");
        options.set("step", "4");
        options.set("_action", "goto:4");
        options.add("job_id", merge.id().toString());
        options.add("version", String.valueOf(merge.version()));
        options.add("trigger_job", cleanup.id().toString());
        options.add("trigger_on", "succeeded");
        options.add("trigger_condition", "");
        String step4 = ui.perform(post("/jobs/wizard").with(csrf()).params(options))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(step4).contains("id=\"trigger_job_0\"", "id=\"trigger_job_1\"", "id=\"add-trigger\"");
    }

    private MockHttpServletResponse save(MultiValueMap<String, String> form) throws Exception {
        form.set("step", "5");
        form.set("_action", "save");
        return ui.perform(post("/jobs/wizard").with(csrf()).params(form))
                .andReturn()
                .getResponse();
    }

    private String saved(MultiValueMap<String, String> form) throws Exception {
        MockHttpServletResponse response = save(form);
        String body = response.getContentAsString();
        assertThat(response.getStatus()).as(body).isEqualTo(302);
        return response.getRedirectedUrl();
    }

    private String html(String path) throws Exception {
        return ui.perform(get(path))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
    }
}
