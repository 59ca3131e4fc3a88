package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.ResultActions;

/**
 * What a walk of every operation of the OpenAPI document with wrong input found (helper-94, session 40): each is now a
 * 4xx problem naming the field, and the stored state is as it was.
 */
abstract class ApiInputEdgesTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends ApiInputEdgesTests {}

    @WithPostgres
    static class OnPostgres extends ApiInputEdgesTests {}

    static final String API = "/api/admin/scheduler";

    String job;

    @BeforeEach
    void aJobAndANamespaceWithAMember() throws Exception {
        job = JsonPath.read(
                send(
                                post(API + "/jobs"),
                                "{\"name\":\"beat\",\"template_type\":\"heartbeat\","
                                        + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"}}")
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
        logins.user("bob", dev.almanac.testing.TestLogins.USER, null);
        send(post(API + "/namespaces"), "{\"name\":\"ops\"}").andExpect(status().isCreated());
        send(put(API + "/namespaces/ops/members"), "{\"members\":[{\"username\":\"bob\",\"role\":\"owner\"}]}")
                .andExpect(status().isOk());
    }

    /** A value of the wrong JSON type is refused naming its field, never converted and stored. */
    @Test
    void aValueOfTheWrongJsonTypeIsRefusedNotConverted() throws Exception {
        send(put(API + "/jobs/" + job), "{\"name\":12345}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("name"))
                .andExpect(jsonPath("$.errors[0].message").value("must be a string"));
        send(put(API + "/jobs/" + job), "{\"enabled\":2}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("enabled"))
                .andExpect(jsonPath("$.errors[0].message").value("must be true or false"));
        send(put(API + "/jobs/" + job), "{\"timeout_seconds\":\"60\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("timeout_seconds"));
        send(put(API + "/jobs/" + job), "{\"tags\":[1,2]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("tags[0]"));
        send(post(API + "/namespaces/ops/pause"), "{\"until\":12345}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("until"));
        assertThat(storedName()).isEqualTo("beat");
    }

    /** Every unknown field and every value of the wrong type is named at once, not one per attempt. */
    @Test
    void everyUnknownFieldAndWrongTypeIsNamedAtOnce() throws Exception {
        send(
                        put(API + "/jobs/" + job),
                        "{\"name\":12345,\"priority\":\"high\",\"timeout_seconds\":\"60\",\"enabled\":2}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field")
                        .value(org.hamcrest.Matchers.containsInAnyOrder(
                                "name", "priority", "timeout_seconds", "enabled")));
        send(put(API + "/jobs/" + job), "{\"schedul\":1,\"enable\":true,\"priority\":99}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field")
                        .value(org.hamcrest.Matchers.containsInAnyOrder("schedul", "enable")));
        send(
                        post(API + "/jobs"),
                        "{\"name\":1,\"template_type\":\"heartbeat\",\"enabled\":2,\"nmae\":\"x\","
                                + "\"schedule\":{\"type\":\"cron\",\"expresion\":\"0 3 * * *\",\"timezone\":5}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field")
                        .value(org.hamcrest.Matchers.containsInAnyOrder(
                                "name", "enabled", "nmae", "schedule.expresion", "schedule.timezone")));
        assertThat(storedName()).isEqualTo("beat");
    }

    /** Names clients write for a field called otherwise here, or sent beside the schedule, get a hint. */
    @Test
    void aFieldNamedAsElsewhereGetsAHintToItsNameHere() throws Exception {
        send(
                        post(API + "/jobs"),
                        "{\"name\":\"hinted\",\"template\":\"heartbeat\",\"timezone\":\"UTC\",\"schedule\":"
                                + "{\"type\":\"cron\",\"cron_expression\":\"0 3 * * *\","
                                + "\"tz\":\"UTC\",\"interval\":60}}")
                .andExpect(status().isBadRequest())
                .andExpect(hint("template", "did you mean 'template_type'?"))
                .andExpect(hint("timezone", "did you mean 'schedule.timezone'?"))
                .andExpect(hint("schedule.cron_expression", "did you mean 'expression'?"))
                .andExpect(hint("schedule.tz", "did you mean 'timezone'?"))
                .andExpect(hint("schedule.interval", "did you mean 'interval_seconds'?"));
    }

    private static org.springframework.test.web.servlet.ResultMatcher hint(String field, String says) {
        return jsonPath("$.errors[?(@.field == '" + field + "')].message")
                .value(org.hamcrest.Matchers.hasItem(org.hamcrest.Matchers.containsString(says)));
    }

    @Test
    void aFieldGivenTwiceIsRefusedNotDecidedByTheLastOne() throws Exception {
        send(put(API + "/jobs/" + job), "{\"name\":\"a\",\"name\":\"b\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("name"))
                .andExpect(jsonPath("$.errors[0].message").value("is given twice: give each field once"));
        send(put(API + "/jobs/" + job), "{\"schedule\":{\"type\":\"cron\",\"type\":\"interval\"}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule.type"));
        send(post(API + "/jobs"), "{\"name\":\"twice\",\"name\":\"again\",\"template_type\":\"heartbeat\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("name"));
        assertThat(storedName()).isEqualTo("beat");
    }

    /** A members body without its list, or with a null entry, was a wipe of every member or a 500. */
    @Test
    void aMembersListLeftOutOrWithANullEntryIsRefusedAndTheMembersStay() throws Exception {
        send(put(API + "/namespaces/ops/members"), "{}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("members"));
        send(put(API + "/namespaces/ops/members"), "{\"members\":null}").andExpect(status().isBadRequest());
        send(put(API + "/namespaces/ops/members"), "{\"members\":[{\"username\":\"bob\",\"role\":\"viewer\"},null]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("members[1]"));
        mvc.perform(get(API + "/namespaces/ops/members"))
                .andExpect(jsonPath("$.members[0].username").value("bob"))
                .andExpect(jsonPath("$.members[0].role").value("owner"));
        send(put(API + "/namespaces/ops/members"), "{\"members\":[]}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.members").isEmpty());
    }

    /** A token limited to a null namespace was a 500 (a sorted set cannot hold null): a 400 naming the entry. */
    @Test
    void aTokensNullNamespaceIsRefusedNamingItsEntry() throws Exception {
        send(post(API + "/tokens"), "{\"name\":\"n\",\"namespaces\":[null]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("namespaces[0]"));
        send(post(API + "/tokens"), "{\"name\":\"n\",\"namespaces\":[\"ops\",null]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("namespaces[1]"));
        send(post(API + "/tokens"), "{\"name\":\"n\",\"namespaces\":[\"ops\"]}").andExpect(status().isCreated());
    }

    /** A null entry where a list holds objects or strings is named, not said as "body: is not valid JSON". */
    @Test
    void aNullEntryInAListIsNamed() throws Exception {
        send(post(API + "/calendars"), "{\"name\":\"c\",\"dates\":[\"2026-12-25\",null]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("dates[1]"))
                .andExpect(jsonPath("$.errors[0].message").value("must not be null"));
        send(put(API + "/jobs/" + job), "{\"calendars\":{\"blackout\":[null]}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("calendars.blackout[0]"))
                .andExpect(jsonPath("$.errors[0].message").value("must not be null"));
    }

    /** A quota beyond an int's range is told the quota's own range, not an int's. */
    @Test
    void aQuotaBeyondAnIntIsToldTheQuotasRange() throws Exception {
        send(put(API + "/namespaces/ops"), "{\"quotas\":{\"runs_at_once\":99999999999}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("quotas.runs_at_once"))
                .andExpect(jsonPath("$.errors[0].message").value("must be 1..10000, or null for no quota"));
        send(put(API + "/namespaces/ops"), "{\"quotas\":{\"jobs\":-99999999999}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("quotas.jobs"));
        send(put(API + "/namespaces/ops"), "{\"quotas\":{\"runs_at_once\":4}}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.namespace.quotas.runs_at_once").value(4));
    }

    @Test
    void aNamespacePauseUntilBeyondTheYear9999IsRefused() throws Exception {
        send(post(API + "/namespaces/ops/pause"), "{\"until\":\"+999999999-12-31T23:59:59Z\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("until"))
                .andExpect(jsonPath("$.errors[0].message").value("must be between the years 1 and 9999"));
        mvc.perform(get(API + "/namespaces/ops"))
                .andExpect(jsonPath("$.namespace.paused_since").doesNotExist());
    }

    @Test
    void queryValuesOutOfRangeOrUnknownAreRefusedNotClampedOrIgnored() throws Exception {
        for (String limit : new String[] {"-1", "0", "100000", "many"}) {
            mvc.perform(get(API + "/jobs/" + job + "/notifications").param("limit", limit))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("limit"));
        }
        mvc.perform(get(API + "/jobs/" + job + "/notifications").param("limit", "500"))
                .andExpect(status().isOk());
        mvc.perform(get(API + "/jobs").param("last_status", "bogus"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("last_status"));
        mvc.perform(get(API + "/jobs").param("last_status", "failed")).andExpect(status().isOk());
    }

    /** A time range the wrong way round is refused naming {@code to}, not answered with an empty page. */
    @Test
    void aTimeRangeTheWrongWayRoundIsRefused() throws Exception {
        for (String path : new String[] {"/executions", "/audit"}) {
            mvc.perform(get(API + path).param("from", "2026-06-02T00:00:00Z").param("to", "2026-06-01T00:00:00Z"))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("to"))
                    .andExpect(jsonPath("$.errors[0].message").value("must be after from"));
            mvc.perform(get(API + path).param("from", "2026-06-01T00:00:00Z").param("to", "2026-06-02T00:00:00Z"))
                    .andExpect(status().isOk());
        }
    }

    @Test
    void theHistoryOfAJobIdThatNamesNoJobIsA404() throws Exception {
        mvc.perform(get(API + "/jobs/" + UUID.randomUUID() + "/executions")).andExpect(status().isNotFound());
        mvc.perform(get(API + "/jobs/" + job + "/executions")).andExpect(status().isOk());
    }

    @Test
    void anImportThatIsNotAnObjectSaysSoWithoutTheReadersTypes() throws Exception {
        send(post(API + "/jobs/import").param("mode", "plan"), "[1]")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("jobs"))
                .andExpect(jsonPath("$.errors[0].message")
                        .value("not a jobs file: it must be an object, {jobs: [...]}, with the calendars they list"
                                + " under calendars: if any"));
    }

    private String storedName() {
        return jdbc.sql("SELECT name FROM jobs WHERE id = ?")
                .param(UUID.fromString(job))
                .query(String.class)
                .single();
    }

    private ResultActions send(
            org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder request, String body)
            throws Exception {
        return mvc.perform(request.contentType(MediaType.APPLICATION_JSON).content(body));
    }
}
