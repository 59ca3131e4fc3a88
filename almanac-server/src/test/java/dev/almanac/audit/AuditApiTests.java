package dev.almanac.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasSize;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.audit.internal.AuditRetention;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

/** The audit trail: what each change, run and refusal leaves, and how super admins search it. */
abstract class AuditApiTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends AuditApiTests {}

    @WithPostgres
    static class OnPostgres extends AuditApiTests {

        /**
         * A create's job, first version and audit event commit together: when the event cannot be written (here a
         * trigger refuses it), neither the job nor its version is stored.
         */
        @Test
        void aCreateWhoseAuditEventCannotBeWrittenStoresNothing() throws Exception {
            jdbc.sql("""
                            CREATE OR REPLACE FUNCTION refuse_one_audit_event() RETURNS trigger AS $$
                            BEGIN
                              IF NEW.target_name = 'all-or-nothing' THEN
                                RAISE EXCEPTION 'audit event refused by the test';
                              END IF;
                              RETURN NEW;
                            END $$ LANGUAGE plpgsql""").update();
            jdbc.sql("CREATE TRIGGER refuse_one_audit_event BEFORE INSERT ON audit_events"
                            + " FOR EACH ROW EXECUTE FUNCTION refuse_one_audit_event()")
                    .update();
            try {
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("""
                                {"name":"all-or-nothing","template_type":"heartbeat","parameters":{"message":"x"},
                                 "schedule":{"type":"interval","interval_seconds":60}}"""))
                        .andExpect(status().is5xxServerError());

                assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs WHERE name = 'all-or-nothing'")
                                .query(Long.class)
                                .single())
                        .isZero();
                assertThat(jdbc.sql("""
                                        SELECT COUNT(*) FROM job_versions v
                                         WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = v.job_id)
                                        """).query(Long.class).single()).isZero();
            } finally {
                jdbc.sql("DROP TRIGGER refuse_one_audit_event ON audit_events").update();
                jdbc.sql("DROP FUNCTION refuse_one_audit_event()").update();
            }
        }
    }

    static final String API = "/api/admin/scheduler";

    @Autowired
    AuditRetention retention;

    @Test
    void anUpdateShowsTheDiffOfWhatChangedWithActorTimeAndSource() throws Exception {
        String id = create("nightly", "ping");
        clock.advance(Duration.ofMinutes(5));

        mvc.perform(put(API + "/jobs/" + id)
                        .with(logins.as(TestLogins.ADMIN))
                        .with(request -> {
                            request.setRemoteAddr("10.1.2.3");
                            return request;
                        })
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"parameters\":{\"message\":\"pong\"},\"tags\":[\"night\"]}"))
                .andExpect(status().isOk());

        mvc.perform(get(API + "/audit").param("action", "job.updated").param("target", id))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.events", hasSize(1)))
                .andExpect(jsonPath("$.events[0].actor").value("test-admin"))
                .andExpect(jsonPath("$.events[0].occurred_at").value("2026-06-01T10:05:00Z"))
                .andExpect(jsonPath("$.events[0].source_address").value("10.1.2.3"))
                .andExpect(jsonPath("$.events[0].via")
                        .value(org.hamcrest.Matchers.matchesPattern("token:test test-admin \\(alm_.{8}…\\)")))
                .andExpect(jsonPath("$.events[0].target_type").value("job"))
                .andExpect(jsonPath("$.events[0].target_name").value("nightly"))
                .andExpect(jsonPath("$.events[0].details.version").value(2))
                .andExpect(jsonPath("$.events[0].details.changes['parameters.message'].before")
                        .value("ping"))
                .andExpect(jsonPath("$.events[0].details.changes['parameters.message'].after")
                        .value("pong"))
                .andExpect(jsonPath("$.events[0].details.changes.tags.after[0]").value("night"))
                .andExpect(jsonPath("$.events[0].details.changes.name").doesNotExist());
    }

    /**
     * A calendar's update names each field it changed, before and after, like a job's: not the time zone alone when
     * only the dates changed; a long iCalendar text shortened; an update that changes nothing leaves no event.
     */
    @Test
    void aCalendarUpdateRecordsTheFieldsItChangedAndNothingForTheOthers() throws Exception {
        api("POST", "/calendars", """
                {"name":"holidays","description":"public holidays","dates":["2026-12-25"],
                 "weekly":[{"from":"SAT 00:00","to":"MON 00:00"}]}""");
        clock.advance(Duration.ofSeconds(1));
        String changed = """
                {"description":"public and company holidays","dates":["2026-12-25","2026-12-26"],
                 "weekly":[{"from":"FRI 18:00","to":"MON 06:00"}]}""";
        api("PUT", "/calendars/holidays", changed);

        mvc.perform(get(API + "/audit").param("action", "calendar.updated"))
                .andExpect(jsonPath("$.events", hasSize(1)))
                .andExpect(jsonPath("$.events[0].target_name").value("holidays"))
                .andExpect(jsonPath("$.events[0].details.changes.description.before")
                        .value("public holidays"))
                .andExpect(jsonPath("$.events[0].details.changes.description.after")
                        .value("public and company holidays"))
                .andExpect(jsonPath("$.events[0].details.changes.dates.before", contains("2026-12-25")))
                .andExpect(jsonPath("$.events[0].details.changes.dates.after", contains("2026-12-25", "2026-12-26")))
                .andExpect(jsonPath("$.events[0].details.changes.weekly.before", contains("SAT 00:00 .. MON 00:00")))
                .andExpect(jsonPath("$.events[0].details.changes.weekly.after", contains("FRI 18:00 .. MON 06:00")))
                .andExpect(jsonPath("$.events[0].details.changes.timezone").doesNotExist())
                .andExpect(jsonPath("$.events[0].details.changes.ranges").doesNotExist())
                .andExpect(jsonPath("$.events[0].details.changes.ics").doesNotExist());

        // the same contents again: nothing changed, nothing recorded
        clock.advance(Duration.ofSeconds(1));
        api("PUT", "/calendars/holidays", changed);
        mvc.perform(get(API + "/audit").param("action", "calendar.updated"))
                .andExpect(jsonPath("$.events", hasSize(1)));

        // a long iCalendar text: its start, its length and a digest, not the whole file
        StringBuilder ics = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
        for (int day = 1; day <= 20; day++) {
            ics.append(String.format(
                    "BEGIN:VEVENT\r\nUID:day-%d@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:202607%02d"
                            + "\r\nSUMMARY:Summer day %d\r\nEND:VEVENT\r\n",
                    day, day, day));
        }
        ics.append("END:VCALENDAR\r\n");
        clock.advance(Duration.ofSeconds(1));
        api(
                "PUT",
                "/calendars/holidays",
                changed.replace(
                        "\"description\"",
                        "\"ics\":\"" + ics.toString().replace("\r\n", "\\r\\n") + "\",\"description\""));
        String event = mvc.perform(get(API + "/audit").param("action", "calendar.updated"))
                .andExpect(jsonPath("$.events", hasSize(2)))
                .andExpect(jsonPath("$.events[0].details.changes.ics.before").doesNotExist())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(JsonPath.<Map<String, Object>>read(event, "$.events[0].details.changes"))
                .containsOnlyKeys("ics");
        String after = JsonPath.read(event, "$.events[0].details.changes.ics.after");
        assertThat(after)
                .startsWith(ics.substring(0, 200))
                .matches("(?s).*… \\(" + ics.length() + " characters, SHA-256 [0-9a-f]{12}\\)")
                .hasSizeLessThan(260);

        // the edit page records its change the same way: here the time zone alone
        clock.advance(Duration.ofSeconds(1));
        securedMvc()
                .perform(post("/calendars/holidays")
                        .with(user("sam").roles("SUPER_ADMIN"))
                        .with(csrf())
                        .param("timezone", "Europe/Berlin")
                        .param("description", "public and company holidays")
                        .param("dates", "2026-12-25\n2026-12-26")
                        .param("weekly", "FRI 18:00 to MON 06:00")
                        .param("ics", ics.toString()))
                .andExpect(status().is3xxRedirection());
        mvc.perform(get(API + "/audit").param("action", "calendar.updated"))
                .andExpect(jsonPath("$.events", hasSize(3)))
                .andExpect(jsonPath("$.events[0].actor").value("sam"))
                .andExpect(
                        jsonPath("$.events[0].details.changes.timezone.before").value("UTC"))
                .andExpect(
                        jsonPath("$.events[0].details.changes.timezone.after").value("Europe/Berlin"))
                .andExpect(jsonPath("$.events[0].details.changes.length()").value(1));
    }

    @Test
    void recordsCreateEnableDisableRunCancelDeleteAndTokensInOrder() throws Exception {
        String id = create("lifecycle", "ping");
        clock.advance(Duration.ofSeconds(1));
        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"enabled\":false}"))
                .andExpect(status().isOk());
        clock.advance(Duration.ofSeconds(1));
        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"enabled\":true}"))
                .andExpect(status().isOk());
        clock.advance(Duration.ofSeconds(1));
        String execution = JsonPath.read(
                mvc.perform(post(API + "/jobs/" + id + "/run"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.execution_id");
        clock.advance(Duration.ofSeconds(1));
        mvc.perform(post(API + "/executions/" + execution + "/cancel")).andExpect(status().isAccepted());
        clock.advance(Duration.ofSeconds(1));
        mvc.perform(delete(API + "/jobs/" + id)).andExpect(status().isOk());
        clock.advance(Duration.ofSeconds(1));
        String token = JsonPath.read(
                mvc.perform(post(API + "/tokens")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"name\":\"ci\"}"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.token.id");
        clock.advance(Duration.ofSeconds(1));
        mvc.perform(delete(API + "/tokens/" + token)).andExpect(status().isOk());

        mvc.perform(get(API + "/audit").param("actor", "test-super-admin"))
                .andExpect(jsonPath(
                        "$.events[*].action",
                        contains(
                                "token.revoked",
                                "token.created",
                                "job.deleted",
                                "execution.cancelled",
                                "job.run",
                                "job.enabled",
                                "job.disabled",
                                "job.created")));
        mvc.perform(get(API + "/audit").param("action", "job").param("target", "lifecycle"))
                .andExpect(jsonPath("$.events", hasSize(5)));
        mvc.perform(get(API + "/audit").param("action", "job.disabled"))
                .andExpect(
                        jsonPath("$.events[0].details.changes.enabled.before").value(true))
                .andExpect(jsonPath("$.events[0].details.changes.enabled.after").value(false));
    }

    @Test
    void recordsPermissionDenialsAndFailedLogins() throws Exception {
        String id = create("guarded", "ping");
        mvc.perform(get(API + "/jobs").with(logins.as(TestLogins.USER))).andExpect(status().isForbidden());
        mvc.perform(delete(API + "/executions/00000000-0000-0000-0000-000000000000")
                        .with(logins.as(TestLogins.ADMIN)))
                .andExpect(status().isNotFound());
        mvc.perform(get(API + "/jobs").with(TestLogins.bearer("alm_not-a-token")))
                .andExpect(status().isUnauthorized());

        mvc.perform(get(API + "/audit").param("action", "access.denied"))
                .andExpect(jsonPath("$.events[0].actor").value("test-user"))
                .andExpect(jsonPath("$.events[0].outcome").value("denied"))
                .andExpect(jsonPath("$.events[0].target_name").value("GET /api/admin/scheduler/jobs"));
        mvc.perform(get(API + "/audit").param("action", "login.failed"))
                .andExpect(jsonPath("$.events[0].details.method").value("token"));
        assertThat(id).isNotNull();
    }

    @Test
    void aRefusedCreateIsAuditedAsDeniedAndACreateThatRollsBackLeavesNoEvent() throws Exception {
        create("taken", "first");
        // an admin may not create a job of a destructive template: refused before the create's transaction
        mvc.perform(post(API + "/jobs")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name":"wipe","template_type":"database_cleanup","parameters":{},
                                 "schedule":{"type":"interval","interval_seconds":60}}"""))
                .andExpect(status().isForbidden());
        // the job, its version and its audit event commit together: a taken name leaves none of them
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content("""
                                {"name":"taken","template_type":"heartbeat","parameters":{"message":"second"},
                                 "schedule":{"type":"interval","interval_seconds":60}}"""))
                .andExpect(status().isConflict());

        mvc.perform(get(API + "/audit").param("action", "access.denied"))
                .andExpect(jsonPath("$.events", hasSize(1)))
                .andExpect(jsonPath("$.events[0].actor").value("test-admin"))
                .andExpect(jsonPath("$.events[0].target_name").value("wipe"))
                .andExpect(jsonPath("$.events[0].details.action").value("create"));
        mvc.perform(get(API + "/audit").param("action", "job.created"))
                .andExpect(jsonPath("$.events", hasSize(1)))
                .andExpect(jsonPath("$.events[0].details.definition.parameters.message")
                        .value("first"));
    }

    @Test
    void filtersByTimeAndPagesNewestFirst() throws Exception {
        for (int i = 0; i < 5; i++) {
            create("job-" + i, "ping");
            clock.advance(Duration.ofMinutes(1));
        }
        mvc.perform(get(API + "/audit")
                        .param("action", "job.created")
                        .param("from", "2026-06-01T10:01:00Z")
                        .param("to", "2026-06-01T10:03:00Z"))
                .andExpect(jsonPath("$.events[*].target_name", contains("job-2", "job-1")));
        String first = mvc.perform(
                        get(API + "/audit").param("action", "job.created").param("limit", "3"))
                .andExpect(jsonPath("$.events[*].target_name", contains("job-4", "job-3", "job-2")))
                .andReturn()
                .getResponse()
                .getContentAsString();
        mvc.perform(get(API + "/audit")
                        .param("action", "job.created")
                        .param("limit", "3")
                        .param("before", JsonPath.<String>read(first, "$.next_before")))
                .andExpect(jsonPath("$.events[*].target_name", contains("job-1", "job-0")))
                .andExpect(jsonPath("$.next_before").doesNotExist());
        mvc.perform(get(API + "/audit").param("from", "yesterday").param("limit", "0"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field", contains("from", "limit")));
    }

    @Test
    void retentionDeletesEventsOlderThanItKeeps() throws Exception {
        create("old", "ping");
        clock.advance(Duration.ofDays(366));
        create("new", "ping");

        assertThat(retention.purge()).isEqualTo(1);

        mvc.perform(get(API + "/audit").param("action", "job.created"))
                .andExpect(jsonPath("$.events[*].target_name", contains("new")));
    }

    private String create(String name, String message) throws Exception {
        return JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("""
                                        {"name":"%s","template_type":"heartbeat","parameters":{"message":"%s"},
                                         "schedule":{"type":"interval","interval_seconds":60}}""".formatted(name, message)))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
    }
}
