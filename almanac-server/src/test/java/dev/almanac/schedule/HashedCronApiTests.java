package dev.almanac.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** H through the API: the preview shows what it resolves to for a name, and a saved job keeps H and runs there. */
abstract class HashedCronApiTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends HashedCronApiTests {}

    @WithPostgres
    static class OnPostgres extends HashedCronApiTests {}

    static final String API = "/api/admin/scheduler";

    @Autowired
    JsonMapper json;

    @Test
    void aJobWithHKeepsItsExpressionAndRunsAtTheMinuteThePreviewShowed() throws Exception {
        JsonNode preview = json.readTree(mvc.perform(post(API + "/schedules/preview")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"schedule\":{\"cron\":\"H 2 * * *\"},\"name\":\"nightly-report\",\"count\":1}"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
        String resolved = preview.path("resolved_expression").asString();
        assertThat(resolved).matches("[0-9]{1,2} 2 \\* \\* \\*");
        Instant firstRun = Instant.parse(preview.path("runs").path(0).path("at").asString());
        assertThat(firstRun.atZone(ZoneOffset.UTC).getMinute()).isEqualTo(Integer.parseInt(resolved.split(" ")[0]));

        JsonNode created = json.readTree(mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name":"nightly-report","template_type":"heartbeat",
                                 "schedule":{"type":"cron","expression":"H 2 * * *"}}
                                """))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.schedule.expression").value("H 2 * * *"))
                .andReturn()
                .getResponse()
                .getContentAsString());
        assertThat(Instant.parse(created.path("job").path("next_run_at").asString()))
                .isEqualTo(firstRun);

        // a rename moves an H cron's slots: the next run follows the new name, as the preview does
        String id = created.path("job").path("id").asString();
        String renamed = null;
        Instant renamedRun = null;
        for (int i = 1; renamedRun == null || renamedRun.equals(firstRun); i++) {
            renamed = "nightly-report-" + i;
            renamedRun = Instant.parse(json.readTree(mvc.perform(post(API + "/schedules/preview")
                                    .contentType(MediaType.APPLICATION_JSON)
                                    .content("{\"schedule\":{\"cron\":\"H 2 * * *\"},\"name\":\"" + renamed
                                            + "\",\"count\":1}"))
                            .andReturn()
                            .getResponse()
                            .getContentAsString())
                    .path("runs")
                    .path(0)
                    .path("at")
                    .asString());
        }
        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"" + renamed + "\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.next_run_at").value(renamedRun.toString()));

        mvc.perform(post(API + "/schedules/preview")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"schedule\":{\"cron\":\"H 2 * * *\"}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule.expression"));
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content("""
                                {"name":"bad-h","template_type":"heartbeat",
                                 "schedule":{"type":"cron","expression":"0 2 H * *"}}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule.expression"));
    }
}
