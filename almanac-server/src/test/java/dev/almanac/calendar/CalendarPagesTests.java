package dev.almanac.calendar;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;

/** The calendars and freezes pages: forms checked by the API's rules, errors at the field, with and without htmx. */
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
abstract class CalendarPagesTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends CalendarPagesTests {}

    @WithPostgres
    static class OnPostgres extends CalendarPagesTests {}

    private static final String HOLIDAYS = """
            BEGIN:VCALENDAR\r
            VERSION:2.0\r
            PRODID:-//test//EN\r
            BEGIN:VEVENT\r
            UID:xmas@test\r
            DTSTAMP:20260101T000000Z\r
            DTSTART;VALUE=DATE:20261225\r
            DTEND;VALUE=DATE:20261226\r
            SUMMARY:Christmas\r
            END:VEVENT\r
            END:VCALENDAR\r
            """;

    @Autowired
    WebApplicationContext context;

    @Autowired
    JobService jobs;

    @Autowired
    Calendars calendars;

    @Autowired
    tools.jackson.databind.json.JsonMapper mapper;

    MockMvc pages;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        pages = securedMvc();
    }

    @Test
    void createsACalendarFromDatesRangesWeeklyWindowsAndAnUploadedIcsFile() throws Exception {
        assertThat(html("/calendars")).contains("No calendar yet").contains("href=\"/calendars/new\"");
        assertThat(html("/calendars/new")).contains("id=\"icsFile\"");

        pages.perform(multipart("/calendars/new")
                        .file(new MockMultipartFile(
                                "icsFile", "holidays.ics", "text/calendar", HOLIDAYS.getBytes(StandardCharsets.UTF_8)))
                        .with(csrf())
                        .param("name", "office")
                        .param("timezone", "Europe/Berlin")
                        .param("description", "Office closed")
                        .param("dates", "2026-12-31\n2027-01-01")
                        .param("ranges", "2026-08-03 .. 2026-08-14")
                        .param("weekly", "FRI 18:00 to MON 06:00"))
                .andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrl("/calendars"))
                .andExpect(flash().attribute("flash", "Calendar 'office' created"));

        CalendarSpec stored = calendarNamed("office");
        assertThat(stored.timezone()).isEqualTo("Europe/Berlin");
        assertThat(stored.dates()).containsExactly("2026-12-31", "2027-01-01");
        assertThat(stored.ranges()).containsExactly(new CalendarSpec.Window("2026-08-03", "2026-08-14"));
        assertThat(stored.weekly()).containsExactly(new CalendarSpec.Window("FRI 18:00", "MON 06:00"));
        assertThat(stored.ics()).contains("SUMMARY:Christmas");
        assertThat(html("/calendars"))
                .contains("id=\"calendar-office\"")
                .contains("2 dates, 1 ranges, 1 weekly windows");
        assertThat(html("/calendars/office"))
                .contains("2026-08-03 .. 2026-08-14")
                .contains("FRI 18:00 to MON 06:00")
                .contains("Save calendar");

        pages.perform(post("/calendars/office")
                        .with(csrf())
                        .param("timezone", "Europe/Berlin")
                        .param("description", "Office closed, new")
                        .param("dates", "2026-12-31"))
                .andExpect(status().is3xxRedirection());
        assertThat(calendarNamed("office").dates()).containsExactly("2026-12-31");
        assertThat(calendarNamed("office").description()).isEqualTo("Office closed, new");
    }

    /** A name taken is shown at the name and answered 409, as the API answers it, also through htmx. */
    @Test
    void aNameTakenIsShownAtTheNameAndAnswered409() throws Exception {
        create("office");
        for (boolean htmx : new boolean[] {false, true}) {
            var request =
                    post("/calendars/new").with(csrf()).param("name", "office").param("dates", "2026-12-26");
            if (htmx) {
                request.header("HX-Request", "true");
            }
            String page = pages.perform(request)
                    .andExpect(status().isConflict())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(page).contains("id=\"name-error\"").contains("already exists");
        }
        assertThat(calendarNamed("office").dates()).containsExactly("2026-12-25");
    }

    @Test
    void showsEachErrorAtItsFieldWithItsLineAlsoThroughHtmx() throws Exception {
        String page = pages.perform(post("/calendars/new")
                        .with(csrf())
                        .param("name", "bad")
                        .param("timezone", "Mars/Base")
                        .param("dates", "2026-12-25\n2026-13-45")
                        .param("weekly", "FRI 18:00 to SOMEDAY"))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(page)
                .contains("<html")
                .contains("id=\"timezone-error\"")
                .contains("unknown time zone")
                .contains("id=\"dates-error\"")
                .contains("line 2: must be a date like 2026-12-25")
                .contains("id=\"weekly-error\"")
                .contains("line 1 (to):");
        // two dates on one line: the line, and which of them
        assertThat(pages.perform(post("/calendars/new")
                                .with(csrf())
                                .param("name", "bad")
                                .param("dates", "2026-12-25, 2026-02-30"))
                        .andExpect(status().isBadRequest())
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("line 1, &#39;2026-02-30&#39;: must be a date like 2026-12-25")
                .doesNotContain("line 2");

        String fragment = pages.perform(post("/calendars/new")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("name", "bad")
                        .param(
                                "ics",
                                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2026XX01\r\n"))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(fragment)
                .doesNotContain("<html")
                .contains("id=\"calendar-form\"")
                .contains("id=\"ics-error\"");
        assertThat(calendars.unknown(null, List.of("bad"))).containsExactly("bad");
    }

    @Test
    void refusesToDeleteACalendarInUseWhereTheUserActedAndDeletesAnUnusedOne() throws Exception {
        create("holidays");
        create("spare");
        jobs.create(
                aCronJob("payroll", "0 6 * * *")
                        .calendars(new CalendarRefs(List.of("holidays"), List.of()))
                        .build(),
                "test");

        pages.perform(post("/calendars/holidays/delete").with(csrf()))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("refusal", containsString("payroll")));
        pages.perform(post("/calendars/holidays/delete").with(csrf()).header("HX-Request", "true"))
                .andExpect(status().isConflict())
                .andExpect(header().string("HX-Retarget", "#alerts"))
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
                        .string(containsString("payroll")));
        assertThat(calendars.unknown(null, List.of("holidays"))).isEmpty();

        pages.perform(post("/calendars/spare/delete").with(csrf()))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("flash", "Calendar 'spare' deleted"));
        assertThat(calendars.unknown(null, List.of("spare"))).containsExactly("spare");
    }

    @Test
    void aSuperAdminDeclaresListsAndEndsAFreezeOthersMayNotOpenThePage() throws Exception {
        assertThat(html("/freezes")).contains("No freeze").contains("id=\"freeze-form\"");
        pages.perform(get("/freezes").with(user("ops").roles("ADMIN"))).andExpect(status().isForbidden());

        String refused = pages.perform(post("/freezes")
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("from", "2026-06-02T10:00")
                        .param("to", "2026-06-01T10:00")
                        .param("scope", "all")
                        .param("reason", ""))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(refused)
                .doesNotContain("<html")
                .contains("id=\"to-error\"")
                .contains("must be after from")
                .contains("id=\"reason-error\"");

        // 12:00 in Berlin is 10:00 UTC
        pages.perform(post("/freezes")
                        .with(csrf())
                        .param("from", "2026-06-01T12:00")
                        .param("to", "2026-06-03T12:00")
                        .param("timezone", "Europe/Berlin")
                        .param("scope", "destructive")
                        .param("reason", "release week"))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute("flash", containsString("from 2026-06-01T10:00:00Z")));
        String list = html("/freezes");
        assertThat(list)
                .contains("release week")
                .contains("destructive templates")
                .contains(">in force<");

        String id = jdbc.sql("SELECT id FROM freezes").query(String.class).single();
        pages.perform(post("/freezes/" + id + "/end").with(csrf())).andExpect(status().is3xxRedirection());
        // ended, it is kept and listed as over, with nothing left to end
        assertThat(html("/freezes"))
                .contains("release week")
                .contains(">over<")
                .doesNotContain("/freezes/" + id + "/end");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'freeze.ended'")
                        .query(Integer.class)
                        .single())
                .isEqualTo(1);

        // a page read before it ended (here, or in another tab) asks again: the refusal is said where the reader acted
        pages.perform(post("/freezes/" + id + "/end").with(csrf()))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute(
                                "refusal", containsString("Not ended: freeze 'release week' is already over")));
        assertThat(pages.perform(post("/freezes/" + id + "/end").with(csrf()).header("HX-Request", "true"))
                        .andExpect(status().isConflict())
                        .andExpect(header().string("HX-Retarget", "#alerts"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .contains("is already over")
                .doesNotContain("<html");
        pages.perform(post("/freezes/" + java.util.UUID.randomUUID() + "/end")
                        .with(csrf())
                        .header("HX-Request", "true"))
                .andExpect(status().isNotFound())
                .andExpect(header().string("HX-Retarget", "#alerts"));
    }

    @Test
    void aTimeInADstGapIsReadAsTheGapsEndAndThePageSaysSoForFreezesPausesAndCalendars() throws Exception {
        pages.perform(post("/freezes")
                        .with(csrf())
                        .param("from", "2027-03-28T02:15")
                        .param("to", "2027-03-28T05:00")
                        .param("timezone", "Europe/Berlin")
                        .param("scope", "all")
                        .param("reason", "spring"))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute(
                                "flash",
                                "Freeze declared from 2027-03-28T01:00:00Z until 2027-03-28T03:00:00Z: spring"
                                        + " (2027-03-28T02:15 does not exist in Europe/Berlin (clocks go forward);"
                                        + " read as 03:00 CEST)"));

        dev.almanac.job.Job job =
                jobs.create(aCronJob("berlin", "0 9 * * *").in("Europe/Berlin").build(), "test");
        pages.perform(post("/jobs/" + job.id() + "/pause")
                        .with(csrf())
                        .param("until", "2027-03-28T02:30")
                        .param("reason", "move"))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute(
                                "flash",
                                containsString("until 2027-03-28T01:00:00Z (2027-03-28T02:30 does not exist in"
                                        + " Europe/Berlin")));
        assertThat(jobs.get(job.id()).pause().until()).isEqualTo(java.time.Instant.parse("2027-03-28T01:00:00Z"));

        pages.perform(post("/calendars/new")
                        .with(csrf())
                        .param("name", "gap")
                        .param("timezone", "Europe/Berlin")
                        .param("ranges", "2027-03-28T02:15 .. 2027-03-28T03:15"))
                .andExpect(status().is3xxRedirection())
                .andExpect(flash().attribute(
                                "flash",
                                "Calendar 'gap' created (range 1: 2027-03-28T02:15 does not exist in Europe/Berlin"
                                        + " (clocks go forward); read as 03:00 CEST)"));
    }

    @Test
    void aFreezeInAnUnknownZoneIsRefusedOnTheZoneAloneItsTimesKept() throws Exception {
        for (boolean htmx : new boolean[] {false, true}) {
            var request = post("/freezes")
                    .with(csrf())
                    .param("from", "2026-12-10T10:00")
                    .param("to", "2026-12-11T10:00")
                    .param("timezone", "Mars/X")
                    .param("scope", "all")
                    .param("reason", "launch");
            String refused = pages.perform(htmx ? request.header("HX-Request", "true") : request)
                    .andExpect(status().isBadRequest())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(refused)
                    .as(htmx ? "htmx" : "plain")
                    .contains("id=\"timezone-error\"", "unknown time zone", "value=\"2026-12-10T10:00\"")
                    .doesNotContain("id=\"from-error\"", "id=\"to-error\"", "id=\"reason-error\"", "is required");
        }
        // with the zone wrong and the times out of order, both are named, each once
        String both = pages.perform(post("/freezes")
                        .with(csrf())
                        .param("from", "2026-12-11T10:00")
                        .param("to", "2026-12-10T10:00")
                        .param("timezone", "Mars/X")
                        .param("reason", "launch"))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(both)
                .contains("id=\"timezone-error\"", "id=\"to-error\"", "must be after from")
                .doesNotContain("id=\"from-error\"", "is required");
        // a raw offset is refused as a job's zone is
        String offset = pages.perform(post("/freezes")
                        .with(csrf())
                        .param("from", "2026-12-10T10:00")
                        .param("to", "2026-12-11T10:00")
                        .param("timezone", "+05:00")
                        .param("reason", "launch"))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(offset).contains("id=\"timezone-error\"", "use an IANA zone id such as Europe/Berlin");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM freezes").query(Long.class).single())
                .isZero();
    }

    private void create(String name) throws Exception {
        pages.perform(post("/calendars/new").with(csrf()).param("name", name).param("dates", "2026-12-25"))
                .andExpect(status().is3xxRedirection());
    }

    private CalendarSpec calendarNamed(String name) throws Exception {
        String json = mvc.perform(get("/api/admin/scheduler/calendars/" + name))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        return mapper.readValue(json, CalendarSpec.class);
    }

    private String html(String path) throws Exception {
        return pages.perform(get(path))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
    }
}
