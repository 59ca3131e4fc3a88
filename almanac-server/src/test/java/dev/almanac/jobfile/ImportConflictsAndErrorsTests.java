package dev.almanac.jobfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an import answers when a file meets jobs changed since, or is wrong in ways that must not hide one another:
 * through the API and the import page (with and without htmx).
 */
abstract class ImportConflictsAndErrorsTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends ImportConflictsAndErrorsTests {}

    @WithPostgres
    static class OnPostgres extends ImportConflictsAndErrorsTests {}

    static final String API = "/api/admin/scheduler";
    static final RequestPostProcessor ADMIN =
            user(TestLogins.username(TestLogins.SUPER_ADMIN)).roles("SUPER_ADMIN");

    @Autowired
    JsonMapper json;

    @Autowired
    JobsFile jobsFile;

    MockMvc ui;

    @BeforeEach
    void aNamespace() throws Exception {
        ui = securedMvc();
        call("POST", "/namespaces", "{\"name\":\"team-a\"}", 201);
    }

    /** A job at version 3, and a file written from version 1: a 409 naming the job and both versions, nothing saved. */
    @Test
    void aStaleVersionInTheFileIsAConflictAndStoresNothing() throws Exception {
        String id = upstreamAtVersion3();
        String file = "{\"jobs\":[{\"name\":\"upstream\",\"namespace\":\"team-a\",\"version\":1,"
                + "\"description\":\"x\"}]}";

        JsonNode plan = importFile("plan", file, 200);
        assertThat(plan.at("/jobs/0/action").asString()).isEqualTo("invalid");
        assertThat(plan.at("/jobs/0/errors/0/field").asString()).isEqualTo("version");

        JsonNode conflict = importFile("apply", file, 409);
        assertThat(conflict.path("detail").asString())
                .contains("job 'team-a/upstream'", "the file says version 1", "the current version is 3");
        JsonNode job = job(id);
        assertThat(job.path("version").asLong()).isEqualTo(3);
        assertThat(job.path("description").asString()).isEqualTo("third");

        String current = file.replace("\"version\":1", "\"version\":3");
        JsonNode applied = importFile("apply", current, 200);
        assertThat(applied.at("/jobs/0/action").asString()).isEqualTo("update");
        assertThat(job(id).path("version").asLong()).isEqualTo(4);

        // the same file again (as a jobs file is at every start): the job is as it says, so unchanged, not stale
        JsonNode again = importFile("apply", current, 200);
        assertThat(again.at("/jobs/0/action").asString()).isEqualTo("unchanged");
        assertThat(job(id).path("version").asLong()).isEqualTo(4);
    }

    /**
     * The page plans a file, someone changes the job, then "Apply the file": the plan is shown again, as it stands
     * now, with a 409 and nothing applied; applying that new plan applies.
     */
    @Test
    void thePageAppliesOnlyWhatThePlanShowed() throws Exception {
        String id = upstreamAtVersion3();
        String file = "{\"jobs\":[{\"name\":\"upstream\",\"namespace\":\"team-a\",\"description\":\"from the file\"}]}";
        MockHttpServletResponse planned =
                ui.perform(page("/import/plan", file, null, false)).andReturn().getResponse();
        assertThat(planned.getStatus()).isEqualTo(200);
        String seen = seen(planned.getContentAsString(StandardCharsets.UTF_8));
        assertThat(seen).contains("team-a/upstream").contains("3");

        call("PUT", "/jobs/" + id, "{\"description\":\"changed meanwhile\"}", 200);
        for (boolean htmx : new boolean[] {false, true}) {
            MockHttpServletResponse again = ui.perform(page("/import/apply", file, seen, htmx))
                    .andReturn()
                    .getResponse();
            String body = again.getContentAsString(StandardCharsets.UTF_8);
            assertThat(again.getStatus()).as("htmx: " + htmx).isEqualTo(409);
            assertThat(body)
                    .contains("Nothing was applied: jobs were changed since the plan was shown")
                    .contains("the plan saw version 3, the current version is 4")
                    .contains("changed meanwhile")
                    .contains("id=\"apply-button\"");
            assertThat(job(id).path("description").asString()).isEqualTo("changed meanwhile");
            assertThat(seen(body)).contains("4");
        }
        String fresh = seen(ui.perform(page("/import/plan", file, null, false))
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8));
        assertThat(ui.perform(page("/import/apply", file, fresh, false))
                        .andReturn()
                        .getResponse()
                        .getStatus())
                .isEqualTo(302);
        assertThat(job(id).path("description").asString()).isEqualTo("from the file");
    }

    /**
     * A YAML syntax error inside a job is said as one, with its line and column, through the API, the page (with and
     * without htmx) and the jobs file read at start; never "is not valid JSON".
     */
    @Test
    void aYamlSyntaxErrorInsideAJobNamesItsLineAndColumn() throws Exception {
        String file = "jobs:\n- name: \"a\"\n  template_type: \"heartbeat\"\n  description: \"x\"\n   priority: 3\n";
        MockHttpServletResponse api = plan(file, "application/yaml");
        String answer = api.getContentAsString(StandardCharsets.UTF_8);
        assertThat(api.getStatus()).as(answer).isEqualTo(400);
        JsonNode error = json.readTree(answer).at("/errors/0");
        assertThat(error.path("message").asString())
                .as(answer)
                .startsWith("YAML syntax error at line 5, column ")
                .doesNotContain("JSON");
        for (boolean htmx : new boolean[] {false, true}) {
            MockHttpServletResponse page = ui.perform(page("/import/plan", file, null, htmx))
                    .andReturn()
                    .getResponse();
            assertThat(page.getStatus()).isEqualTo(400);
            assertThat(page.getContentAsString(StandardCharsets.UTF_8))
                    .contains("YAML syntax error at line 5, column ")
                    .doesNotContain("is not valid JSON");
        }
        java.nio.file.Path onDisk = java.nio.file.Files.createTempFile("jobs", ".yaml");
        java.nio.file.Files.writeString(onDisk, file);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> jobsFile.apply(onDisk)))
                .hasMessageContaining("is not valid: ")
                .hasMessageContaining("YAML syntax error at line 5, column ")
                .hasMessageNotContaining("is not valid JSON");
    }

    /**
     * A JSON file with a slip in it (a comma left out, as a hand edit of an export leaves) is told as a JSON syntax
     * error with its line and column, not as whatever the YAML reader, which reads what is not JSON, made of it; YAML
     * in flow style with bare names is still read as YAML.
     */
    @Test
    void aJsonSyntaxErrorIsSaidAsJsonsWithItsLineAndColumn() throws Exception {
        String file = "{\n  \"jobs\": [\n    {\"name\": \"a\" \"template_type\": \"heartbeat\"}\n  ]\n}\n";
        MockHttpServletResponse api = plan(file, "application/json");
        String answer = api.getContentAsString(StandardCharsets.UTF_8);
        assertThat(api.getStatus()).as(answer).isEqualTo(400);
        assertThat(json.readTree(answer).at("/errors/0/message").asString())
                .as(answer)
                .startsWith("JSON syntax error at line 3, column ")
                .doesNotContain("YAML");
        MockHttpServletResponse flow = plan(
                "{jobs: [{name: flow-a, template_type: heartbeat, schedule: {type: manual}}]}", "application/yaml");
        assertThat(flow.getStatus())
                .as(flow.getContentAsString(StandardCharsets.UTF_8))
                .isEqualTo(200);
    }

    /**
     * A file creating two jobs in a namespace with room for one: the plan marks the second over the quota, and apply is
     * the create path's 403 (how many the file would create, the count, the quota, the room), audited, nothing stored;
     * the page alike, with and without htmx.
     */
    @Test
    void anImportOverANamespacesJobQuotaIsTheCreatePaths403() throws Exception {
        call("POST", "/namespaces", "{\"name\":\"team-b\",\"quotas\":{\"jobs\":3}}", 201);
        for (String name : new String[] {"one", "two"}) {
            call("POST", "/jobs", heartbeat(name, "team-b"), 201);
        }
        String file = "{\"jobs\":[" + heartbeat("three", "team-b") + "," + heartbeat("four", "team-b") + "]}";
        JsonNode plan = importFile("plan", file, 200);
        assertThat(plan.at("/jobs/0/action").asString()).isEqualTo("create");
        assertThat(plan.at("/jobs/1/errors/0/message").asString())
                .isEqualTo("job quota of namespace 'team-b' reached: it has 2 jobs and its quota is 3 (room for 1),"
                        + " and this file would create more");

        String expected = "job quota of namespace 'team-b' reached: this would create 2 jobs, it has 2 jobs and its"
                + " quota is 3 (room for 1); nothing was stored";
        JsonNode refused = importFile("apply", file, 403);
        assertThat(refused.path("detail").asString()).isEqualTo(expected);
        assertThat(denied()).isEqualTo(1);
        for (boolean htmx : new boolean[] {false, true}) {
            MockHttpServletResponse page = ui.perform(page("/import/apply", file, null, htmx))
                    .andReturn()
                    .getResponse();
            assertThat(page.getStatus()).as("htmx: " + htmx).isEqualTo(403);
            assertThat(org.springframework.web.util.HtmlUtils.htmlUnescape(
                            page.getContentAsString(StandardCharsets.UTF_8)))
                    .contains(expected);
        }
        assertThat(denied()).isEqualTo(3);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs WHERE namespace = 'team-b'")
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
    }

    long denied() {
        return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND target_name = 'team-b'")
                .query(Long.class)
                .single();
    }

    /** A changed secret reads as a mask on both sides of a plan: the plan says which secret changed, API and page. */
    @Test
    void aPlanSaysWhichSecretChangedWhereBothSidesShowTheMask() throws Exception {
        String hook = "{\"name\":\"hook\",\"namespace\":\"team-a\",\"template_type\":\"webhook_trigger\","
                + "\"parameters\":{\"url\":\"https://hooks.example.com/x\",\"signing_secret\":\"%s\"},"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"}}";
        call("POST", "/jobs", hook.formatted("0123456789abcdef-old"), 201);
        String file = "{\"jobs\":[" + hook.formatted("0123456789abcdef-new") + "]}";

        JsonNode plan = importFile("plan", file, 200);

        assertThat(plan.at("/jobs/0/action").asString()).isEqualTo("update");
        JsonNode change = plan.at("/jobs/0/changes/0");
        assertThat(change.path("field").asString()).isEqualTo("parameters");
        assertThat(change.path("before")).isEqualTo(change.path("after"));
        assertThat(change.path("note").asString()).isEqualTo("secret changed: parameters.signing_secret");
        for (boolean htmx : new boolean[] {false, true}) {
            MockHttpServletResponse page = ui.perform(page("/import/plan", file, null, htmx))
                    .andReturn()
                    .getResponse();
            assertThat(page.getContentAsString(StandardCharsets.UTF_8))
                    .contains("(secret changed: parameters.signing_secret)")
                    .doesNotContain("0123456789abcdef-old");
        }
        // the same secret again: unchanged, no note
        assertThat(importFile("plan", file.replace("-new", "-old"), 200)
                        .at("/jobs/0/action")
                        .asString())
                .isEqualTo("unchanged");
    }

    /**
     * A job the file leaves unchanged but writes its secret of in plain text is asked only whether the user may change
     * it, not whether the plan saw its version: the page's apply after someone changed the job's description (a field
     * the file leaves out) applies, the job unchanged, instead of a 409.
     */
    @Test
    void anUnchangedJobWithAPlainTextSecretIsNoConflictWhenItsVersionMovedSinceThePlan() throws Exception {
        String hook = "{\"name\":\"hook\",\"namespace\":\"team-a\",\"template_type\":\"webhook_trigger\","
                + "\"parameters\":{\"url\":\"https://hooks.example.com/x\",\"signing_secret\":\"0123456789abcdef-s\"},"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"}}";
        String id =
                json.readTree(call("POST", "/jobs", hook, 201)).at("/job/id").asString();
        String file = "{\"jobs\":[" + hook + "]}";
        MockHttpServletResponse planned =
                ui.perform(page("/import/plan", file, null, false)).andReturn().getResponse();
        assertThat(planned.getStatus()).isEqualTo(200);
        String seen = seen(planned.getContentAsString(StandardCharsets.UTF_8));
        assertThat(seen).contains("team-a/hook");

        call("PUT", "/jobs/" + id, "{\"description\":\"changed meanwhile\"}", 200);
        MockHttpServletResponse applied =
                ui.perform(page("/import/apply", file, seen, false)).andReturn().getResponse();

        assertThat(applied.getStatus())
                .as(applied.getContentAsString(StandardCharsets.UTF_8))
                .isEqualTo(302);
        JsonNode job = job(id);
        assertThat(job.path("version").asLong()).isEqualTo(2);
        assertThat(job.path("description").asString()).isEqualTo("changed meanwhile");
    }

    /** A plan names the stored jobs of the file's namespaces that the file does not name, and leaves them alone. */
    @Test
    void aPlanNamesTheJobsOfItsNamespacesThatTheFileDoesNotName() throws Exception {
        call("POST", "/jobs", heartbeat("kept", "team-a"), 201);
        call("POST", "/jobs", heartbeat("drifted", "team-a"), 201);
        call("POST", "/jobs", heartbeat("default-only-job", "default"), 201);
        String file = "{\"jobs\":[" + heartbeat("kept", "team-a") + "]}";

        JsonNode plan = importFile("plan", file, 200);

        assertThat(plan.path("not_in_file").toString()).isEqualTo("[\"team-a/drifted\"]");
        for (boolean htmx : new boolean[] {false, true}) {
            MockHttpServletResponse page = ui.perform(page("/import/plan", file, null, htmx))
                    .andReturn()
                    .getResponse();
            assertThat(page.getContentAsString(StandardCharsets.UTF_8))
                    .contains("Not in the file, and left alone by it")
                    .contains("team-a/drifted")
                    .doesNotContain("default-only-job");
        }
        assertThat(importFile("apply", file, 200).path("not_in_file").toString())
                .isEqualTo("[]");
    }

    static String heartbeat(String name, String namespace) {
        return "{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\",\"template_type\":\"heartbeat\","
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"}}";
    }

    /**
     * A mask with no secret stored behind it no longer hides the job's other errors: the plan, the jobs file at start
     * and {@code POST /jobs} name them together.
     */
    @Test
    void aMaskWithNoSecretStoredIsNamedWithTheJobsOtherErrors() throws Exception {
        String job = "{\"name\":\"hook\",\"namespace\":\"team-a\",\"template_type\":\"webhook_trigger\","
                + "\"parameters\":{\"url\":\"https://hooks.example.com/x\",\"signing_secret\":\"••••\"},"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"not a cron\"}}";
        JsonNode plan = importFile("plan", "{\"jobs\":[" + job + "]}", 200);
        assertThat(plan.at("/jobs/0/errors").findValuesAsString("field"))
                .as(plan.toString())
                .contains("parameters.signing_secret", "schedule.expression");

        JsonNode created = json.readTree(call("POST", "/jobs", job, 400));
        assertThat(created.path("errors").findValuesAsString("field"))
                .as(created.toString())
                .contains("parameters.signing_secret", "schedule.expression");

        java.nio.file.Path onDisk = java.nio.file.Files.createTempFile("jobs", ".json");
        java.nio.file.Files.writeString(onDisk, "{\"jobs\":[" + job + "]}");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> jobsFile.apply(onDisk)))
                .hasMessageContaining("parameters.signing_secret")
                .hasMessageContaining("schedule.expression");
    }

    /**
     * A mask with no secret stored beside one that has one: only the first is refused; the stored secret is validated
     * as what it stands for, not as the mask's characters (or length) — in an import plan and in a PUT.
     */
    @Test
    void aMaskWithNoSecretStoredLeavesTheJobsOtherMasksAlone() throws Exception {
        String stored = "{\"name\":\"hook\",\"namespace\":\"team-a\",\"template_type\":\"webhook_trigger\","
                + "\"parameters\":{\"url\":\"https://hooks.example.com/x\",\"signing_secret\":\"0123456789abcdef-s\","
                + "\"secret_headers\":{\"Authorization\":\"Bearer stored\"}},"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"}}";
        String id =
                json.readTree(call("POST", "/jobs", stored, 201)).at("/job/id").asString();
        String masked = stored.replace("0123456789abcdef-s", "••••")
                .replace("\"Bearer stored\"", "\"••••\",\"X-New\":\"••••\"");

        JsonNode plan = importFile("plan", "{\"jobs\":[" + masked + "]}", 200);
        assertThat(plan.at("/jobs/0/errors").findValuesAsString("field"))
                .as(plan.toString())
                .containsExactly("parameters.secret_headers.X-New");

        JsonNode put = json.readTree(call("PUT", "/jobs/" + id, masked, 400));
        assertThat(put.path("errors").findValuesAsString("field"))
                .as(put.toString())
                .containsExactly("parameters.secret_headers.X-New");
    }

    /**
     * A shown webhook URL with nothing stored behind it, beside one that has: only the first is refused, the other is
     * read as the URL it stands for (in a PUT and an import plan).
     */
    @Test
    void aShownUrlWithNothingStoredLeavesTheJobsOtherShownUrlsAlone() throws Exception {
        String stored = "{\"name\":\"told\",\"namespace\":\"team-a\",\"template_type\":\"heartbeat\","
                + "\"schedule\":{\"type\":\"interval\",\"interval_seconds\":60},"
                + "\"notifications\":{\"on_failure\":[\"https://hooks.example.com/services/T0/B0/secret-path\"]}}";
        JsonNode created = json.readTree(call("POST", "/jobs", stored, 201));
        String id = created.at("/job/id").asString();
        String shown = created.at("/job/notifications/on_failure/0").asString();
        assertThat(shown).doesNotContain("secret-path");
        String sent = stored.replace(
                "[\"https://hooks.example.com/services/T0/B0/secret-path\"]",
                "[\"" + shown + "\",\"" + shown.replace("hooks.example.com", "elsewhere.example.org") + "\"]");

        JsonNode put = json.readTree(call("PUT", "/jobs/" + id, sent, 400));
        assertThat(put.path("errors").findValuesAsString("field"))
                .as(put.toString())
                .containsExactly("notifications.on_failure[1]");
        JsonNode plan = importFile("plan", "{\"jobs\":[" + sent + "]}", 200);
        assertThat(plan.at("/jobs/0/errors").findValuesAsString("field"))
                .as(plan.toString())
                .containsExactly("notifications.on_failure[1]");
    }

    /**
     * An empty or null notification recipient is a 400 naming its place, not a 500 (the validator kept the null it
     * had refused, and the notifications could not hold it): on create, on update, in an import plan and in a jobs
     * file applied at start.
     */
    @Test
    void anEmptyOrNullRecipientIsRefusedNamingItsPlace() throws Exception {
        String heartbeat = "{\"name\":\"%s\",\"namespace\":\"team-a\",\"template_type\":\"heartbeat\","
                + "\"schedule\":{\"type\":\"interval\",\"interval_seconds\":60},\"notifications\":%s}";
        for (String[] bad : new String[][] {
            {"{\"on_failure\":[\"\"]}", "notifications.on_failure[0]"},
            {"{\"on_failure\":[\"ops@example.com\",null]}", "notifications.on_failure[1]"},
            {"{\"on_success\":[\"  \"]}", "notifications.on_success[0]"}
        }) {
            JsonNode created = json.readTree(call("POST", "/jobs", heartbeat.formatted("told", bad[0]), 400));
            assertThat(created.at("/errors/0/field").asString())
                    .as(created.toString())
                    .isEqualTo(bad[1]);
            assertThat(created.at("/errors/0/message").asString()).isEqualTo("must not be empty");

            JsonNode plan = importFile("plan", "{\"jobs\":[" + heartbeat.formatted("planned", bad[0]) + "]}", 200);
            assertThat(plan.at("/jobs/0/action").asString()).as(plan.toString()).isEqualTo("invalid");
            assertThat(plan.at("/jobs/0/errors").findValuesAsString("field")).containsExactly(bad[1]);
        }

        String id = json.readTree(call("POST", "/jobs", heartbeat.formatted("kept", "{}"), 201))
                .path("job")
                .path("id")
                .asString();
        JsonNode updated = json.readTree(call("PUT", "/jobs/" + id, "{\"notifications\":{\"on_retry\":[null]}}", 400));
        assertThat(updated.at("/errors/0/field").asString())
                .as(updated.toString())
                .isEqualTo("notifications.on_retry[0]");

        java.nio.file.Path onDisk = java.nio.file.Files.createTempFile("jobs", ".json");
        java.nio.file.Files.writeString(
                onDisk, "{\"jobs\":[" + heartbeat.formatted("from-file", "{\"on_success\":[\"  \"]}") + "]}");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> jobsFile.apply(onDisk)))
                .isNotInstanceOf(NullPointerException.class)
                .hasMessageContaining("notifications.on_success[0]")
                .hasMessageContaining("must not be empty");
    }

    /**
     * A list where a string is expected ({@code tags: [[a]]}) is refused naming its place, in JSON and YAML, through
     * the API and the page (with and without htmx): the reader no longer loses its place, dropping fields and planning
     * a job with no name.
     */
    @Test
    void aNestedListWhereAStringIsExpectedIsRefusedNamingItsPlace() throws Exception {
        String json = "{\"jobs\":[{\"name\":\"t\",\"template_type\":\"heartbeat\",\"tags\":[[\"a\"]],"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"}}]}";
        String yaml = "jobs:\n- name: t\n  template_type: heartbeat\n  tags: [[a]]\n"
                + "  schedule: {type: cron, expression: 0 9 * * *}\n";
        for (String file : new String[] {json, yaml}) {
            MockHttpServletResponse api = plan(file, file == json ? "application/json" : "application/yaml");
            String answer = api.getContentAsString(StandardCharsets.UTF_8);
            assertThat(api.getStatus()).as(answer).isEqualTo(400);
            JsonNode error = this.json.readTree(answer).at("/errors/0");
            assertThat(error.path("field").asString() + ": "
                            + error.path("message").asString())
                    .as(answer)
                    .isEqualTo("jobs[0].tags[0]: job 't': must be a string (line " + (file == json ? 1 : 4) + ")");
            for (boolean htmx : new boolean[] {false, true}) {
                MockHttpServletResponse page = ui.perform(page("/import/plan", file, null, htmx))
                        .andReturn()
                        .getResponse();
                assertThat(page.getStatus()).isEqualTo(400);
                assertThat(page.getContentAsString(StandardCharsets.UTF_8))
                        .contains("jobs[0].tags[0]: job &#39;t&#39;: must be a string")
                        .doesNotContain("(no name)");
            }
        }
    }

    /** A null tag (YAML's empty item, JSON's null) marks the job invalid naming the entry, as a PUT does; not a 500. */
    @Test
    void aNullTagIsRefusedNamingItsPlace() throws Exception {
        String json = "{\"jobs\":[{\"name\":\"t\",\"template_type\":\"heartbeat\",\"tags\":[\"ok\",null],"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"}}]}";
        String yaml = "jobs:\n- name: t\n  template_type: heartbeat\n  tags:\n  - ok\n  -\n"
                + "  schedule: {type: cron, expression: 0 9 * * *}\n";
        for (String file : new String[] {json, yaml}) {
            MockHttpServletResponse planned = plan(file, file == json ? "application/json" : "application/yaml");
            String answer = planned.getContentAsString(StandardCharsets.UTF_8);
            assertThat(planned.getStatus()).as(answer).isEqualTo(200);
            JsonNode plan = this.json.readTree(answer);
            assertThat(plan.at("/jobs/0/action").asString()).as(answer).isEqualTo("invalid");
            assertThat(plan.at("/jobs/0/errors").findValuesAsString("field")).containsExactly("tags[1]");
        }
        String applied = call("POST", "/jobs/import?mode=apply", json, 400);
        assertThat(applied).contains("jobs[0].tags[1]");
    }

    /**
     * New jobs of one file that depend on themselves, or on each other in a loop, are said so as the API says it, not
     * as "no job named" or "the upstream job is invalid"; in the plan, on apply (400) and on the page.
     */
    @Test
    void selfDependenciesAndCyclesAmongNewJobsAreNamedAsSuch() throws Exception {
        String file = "{\"jobs\":[" + depending("self", "\"depends_on\":[\"self\"]") + ","
                + depending("trig", "\"triggers\":[{\"job\":\"trig\",\"on\":\"succeeded\"}]") + ","
                + depending("l1", "\"depends_on\":[\"l2\"]") + "," + depending("l2", "\"depends_on\":[\"l1\"]") + ","
                + depending("c1", "\"depends_on\":[\"c2\"]") + "," + depending("c2", "\"depends_on\":[\"c3\"]") + ","
                + depending("c3", "\"depends_on\":[\"c1\"]") + "]}";
        JsonNode plan = importFile("plan", file, 200);
        assertThat(errorsOf(plan.path("jobs")))
                .containsExactly(
                        "self: depends_on[0]: a job cannot depend on itself",
                        "team-a/trig: triggers[0].job: a job cannot trigger itself",
                        "team-a/l1: depends_on[0]: would create a cycle: team-a/l1 \u2192 team-a/l2 \u2192 team-a/l1",
                        "team-a/l2: depends_on[0]: would create a cycle: team-a/l2 \u2192 team-a/l1 \u2192 team-a/l2",
                        "team-a/c1: depends_on[0]: would create a cycle: team-a/c1 \u2192 team-a/c3 \u2192 team-a/c2"
                                + " \u2192 team-a/c1",
                        "team-a/c2: depends_on[0]: would create a cycle: team-a/c2 \u2192 team-a/c1 \u2192 team-a/c3"
                                + " \u2192 team-a/c2",
                        "team-a/c3: depends_on[0]: would create a cycle: team-a/c3 \u2192 team-a/c2 \u2192 team-a/c1"
                                + " \u2192 team-a/c3");

        JsonNode refused = importFile("apply", file, 400);
        assertThat(refused.path("errors").findValuesAsString("message"))
                .contains("job 'self': a job cannot depend on itself");
        for (boolean htmx : new boolean[] {false, true}) {
            MockHttpServletResponse page = ui.perform(page("/import/plan", file, null, htmx))
                    .andReturn()
                    .getResponse();
            assertThat(page.getStatus()).isEqualTo(200);
            assertThat(page.getContentAsString(StandardCharsets.UTF_8))
                    .contains("depends_on[0]: a job cannot depend on itself")
                    .contains("would create a cycle: team-a/l1 \u2192 team-a/l2 \u2192 team-a/l1")
                    .doesNotContain("no job named");
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs WHERE name IN ('self', 'trig', 'l1', 'l2', 'c1', 'c2', 'c3')")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    static String depending(String name, String upstreams) {
        return "{\"name\":\"" + name + "\"," + (name.equals("self") ? "" : "\"namespace\":\"team-a\",")
                + "\"template_type\":\"heartbeat\",\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"},"
                + upstreams + "}";
    }

    static java.util.List<String> errorsOf(JsonNode jobs) {
        java.util.List<String> errors = new java.util.ArrayList<>();
        for (JsonNode job : jobs) {
            String namespace = job.path("namespace").asString();
            for (JsonNode error : job.path("errors")) {
                errors.add((namespace.equals("default") ? "" : namespace + "/")
                        + job.path("name").asString() + ": "
                        + error.path("field").asString() + ": "
                        + error.path("message").asString());
            }
        }
        return errors;
    }

    String upstreamAtVersion3() throws Exception {
        String created = call(
                "POST",
                "/jobs",
                "{\"name\":\"upstream\",\"namespace\":\"team-a\",\"template_type\":\"heartbeat\","
                        + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"},\"description\":\"first\"}",
                201);
        String id = json.readTree(created).at("/job/id").asString();
        call("PUT", "/jobs/" + id, "{\"description\":\"second\"}", 200);
        call("PUT", "/jobs/" + id, "{\"description\":\"third\"}", 200);
        return id;
    }

    static String seen(String page) {
        java.util.regex.Matcher seen = java.util.regex.Pattern.compile("name=\"seen\" value=\"([^\"]*)\"")
                .matcher(page);
        assertThat(seen.find()).as("the plan's versions in the apply form").isTrue();
        return org.springframework.web.util.HtmlUtils.htmlUnescape(seen.group(1));
    }

    /** The file planned through the API, sent as {@code contentType}. */
    MockHttpServletResponse plan(String file, String contentType) throws Exception {
        return mvc.perform(post(API + "/jobs/import?mode=plan")
                        .contentType(contentType)
                        .content(file))
                .andReturn()
                .getResponse();
    }

    MockHttpServletRequestBuilder page(String path, String text, String seen, boolean htmx) {
        MockHttpServletRequestBuilder request =
                post(path).param("text", text).with(ADMIN).with(csrf());
        if (seen != null) {
            request.param("seen", seen);
        }
        if (htmx) {
            request.header("HX-Request", "true");
        }
        return request;
    }

    JsonNode job(String id) throws Exception {
        return json.readTree(mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get(
                                API + "/jobs/" + id))
                        .andReturn()
                        .getResponse()
                        .getContentAsString(StandardCharsets.UTF_8))
                .path("job");
    }

    JsonNode importFile(String mode, String file, int status) throws Exception {
        return json.readTree(call("POST", "/jobs/import?mode=" + mode, file, status));
    }

    String call(String method, String path, String body, int status) throws Exception {
        MockHttpServletResponse response = mvc.perform((method.equals("PUT") ? put(API + path) : post(API + path))
                        .contentType(MediaType.APPLICATION_JSON)
                        .characterEncoding(StandardCharsets.UTF_8)
                        .content(body))
                .andReturn()
                .getResponse();
        String answer = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as("%s %s: %s", method, path, answer).isEqualTo(status);
        return answer;
    }
}
