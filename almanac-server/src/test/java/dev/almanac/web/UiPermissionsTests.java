package dev.almanac.web;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.engine.internal.Engine;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.util.MultiValueMap;
import org.springframework.web.context.WebApplicationContext;

/**
 * The admin UI is held to the same rules as the API, because both go through the same commands: an admin may not
 * create, change, run, pause or delete a job of a destructive template, nor delete execution records, and every
 * change made through a page is in the audit trail under the person who made it.
 */
@WithH2
class UiPermissionsTests extends AlmanacIntegrationTest {

    @Autowired
    WebApplicationContext context;

    @Autowired
    JobService jobs;

    @Autowired
    Engine engine;

    MockMvc ui;

    @BeforeEach
    void browse() {
        ui = securedMvc();
    }

    @Test
    void anAdminCannotActOnADestructiveJobThroughThePages() throws Exception {
        Job destroy = jobs.create(
                anIntervalJob("destroyer", 3600)
                        .template("test_destroy", Map.of())
                        .build(),
                "root");

        MultiValueMap<String, String> form = AdminPagesTests.wizardForm("another-destroyer", "test_destroy");
        form.set("step", "5");
        form.set("_action", "save");
        ui.perform(post("/jobs/wizard").with(csrf()).with(admin()).params(form)).andExpect(status().isForbidden());
        for (String action : new String[] {"run", "dry-run", "disable", "delete"}) {
            assertThat(ui.perform(post("/jobs/" + destroy.id() + "/" + action)
                                    .with(csrf())
                                    .with(admin()))
                            .andReturn()
                            .getResponse()
                            .getStatus())
                    .as(action)
                    .isEqualTo(403);
        }

        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isOne();
        assertThat(jobs.get(destroy.id()).definition().enabled()).isTrue();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM executions").query(Long.class).single())
                .isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND actor = 'amy'")
                        .query(Long.class)
                        .single())
                .isEqualTo(5);
    }

    @Test
    void onlyASuperAdminDeletesAnExecutionRecordThroughThePages() throws Exception {
        Job beat = jobs.create(anIntervalJob("beat", 3600).build(), "root");
        String location = ui.perform(
                        post("/jobs/" + beat.id() + "/run").with(csrf()).with(admin()))
                .andExpect(status().is3xxRedirection())
                .andReturn()
                .getResponse()
                .getHeader("Location");
        String execution = location.substring("/executions/".length());
        engine.runDueOnce();

        assertThat(ui.perform(get("/executions/" + execution).with(admin()))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .doesNotContain("Delete this record")
                .contains("Sign out", "amy");
        ui.perform(get("/executions/" + execution + "/delete").with(admin())).andExpect(status().isForbidden());
        ui.perform(post("/executions/" + execution + "/delete").with(csrf()).with(admin()))
                .andExpect(status().isForbidden());
        ui.perform(post("/executions/" + execution + "/delete").with(csrf()).with(superAdmin()))
                .andExpect(status().is3xxRedirection());
        assertThat(jdbc.sql("SELECT COUNT(*) FROM executions").query(Long.class).single())
                .isZero();
    }

    @Test
    void whatAPersonDoesThroughThePagesIsAudited() throws Exception {
        MultiValueMap<String, String> form = AdminPagesTests.wizardForm("paged", "heartbeat");
        form.set("step", "5");
        form.set("_action", "save");
        ui.perform(post("/jobs/wizard").with(csrf()).with(superAdmin()).params(form))
                .andExpect(status().is3xxRedirection());
        Job job = jobs.list(dev.almanac.job.JobQuery.firstPage(10)).jobs().get(0);
        ui.perform(post("/jobs/" + job.id() + "/run").with(csrf()).with(superAdmin()))
                .andExpect(status().is3xxRedirection());
        ui.perform(post("/jobs/" + job.id() + "/disable").with(csrf()).with(superAdmin()))
                .andExpect(status().is3xxRedirection());
        ui.perform(post("/jobs/" + job.id() + "/delete").with(csrf()).with(superAdmin()))
                .andExpect(status().is3xxRedirection());

        mvc.perform(get("/api/admin/scheduler/audit").param("target", job.id().toString()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.events[*].action")
                        .value(org.hamcrest.Matchers.containsInAnyOrder(
                                "job.deleted", "job.disabled", "job.run", "job.created")))
                .andExpect(jsonPath("$.events[*].actor")
                        .value(org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.is("root"))));
    }

    private static RequestPostProcessor admin() {
        return user("amy").roles("ADMIN");
    }

    private static RequestPostProcessor superAdmin() {
        return user("root").roles("SUPER_ADMIN");
    }
}
