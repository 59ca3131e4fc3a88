package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.BrowserForm;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * Opening a job's edit form and saving it without touching a field changes nothing: no new version, the same schedule
 * (a one-time run_at to the second, even one that has passed; a cron expression as it was written), whatever the
 * template's parameters are (numbers among them).
 */
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
abstract class WizardUnchangedEditTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends WizardUnchangedEditTests {}

    @WithPostgres
    static class OnPostgres extends WizardUnchangedEditTests {}

    @Autowired
    TemplateRegistry templates;

    @Autowired
    JobService jobs;

    @Autowired
    JsonMapper json;

    private MockMvc ui;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        ui = securedMvc();
    }

    @Test
    void anUnchangedEditKeepsAOneTimeRunToTheSecondAndACronExpressionAsWritten() throws Exception {
        Map<String, Object> heartbeat = templates.exampleParameters("heartbeat").orElse(Map.of());
        JobId once = create(
                "heartbeat",
                heartbeat,
                Map.of("type", "once", "run_at", "2026-06-01T12:00:30", "timezone", "Europe/Berlin"));
        JobId cron = create(
                "heartbeat",
                heartbeat,
                Map.of("type", "cron", "expression", "0 9 * jan-mar mon-fri", "timezone", "UTC"));
        JobId preset =
                create("heartbeat", heartbeat, Map.of("type", "cron", "expression", "00 09 * * *", "timezone", "UTC"));

        assertNothingChangedBySavingTheEditForm(once, "one-time, still ahead");
        assertNothingChangedBySavingTheEditForm(cron, "cron in lower case");
        assertNothingChangedBySavingTheEditForm(preset, "cron a preset would spell otherwise");

        // once it has passed (it ran), an unchanged save keeps it, as the API's PUT of an unchanged schedule does
        clock.set(Instant.parse("2026-06-02T10:00:00Z"));
        assertNothingChangedBySavingTheEditForm(once, "one-time, passed");
        assertThat(jobs.get(once).definition().schedule().toSpec().runAt()).isEqualTo("2026-06-01T12:00:30+02:00");
    }

    private void assertNothingChangedBySavingTheEditForm(JobId id, String what) throws Exception {
        Job before = jobs.get(id);
        MockHttpServletResponse edit =
                ui.perform(get("/jobs/" + id + "/edit")).andReturn().getResponse();
        assertThat(edit.getStatus()).as(what).isEqualTo(200);
        MultiValueMap<String, String> form = BrowserForm.of(edit.getContentAsString(StandardCharsets.UTF_8), "wizard");
        for (int step = 2; step < 5; step++) {
            form.set("_action", "next");
            MockHttpServletResponse response = ui.perform(
                            post("/jobs/wizard").with(csrf()).params(form))
                    .andReturn()
                    .getResponse();
            String html = response.getContentAsString(StandardCharsets.UTF_8);
            assertThat(response.getStatus())
                    .as(what + " step " + step + ": " + html)
                    .isEqualTo(200);
            form = BrowserForm.of(html, "wizard");
            // BrowserForm sends a multiple select's first option when none is chosen; a browser sends none
            if (before.definition().dependsOn().isEmpty()) {
                form.remove("depends_on");
            }
            assertThat(form.getFirst("step"))
                    .as(what + " after step " + step + ": " + html)
                    .isEqualTo(String.valueOf(step + 1));
        }
        form.set("_action", "save");
        MvcResult saved =
                ui.perform(post("/jobs/wizard").with(csrf()).params(form)).andReturn();
        assertThat(saved.getResponse().getStatus())
                .as(what + ": " + saved.getResponse().getContentAsString())
                .isEqualTo(302);
        Job after = jobs.get(id);
        assertThat(after.definition()).as(what).isEqualTo(before.definition());
        assertThat(String.valueOf(saved.getFlashMap().get("flash"))).as(what).startsWith("Nothing changed");
        assertThat(after.version()).as(what).isEqualTo(before.version());
        assertThat(Duration.between(before.updatedAt(), after.updatedAt()))
                .as(what)
                .isZero();
    }

    private JobId create(String type, Map<String, Object> parameters, Map<String, Object> schedule) throws Exception {
        String body = json.writeValueAsString(Map.of(
                "name", "unchanged " + type + " " + schedule.values().hashCode(),
                "template_type", type,
                "enabled", false,
                "parameters", parameters,
                "schedule", schedule));
        MockHttpServletResponse response = mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andReturn()
                .getResponse();
        String answer = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as(answer).isEqualTo(201);
        return JobId.parse(json.readTree(answer).path("job").path("id").asString())
                .orElseThrow();
    }
}
