package dev.almanac.calendar;

import static dev.almanac.testing.JobRequests.aCronJob;
import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calendars, freezes and timed pauses through the API, and what the engine writes for the slots they block: skipped
 * with reason calendar, freeze or paused, never run, never caught up.
 */
abstract class TimeControlTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends TimeControlTests {}

    @WithPostgres
    static class OnPostgres extends TimeControlTests {}

    static final String API = "/api/admin/scheduler";

    @Autowired
    Engine engine;

    @Autowired
    JobService jobs;

    @Autowired
    ExecutionService executions;

    @Autowired
    JsonMapper json;

    @Autowired
    Calendars calendars;

    @Test
    void anImportedHolidayCalendarBlocksADailyJobOnItsDatesInThePreviewAndInHistory() throws Exception {
        createHolidays();
        // 09:00 in Berlin is 07:00 UTC in June; 2 June (a yearly RRULE) and 4 June (all-day) are holidays
        String preview = """
                {"schedule":{"type":"cron","expression":"0 9 * * *","timezone":"Europe/Berlin"},"count":4,
                 "calendars":{"blackout":["holidays-2026"]}}
                """;
        mvc.perform(post(API + "/schedules/preview")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(preview))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runs", hasSize(4)))
                .andExpect(jsonPath("$.runs[0].at").value("2026-06-02T07:00:00Z"))
                .andExpect(jsonPath("$.runs[0].blocked_by.kind").value("calendar"))
                .andExpect(jsonPath("$.runs[0].blocked_by.name").value("holidays-2026"))
                .andExpect(jsonPath("$.runs[0].blocked_by.reason").value("inside blackout calendar 'holidays-2026'"))
                .andExpect(jsonPath("$.runs[1].blocked_by").doesNotExist())
                .andExpect(jsonPath("$.runs[2].at").value("2026-06-04T07:00:00Z"))
                .andExpect(jsonPath("$.runs[2].blocked_by.kind").value("calendar"))
                .andExpect(jsonPath("$.runs[3].blocked_by").doesNotExist());

        Job job = jobs.create(
                aCronJob("daily", "0 9 * * *")
                        .in("Europe/Berlin")
                        .calendars(new CalendarRefs(List.of("holidays-2026"), List.of()))
                        .build(),
                "test");
        for (String day : List.of("2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05")) {
            clock.set(Instant.parse(day + "T07:00:01Z"));
            engine.runDueOnce();
        }
        List<Execution> history = history(job);
        assertThat(history)
                .extracting(Execution::scheduledFor)
                .containsExactly(
                        Instant.parse("2026-06-02T07:00:00Z"),
                        Instant.parse("2026-06-03T07:00:00Z"),
                        Instant.parse("2026-06-04T07:00:00Z"),
                        Instant.parse("2026-06-05T07:00:00Z"));
        assertThat(history)
                .extracting(Execution::status)
                .containsExactly(
                        ExecutionStatus.SKIPPED,
                        ExecutionStatus.SUCCEEDED,
                        ExecutionStatus.SKIPPED,
                        ExecutionStatus.SUCCEEDED);
        assertThat(history.get(0).reason()).isEqualTo("calendar");
        assertThat(history.get(0).result()).containsEntry("calendar", "holidays-2026");
        assertThat(history.get(2).reason()).isEqualTo("calendar");

        // the API shows the skipped slot with what blocked it
        mvc.perform(get(API + "/executions/" + history.get(0).id()))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.execution.reason").value("calendar"))
                .andExpect(jsonPath("$.execution.result.calendar").value("holidays-2026"));
    }

    @Test
    void aJobThatMayOnlyRunInsideAWeeklyWindowSkipsEverySlotOutsideIt() throws Exception {
        createCalendar("""
                {"name":"weekend","timezone":"UTC","weekly":[{"from":"SAT 00:00","to":"MON 00:00"}]}
                """);
        // 2026-06-01 is a Monday: the 6th and 7th are the weekend
        Job job = jobs.create(
                aCronJob("weekend-only", "0 12 * * *")
                        .calendars(new CalendarRefs(List.of(), List.of("weekend")))
                        .build(),
                "test");
        for (int day = 1; day <= 7; day++) {
            clock.set(Instant.parse("2026-06-0" + day + "T12:00:01Z"));
            engine.runDueOnce();
        }
        assertThat(history(job))
                .extracting(Execution::status)
                .containsExactly(
                        ExecutionStatus.SKIPPED,
                        ExecutionStatus.SKIPPED,
                        ExecutionStatus.SKIPPED,
                        ExecutionStatus.SKIPPED,
                        ExecutionStatus.SKIPPED,
                        ExecutionStatus.SUCCEEDED,
                        ExecutionStatus.SUCCEEDED);
        assertThat(history(job).get(0).result())
                .containsEntry("calendar", "weekend")
                .containsEntry("reason", "outside calendar 'weekend'");
        // the preview says the same: {kind, name, reason}
        mvc.perform(post(API + "/schedules/preview")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"schedule":{"type":"cron","expression":"0 12 * * *"},"count":1,
                                 "calendars":{"only":["weekend"]}}
                                """))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runs[0].blocked_by.kind").value("calendar"))
                .andExpect(jsonPath("$.runs[0].blocked_by.name").value("weekend"))
                .andExpect(jsonPath("$.runs[0].blocked_by.reason").value("outside calendar 'weekend'"));
    }

    @Test
    void aSlotMissedInsideABlackoutIsNotCaughtUp() throws Exception {
        createCalendar("""
                {"name":"maintenance","timezone":"UTC","ranges":[{"from":"2026-06-01T10:30","to":"2026-06-01T12:30"}]}
                """);
        Job job = jobs.create(
                aCronJob("hourly", "0 * * * *")
                        .misfire("run_once", null)
                        .calendars(new CalendarRefs(List.of("maintenance"), List.of()))
                        .build(),
                "test");
        // no node ran from 10:00 until 12:40: 11:00 and 12:00 fell due inside the blackout
        clock.set(Instant.parse("2026-06-01T12:40:00Z"));
        assertThat(engine.runDueOnce()).isZero();
        assertThat(history(job)).extracting(Execution::reason).containsExactly("calendar", "calendar");
    }

    @Test
    void calendarInputIsCheckedFieldByFieldAndABadIcsNamesItsLine() throws Exception {
        mvc.perform(post(API + "/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name":"bad","timezone":"Mars/Olympus","dates":["2026-13-01"],
                                 "weekly":[{"from":"FRY 18:00","to":"MON 06:00"}]}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[?(@.field == 'timezone')]").exists())
                .andExpect(jsonPath("$.errors[?(@.field == 'dates[0]')]").exists())
                .andExpect(jsonPath("$.errors[?(@.field == 'weekly[0].from')]").exists());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "broken-ics");
        body.put("ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2026XX01\r\n");
        mvc.perform(post(API + "/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(body)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("ics"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("line")));
        // a date out of range is said in words, not as java.time's "Invalid value for MonthOfYear (valid values …)"
        body.put("name", "month-99");
        body.put(
                "ics",
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:m99\r\n"
                        + "DTSTART;VALUE=DATE:20269901\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
        String answer = mvc.perform(post(API + "/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(body)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("ics"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        org.assertj.core.api.Assertions.assertThat(answer)
                .contains("month of year must be from 1 to 12, not 99")
                .doesNotContain("Invalid value for");
    }

    @Test
    void aWeeklyWindowIsStoredAsTheRulesReadItSoRetypingItInAnotherCaseIsNoChange() throws Exception {
        createCalendar("{\"name\":\"weekends\",\"weekly\":[{\"from\":\"sat  00:00\",\"to\":\"sun 23:00\"}]}");
        mvc.perform(get(API + "/calendars/weekends"))
                .andExpect(jsonPath("$.weekly[0].from").value("SAT 00:00"))
                .andExpect(jsonPath("$.weekly[0].to").value("SUN 23:00"));
        mvc.perform(put(API + "/calendars/weekends")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"weekly\":[{\"from\":\"SAT 00:00\",\"to\":\"Sun 23:00\"}]}"))
                .andExpect(status().isOk());
        mvc.perform(get(API + "/audit").param("action", "calendar.updated"))
                .andExpect(jsonPath("$.events.length()").value(0));
    }

    @Test
    void aCalendarNamesItsZoneByTheRuleJobsFollowRawOffsetsRefused() throws Exception {
        for (String zone : new String[] {"+05:00", "GMT+2", "UTC+1", "Mars/X"}) {
            mvc.perform(post(API + "/calendars")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"name\":\"c1\",\"timezone\":\"" + zone + "\",\"dates\":[\"2026-12-24\"]}"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("timezone"))
                    .andExpect(jsonPath("$.errors[0].message")
                            .value("unknown time zone '" + zone + "'; use an IANA zone id such as Europe/Berlin"));
            mvc.perform(post(API + "/jobs")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"name\":\"j1\",\"template_type\":\"heartbeat\",\"schedule\":{\"type\":\"cron\","
                                    + "\"expression\":\"0 12 * * *\",\"timezone\":\"" + zone + "\"}}"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[*].message")
                            .value(hasItem(
                                    "unknown time zone '" + zone + "'; use an IANA zone id such as Europe/Berlin")));
        }
        for (String zone : new String[] {"Europe/Berlin", "Etc/GMT-5", "UTC", "Z"}) {
            String name = "c-" + zone.replaceAll("[^A-Za-z0-9]", "");
            mvc.perform(post(API + "/calendars")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"name\":\"" + name + "\",\"timezone\":\"" + zone
                                    + "\",\"dates\":[\"2026-12-24\"]}"))
                    .andExpect(status().isCreated())
                    // stored as the preview and the engine name it: Z is UTC
                    .andExpect(jsonPath("$.timezone").value(zone.equals("Z") ? "UTC" : zone));
        }
        // one rule everywhere: a name in another case or misspelt is refused with the one meant
        String[][] meant = {
            {"utc", "UTC"},
            {"europe/berlin", "Europe/Berlin"},
            {"Europe/Berln", "Europe/Berlin"}
        };
        for (String[] zone : meant) {
            String said = "unknown time zone '" + zone[0] + "'"
                    + (zone[1] == null
                            ? "; use an IANA zone id such as Europe/Berlin"
                            : "; did you mean '" + zone[1] + "'?");
            mvc.perform(post(API + "/calendars")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"name\":\"c2\",\"timezone\":\"" + zone[0] + "\",\"dates\":[\"2026-12-24\"]}"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].message").value(said));
            mvc.perform(post(API + "/schedules/preview")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"schedule\":{\"type\":\"cron\",\"expression\":\"0 12 * * *\","
                                    + "\"timezone\":\"" + zone[0] + "\"}}"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[*].message").value(hasItem(said)));
        }
    }

    /** A calendar stored with a raw offset before that rule goes on blocking what it blocked; a change must fix it. */
    @Test
    void aCalendarStoredWithARawOffsetBeforeTheRuleStillBlocks() throws Exception {
        mvc.perform(post(API + "/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"offset\",\"timezone\":\"UTC\",\"dates\":[\"2026-06-02\"]}"))
                .andExpect(status().isCreated());
        jdbc.sql("UPDATE calendars SET timezone = '+05:00' WHERE name = 'offset'")
                .update();
        calendars.forget();

        // 2 June in +05:00 runs from 1 June 19:00 UTC to 2 June 19:00 UTC
        mvc.perform(post(API + "/schedules/preview")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"schedule":{"type":"cron","expression":"0 18 * * *","timezone":"UTC"},"count":2,
                                 "calendars":{"blackout":["offset"]}}
                                """))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runs[0].at").value("2026-06-01T18:00:00Z"))
                .andExpect(jsonPath("$.runs[0].blocked_by").doesNotExist())
                .andExpect(jsonPath("$.runs[1].at").value("2026-06-02T18:00:00Z"))
                .andExpect(jsonPath("$.runs[1].blocked_by.name").value("offset"));

        // and the engine skips what the preview marks
        Job job = jobs.create(
                aCronJob("evening", "0 18 * * *")
                        .in("UTC")
                        .calendars(new CalendarRefs(List.of("offset"), List.of()))
                        .build(),
                "test");
        for (String day : List.of("2026-06-01", "2026-06-02")) {
            clock.set(Instant.parse(day + "T18:00:01Z"));
            engine.runDueOnce();
        }
        assertThat(history(job))
                .extracting(Execution::scheduledFor, Execution::status, Execution::reason)
                .containsExactly(
                        tuple(Instant.parse("2026-06-01T18:00:00Z"), ExecutionStatus.SUCCEEDED, null),
                        tuple(Instant.parse("2026-06-02T18:00:00Z"), ExecutionStatus.SKIPPED, "calendar"));
    }

    @Test
    void aCalendarInUseIsNotDeletedAndAJobCannotNameAnUnknownOne() throws Exception {
        createCalendar("""
                {"name":"quiet","timezone":"UTC","dates":["2026-12-24"],"description":"no runs on Christmas Eve"}
                """);
        mvc.perform(get(API + "/calendars/quiet"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.dates[0]").value("2026-12-24"))
                .andExpect(jsonPath("$.timezone").value("UTC"));
        mvc.perform(put(API + "/calendars/quiet")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"timezone\":\"Europe/Berlin\",\"dates\":[\"2026-12-24\",\"2026-12-31\"]}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.dates", hasSize(2)));
        mvc.perform(get(API + "/calendars")).andExpect(jsonPath("$.calendars", hasSize(1)));

        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content("""
                                {"name":"uses-unknown","template_type":"heartbeat",
                                 "schedule":{"type":"cron","expression":"0 2 * * *"},
                                 "calendars":{"blackout":["quiet","nope"]}}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("calendars.blackout"))
                .andExpect(jsonPath("$.errors[0].message").value(containsString("'nope'")));
        String created = mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name":"uses-quiet","template_type":"heartbeat",
                                 "schedule":{"type":"cron","expression":"0 2 * * *"},
                                 "calendars":{"blackout":["quiet"]}}
                                """))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.calendars.blackout[0]").value("quiet"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        String id = json.readTree(created).path("job").path("id").asString();

        mvc.perform(delete(API + "/calendars/quiet"))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(containsString("'uses-quiet'")));
        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"calendars\":null}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.calendars").doesNotExist());
        mvc.perform(delete(API + "/calendars/quiet")).andExpect(status().isNoContent());
        mvc.perform(get(API + "/calendars/quiet")).andExpect(status().isNotFound());
    }

    @Test
    void aFreezeSkipsSlotsWhileItLastsAndOnlyASuperAdminDeclaresIt() throws Exception {
        String freeze = """
                {"from":"2026-06-01T10:30:00Z","to":"2026-06-01T12:30:00Z","scope":"all","reason":"release week"}
                """;
        mvc.perform(post(API + "/freezes")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(freeze))
                .andExpect(status().isForbidden());
        mvc.perform(
                        post(API + "/freezes")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(
                                        "{\"from\":\"2026-06-01T12:00:00Z\",\"to\":\"2026-06-01T11:00:00Z\",\"scope\":\"some\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[?(@.field == 'to')]").exists())
                .andExpect(jsonPath("$.errors[?(@.field == 'scope')]").exists())
                .andExpect(jsonPath("$.errors[?(@.field == 'reason')]").exists());
        mvc.perform(post(API + "/freezes")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(freeze))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.reason").value("release week"));
        // only jobs of destructive templates: a heartbeat is not one
        mvc.perform(post(API + "/freezes")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"from":"2026-06-01T12:30:00Z","to":"2026-06-01T13:30:00Z","scope":"destructive",
                                 "reason":"backups only"}
                                """))
                .andExpect(status().isCreated());

        Job job = jobs.create(aCronJob("hourly", "0 * * * *").build(), "test");
        for (int hour = 11; hour <= 13; hour++) {
            clock.set(Instant.parse("2026-06-01T" + hour + ":00:01Z"));
            engine.runDueOnce();
        }
        List<Execution> history = history(job);
        assertThat(history)
                .extracting(Execution::status)
                .containsExactly(ExecutionStatus.SKIPPED, ExecutionStatus.SKIPPED, ExecutionStatus.SUCCEEDED);
        assertThat(history.get(0).reason()).isEqualTo("freeze");
        assertThat(history.get(0).result()).containsEntry("reason", "release week");

        String id = json.readTree(mvc.perform(get(API + "/freezes"))
                        .andExpect(jsonPath("$.freezes", hasSize(2)))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .path("freezes")
                .path(0)
                .path("id")
                .asString();
        mvc.perform(delete(API + "/freezes/" + id).with(logins.as(TestLogins.ADMIN)))
                .andExpect(status().isForbidden());
        // it is over: ending it again is refused, and its past is kept
        mvc.perform(delete(API + "/freezes/" + id))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(containsString("already over")));
        mvc.perform(get(API + "/freezes")).andExpect(jsonPath("$.freezes", hasSize(2)));
    }

    @Test
    void endingAFreezeInForceKeepsItsPastSoABackfillStillSeesTheSlotsItBlocked() throws Exception {
        mvc.perform(post(API + "/freezes")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"from":"2026-06-01T10:30:00Z","to":"2026-06-01T18:00:00Z","scope":"all",
                                 "reason":"release week"}
                                """))
                .andExpect(status().isCreated());
        Job job = jobs.create(aCronJob("hourly", "0 * * * *").build(), "test");
        clock.set(Instant.parse("2026-06-01T11:00:01Z"));
        engine.runDueOnce();
        assertThat(history(job)).extracting(Execution::reason).containsExactly("freeze");

        clock.set(Instant.parse("2026-06-01T11:30:00Z"));
        String id = jdbc.sql("SELECT id FROM freezes").query(String.class).single();
        mvc.perform(delete(API + "/freezes/" + id)).andExpect(status().isNoContent());
        mvc.perform(get(API + "/freezes"))
                .andExpect(jsonPath("$.freezes", hasSize(1)))
                .andExpect(jsonPath("$.freezes[0].from").value("2026-06-01T10:30:00Z"))
                .andExpect(jsonPath("$.freezes[0].to").value("2026-06-01T11:30:00Z"));
        mvc.perform(get(API + "/audit").param("action", "freeze.ended"))
                .andExpect(jsonPath("$.events.length()").value(1))
                .andExpect(jsonPath("$.events[0].target_name").value("release week"))
                .andExpect(jsonPath("$.events[0].details.from").value("2026-06-01T10:30:00Z"))
                .andExpect(jsonPath("$.events[0].details.to").value("2026-06-01T18:00:00Z"))
                .andExpect(jsonPath("$.events[0].details.ended_at").value("2026-06-01T11:30:00Z"));

        clock.set(Instant.parse("2026-06-01T13:30:00Z"));
        mvc.perform(post(API + "/jobs/" + job.id() + "/backfill")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"from\":\"2026-06-01T11:00:00Z\",\"to\":\"2026-06-01T12:00:00Z\","
                                + "\"dry_run\":true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.slots[0].state").value("blocked"))
                .andExpect(jsonPath("$.slots[0].blocked_by.kind").value("freeze"))
                .andExpect(jsonPath("$.slots[1].state").value("to_run"));
    }

    @Test
    void aCalendarRangeStartingInADstGapStartsWhereTheGapEndsAsSchedulesReadSuchATime() throws Exception {
        // 02:15 does not exist in Berlin on 2027-03-28: read as 03:00 CEST (01:00 UTC), not moved to 03:15
        createCalendar("""
                {"name":"gap","timezone":"Europe/Berlin",
                 "ranges":[{"from":"2027-03-28T02:15","to":"2027-03-28T03:15"}]}""");
        mvc.perform(post(API + "/schedules/preview")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"schedule":{"type":"cron","expression":"5 3 * * *","timezone":"Europe/Berlin"},
                                 "count":2,"from":"2027-03-27T12:00:00Z","calendars":{"blackout":["gap"]}}"""))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runs[0].at").value("2027-03-28T01:05:00Z"))
                .andExpect(jsonPath("$.runs[0].blocked_by.name").value("gap"))
                .andExpect(jsonPath("$.runs[1].blocked_by").doesNotExist());
    }

    /** A floating time in an .ics file that falls in a DST gap is read as ranges and schedules read it. */
    @Test
    void anIcsEventStartingInADstGapStartsWhereTheGapEnds() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "ics-gap");
        body.put("timezone", "Europe/Berlin");
        body.put(
                "ics",
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:gap@test\r\n"
                        + "DTSTAMP:20270101T000000Z\r\nDTSTART:20270328T021500\r\nDTEND:20270328T040000\r\n"
                        + "SUMMARY:maintenance\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
        mvc.perform(post(API + "/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(body)))
                .andExpect(status().isCreated());
        // 03:00 CEST is inside 02:15 (read as 03:00) to 04:00; moved by the gap's length it would start at 03:15
        mvc.perform(post(API + "/schedules/preview")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"schedule":{"type":"cron","expression":"0 3 * * *","timezone":"Europe/Berlin"},
                                 "count":1,"from":"2027-03-27T12:00:00Z","calendars":{"blackout":["ics-gap"]}}"""))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runs[0].at").value("2027-03-28T01:00:00Z"))
                .andExpect(jsonPath("$.runs[0].blocked_by.name").value("ics-gap"));
    }

    /**
     * Pausing a paused job or namespace again sets its until and reason; paused_since stays when the pause began (it
     * was reset to the second pause). Once a pause is over, a new one starts a new since.
     */
    @Test
    void pausingAgainKeepsWhenThePauseBegan() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        String began = clock.instant().toString();
        for (String path : new String[] {"/jobs/" + job.id(), "/namespaces/default"}) {
            String view = path.startsWith("/jobs") ? "$.job" : "$.namespace";
            clock.set(Instant.parse(began));
            mvc.perform(post(API + path + "/pause")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{}"))
                    .andExpect(status().isOk());
            clock.advance(Duration.ofMinutes(5));
            mvc.perform(post(API + path + "/pause")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"until\":\"2026-12-01T00:00:00Z\",\"reason\":\"longer\"}"))
                    .andExpect(status().isOk());
            mvc.perform(get(API + path))
                    .andExpect(jsonPath(view + ".paused_since").value(began))
                    .andExpect(jsonPath(view + ".paused_until").value("2026-12-01T00:00:00Z"))
                    .andExpect(jsonPath(view + ".pause_reason").value("longer"));
            mvc.perform(post(API + path + "/resume")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{}"))
                    .andExpect(status().isOk());
            clock.advance(Duration.ofMinutes(5));
            mvc.perform(post(API + path + "/pause")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{}"))
                    .andExpect(status().isOk());
            mvc.perform(get(API + path))
                    .andExpect(jsonPath(view + ".paused_since")
                            .value(clock.instant().toString()));
            mvc.perform(post(API + path + "/resume")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{}"))
                    .andExpect(status().isOk());
        }
    }

    @Test
    void aPauseWhoseUntilHasPassedIsNoLongerReportedBeforeTheJobIsNextDue() throws Exception {
        Job job = jobs.create(aCronJob("nightly", "0 2 * * *").build(), "test");
        mvc.perform(post(API + "/jobs/" + job.id() + "/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"until\":\"2026-06-01T12:00:00Z\",\"reason\":\"supplier migration\"}"))
                .andExpect(status().isOk());
        mvc.perform(get(API + "/jobs/" + job.id()))
                .andExpect(jsonPath("$.job.paused_until").value("2026-06-01T12:00:00Z"));

        // past its until, long before the next slot at 02:00: the engine has not lifted it yet, the API says it is over
        clock.set(Instant.parse("2026-06-01T12:30:00Z"));
        engine.runDueOnce();
        mvc.perform(get(API + "/jobs/" + job.id()))
                .andExpect(jsonPath("$.job.paused_since").value(nullValue()))
                .andExpect(jsonPath("$.job.paused_until").value(nullValue()))
                .andExpect(jsonPath("$.job.pause_reason").value(nullValue()));
        mvc.perform(get(API + "/jobs"))
                .andExpect(jsonPath("$.jobs[0].name").value("nightly"))
                .andExpect(jsonPath("$.jobs[0].paused_until").value(nullValue()));
        mvc.perform(post(API + "/jobs/" + job.id() + "/resume")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{}"))
                .andExpect(status().isConflict());
    }

    @Test
    void aJobPausedUntilATimeResumesByItselfWithoutACatchUpFlood() throws Exception {
        Job job = jobs.create(aCronJob("hourly", "0 * * * *").build(), "test");
        mvc.perform(post(API + "/jobs/" + job.id() + "/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"until\":\"2026-06-01T13:00:00Z\",\"reason\":\"supplier migration\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.paused_until").value("2026-06-01T13:00:00Z"))
                .andExpect(jsonPath("$.job.pause_reason").value("supplier migration"));
        mvc.perform(get(API + "/jobs/" + job.id()))
                .andExpect(jsonPath("$.job.paused_until").value("2026-06-01T13:00:00Z"))
                .andExpect(jsonPath("$.job.pause_reason").value("supplier migration"));

        // no node looked while it was paused: 11:00 and 12:00 are skipped, 13:00 (when it lifts) runs, once
        clock.set(Instant.parse("2026-06-01T13:00:05Z"));
        assertThat(engine.runDueOnce()).isEqualTo(1);
        List<Execution> history = history(job);
        assertThat(history).extracting(Execution::reason).containsExactly("paused", "paused", null);
        assertThat(history.get(0).result()).containsEntry("reason", "supplier migration");
        assertThat(history.get(2).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        mvc.perform(get(API + "/jobs/" + job.id()))
                .andExpect(jsonPath("$.job.paused_until").value(nullValue()))
                .andExpect(jsonPath("$.job.pause_reason").value(nullValue()));

        clock.advance(Duration.ofHours(1));
        assertThat(engine.runDueOnce()).isEqualTo(1);
    }

    /**
     * A namespace's pause skips its jobs' slots, so what shows the next runs says so: the schedule preview of the
     * namespace and the job page mark the slots it holds; an interval job's page counts from its next run, not now.
     */
    @Test
    void aNamespacePauseIsMarkedWhereTheNextRunsAreShown() throws Exception {
        mvc.perform(post(API + "/namespaces")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"ops\"}"))
                .andExpect(status().isCreated());
        String hourly = "{\"name\":\"ops-hourly\",\"namespace\":\"ops\",\"template_type\":\"heartbeat\","
                + "\"schedule\":{\"cron\":\"0 * * * *\"}}";
        String job = JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(hourly))
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
        mvc.perform(post(API + "/namespaces/ops/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"until\":\"2026-06-01T12:30:00Z\",\"reason\":\"ns maint\"}"))
                .andExpect(status().isOk());

        mvc.perform(post(API + "/schedules/preview")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"schedule\":{\"cron\":\"0 * * * *\"},\"namespace\":\"ops\",\"count\":3}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runs[0].at").value("2026-06-01T11:00:00Z"))
                .andExpect(jsonPath("$.runs[0].blocked_by.kind").value("paused"))
                .andExpect(jsonPath("$.runs[0].blocked_by.reason").value(containsString("ns maint")))
                .andExpect(jsonPath("$.runs[2].at").value("2026-06-01T13:00:00Z"))
                .andExpect(jsonPath("$.runs[2].blocked_by").doesNotExist());
        MockMvc pages = securedMvc();
        assertThat(page(pages, "/jobs/" + job)).contains("namespace &#39;ops&#39; paused: ns maint");

        Job interval = jobs.create(anIntervalJob("every-hour", 3600).build(), "test");
        assertThat(interval.nextRunAt()).isEqualTo(START.plus(Duration.ofHours(1)));
        clock.set(START.plus(Duration.ofMinutes(20)));
        assertThat(page(pages, "/jobs/" + interval.id()))
                .contains("Mon 1 Jun 2026, 11:00:00 (+00:00)", "Mon 1 Jun 2026, 12:00:00 (+00:00)")
                .doesNotContain("11:20:00");
    }

    private static String page(MockMvc pages, String path) throws Exception {
        return pages.perform(get(path).with(user("root").roles("SUPER_ADMIN")))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
    }

    @Test
    void resumingAJobPausedIndefinitelyRunsNoMissedSlotUnlessOneCatchUpRunIsAskedFor() throws Exception {
        Job job = jobs.create(aCronJob("hourly", "0 * * * *").build(), "test");
        mvc.perform(post(API + "/jobs/" + job.id() + "/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"reason\":\"investigating\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.paused_since").value(START.toString()))
                .andExpect(jsonPath("$.job.paused_until").value(nullValue()));
        mvc.perform(post(API + "/jobs/" + job.id() + "/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"until\":\"2026-01-01T00:00:00Z\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("until"));
        for (int hour = 11; hour <= 14; hour++) {
            clock.set(Instant.parse("2026-06-01T" + hour + ":00:01Z"));
            assertThat(engine.runDueOnce()).isZero();
        }
        clock.set(Instant.parse("2026-06-01T14:20:00Z"));
        mvc.perform(post(API + "/jobs/" + job.id() + "/resume")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"catch_up\":false}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.paused_since").value(nullValue()));
        assertThat(engine.runDueOnce()).isZero();
        assertThat(history(job)).hasSize(4).allMatch(e -> "paused".equals(e.reason()));

        mvc.perform(post(API + "/jobs/" + job.id() + "/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{}"))
                .andExpect(status().isOk());
        clock.set(Instant.parse("2026-06-01T16:30:00Z"));
        assertThat(engine.runDueOnce()).isZero();
        mvc.perform(post(API + "/jobs/" + job.id() + "/resume")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"catch_up\":true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.execution_id").exists());
        assertThat(engine.runDueOnce()).isEqualTo(1);
        assertThat(history(job))
                .filteredOn(e -> e.status() == ExecutionStatus.SUCCEEDED)
                .hasSize(1);

        // a job that is not paused has nothing to resume, and its catch-up run would run a slot no pause skipped
        mvc.perform(post(API + "/jobs/" + job.id() + "/resume")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"catch_up\":true}"))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value("job 'hourly' is not paused"));
        assertThat(engine.runDueOnce()).isZero();
    }

    @Test
    void aCatchUpRunRefusedByTheNamespaceRunQuotaLeavesTheJobPausedOnTheApiAndThePage() throws Exception {
        mvc.perform(post(API + "/namespaces")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"ops\",\"quotas\":{\"manual_runs_per_hour\":1}}"))
                .andExpect(status().isCreated());
        String job = JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"name\":\"ops-hourly\",\"namespace\":\"ops\","
                                        + "\"template_type\":\"heartbeat\",\"schedule\":{\"cron\":\"0 * * * *\"}}"))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
        mvc.perform(post(API + "/jobs/" + job + "/run")).andExpect(status().isAccepted());
        mvc.perform(post(API + "/jobs/" + job + "/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{}"))
                .andExpect(status().isOk());

        mvc.perform(post(API + "/jobs/" + job + "/resume")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"catch_up\":true}"))
                .andExpect(status().isTooManyRequests())
                .andExpect(jsonPath("$.detail").value(containsString("manual_runs_per_hour")));
        mvc.perform(get(API + "/jobs/" + job))
                .andExpect(jsonPath("$.job.paused_since").value(START.toString()));
        securedMvc()
                .perform(
                        post("/jobs/" + job + "/resume")
                                .param("catch_up", "true")
                                .with(user("root").roles("SUPER_ADMIN"))
                                .with(org.springframework.security.test.web.servlet.request
                                        .SecurityMockMvcRequestPostProcessors.csrf()))
                .andExpect(status().isTooManyRequests());
        mvc.perform(get(API + "/jobs/" + job))
                .andExpect(jsonPath("$.job.paused_since").value(START.toString()));
        mvc.perform(get(API + "/audit").param("action", "job.resumed"))
                .andExpect(jsonPath("$.events.length()").value(0));

        mvc.perform(post(API + "/jobs/" + job + "/resume")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"catch_up\":false}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.paused_since").value(nullValue()));
    }

    @Test
    void aJobsCalendarsTravelThroughExportAndImport() throws Exception {
        createCalendar("{\"name\":\"quiet\",\"dates\":[\"2026-12-24\"]}");
        jobs.create(
                aCronJob("nightly", "0 2 * * *")
                        .calendars(new CalendarRefs(List.of("quiet"), List.of()))
                        .build(),
                "test");
        String file = mvc.perform(get(API + "/jobs/export").param("format", "json"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.jobs[0].calendars.blackout[0]").value("quiet"))
                .andExpect(jsonPath("$.calendars[0].name").value("quiet"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        mvc.perform(post(API + "/jobs/import")
                        .param("mode", "plan")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(file))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.jobs[0].action").value("unchanged"));
        mvc.perform(post(API + "/jobs/import")
                        .param("mode", "plan")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(withoutCalendars(file).replace("\"quiet\"", "\"missing\"")))
                .andExpect(jsonPath("$.jobs[0].action").value("invalid"))
                .andExpect(jsonPath("$.jobs[0].errors[0].field").value("calendars.blackout"));
    }

    /** A jobs file without the calendars an export writes next to its jobs: its jobs name only stored ones. */
    private String withoutCalendars(String file) {
        tools.jackson.databind.node.ObjectNode tree = (tools.jackson.databind.node.ObjectNode) json.readTree(file);
        tree.remove("calendars");
        return tree.toString();
    }

    private void createHolidays() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "holidays-2026");
        body.put("timezone", "Europe/Berlin");
        body.put("description", "Public holidays 2026");
        body.put("ics", resource("/calendars/holidays-2026.ics"));
        mvc.perform(post(API + "/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(body)))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.name").value("holidays-2026"));
    }

    private void createCalendar(String body) throws Exception {
        mvc.perform(post(API + "/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(status().isCreated());
    }

    private List<Execution> history(Job job) {
        return executions.list(ExecutionQuery.ofJob(job.id(), 500)).stream()
                .sorted(Comparator.comparing(Execution::scheduledFor, Comparator.nullsLast(Comparator.naturalOrder())))
                .toList();
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = TimeControlTests.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
