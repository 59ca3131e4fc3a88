package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.BrowserForm;
import dev.almanac.testing.WithH2;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * The wizard at its edges: a copy of a job whose name is as long as allowed, and an edit of a job deleted meanwhile.
 */
@WithH2
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
class WizardCloneAndDeletedPagesTests extends AlmanacIntegrationTest {

    @Autowired
    JsonMapper json;

    private MockMvc ui;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        ui = securedMvc();
    }

    @Test
    void aCopyOfAJobWithTheLongestNameOffersANameOfItsOwn() throws Exception {
        String name = "n".repeat(100);
        create(name);
        String id = jdbc.sql("SELECT id FROM jobs").query(String.class).single();
        MultiValueMap<String, String> copy = BrowserForm.of(page("/jobs/" + id + "/clone"), "wizard");
        assertThat(copy.getFirst("name")).isNotEqualTo(name).endsWith(" copy").hasSizeLessThanOrEqualTo(100);
        copy.set("_action", "next");
        MockHttpServletResponse next = ui.perform(
                        post("/jobs/wizard").with(csrf()).params(copy))
                .andReturn()
                .getResponse();
        assertThat(next.getStatus()).as(next.getContentAsString()).isEqualTo(200);
    }

    @Test
    void anEditOfAJobDeletedMeanwhileKeepsTheInputAndSavesItAsANewJob() throws Exception {
        create("to be deleted");
        String id = jdbc.sql("SELECT id FROM jobs").query(String.class).single();
        MultiValueMap<String, String> form = BrowserForm.of(page("/jobs/" + id + "/edit"), "wizard");
        form.set("description", "typed before it was deleted");
        assertThat(mvc.perform(delete("/api/admin/scheduler/jobs/" + id))
                        .andReturn()
                        .getResponse()
                        .getStatus())
                .isLessThan(300);

        for (boolean htmx : List.of(false, true)) {
            form.set("_action", "next");
            var call = post("/jobs/wizard").with(csrf()).params(form);
            MockHttpServletResponse answer = ui.perform(htmx ? call.header("HX-Request", "true") : call)
                    .andReturn()
                    .getResponse();
            String html = answer.getContentAsString(StandardCharsets.UTF_8);
            assertThat(answer.getStatus()).as(html).isEqualTo(409);
            assertThat(html).contains("deleted while you were editing it", "typed before it was deleted");
            MultiValueMap<String, String> kept = BrowserForm.of(html, "wizard");
            assertThat(kept.getFirst("step")).isEqualTo("2");
            assertThat(kept).doesNotContainKey("job_id");
            if (htmx) {
                form = kept;
            }
        }
        for (int step = 2; step < 5; step++) {
            form.set("_action", "next");
            form = BrowserForm.of(
                    ui.perform(post("/jobs/wizard").with(csrf()).params(form))
                            .andReturn()
                            .getResponse()
                            .getContentAsString(StandardCharsets.UTF_8),
                    "wizard");
        }
        form.set("_action", "save");
        MockHttpServletResponse saved = ui.perform(
                        post("/jobs/wizard").with(csrf()).params(form))
                .andReturn()
                .getResponse();
        assertThat(saved.getStatus()).as(saved.getContentAsString()).isEqualTo(302);
        assertThat(jdbc.sql("SELECT description FROM jobs").query(String.class).single())
                .isEqualTo("typed before it was deleted");
    }

    private void create(String name) throws Exception {
        MockHttpServletResponse response = mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(Map.of(
                                "name",
                                name,
                                "template_type",
                                "heartbeat",
                                "enabled",
                                false,
                                "schedule",
                                Map.of("type", "interval", "interval_seconds", 3600)))))
                .andReturn()
                .getResponse();
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(201);
    }

    private String page(String path) throws Exception {
        MockHttpServletResponse response = ui.perform(get(path)).andReturn().getResponse();
        String html = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as(html).isEqualTo(200);
        return html;
    }
}
