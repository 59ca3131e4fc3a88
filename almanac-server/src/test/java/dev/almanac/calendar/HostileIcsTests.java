package dev.almanac.calendar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An iCalendar file is expanded within bounds the server can afford, whoever sends it: a rule recurring every second,
 * or one starting so long ago that ical4j's expansion never ends, is refused at once; a rule with more occurrences
 * than the engine keeps over its horizon is refused when saved (not accepted and then dropped by the engine); and a
 * role that may not change a calendar cannot make the server expand one through an import plan.
 */
abstract class HostileIcsTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends HostileIcsTests {}

    @WithPostgres
    static class OnPostgres extends HostileIcsTests {}

    static final String API = "/api/admin/scheduler";
    final JsonMapper json = JsonMapper.builder().build();

    @Test
    void aRuleRecurringEverySecondIsRefusedBeforeItIsExpanded() throws Exception {
        JsonNode refused = create("every-second", event("DTSTART:20260101T000000Z", "RRULE:FREQ=SECONDLY"), 400);

        assertThat(refused.at("/errors/0/field").asString()).isEqualTo("ics");
        assertThat(refused.at("/errors/0/message").asString()).contains("FREQ=SECONDLY");
    }

    @Test
    void aRecurringEventStartingBefore1900IsRefused() throws Exception {
        // ical4j counts its steps from the start in an int: from 1970 by the second, or from year 50 by the minute, the
        // count overflows and the expansion never ends
        JsonNode refused = create("long-ago", event("DTSTART:00500101T000000Z", "RRULE:FREQ=MINUTELY"), 400);

        assertThat(refused.at("/errors/0/message").asString()).contains("1900 or later");
    }

    @Test
    void aCountedRuleWalkedFromALongAgoStartIsRefusedBeforeItIsExpanded() throws Exception {
        // with COUNT, ical4j walks every candidate from the start: 66 million minutes from 1900
        JsonNode refused = create(
                "counted-from-1900", event("DTSTART:19000101T000000Z", "RRULE:FREQ=MINUTELY;COUNT=2000000000"), 400);

        assertThat(refused.at("/errors/0/message").asString()).contains("candidate times", "leave COUNT out");
    }

    @Test
    void aRuleWithMoreOccurrencesThanTheEngineKeepsIsRefusedWhenSaved() throws Exception {
        // every 25 minutes from 2025-12-01: about 115 000 occurrences up to the engine's horizon (5 years after the
        // test clock's 2026-06-01), about 31 000 up to one year after it
        JsonNode refused = create(
                "every-25-minutes",
                event("DTSTART:20251201T000000Z", "DTEND:20251201T000500Z", "RRULE:FREQ=MINUTELY;INTERVAL=25"),
                400);

        assertThat(refused.at("/errors/0/message").asString()).contains("within " + Calendars.HORIZON_YEARS + " years");
        assertThat(mvc.perform(get(API + "/calendars/every-25-minutes"))
                        .andReturn()
                        .getResponse()
                        .getStatus())
                .isEqualTo(404);
    }

    @Test
    void anUnboundedRuleEveryMinuteIsRefusedWithoutFillingTheMemory() throws Exception {
        JsonNode refused = create("every-minute", event("DTSTART:20260101T000000Z", "RRULE:FREQ=MINUTELY"), 400);

        assertThat(refused.at("/errors/0/message").asString()).contains("more than 100000 event occurrences");
    }

    @Test
    void aViewerCannotMakeTheServerExpandACalendarThroughAnImportPlan() throws Exception {
        RequestPostProcessor vic = TestLogins.bearer(logins.token("vic", TestLogins.USER, false));
        api("POST", "/namespaces", "{\"name\":\"team\"}");
        api("PUT", "/namespaces/team/members", "{\"members\":[{\"username\":\"vic\",\"role\":\"viewer\"}]}");
        Map<String, Object> calendar = new LinkedHashMap<>();
        calendar.put("name", "evil");
        calendar.put("namespace", "team");
        calendar.put("ics", event("DTSTART:20260101T000000Z", "RRULE:FREQ=MINUTELY"));
        String file =
                json.writeValueAsString(Map.of("calendars", java.util.List.of(calendar), "jobs", java.util.List.of()));

        MockHttpServletResponse plan = mvc.perform(post(API + "/jobs/import")
                        .param("mode", "plan")
                        .with(vic)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(file.getBytes(StandardCharsets.UTF_8)))
                .andReturn()
                .getResponse();

        assertThat(plan.getStatus()).as(plan.getContentAsString()).isEqualTo(200);
        JsonNode outcome = json.readTree(plan.getContentAsString()).at("/calendars/0");
        assertThat(outcome.path("action").asString()).isEqualTo("invalid");
        assertThat(outcome.at("/errors/0/message").asString())
                .startsWith("you may not create this calendar")
                .doesNotContain("occurrences");
    }

    private JsonNode create(String name, String ics, int status) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("timezone", "UTC");
        body.put("ics", ics);
        MockHttpServletResponse response = mvc.perform(post(API + "/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(body)))
                .andReturn()
                .getResponse();
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(status);
        return json.readTree(response.getContentAsString());
    }

    private static String event(String... lines) {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//hostile//EN\r\nBEGIN:VEVENT\r\nUID:hostile@test\r\n"
                + "DTSTAMP:20260101T000000Z\r\n" + String.join("\r\n", lines) + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    }
}
