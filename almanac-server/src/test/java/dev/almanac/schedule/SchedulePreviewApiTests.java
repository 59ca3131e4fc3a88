package dev.almanac.schedule;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.ResultActions;

/** {@code POST /schedules/preview}: the next runs in UTC and in the schedule's zone, with DST notes. */
@WithH2
class SchedulePreviewApiTests extends AlmanacIntegrationTest {

    @Test
    void previewsRunsInTheZoneWithANoteWhereDstMovedOne() throws Exception {
        preview("""
                        {"schedule":{"type":"cron","expression":"30 2 * * *","timezone":"America/New_York"},
                         "count":3,"from":"2026-03-06T12:00:00Z"}
                        """)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.timezone").value("America/New_York"))
                .andExpect(jsonPath("$.runs", hasSize(3)))
                .andExpect(jsonPath("$.runs[0].at").value("2026-03-07T07:30:00Z"))
                .andExpect(jsonPath("$.runs[0].local").value("2026-03-07T02:30:00-05:00"))
                .andExpect(jsonPath("$.runs[0].note").doesNotExist())
                .andExpect(jsonPath("$.runs[1].at").value("2026-03-08T07:00:00Z"))
                .andExpect(jsonPath("$.runs[1].local").value("2026-03-08T03:00:00-04:00"))
                .andExpect(jsonPath("$.runs[1].note", containsString("02:30")));
    }

    @Test
    void previewsFromNowByDefault() throws Exception {
        preview("{\"schedule\":{\"type\":\"interval\",\"interval_seconds\":90}}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.timezone").value("UTC"))
                .andExpect(jsonPath("$.runs", hasSize(10)))
                .andExpect(jsonPath("$.runs[0].at").value("2026-06-01T10:01:30Z"));
    }

    @Test
    void rejectsAnInvalidScheduleAndCount() throws Exception {
        preview(
                        "{\"schedule\":{\"type\":\"cron\",\"expression\":\"61 * * * *\",\"timezone\":\"Nowhere/City\"},\"count\":101}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field", hasItem("count")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("schedule.expression")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("schedule.timezone")));
        preview("{}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule"));
    }

    @Test
    void anUnknownTemplateTypeIsRefusedOnItsFieldWithTheNameMeant() throws Exception {
        preview("""
                        {"schedule":{"type":"cron","expression":"0 2 * * *"},"template_type":"heartbeet"}
                        """)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("template_type"))
                .andExpect(jsonPath("$.errors[0].message")
                        .value("unknown template 'heartbeet'; did you mean 'heartbeat'?"));
        preview("""
                        {"schedule":{"type":"cron","expression":"0 2 * * *"},"template_type":"heartbeat"}
                        """).andExpect(status().isOk());
    }

    @Test
    void aRunAPausedNamespaceHoldsIsBlockedByThatNamespaceByName() throws Exception {
        mvc.perform(post("/api/admin/scheduler/namespaces")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"ops\"}"))
                .andExpect(status().isCreated());
        mvc.perform(post("/api/admin/scheduler/namespaces/ops/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"until\":\"2026-06-01T11:30:00Z\",\"reason\":\"migration\"}"))
                .andExpect(status().isOk());

        preview("{\"schedule\":{\"cron\":\"0 * * * *\"},\"namespace\":\"ops\",\"count\":2}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runs[0].at").value("2026-06-01T11:00:00Z"))
                .andExpect(jsonPath("$.runs[0].blocked_by.kind").value("paused"))
                .andExpect(jsonPath("$.runs[0].blocked_by.name").value("ops"))
                .andExpect(jsonPath("$.runs[0].blocked_by.reason").value("namespace 'ops' paused: migration"))
                .andExpect(jsonPath("$.runs[1].blocked_by").doesNotExist());
    }

    private ResultActions preview(String body) throws Exception {
        return mvc.perform(post("/api/admin/scheduler/schedules/preview")
                .contentType(MediaType.APPLICATION_JSON)
                .content(body));
    }
}
