package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
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
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.context.TestPropertySource;

/**
 * Targets and allowed internal hosts granted per namespace ({@code almanac.targets.<name>.namespaces}, here the demo
 * target's, and {@code almanac.http.host-namespaces}): a job of another namespace is refused on save, on import and
 * on a move, naming the field and what is not granted; a run checks again; the namespace page lists the grants.
 */
@TestPropertySource(
        properties = {
            "almanac.demo-target.namespaces=b",
            "almanac.http.allowed-hosts=localhost",
            "almanac.http.host-namespaces.localhost=b"
        })
abstract class NamespaceGrantsTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends NamespaceGrantsTests {}

    @WithPostgres
    static class OnPostgres extends NamespaceGrantsTests {}

    static final String API = "/api/admin/scheduler";

    @Autowired
    TemplateRuns runs;

    @Autowired
    JobService jobs;

    @BeforeEach
    void namespacesAAndB() throws Exception {
        for (String name : new String[] {"a", "b"}) {
            mvc.perform(post(API + "/namespaces")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"name\":\"" + name + "\"}"))
                    .andExpect(status().isCreated());
        }
    }

    private static String export(String name, String namespace) {
        return "{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\",\"template_type\":\"data_export\","
                + "\"parameters\":{\"target\":\"demo\",\"table\":\"tickets\"},"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"}}";
    }

    private static String hook(String name, String namespace) {
        return "{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\",\"template_type\":\"webhook_trigger\","
                + "\"parameters\":{\"url\":\"http://localhost:9/hook\"},"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"}}";
    }

    @Test
    void aTargetGrantedToOneNamespaceIsRefusedToAnotherOnSaveImportAndMove() throws Exception {
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content(export("a-export", "a")))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.errors[0].field").value("parameters.target"))
                .andExpect(jsonPath("$.errors[0].message")
                        .value(allOf(
                                containsString("target 'demo' is not granted to namespace 'a'"),
                                containsString("almanac.demo-target.namespaces"))));

        String created = mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(export("b-export", "b")))
                .andExpect(status().isCreated())
                .andReturn()
                .getResponse()
                .getContentAsString();
        String id = JsonPath.read(created, "$.job.id");

        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"namespace\":\"a\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.target"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("not granted to namespace 'a'")));

        mvc.perform(post(API + "/jobs/import?mode=plan")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"jobs\":[" + export("imported", "a") + "]}"))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("target 'demo' is not granted to namespace 'a'")));
        mvc.perform(post(API + "/jobs/import?mode=apply")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"jobs\":[" + export("imported", "a") + "]}"))
                .andExpect(status().isBadRequest())
                .andExpect(content().string(containsString("not granted to namespace 'a'")));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs WHERE namespace = 'a'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void aRunChecksTheGrantAgainForAJobWhoseNamespaceNoLongerHasIt() throws Exception {
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content(export("b-export", "b")))
                .andExpect(status().isCreated());
        Job job = jobs.list(dev.almanac.job.JobQuery.firstPage(10)).jobs().get(0);
        Execution granted = runs.run(job, false);
        assertThat(granted.status()).as(granted.error()).isEqualTo(ExecutionStatus.SUCCEEDED);

        // the job as the database holds it after it was moved to a by some other road than the API's checks
        jdbc.sql("UPDATE jobs SET namespace = 'a' WHERE id = :id")
                .param("id", job.id().value())
                .update();
        Execution refused = runs.run(jobs.get(job.id()), false);
        assertThat(refused.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(refused.error()).contains("target 'demo' is not granted to namespace 'a'");
    }

    @Test
    void anAllowedInternalHostGrantedToOneNamespaceIsRefusedToAnother() throws Exception {
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content(hook("a-hook", "a")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.url"))
                .andExpect(jsonPath("$.errors[0].message")
                        .value(allOf(
                                containsString("host 'localhost'"),
                                containsString("not granted to namespace 'a'"),
                                containsString("almanac.http.host-namespaces"))));
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content(hook("b-hook", "b")))
                .andExpect(status().isCreated());
        // default is granted neither: the host is kept to b
        mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(hook("default-hook", "default")))
                .andExpect(status().isBadRequest());
    }

    @Test
    void aNotificationWebhookToAnInternalHostGrantedToOneNamespaceIsRefusedToAnother() throws Exception {
        String notified = "{\"name\":\"%s\",\"namespace\":\"%s\",\"template_type\":\"data_export\","
                + "\"parameters\":{\"target\":\"demo\",\"table\":\"tickets\"},"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"},"
                + "\"notifications\":{\"on_failure\":[\"http://localhost:9/alerts\"]}}";
        mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(notified.formatted("a-notified", "a")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field", hasItem("notifications.on_failure[0]")))
                .andExpect(jsonPath("$.errors[*].message", hasItem(containsString("not granted to namespace 'a'"))));
        mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(notified.formatted("b-notified", "b")))
                .andExpect(status().isCreated());
    }

    @Test
    @WithMockUser(username = "test-super-admin", roles = "SUPER_ADMIN")
    void theWizardOffersANamespaceOnlyTheTargetsGrantedToIt() throws Exception {
        for (String namespace : new String[] {"a", "b"}) {
            String step = mvc.perform(post("/jobs/wizard")
                            .with(org.springframework.security.test.web.servlet.request
                                    .SecurityMockMvcRequestPostProcessors.csrf())
                            .param("namespace", namespace)
                            .param("step", "1")
                            .param("_action", "template:data_export"))
                    .andExpect(status().isOk())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(step).contains("name=\"namespace\" value=\"" + namespace + "\"");
            if (namespace.equals("b")) {
                assertThat(step).contains("<option value=\"demo\"");
            } else {
                assertThat(step).doesNotContain("<option value=\"demo\"");
            }
        }
    }

    @Test
    @WithMockUser(username = "test-super-admin", roles = "SUPER_ADMIN")
    void theNamespacePageListsWhatItIsGranted() throws Exception {
        mvc.perform(get("/namespaces/b"))
                .andExpect(status().isOk())
                .andExpect(content()
                        .string(allOf(
                                containsString("id=\"grants\""),
                                containsString(">demo<"),
                                containsString(">localhost<"))));
        mvc.perform(get("/namespaces/a"))
                .andExpect(status().isOk())
                .andExpect(content()
                        .string(allOf(
                                containsString("id=\"grants\""),
                                not(containsString(">demo<")),
                                not(containsString(">localhost<")))));
    }
}
