package dev.almanac.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.ResultActions;
import tools.jackson.databind.json.JsonMapper;

/** The job registry through its REST API, on H2 and on PostgreSQL. */
abstract class JobApiTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends JobApiTests {}

    @WithPostgres
    static class OnPostgres extends JobApiTests {}

    static final String JOBS = "/api/admin/scheduler/jobs";

    @Test
    void createsAJobAndReadsItBack() throws Exception {
        clock.set(START.plusNanos(123_456_789));
        String id = create("""
                        {"name":"nightly heartbeat","description":"Proves we are alive","template_type":"heartbeat",
                         "parameters":{"message":"ping"},
                         "schedule":{"type":"cron","expression":"0 2 * * *","timezone":"Europe/Berlin"},
                         "retry_policy":{"max_retries":3},"tags":["Nightly","system"]}
                        """)
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", containsString(JOBS + "/")))
                .andExpect(jsonPath("$.message").value("Job 'nightly heartbeat' created"))
                .andExpect(jsonPath("$.job.template_type").value("heartbeat"))
                .andExpect(jsonPath("$.job.schedule.expression").value("0 2 * * *"))
                .andExpect(jsonPath("$.job.schedule.timezone").value("Europe/Berlin"))
                .andExpect(jsonPath("$.job.schedule.interval_seconds").doesNotExist())
                .andExpect(jsonPath("$.job.enabled").value(true))
                .andExpect(jsonPath("$.job.timeout_seconds").value(3600))
                .andExpect(jsonPath("$.job.retry_policy.max_retries").value(3))
                .andExpect(jsonPath("$.job.retry_policy.retry_delay_seconds").value(60))
                .andExpect(jsonPath("$.job.concurrency_policy").value("forbid"))
                .andExpect(jsonPath("$.job.misfire_policy").value("run_once"))
                .andExpect(jsonPath("$.job.tags[0]").value("nightly"))
                .andExpect(jsonPath("$.job.created_by").value("test-super-admin"))
                .andExpect(jsonPath("$.job.created_at").value("2026-06-01T10:00:00.123Z"))
                .andExpect(jsonPath("$.job.last_run_at").value(nullValue()))
                // 02:00 in Berlin (UTC+2 in June) on the next day
                .andExpect(jsonPath("$.job.next_run_at").value("2026-06-02T00:00:00Z"))
                .andExpect(jsonPath("$.job.version").value(1))
                .andReturn()
                .getResponse()
                .getContentAsString()
                .transform(body -> JsonPath.read(body, "$.job.id"));

        mvc.perform(get(JOBS + "/" + id))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.id").value(id))
                .andExpect(jsonPath("$.job.name").value("nightly heartbeat"))
                .andExpect(jsonPath("$.job.parameters.message").value("ping"))
                .andExpect(jsonPath("$.job.created_at").value("2026-06-01T10:00:00.123Z"))
                .andExpect(jsonPath("$.job.next_run_at").value("2026-06-02T00:00:00Z"));
    }

    @Test
    void listsPagesFiltersAndSearches() throws Exception {
        for (int i = 1; i <= 25; i++) {
            create(heartbeat(String.format("job-%02d", i), i % 5 == 0 ? "\"tags\":[\"fifth\"]," : ""));
        }
        mvc.perform(put(JOBS + "/" + idOf("job-07"))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"enabled\":false}"))
                .andExpect(status().isOk());

        mvc.perform(get(JOBS).param("page", "2").param("limit", "10"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").value(25))
                .andExpect(jsonPath("$.page").value(2))
                .andExpect(jsonPath("$.pages").value(3))
                .andExpect(jsonPath("$.jobs", hasSize(10)))
                .andExpect(jsonPath("$.jobs[0].name").value("job-11"));
        // the last page, part full, and a page past the end say the same total
        mvc.perform(get(JOBS).param("page", "3").param("limit", "10"))
                .andExpect(jsonPath("$.total").value(25))
                .andExpect(jsonPath("$.jobs", hasSize(5)));
        mvc.perform(get(JOBS).param("page", "4").param("limit", "10"))
                .andExpect(jsonPath("$.total").value(25))
                .andExpect(jsonPath("$.pages").value(3))
                .andExpect(jsonPath("$.jobs", hasSize(0)));
        mvc.perform(get(JOBS).param("page", "5").param("limit", "5"))
                .andExpect(jsonPath("$.total").value(25))
                .andExpect(jsonPath("$.jobs", hasSize(5)));
        mvc.perform(get(JOBS).param("tag", "fifth"))
                .andExpect(jsonPath("$.total").value(5))
                .andExpect(jsonPath("$.jobs[*].tags[0]", hasItem("fifth")));
        mvc.perform(get(JOBS).param("enabled", "false"))
                .andExpect(jsonPath("$.total").value(1))
                .andExpect(jsonPath("$.jobs[0].name").value("job-07"))
                .andExpect(jsonPath("$.jobs[0].next_run_at").value(nullValue()));
        mvc.perform(get(JOBS).param("search", "JOB-2"))
                .andExpect(jsonPath("$.total").value(6));
        mvc.perform(get(JOBS).param("search", "%"))
                .andExpect(jsonPath("$.total").value(0));
        mvc.perform(get(JOBS)
                        .param("template_type", "heartbeat")
                        .param("sort", "-name")
                        .param("limit", "1"))
                .andExpect(jsonPath("$.total").value(25))
                .andExpect(jsonPath("$.jobs[0].name").value("job-25"));
        mvc.perform(get(JOBS)
                        .param("limit", "0")
                        .param("page", "x")
                        .param("enabled", "yes")
                        .param("sort", "size"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field", hasItem("limit")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("page")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("enabled")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("sort")));
    }

    @Test
    void aListsTotalShowsThisNodesWritesAtOnce() throws Exception {
        for (int i = 1; i <= 3; i++) {
            create(heartbeat("counted-" + i, "")).andExpect(status().isCreated());
        }
        mvc.perform(get(JOBS).param("limit", "1")).andExpect(jsonPath("$.total").value(3));
        mvc.perform(get(JOBS).param("limit", "1").param("enabled", "true"))
                .andExpect(jsonPath("$.total").value(3));

        String fourth = idOf(create(heartbeat("counted-4", "")));
        mvc.perform(get(JOBS).param("limit", "1")).andExpect(jsonPath("$.total").value(4));
        update(fourth, "{\"enabled\":false}").andExpect(status().isOk());
        mvc.perform(get(JOBS).param("limit", "1").param("enabled", "true"))
                .andExpect(jsonPath("$.total").value(3));
        mvc.perform(delete(JOBS + "/" + fourth)).andExpect(status().isOk());
        mvc.perform(get(JOBS).param("limit", "1")).andExpect(jsonPath("$.total").value(3));
    }

    @Test
    void updatesPartiallyWithOptimisticLocking() throws Exception {
        String id = idOf(create(heartbeat("reporter", "")));
        clock.set(Instant.parse("2026-06-01T11:00:00Z"));

        update(id, "{\"description\":\"now described\",\"version\":1}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.message").value("Job 'reporter' updated"))
                .andExpect(jsonPath("$.job.description").value("now described"))
                .andExpect(jsonPath("$.job.parameters.message").value("hi"))
                .andExpect(jsonPath("$.job.schedule.interval_seconds").value(60))
                .andExpect(jsonPath("$.job.updated_at").value("2026-06-01T11:00:00Z"))
                .andExpect(jsonPath("$.job.version").value(2));

        update(id, "{\"description\":\"lost update\",\"version\":1}")
                .andExpect(status().isConflict())
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.status").value(409))
                .andExpect(jsonPath("$.errors[0].field").value("version"))
                .andExpect(jsonPath("$.detail", containsString("current version is 2")));
        mvc.perform(get(JOBS + "/" + id))
                .andExpect(jsonPath("$.job.description").value("now described"));

        update(id, "{\"description\":\"now described\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.message").value("Job 'reporter' unchanged"))
                .andExpect(jsonPath("$.job.version").value(2));

        update(id, "{\"schedule\":{\"type\":\"cron\",\"expression\":\"*/5 * * * *\"},\"version\":2}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.schedule.type").value("cron"))
                .andExpect(jsonPath("$.job.next_run_at").value("2026-06-01T11:05:00Z"))
                .andExpect(jsonPath("$.job.version").value(3));
    }

    @Test
    void aJobReadFromTheApiCanBeSentBackAsItIs() throws Exception {
        String id = idOf(create(heartbeat("round-trip", "")));
        String body =
                mvc.perform(get(JOBS + "/" + id)).andReturn().getResponse().getContentAsString();
        String job = new JsonMapper().readTree(body).get("job").toString();

        update(id, job)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.message").value("Job 'round-trip' unchanged"));
    }

    @Test
    void disablingClearsTheNextRunAndEnablingRecomputesIt() throws Exception {
        String id = idOf(create(heartbeat("toggle", "")));
        update(id, "{\"enabled\":false}")
                .andExpect(jsonPath("$.job.next_run_at").value(nullValue()));
        clock.set(Instant.parse("2026-06-01T12:00:00Z"));
        update(id, "{\"enabled\":true}").andExpect(jsonPath("$.job.next_run_at").value("2026-06-01T12:01:00Z"));
    }

    @Test
    void keepsAPriorityFromZeroToNineAndDefaultsToFive() throws Exception {
        create(heartbeat("normal", "")).andExpect(jsonPath("$.job.priority").value(5));
        String id = idOf(create(heartbeat("urgent", "\"priority\":8,"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.priority").value(8)));
        mvc.perform(get(JOBS + "/" + id)).andExpect(jsonPath("$.job.priority").value(8));

        update(id, "{\"priority\":0}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.priority").value(0))
                .andExpect(jsonPath("$.job.version").value(2));
        update(id, "{\"description\":\"kept\"}")
                .andExpect(jsonPath("$.job.priority").value(0));

        update(id, "{\"priority\":10}")
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.errors[0].field").value("priority"))
                .andExpect(jsonPath("$.errors[0].message").value("must be between 0 and 9"));
        create(heartbeat("below", "\"priority\":-1,"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("priority"));
        create(heartbeat("words", "\"priority\":\"high\","))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("priority"));
        mvc.perform(get(JOBS + "/" + id)).andExpect(jsonPath("$.job.priority").value(0));
    }

    @Test
    void rejectsAnInvalidJobNamingEveryWrongField() throws Exception {
        create("""
                        {"name":" -bad name!","template_type":"heartbeat","parameters":{"message":5,"extra":true},
                         "schedule":{"type":"cron","expression":"0 0 31 2 *","timezone":"Mars/Olympus"},
                         "timeout_seconds":0,"retry_policy":{"max_retries":99,"backoff_multiplier":0.5},
                         "concurrency_policy":"sometimes","misfire_policy":"later",
                         "depends_on":["not-an-id","00000000-0000-7000-8000-000000000000"],
                         "notifications":{"on_failure":["not an address","ftp://x"]},"tags":["ok","bad tag"]}
                        """)
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.title").value("Bad Request"))
                .andExpect(jsonPath("$.instance").value(JOBS))
                .andExpect(jsonPath("$.errors[*].field", hasItem("name")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("parameters.message")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("parameters.extra")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("schedule.expression")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("schedule.timezone")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("timeout_seconds")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("retry_policy.max_retries")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("retry_policy.backoff_multiplier")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("concurrency_policy")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("misfire_policy")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("depends_on[0]")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("depends_on[1]")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("notifications.on_failure[0]")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("notifications.on_failure[1]")))
                .andExpect(jsonPath("$.errors[*].field", hasItem("tags[1]")));
        assertThat(count("jobs")).isZero();
        assertThat(count("job_versions")).isZero();
    }

    @Test
    void rejectsAnUnknownTemplateAndAMissingSchedule() throws Exception {
        create("{\"name\":\"x\",\"template_type\":\"teleport\"}")
                .andExpect(status().isBadRequest())
                .andExpect(
                        jsonPath("$.errors[?(@.field=='template_type')].message", hasItem(containsString("heartbeat"))))
                .andExpect(jsonPath("$.errors[*].field", hasItem("schedule")));
    }

    @Test
    void takesTheDesignDocumentsPayloadOrHintsAtEveryFieldItRefuses() throws Exception {
        create("""
                {"name": "purge-sessions", "template_type": "database_cleanup",
                 "schedule": {"interval_seconds": 3600},
                 "parameters": {"target": "demo", "collection": "sessions", "date_column": "created_at",
                                "older_than": 30, "condition": [], "dryRun": false}}""")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[?(@.field == 'parameters.collection')].message")
                        .value(contains("'collection' is not a parameter of database_cleanup; did you mean 'table'?")))
                .andExpect(jsonPath("$.errors[?(@.field == 'parameters.condition')].message")
                        .value(contains(
                                "'condition' is not a parameter of database_cleanup; did you mean 'conditions'?")))
                .andExpect(jsonPath("$.errors[?(@.field == 'parameters.dryRun')].message")
                        .value(contains("'dryRun' is not a parameter of database_cleanup; did you mean 'dry_run'?")))
                .andExpect(jsonPath("$.errors[?(@.field =~ /schedule.*/)]").isEmpty());

        create("""
                {"name": "purge-sessions", "template_type": "database_cleanup",
                 "schedule": {"interval_seconds": 3600},
                 "parameters": {"target": "demo", "table": "sessions", "date_column": "created_at",
                                "older_than": 30, "conditions": [], "dry_run": false}}""")
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.schedule.type").value("interval"))
                .andExpect(jsonPath("$.job.schedule.interval_seconds").value(3600));
        create("""
                {"name": "evening", "template_type": "heartbeat",
                 "schedule": {"cron": "0 19 * * *", "timezone": "Europe/Berlin"}}""")
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.schedule.type").value("cron"))
                .andExpect(jsonPath("$.job.schedule.expression").value("0 19 * * *"))
                .andExpect(jsonPath("$.job.schedule.timezone").value("Europe/Berlin"))
                .andExpect(jsonPath("$.job.schedule.cron").doesNotExist());
        assertThat(jdbc.sql("SELECT schedule_type FROM jobs WHERE name = 'evening'")
                        .query(String.class)
                        .single())
                .isEqualTo("cron");
    }

    @Test
    void hintsAtTheJobFieldAClientProbablyMeant() throws Exception {
        create("{\"name\":\"x\",\"templateType\":\"heartbeat\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("templateType"))
                .andExpect(
                        jsonPath("$.errors[0].message").value("is not a known field; did you mean 'template_type'?"));
        create("{\"name\":\"x\",\"schedule\":{\"type\":\"cron\",\"expresion\":\"0 2 * * *\"}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule.expresion"))
                .andExpect(jsonPath("$.errors[0].message").value("is not a known field; did you mean 'expression'?"));
        create("{\"name\":\"x\",\"schedule\":{\"cron\":\"0 2 * * *\",\"expression\":\"0 3 * * *\"}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule"))
                .andExpect(jsonPath("$.errors[0].message")
                        .value("give the cron expression once: as expression or as cron"));
    }

    @Test
    void namesAQueryParameterOfTheWrongType() throws Exception {
        mvc.perform(get(JOBS + "/" + UUID.randomUUID() + "/notifications").param("limit", "ten"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("limit"))
                .andExpect(jsonPath("$.errors[0].message").value("must be an integer between 1 and 500"))
                .andExpect(jsonPath("$.detail").value("limit: must be an integer between 1 and 500"));
    }

    /**
     * Dates beyond the years 1 to 9999, which the ISO parsers take (±999 999 999) and the arithmetic after them does
     * not: a 400 naming the field, nothing stored; before, each was a 500.
     */
    @Test
    void refusesDatesBeyondTheYear9999NamingTheField() throws Exception {
        String api = "/api/admin/scheduler";
        create("""
                {"name":"far","template_type":"heartbeat",
                 "schedule":{"run_at":"+999999999-12-31T23:59:59","timezone":"Etc/GMT+12"}}""")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule.run_at"));
        create("""
                {"name":"far","template_type":"heartbeat","schedule":{"run_at":"+999999999-12-31T23:59:59Z"}}""")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule.run_at"));
        create("""
                {"name":"far","template_type":"heartbeat","schedule":{"run_at":"9999-12-31T23:00:00-05:00"}}""")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule.run_at"));
        mvc.perform(get(JOBS)).andExpect(jsonPath("$.total").value(0));
        // a one-time run at a local time the zone skips says where it moved, as a cron's run does
        mvc.perform(post(api + "/schedules/preview")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"schedule":{"type":"once","run_at":"2027-03-28T02:30:00","timezone":"Europe/Berlin"}}"""))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runs[0].at").value("2027-03-28T01:00:00Z"))
                .andExpect(jsonPath("$.runs[0].note").value(org.hamcrest.Matchers.containsString("does not exist")));
        // beyond what a date-time holds, too: an instant converted to check it would throw
        mvc.perform(post(api + "/schedules/preview")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"schedule\":{\"cron\":\"0 * * * *\"},\"from\":\"+1000000000-06-01T00:00:00Z\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("from"));
        for (String schedule : new String[] {"{\"cron\":\"0 2 * * *\"}", "{\"interval_seconds\":31622400}"}) {
            mvc.perform(post(api + "/schedules/preview")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"schedule\":" + schedule + ",\"from\":\"+999999999-12-30T00:00:00Z\"}"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("from"))
                    .andExpect(jsonPath("$.errors[0].message").value("must be between the years 1 and 9999"));
        }
        mvc.perform(post(api + "/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name":"far","ranges":[{"from":"-999999999-01-01","to":"+999999999-12-31"}]}"""))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("ranges[0]"));
        mvc.perform(post(api + "/freezes")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"from":"2026-06-01T00:00:00Z","to":"+999999999-12-31T00:00:00Z","reason":"far"}"""))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("to"));
    }

    /**
     * A change of template without parameters: the kept ones, secrets among them, are the old template's, so the
     * change asks for the new template's instead of validating the old ones against it (which named sealed values).
     */
    @Test
    void aChangeOfTemplateAsksForItsParameters() throws Exception {
        String id = idOf(create("""
                {"name":"signed","template_type":"webhook_trigger",
                 "parameters":{"url":"https://hooks.example.com/x","signing_secret":"0123456789abcdef-signing"},
                 "schedule":{"cron":"0 2 * * *"}}"""));

        update(id, "{\"template_type\":\"heartbeat\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters"))
                .andExpect(jsonPath("$.errors[0].message")
                        .value("are required when template_type changes: the job's parameters are those of"
                                + " 'webhook_trigger'"));
        mvc.perform(get(JOBS + "/" + id))
                .andExpect(jsonPath("$.job.template_type").value("webhook_trigger"))
                .andExpect(jsonPath("$.job.version").value(1));
        update(id, "{\"template_type\":\"webhook_trigger \"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.version").value(1));
        update(id, "{\"template_type\":\"heartbeat\",\"parameters\":{}}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.template_type").value("heartbeat"));
    }

    @Test
    void namesTheFieldOfAnUnreadableBody() throws Exception {
        create("{\"name\":\"x\",\"timeout_seconds\":\"soon\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("timeout_seconds"))
                .andExpect(jsonPath("$.errors[0].message").value("must be an integer"));
        create("{\"name\":\"x\",\"schedule\":{\"type\":\"cron\",\"every\":5}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule.every"))
                .andExpect(jsonPath("$.errors[0].message").value("is not a known field"));
        create("{\"name\": ")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("body"));
        create("[1,2]").andExpect(status().isBadRequest());
        create("{\"name\":\"x\",\"priority\":99999999999}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("priority"))
                .andExpect(jsonPath("$.errors[0].message").value("must be an integer from -2147483648 to 2147483647"));
    }

    @Test
    void refusesABodyOverOneMegabyteAndDeepNestingBeforeParsing() throws Exception {
        String huge = "{\"name\":\"" + "x".repeat(1_048_577) + "\"}";
        create(huge)
                .andExpect(status().isContentTooLarge())
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.status").value(413));
        String deep = "{\"parameters\":" + "[".repeat(40) + "]".repeat(40) + "}";
        create(deep)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("body"))
                .andExpect(jsonPath("$.detail", containsString("nested")));
        assertThat(count("jobs")).isZero();
    }

    @Test
    void refusesADuplicateNameOnCreateAndOnRename() throws Exception {
        create(heartbeat("first", "")).andExpect(status().isCreated());
        String second = idOf(create(heartbeat("second", "")));
        create(heartbeat("first", ""))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.errors[0].field").value("name"))
                .andExpect(jsonPath("$.detail").value("a job named 'first' already exists"));
        update(second, "{\"name\":\"first\"}").andExpect(status().isConflict());
        assertThat(count("jobs")).isEqualTo(2);
    }

    @Test
    void answersNotFoundForAnUnknownOrMalformedId() throws Exception {
        String unknown = "0195f3c2-7a4e-7b61-9d3a-4c2e8f1a6b10";
        mvc.perform(get(JOBS + "/" + unknown))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith("application/problem+json"))
                .andExpect(jsonPath("$.detail").value("no job with id " + unknown));
        update(unknown, "{\"enabled\":false}").andExpect(status().isNotFound());
        mvc.perform(delete(JOBS + "/" + unknown)).andExpect(status().isNotFound());
        mvc.perform(get(JOBS + "/not-a-uuid")).andExpect(status().isNotFound());
    }

    @Test
    void writesAVersionForEverySavedChangeAndKeepsThemAfterDelete() throws Exception {
        String id = idOf(create(heartbeat("versioned", "")));
        update(id, "{\"description\":\"v2\"}").andExpect(status().isOk());
        update(id, "{\"description\":\"v2\"}").andExpect(status().isOk());
        mvc.perform(delete(JOBS + "/" + id))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.message").value("Job 'versioned' deleted"));

        mvc.perform(get(JOBS + "/" + id)).andExpect(status().isNotFound());
        mvc.perform(get(JOBS + "/" + id + "/versions"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.versions[*].change")
                        .value(org.hamcrest.Matchers.contains("deleted", "updated", "created")))
                .andExpect(jsonPath("$.versions[1].definition.description").value("v2"))
                .andExpect(jsonPath("$.versions[2].changed_by").value("test-super-admin"));
        mvc.perform(get(JOBS + "/" + id + "/versions/1"))
                .andExpect(jsonPath("$.definition.name").value("versioned"));
    }

    @Test
    void aVersionSavedBeforePrioritiesExistedReadsAsTheNormalPriority() throws Exception {
        String id = idOf(create(heartbeat("older", "\"priority\":8,")));
        String saved = jdbc.sql("SELECT definition FROM job_versions WHERE job_id = ?")
                .param(java.util.UUID.fromString(id))
                .query(String.class)
                .single();
        assertThat(saved).contains("\"priority\":8,");
        jdbc.sql("UPDATE job_versions SET definition = ? WHERE job_id = ?")
                .params(saved.replace("\"priority\":8,", ""), java.util.UUID.fromString(id))
                .update();

        mvc.perform(get(JOBS + "/" + id + "/versions/1"))
                .andExpect(jsonPath("$.definition.priority").value(5));
    }

    @Test
    void keepsDependenciesConsistent() throws Exception {
        String upstream = idOf(create(heartbeat("extract", "")));
        String downstream = idOf(create(heartbeat("load", "\"depends_on\":[\"" + upstream + "\"],")));
        mvc.perform(get(JOBS + "/" + downstream))
                .andExpect(jsonPath("$.job.depends_on[0]").value(upstream));

        update(upstream, "{\"depends_on\":[\"" + downstream + "\"]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("depends_on[0]"))
                .andExpect(jsonPath("$.errors[0].message", containsString("cycle")));
        update(upstream, "{\"depends_on\":[\"" + upstream + "\"]}")
                .andExpect(jsonPath("$.errors[0].message").value("a job cannot depend on itself"));

        mvc.perform(delete(JOBS + "/" + upstream))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail", containsString("'load'")));
        update(downstream, "{\"depends_on\":[]}").andExpect(status().isOk());
        mvc.perform(delete(JOBS + "/" + upstream)).andExpect(status().isOk());
    }

    @Test
    void refusesAOneTimeRunInThePast() throws Exception {
        create("""
                        {"name":"late","template_type":"heartbeat",
                         "schedule":{"type":"once","run_at":"2026-05-01T00:00:00Z"}}
                        """)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule.run_at"));
        create("""
                        {"name":"soon","template_type":"heartbeat",
                         "schedule":{"type":"once","run_at":"2026-06-01T14:30:00","timezone":"Europe/Paris"}}
                        """)
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.next_run_at").value("2026-06-01T12:30:00Z"))
                .andExpect(jsonPath("$.job.schedule.run_at").value("2026-06-01T14:30:00+02:00"));
    }

    private ResultActions create(String body) throws Exception {
        return mvc.perform(post(JOBS).contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private ResultActions update(String id, String body) throws Exception {
        return mvc.perform(
                put(JOBS + "/" + id).contentType(MediaType.APPLICATION_JSON).content(body));
    }

    private static String heartbeat(String name, String extra) {
        return """
                {"name":"%s",%s"template_type":"heartbeat","parameters":{"message":"hi"},
                 "schedule":{"type":"interval","interval_seconds":60}}
                """.formatted(name, extra);
    }

    private String idOf(ResultActions created) throws Exception {
        return JsonPath.read(created.andReturn().getResponse().getContentAsString(), "$.job.id");
    }

    private String idOf(String name) throws Exception {
        return JsonPath.read(
                mvc.perform(get(JOBS).param("search", name))
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.jobs[0].id");
    }

    private long count(String table) {
        return jdbc.sql("SELECT COUNT(*) FROM " + table).query(Long.class).single();
    }
}
