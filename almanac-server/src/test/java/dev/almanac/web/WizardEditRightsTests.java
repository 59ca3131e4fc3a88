package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.BrowserForm;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

/**
 * The wizard's posts that name a stored job as the one being edited ({@code job_id}): its step checks, its save and its
 * review step's dry run read that job's stored secrets and file the dry run under its id, so they are for whoever may
 * change that job. Vic only reads namespace {@code a} and edits {@code b}; Ed edits {@code a}.
 */
abstract class WizardEditRightsTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends WizardEditRightsTests {}

    @WithPostgres
    static class OnPostgres extends WizardEditRightsTests {}

    static final RequestPostProcessor VIC = user("vic").roles("USER");
    static final RequestPostProcessor ED = user("ed").roles("USER");
    static final RequestPostProcessor ROOT = user("root").roles("SUPER_ADMIN");

    private MockMvc pages;
    private String jobId;
    private MultiValueMap<String, String> editForm;

    @BeforeEach
    void aJobWithSecretsInANamespaceVicOnlyReads() throws Exception {
        pages = securedMvc();
        logins.token("vic", TestLogins.USER, false);
        logins.token("ed", TestLogins.USER, false);
        for (String name : List.of("a", "b")) {
            api("POST", "/namespaces", "{\"name\":\"" + name + "\"}");
        }
        api("PUT", "/namespaces/a/members", """
                {"members":[{"username":"vic","role":"viewer"},{"username":"ed","role":"editor"}]}""");
        api("PUT", "/namespaces/b/members", "{\"members\":[{\"username\":\"vic\",\"role\":\"editor\"}]}");
        jobId = JsonPath.read(api("POST", "/jobs", """
                {"name":"a-hook","namespace":"a","template_type":"webhook_trigger","enabled":false,
                 "parameters":{"url":"https://hooks.example.com/almanac",
                               "secret_headers":{"X-Api-Key":"key-1234abcd"},"signing_secret":"sign-5678efgh-5678"},
                 "schedule":{"type":"interval","interval_seconds":3600}}"""), "$.job.id");
        MockHttpServletResponse edit = pages.perform(
                        get("/jobs/" + jobId + "/edit").with(ROOT))
                .andReturn()
                .getResponse();
        assertThat(edit.getStatus()).isEqualTo(200);
        editForm = BrowserForm.of(edit.getContentAsString(StandardCharsets.UTF_8), "wizard");
        assertThat(editForm.getFirst("job_id")).isEqualTo(jobId);
        assertThat(editForm.getFirst("p.secret_headers[0].key")).isEqualTo("X-Api-Key");
    }

    @Test
    void aDraftDryRunNamingAJobTheReaderMayOnlyReadIsRefusedAndQueuesNothing() throws Exception {
        MultiValueMap<String, String> draft = new LinkedMultiValueMap<>(editForm);
        draft.set("namespace", "b");
        draft.set("step", "5");
        for (boolean htmx : List.of(true, false)) {
            MockHttpServletResponse refused = pages.perform(as(VIC, post("/jobs/wizard/dry-run"), draft, htmx))
                    .andReturn()
                    .getResponse();
            assertThat(refused.getStatus())
                    .as("htmx %s: %s", htmx, refused.getContentAsString())
                    .isEqualTo(403);
            assertThat(refused.getContentAsString(StandardCharsets.UTF_8))
                    .doesNotContain("key-1234abcd", "sign-5678efgh");
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM executions").query(Long.class).single())
                .as("no dry run filed under the job vic may not change, none with its secrets")
                .isZero();

        // whoever may change the job dry-runs the edit as before
        MockHttpServletResponse queued = pages.perform(as(ED, post("/jobs/wizard/dry-run"), editForm, true))
                .andReturn()
                .getResponse();
        assertThat(queued.getStatus()).as(queued.getContentAsString()).isLessThan(400);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM executions WHERE job_id = ?")
                        .param(jdbc.sql("SELECT id FROM jobs").query().singleValue())
                        .query(Long.class)
                        .single())
                .isOne();
    }

    @Test
    void everyWizardStepAndTheSaveNamingAJobTheReaderMayOnlyReadAreRefused() throws Exception {
        for (String action : List.of("next", "back", "goto:5", "add:p.headers", "save")) {
            MultiValueMap<String, String> form = new LinkedMultiValueMap<>(editForm);
            form.set("namespace", "b");
            form.set("step", "save".equals(action) ? "5" : "2");
            form.set("_action", action);
            for (boolean htmx : List.of(true, false)) {
                MockHttpServletResponse refused = pages.perform(as(VIC, post("/jobs/wizard"), form, htmx))
                        .andReturn()
                        .getResponse();
                assertThat(refused.getStatus())
                        .as("%s, htmx %s: %s", action, htmx, refused.getContentAsString())
                        .isEqualTo(403);
            }
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs WHERE namespace = 'b'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    private static MockHttpServletRequestBuilder as(
            RequestPostProcessor who,
            MockHttpServletRequestBuilder request,
            MultiValueMap<String, String> form,
            boolean htmx) {
        request.with(who).with(csrf()).params(form);
        return htmx ? request.header("HX-Request", "true") : request;
    }
}
