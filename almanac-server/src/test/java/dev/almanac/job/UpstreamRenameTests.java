package dev.almanac.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * A job whose results another job fills in by its name ({@code {{upstream.<name>.result...}}}) is not renamed nor moved
 * to another namespace from under it: the rename is refused (409) naming those jobs, as a delete of a job with
 * dependents is, and nothing changes; one the user may not see is not named. A placeholder whose upstream sends no
 * result says so in the downstream run's log instead of going silently empty.
 */
abstract class UpstreamRenameTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends UpstreamRenameTests {}

    @WithPostgres
    static class OnPostgres extends UpstreamRenameTests {}

    static final String API = "/api/admin/scheduler";
    static final String STATUS = "{{upstream.sec-up.result.details.status_code}}";
    static final String MESSAGE = "{{upstream.sec-up.result.message}}";

    @Autowired
    Engine engine;

    @Autowired
    ExecutionService executions;

    MockMvc secured;
    String up;
    String down;

    @BeforeEach
    void anUpstreamWhoseResultsADownstreamUses() throws Exception {
        secured = securedMvc();
        up = id(api("POST", "/jobs", heartbeat("sec-up", "default", "")));
        down = id(api(
                "POST",
                "/jobs",
                heartbeat(
                        "sec-down",
                        "default",
                        ",\"depends_on\":[\"sec-up\"],\"parameters\":{\"message\":\"status " + STATUS + ": " + MESSAGE
                                + "\"}")));
    }

    @Test
    void aRenameOfAnUpstreamWhoseResultsADownstreamFillsInIsRefusedNamingItAndChangesNothing() throws Exception {
        String before = api("GET", "/jobs/" + up, null);

        MockHttpServletResponse renamed = apiPut("/jobs/" + up, "{\"name\":\"sec-up-renamed\"}");

        assertThat(renamed.getStatus()).as(renamed.getContentAsString()).isEqualTo(409);
        String problem = renamed.getContentAsString();
        assertThat(JsonPath.<String>read(problem, "$.detail"))
                .contains("'sec-down' ({{upstream.sec-up.result...}})", "renaming it would leave")
                .contains("Take the placeholders out of them first");
        assertThat(JsonPath.<List<String>>read(problem, "$.errors[*].field")).containsExactly("name");
        assertThat(api("GET", "/jobs/" + up, null)).isEqualTo(before);
        // the downstream still saves, and still names its upstream
        assertThat(apiPut("/jobs/" + down, "{\"description\":\"touch\"}").getStatus())
                .isEqualTo(200);

        // a change that keeps the name, and a rename of a job whose downstream uses no placeholder, go through
        assertThat(apiPut("/jobs/" + up, "{\"name\":\"sec-up\",\"description\":\"kept\"}")
                        .getStatus())
                .isEqualTo(200);
        String plain = id(api("POST", "/jobs", heartbeat("plain-up", "default", "")));
        api("POST", "/jobs", heartbeat("plain-down", "default", ",\"depends_on\":[\"plain-up\"]"));
        assertThat(apiPut("/jobs/" + plain, "{\"name\":\"plain-up-renamed\"}").getStatus())
                .isEqualTo(200);
    }

    @Test
    void theWayTheRefusalSaysRenamesTheUpstreamAndTheDownstreamFillsInItsResultsUnderTheNewName() throws Exception {
        api("PUT", "/jobs/" + down, "{\"parameters\":{\"message\":\"no placeholder\"}}");
        api("PUT", "/jobs/" + up, "{\"name\":\"sec-up-renamed\"}");
        api(
                "PUT",
                "/jobs/" + down,
                "{\"parameters\":{\"message\":\"" + MESSAGE.replace("sec-up", "sec-up-renamed") + "\"}}");

        runNow(up);

        Execution run = only(history(down));
        assertThat((String) run.parameters().get("message")).startsWith("heartbeat at ");
        assertThat(logLevels(run)).doesNotContain("WARN");
    }

    @Test
    void aMoveToAnotherNamespaceIsRefusedLikeARenameEitherWayOfTheDownstream() throws Exception {
        api("POST", "/namespaces", "{\"name\":\"c\"}");

        MockHttpServletResponse moved = apiPut("/jobs/" + up, "{\"namespace\":\"c\"}");

        assertThat(moved.getStatus()).as(moved.getContentAsString()).isEqualTo(409);
        assertThat(JsonPath.<String>read(moved.getContentAsString(), "$.detail"))
                .contains("'sec-down'", "moving it to another namespace would leave");
        assertThat(JsonPath.<List<String>>read(moved.getContentAsString(), "$.errors[*].field"))
                .containsExactly("namespace");
        assertThat(JsonPath.<String>read(api("GET", "/jobs/" + up, null), "$.job.namespace"))
                .isEqualTo("default");

        // a downstream of c names it default/sec-up: a move into c would make that sec-up
        String other = id(api("POST", "/jobs", heartbeat("other-up", "default", "")));
        api(
                "POST",
                "/jobs",
                heartbeat(
                        "c-down",
                        "c",
                        ",\"triggers\":[{\"job\":\"default/other-up\"}],\"parameters\":{\"message\":"
                                + "\"{{upstream.default/other-up.result.message}}\"}"));
        MockHttpServletResponse into = apiPut("/jobs/" + other, "{\"namespace\":\"c\"}");
        assertThat(into.getStatus()).as(into.getContentAsString()).isEqualTo(409);
        assertThat(JsonPath.<String>read(into.getContentAsString(), "$.detail"))
                .contains("'c-down' ({{upstream.default/other-up.result...}})");
    }

    @Test
    void aDownstreamTheRenamingUserMayNotSeeIsNotNamed() throws Exception {
        api("POST", "/namespaces", "{\"name\":\"a\"}");
        api("POST", "/namespaces", "{\"name\":\"b\"}");
        String aliceToken = logins.token("alice", TestLogins.USER, false);
        api("PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"editor\"}]}");
        String aUp = id(api("POST", "/jobs", heartbeat("a-up", "a", "")));
        api(
                "POST",
                "/jobs",
                heartbeat(
                        "b-secret-down",
                        "b",
                        ",\"depends_on\":[\"a/a-up\"],\"parameters\":{\"message\":"
                                + "\"{{upstream.a/a-up.result.message}}\"}"));

        MockHttpServletResponse renamed = secured.perform(put(API + "/jobs/" + aUp)
                        .header("Authorization", "Bearer " + aliceToken)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"a-up-renamed\"}"))
                .andReturn()
                .getResponse();

        assertThat(renamed.getStatus()).as(renamed.getContentAsString()).isEqualTo(409);
        assertThat(renamed.getContentAsString()).contains(JobService.HIDDEN_JOB).doesNotContain("b-secret-down", "b/");
        assertThat(JsonPath.<String>read(api("GET", "/jobs/" + aUp, null), "$.job.name"))
                .isEqualTo("a-up");
    }

    @Test
    void theEditFormSaysTheRefusalAtTheNameFieldWithAndWithoutHtmx() throws Exception {
        for (boolean htmx : List.of(false, true)) {
            MockHttpServletRequestBuilder save = post("/jobs/wizard")
                    .param("job_id", up)
                    .param("version", "1")
                    .param("namespace", "default")
                    .param("template_type", "heartbeat")
                    .param("name", "sec-up-renamed")
                    .param("schedule_kind", "interval")
                    .param("interval_value", "1")
                    .param("interval_unit", "minutes")
                    .param("timezone", "UTC")
                    .param("enabled", "true")
                    .param("step", "5")
                    .param("_action", "save")
                    .with(user("root").roles("SUPER_ADMIN"))
                    .with(csrf());
            if (htmx) {
                save.header("HX-Request", "true");
            }

            MockHttpServletResponse page = secured.perform(save).andReturn().getResponse();

            // refused by the save at the name field, 409 as the API answers it (and as a taken name is)
            assertThat(page.getStatus()).as(page.getContentAsString()).isEqualTo(409);
            assertThat(page.getContentAsString())
                    .contains("other jobs fill in results of &#39;sec-up&#39; by its name: &#39;sec-down&#39;")
                    .containsPattern("name=\"name\"[^>]*aria-invalid=\"true\"");
            assertThat(JsonPath.<String>read(api("GET", "/jobs/" + up, null), "$.job.name"))
                    .isEqualTo("sec-up");
        }
    }

    @Test
    void aPlaceholderWhoseUpstreamSentNoResultSaysSoInTheDownstreamRunsLog() throws Exception {
        String other = id(api("POST", "/jobs", heartbeat("other-up", "default", "")));
        api(
                "PUT",
                "/jobs/" + down,
                "{\"depends_on\":[\"sec-up\",\"other-up\"],\"parameters\":{\"message\":\"[" + MESSAGE
                        + "][{{upstream.other-up.result.message}}]\"}}");

        runNow(other);

        Execution run = only(history(down));
        assertThat((String) run.parameters().get("message")).startsWith("[][heartbeat at ");
        Map<String, Object> first = JsonPath.read(api("GET", "/executions/" + run.id(), null), "$.logs[0]");
        assertThat(first.get("level")).isEqualTo("WARN");
        assertThat((String) first.get("message")).contains(MESSAGE, "filled in empty");
    }

    private void runNow(String job) throws Exception {
        api("POST", "/jobs/" + job + "/run", null);
        engine.runDueOnce();
    }

    private List<Execution> history(String job) {
        return executions.list(ExecutionQuery.ofJob(JobId.parse(job).orElseThrow(), 50));
    }

    private static Execution only(List<Execution> runs) {
        assertThat(runs).hasSize(1);
        return runs.get(0);
    }

    private List<String> logLevels(Execution run) throws Exception {
        return JsonPath.read(api("GET", "/executions/" + run.id(), null), "$.logs[*].level");
    }

    private MockHttpServletResponse apiPut(String path, String body) throws Exception {
        return mvc.perform(
                        put(API + path).contentType(MediaType.APPLICATION_JSON).content(body))
                .andReturn()
                .getResponse();
    }

    private static String heartbeat(String name, String namespace, String more) {
        return "{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\",\"template_type\":\"heartbeat\","
                + "\"schedule\":{\"type\":\"interval\",\"interval_seconds\":60}" + more + "}";
    }

    private static String id(String response) {
        return JsonPath.read(response, "$.job.id");
    }
}
