package dev.almanac.calendar;

import static dev.almanac.testing.TestLogins.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.JobId;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.web.context.WebApplicationContext;

/**
 * Calendars of a namespace: managed by its owners, read by its members, listed only by its jobs, and answered as
 * missing (404) to everyone else, through the API, the pages and the engine.
 */
abstract class NamespaceCalendarTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends NamespaceCalendarTests {}

    @WithPostgres
    static class OnPostgres extends NamespaceCalendarTests {}

    static final String API = "/api/admin/scheduler";

    @Autowired
    WebApplicationContext context;

    @Autowired
    Engine engine;

    @Autowired
    ExecutionService executions;

    MockMvc pages;
    /** Owner of a. */
    String alice;
    /** Viewer of a. */
    String vic;
    /** Owner of b. */
    String bob;

    @BeforeEach
    void twoTeams() throws Exception {
        pages = securedMvc();
        alice = logins.token("alice", TestLogins.USER, false);
        vic = logins.token("vic", TestLogins.USER, false);
        bob = logins.token("bob", TestLogins.USER, false);
        send(null, post(API + "/namespaces"), "{\"name\":\"a\"}", 201);
        send(null, post(API + "/namespaces"), "{\"name\":\"b\"}", 201);
        send(
                null,
                put(API + "/namespaces/a/members"),
                "{\"members\":[{\"username\":\"alice\",\"role\":\"owner\"},{\"username\":\"vic\",\"role\":\"viewer\"}]}",
                200);
        send(
                null,
                put(API + "/namespaces/b/members"),
                "{\"members\":[{\"username\":\"bob\",\"role\":\"owner\"}]}",
                200);
        send(null, post(API + "/calendars"), "{\"name\":\"company\",\"dates\":[\"2026-12-25\"]}", 201);
    }

    @Test
    void anOwnersCalendarSkipsItsNamespacesSlotsAndIsMissingToAnotherNamespace() throws Exception {
        mvc.perform(post(API + "/calendars")
                        .with(bearer(alice))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"a-days\",\"namespace\":\"a\",\"dates\":[\"2026-06-03\"]}"))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", API + "/calendars/a-days?namespace=a"))
                .andExpect(jsonPath("$.namespace").value("a"));
        // a viewer reads it, may not change it; the global roles' calendars stay theirs
        mvc.perform(get(API + "/calendars/a-days?namespace=a").with(bearer(vic)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.name").value("a-days"));
        send(vic, put(API + "/calendars/a-days?namespace=a"), "{\"dates\":[\"2026-06-04\"]}", 403);
        send(alice, post(API + "/calendars"), "{\"name\":\"all-days\",\"dates\":[\"2026-06-04\"]}", 403);
        send(alice, delete(API + "/calendars/company"), null, 403);

        // b's owner: the calendar is not there, whatever way it is asked for
        mvc.perform(get(API + "/calendars/a-days?namespace=a").with(bearer(bob)))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail").value("no calendar named 'a-days' in namespace 'a'"))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
        String missing = mvc.perform(
                        get(API + "/calendars/nothing?namespace=zz").with(bearer(bob)))
                .andExpect(status().isNotFound())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(missing).contains("no calendar named 'nothing' in namespace 'zz'");
        send(bob, delete(API + "/calendars/a-days?namespace=a"), null, 404);
        for (String list : List.of("/calendars", "/calendars?namespace=a")) {
            String body = send(bob, get(API + list), null, 200);
            assertThat(body).contains("company").doesNotContain("a-days");
        }
        assertThat(send(alice, get(API + "/calendars?namespace=a"), null, 200)).contains("company", "a-days");
        String hiddenNamespace = send(
                bob, post(API + "/calendars"), "{\"name\":\"x\",\"namespace\":\"a\",\"dates\":[\"2026-06-04\"]}", 400);
        assertThat(hiddenNamespace).contains("\"field\":\"namespace\"", "no namespace named 'a'");
        String bJob = send(bob, post(API + "/jobs"), daily("b-daily", "b", "a-days"), 400);
        assertThat(bJob).contains("\"field\":\"calendars.blackout\"", "unknown calendar 'a-days'");

        // a's job follows it: the slot of 3 June is skipped with reason calendar and its name
        String created = send(alice, post(API + "/jobs"), daily("a-daily", "a", "a-days"), 201);
        JobId job = JobId.fromPath(JsonPath.read(created, "$.job.id"));
        mvc.perform(post(API + "/schedules/preview")
                        .with(bearer(alice))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"},\"count\":3,"
                                + "\"namespace\":\"a\",\"calendars\":{\"blackout\":[\"a-days\"]}}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.runs[1].blocked_by.name").value("a-days"));
        send(
                bob,
                post(API + "/schedules/preview"),
                "{\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"},\"namespace\":\"a\","
                        + "\"calendars\":{\"blackout\":[\"a-days\"]}}",
                400);
        for (String day : List.of("2026-06-02", "2026-06-03", "2026-06-04")) {
            clock.set(Instant.parse(day + "T09:00:01Z"));
            engine.runDueOnce();
        }
        List<Execution> history = executions.list(ExecutionQuery.ofJob(job, 50)).stream()
                .sorted(Comparator.comparing(Execution::scheduledFor))
                .toList();
        assertThat(history)
                .extracting(Execution::status)
                .containsExactly(ExecutionStatus.SUCCEEDED, ExecutionStatus.SKIPPED, ExecutionStatus.SUCCEEDED);
        assertThat(history.get(1).reason()).isEqualTo("calendar");
        assertThat(history.get(1).result()).containsEntry("calendar", "a-days");

        // a move to b is refused while the job lists a's calendar; deleting it is refused while a's job uses it
        String moved = send(null, put(API + "/jobs/" + job.value()), "{\"namespace\":\"b\"}", 400);
        assertThat(moved).contains("\"field\":\"calendars.blackout\"", "unknown calendar 'a-days'");
        assertThat(send(alice, delete(API + "/calendars/a-days?namespace=a"), null, 409))
                .contains("a-daily");
    }

    @Test
    void aNameMeansOneCalendarToAJob() throws Exception {
        String shadow = send(
                alice,
                post(API + "/calendars"),
                "{\"name\":\"company\",\"namespace\":\"a\",\"dates\":[\"2026-06-04\"]}",
                409);
        assertThat(shadow).contains("\"field\":\"name\"", "a global calendar named 'company' exists");
        send(bob, post(API + "/calendars"), "{\"name\":\"ours\",\"namespace\":\"b\",\"dates\":[\"2026-06-04\"]}", 201);
        send(
                alice,
                post(API + "/calendars"),
                "{\"name\":\"ours\",\"namespace\":\"a\",\"dates\":[\"2026-06-05\"]}",
                201);
        String global = send(null, post(API + "/calendars"), "{\"name\":\"ours\",\"dates\":[\"2026-06-05\"]}", 409);
        assertThat(global).contains("\"field\":\"name\"", "has a calendar named 'ours'");
        // each namespace's job means its own
        send(alice, post(API + "/jobs"), daily("a-daily", "a", "ours"), 201);
        String bJob = JsonPath.read(send(bob, post(API + "/jobs"), daily("b-daily", "b", "ours"), 201), "$.job.id");
        assertThat(send(bob, get(API + "/calendars/ours?namespace=b"), null, 200))
                .contains("2026-06-04");
        send(alice, put(API + "/calendars/ours?namespace=a"), "{\"namespace\":\"b\",\"dates\":[\"2026-06-06\"]}", 400);
        // a move does not swap one namespace's calendar for another's of the same name without a word
        String moved = send(null, put(API + "/jobs/" + bJob), "{\"namespace\":\"a\"}", 400);
        assertThat(moved).contains("\"field\":\"calendars.blackout[0]\"", "calendar of namespace 'b'");
        assertThat(send(bob, get(API + "/jobs/" + bJob), null, 200)).contains("\"namespace\":\"b\"");

        // a namespace is not deleted from under its calendars
        send(bob, delete(API + "/jobs/" + bJob), null, 200);
        assertThat(send(null, delete(API + "/namespaces/b"), null, 409)).contains("still holds 1 calendar");
        send(bob, delete(API + "/calendars/ours?namespace=b"), null, 204);
        send(null, delete(API + "/namespaces/b"), null, 200);
    }

    @Test
    void theCalendarPagesShowANamespacesCalendarsToItsMembersOnly() throws Exception {
        RequestPostProcessor alicePage = user("alice").roles("USER");
        String form = page(alicePage, "/calendars/new", 200);
        assertThat(form)
                .contains("id=\"namespace\"", "<option value=\"a\"")
                .doesNotContain("<option value=\"b\"", "Global (every job may list it)");
        pages.perform(post("/calendars/new")
                        .with(alicePage)
                        .with(csrf())
                        .param("name", "a-days")
                        .param("namespace", "a")
                        .param("timezone", "UTC")
                        .param("dates", "2026-06-03"))
                .andExpect(status().is3xxRedirection());
        String refused = pages.perform(post("/calendars/new")
                        .with(alicePage)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("name", "sneaky")
                        .param("namespace", "b")
                        .param("dates", "2026-06-03"))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(refused).contains("id=\"namespace-error\"", "no namespace named &#39;b&#39;");

        // the wizard's preview of a job of a strikes through the run a's calendar blocks (3 June)
        String preview = pages.perform(post("/jobs/wizard/preview")
                        .with(alicePage)
                        .with(csrf())
                        .header("HX-Request", "true")
                        .param("namespace", "a")
                        .param("template_type", "heartbeat")
                        .param("name", "daily")
                        .param("schedule_kind", "cron")
                        .param("cron_expression", "0 9 * * *")
                        .param("timezone", "UTC")
                        .param("blackout_calendars", "a-days"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(preview)
                .contains("<del>Wed 3 Jun 2026, 09:00:00 (+00:00)</del>")
                .contains("skipped: blocked by calendar &#39;a-days&#39;");

        String list = page(alicePage, "/calendars", 200);
        assertThat(list)
                .contains("id=\"calendar-a-a-days\"", "href=\"/calendars/a-days?namespace=a\"", ">global<")
                .contains("id=\"calendar-company\"");
        assertThat(page(user("vic").roles("USER"), "/calendars/a-days?namespace=a", 200))
                .contains("id=\"calendar-read-only\"")
                .doesNotContain("Save calendar");
        RequestPostProcessor bobPage = user("bob").roles("USER");
        assertThat(page(bobPage, "/calendars", 200)).contains("company").doesNotContain("a-days");
        page(bobPage, "/calendars/a-days?namespace=a", 404);
        pages.perform(post("/calendars/a-days/delete?namespace=a").with(bobPage).with(csrf()))
                .andExpect(status().isNotFound());
        page(user("nobody").roles("USER"), "/calendars", 403);
    }

    private static String daily(String name, String namespace, String blackout) {
        return "{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\",\"template_type\":\"heartbeat\","
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"},"
                + "\"calendars\":{\"blackout\":[\"" + blackout + "\"]}}";
    }

    private String page(RequestPostProcessor who, String path, int expected) throws Exception {
        var response = pages.perform(get(path).with(who)).andReturn().getResponse();
        assertThat(response.getStatus())
                .as(path + ": " + response.getContentAsString())
                .isEqualTo(expected);
        return response.getContentAsString();
    }

    /** Sends {@code body} with {@code token} (null: the test super admin) and expects {@code expected}. */
    private String send(
            String token,
            org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder request,
            String body,
            int expected)
            throws Exception {
        if (token != null) {
            request.with(bearer(token));
        }
        if (body != null) {
            request.contentType(MediaType.APPLICATION_JSON).content(body);
        }
        var response = mvc.perform(request).andReturn().getResponse();
        assertThat(response.getStatus())
                .as(request + ": " + response.getContentAsString())
                .isEqualTo(expected);
        return response.getContentAsString();
    }
}
