package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionService;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.security.SecretParameters;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.BrowserForm;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WizardWalk;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * Editing a job whose secrets are a map (a webhook's secret headers, a script's secrets) in the wizard: the edit
 * form shows each stored entry by its name with its value masked, never plain, and posting it back unchanged keeps
 * every stored secret; an entry is replaced or removed only when the reader does so.
 */
@WithH2
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
class WizardSecretPagesTests extends AlmanacIntegrationTest {

    private static final String API = "/api/admin/scheduler";

    @Autowired
    JobService jobs;

    @Autowired
    SecretParameters secrets;

    @Autowired
    JsonMapper json;

    @Autowired
    ExecutionService executions;

    @Autowired
    dev.almanac.template.TemplateRegistry templates;

    private WizardWalk walk;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        walk = new WizardWalk(securedMvc(), mvc, json);
    }

    @Test
    void anUnchangedEditKeepsEveryStoredSecretMapAndNeverShowsItsValues() throws Exception {
        approveTheExampleScript();
        Map<String, Object> webhook = Map.of(
                "url",
                "https://hooks.example.com/almanac",
                "secret_headers",
                Map.of("Authorization", "Bearer abcd1234", "X-Api-Key", "key-5678efgh"),
                "signing_secret",
                "sign-9012ijkl-9012ijkl");
        Map<String, Object> script = Map.of(
                "script", "hello", "version", "latest_approved", "secrets", Map.of("DB_PASSWORD", "pw-3456mnop"));
        List<String> plain = List.of("abcd1234", "key-5678efgh", "sign-9012ijkl", "pw-3456mnop", "enc:v1:");

        for (Map.Entry<String, Map<String, Object>> job :
                Map.of("webhook_trigger", webhook, "script", script).entrySet()) {
            JobId id = create(job.getKey(), job.getValue());

            String edit = walk.page("/jobs/" + id + "/edit");
            String map = job.getKey().equals("script") ? "p.secrets" : "p.secret_headers";
            assertThat(edit)
                    .as("the edit form of %s shows the stored entries by name", job.getKey())
                    .contains("name=\"" + map + "[0].key\"", "type=\"password\"", "unchanged; type a new value");
            assertThat(plain).allSatisfy(secret -> assertThat(edit).doesNotContain(secret));

            saveUnchanged(id, BrowserForm.of(edit, "wizard"), plain);

            // the wizard fills in the defaults the API left out; what was stored stays as it was
            assertThat(revealed(jobs.get(id)))
                    .as("the parameters of %s", job.getKey())
                    .containsAllEntriesOf(job.getValue());
        }
    }

    @Test
    void anEntryIsReplacedOrRemovedOnlyWhenTheReaderDoesSo() throws Exception {
        JobId id = create(
                "webhook_trigger",
                Map.of(
                        "url",
                        "https://hooks.example.com/almanac",
                        "secret_headers",
                        Map.of("Authorization", "Bearer abcd1234", "X-Api-Key", "key-5678efgh")));
        MultiValueMap<String, String> form = walk.form("/jobs/" + id + "/edit", "wizard");
        for (int row = 0; row < 2; row++) {
            String name = "p.secret_headers[" + row + "]";
            if ("Authorization".equals(form.getFirst(name + ".key"))) {
                form.remove(name + ".key");
                form.remove(name + ".value");
            } else {
                form.set(name + ".value", "key-new-7890qrst");
            }
        }

        saveUnchanged(id, form, List.of("abcd1234", "key-5678efgh", "enc:v1:"));

        assertThat(revealed(jobs.get(id)).get("secret_headers")).isEqualTo(Map.of("X-Api-Key", "key-new-7890qrst"));
    }

    @Test
    void theRunFormListsASecretMapByNameAndKeepsItsStoredValuesWhenLeftBlank() throws Exception {
        Map<String, Object> headers = Map.of("Authorization", "Bearer abcd1234");
        JobId id = create(
                "webhook_trigger", Map.of("url", "https://hooks.example.com/almanac", "secret_headers", headers));
        String run = walk.page("/jobs/" + id + "/run");
        assertThat(run).contains("name=\"p.secret_headers[0].key\"", "value=\"Authorization\"");
        assertThat(run).doesNotContain("abcd1234").doesNotContain("enc:v1:");

        MultiValueMap<String, String> form = BrowserForm.of(run, "run-form");
        form.set("confirm", "yes");
        MockHttpServletResponse queued = walk.post("/jobs/" + id + "/run", form, false);
        assertThat(queued.getStatus()).as(queued.getContentAsString()).isEqualTo(302);
        Execution execution =
                executions.get(ExecutionId.parse(queued.getRedirectedUrl().substring("/executions/".length()))
                        .orElseThrow());
        assertThat(secrets.reveal("webhook_trigger", execution.parameters())).containsEntry("secret_headers", headers);
    }

    @Test
    void aSecretMapRowLeftBlankWithNothingStoredUnderItsNameIsRefusedAtTheRowOnEveryPathAndTheApi() throws Exception {
        approveTheExampleScript();
        Map<String, List<String>> maps = secretMaps();
        assertThat(maps).containsKeys("webhook_trigger", "script");
        for (Map.Entry<String, List<String>> template : maps.entrySet()) {
            String type = template.getKey();
            for (String map : template.getValue()) {
                Map<String, Object> parameters = new java.util.LinkedHashMap<>(example(type));
                parameters.put(map, Map.of("STORED", "stored-1234abcd"));
                JobId id = create(type, parameters);
                String row = "p." + map + "[0]";

                // a copy keeps the row's name, not its secret: Next refuses the row until the secret is typed again
                MultiValueMap<String, String> copy = walk.form("/jobs/" + id + "/clone", "wizard");
                assertThat(copy.getFirst(row + ".key")).isEqualTo("STORED");
                assertRefusedAtRow(copy, row, type + " clone");

                // renaming a stored row with its value left blank has nothing stored under the new name
                MultiValueMap<String, String> renamed = walk.form("/jobs/" + id + "/edit", "wizard");
                renamed.set(row + ".key", "RENAMED");
                assertRefusedAtRow(renamed, row, type + " rename");
                assertThat(revealed(jobs.get(id))).containsEntry(map, Map.of("STORED", "stored-1234abcd"));

                // the run form: a row added and left blank
                MultiValueMap<String, String> run = walk.form("/jobs/" + id + "/run", "run-form");
                run.set("p." + map + "[1].key", "ADDED");
                run.set("p." + map + "[1].value", "");
                run.set("confirm", "yes");
                MockHttpServletResponse refused = walk.post("/jobs/" + id + "/run", run, false);
                assertThat(refused.getStatus()).as(type + " run form").isEqualTo(400);
                assertMarked(WizardWalk.html(refused), "p." + map + "[1].value");

                // the API: an empty secret is refused by its path, on create, on update and as a run's parameter
                Map<String, Object> empty = new java.util.LinkedHashMap<>(example(type));
                empty.put(map, Map.of("EMPTY", ""));
                String field = "parameters." + map + ".EMPTY";
                assertApiRefuses(
                        post(API + "/jobs"),
                        Map.of(
                                "name",
                                "empty " + type,
                                "template_type",
                                type,
                                "parameters",
                                empty,
                                "schedule",
                                Map.of("type", "interval", "interval_seconds", 3600)),
                        field);
                assertApiRefuses(
                        org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put(API + "/jobs/" + id),
                        Map.of("parameters", empty),
                        field);
                assertApiRefuses(
                        post(API + "/jobs/" + id + "/run"),
                        Map.of("parameters", Map.of(map, Map.of("EMPTY", ""))),
                        field);
                assertThat(revealed(jobs.get(id))).containsEntry(map, Map.of("STORED", "stored-1234abcd"));
            }
        }
    }

    @Test
    void aSecretTypedDuringAnEditIsCarriedUntilTheSaveWhateverShowsTheParametersAgain() throws Exception {
        approveTheExampleScript();
        for (String type : templates.all().stream()
                .map(t -> t.descriptor().type())
                .filter(secrets::hasSecrets)
                .sorted()
                .toList()) {
            Map<String, Object> parameters = new java.util.LinkedHashMap<>(example(type));
            secretMaps()
                    .getOrDefault(type, List.of())
                    .forEach(map -> parameters.put(map, Map.of("STORED", "stored-1234abcd")));
            JobId id = create(type, parameters);
            String edit = walk.page("/jobs/" + id + "/edit");
            MultiValueMap<String, String> form = BrowserForm.of(edit, "wizard");
            List<String> fields = passwordFields(edit);
            assertThat(fields).as(type).isNotEmpty();
            Map<String, String> typed = new java.util.LinkedHashMap<>();
            for (String field : fields) {
                String value = "typed-" + typed.size() + "-9f8e7d6c5b4a";
                typed.put(field, value);
                form.set(field, value);
            }

            // Next then Back, Add a row, a target's refresh, goto:2 from the review: each shows step 2 again
            form = step(form, "next", 3, 200, false);
            form = step(form, "back", 2, 200, false);
            String addable = form.keySet().stream()
                    .filter(n -> n.matches("p\\.[a-z_]+\\[0]\\.key"))
                    .findFirst()
                    .map(n -> n.substring(0, n.indexOf('[')))
                    .orElse(null);
            if (addable != null) {
                form = step(form, "add:" + addable, 2, 200, false);
            }
            form = step(form, "next", 2, 200, true);
            form = step(form, "next", 3, 200, false);
            form = step(form, "next", 4, 200, false);
            form = step(form, "next", 5, 200, false);
            form = step(form, "goto:2", 2, 200, false);
            // a 400 re-render of step 2: a name that is too long, then put right
            String name = form.getFirst("name");
            form.set("name", "x".repeat(300));
            form = step(form, "next", 2, 400, false);
            form.set("name", name);
            form = walk.nextToTheReview(type, form, WizardSecretPagesTests::assertNoTypedSecretInItsText);
            MockHttpServletResponse saved = walk.save(form).getResponse();
            assertThat(saved.getStatus())
                    .as(type + ": " + saved.getContentAsString())
                    .isEqualTo(302);
            String stored = json.writeValueAsString(revealed(jobs.get(id)));
            assertThat(typed.values())
                    .as(type)
                    .allSatisfy(value -> assertThat(stored).contains(value));
        }
    }

    /** Posts the wizard's form with {@code action}; the step and status it answers; its form, read back. */
    private MultiValueMap<String, String> step(
            MultiValueMap<String, String> form, String action, int step, int status, boolean refresh) throws Exception {
        form.set("_action", action);
        var call = WizardWalk.posting(WizardWalk.WIZARD, form);
        if (refresh) {
            // what htmx sends when a target or table is chosen on step 2
            String trigger = form.keySet().stream()
                    .filter(n -> n.startsWith("p."))
                    .findFirst()
                    .orElseThrow();
            call.header("HX-Request", "true").header("HX-Trigger-Name", trigger);
        }
        MockHttpServletResponse response = walk.perform(call);
        String html = WizardWalk.html(response);
        assertThat(response.getStatus()).as(action + ": " + html).isEqualTo(status);
        assertNoTypedSecretInItsText(html);
        MultiValueMap<String, String> next = BrowserForm.of(html, "wizard");
        assertThat(next.getFirst("step")).as(action).isEqualTo(String.valueOf(step));
        return next;
    }

    /** The typed secrets are in (password or hidden) fields only, never in the page's text. */
    private static void assertNoTypedSecretInItsText(String html) {
        assertThat(html.replaceAll("(?s)<input\\b[^>]*>", "")).doesNotContain("9f8e7d6c5b4a");
    }

    private static List<String> passwordFields(String html) {
        List<String> names = new java.util.ArrayList<>();
        var input = java.util.regex.Pattern.compile("<input\\b[^>]*>").matcher(html);
        while (input.find()) {
            String tag = input.group();
            var name = java.util.regex.Pattern.compile("name=\"([^\"]+)\"").matcher(tag);
            if (tag.contains("type=\"password\"") && name.find()) {
                names.add(name.group(1));
            }
        }
        return names;
    }

    private void assertRefusedAtRow(MultiValueMap<String, String> form, String row, String what) throws Exception {
        MockHttpServletResponse response = walk.click(form, "next");
        String html = WizardWalk.html(response);
        assertThat(response.getStatus()).as(what).isEqualTo(400);
        assertThat(html).contains("name=\"step\" value=\"2\"");
        assertMarked(html, row + ".value");
    }

    private static void assertMarked(String html, String name) {
        WizardWalk.assertMarkedInvalid(html, name, name).contains("type the secret again");
    }

    private void assertApiRefuses(
            org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder call,
            Map<String, Object> body,
            String field)
            throws Exception {
        MockHttpServletResponse response = mvc.perform(
                        call.contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(body)))
                .andReturn()
                .getResponse();
        String answer = WizardWalk.html(response);
        assertThat(response.getStatus()).as(answer).isEqualTo(400);
        assertThat(answer).contains("\"field\":\"" + field + "\"", "type the secret again");
    }

    /** Every template's top-level maps of secrets, by template type: read from the schemas, not listed by hand. */
    private Map<String, List<String>> secretMaps() {
        Map<String, List<String>> maps = new java.util.TreeMap<>();
        for (var template : templates.all()) {
            var schema = json.readTree(template.descriptor().parametersSchema());
            schema.path("properties").properties().forEach(property -> {
                if (property.getValue().path("x-secret").asBoolean(false)
                        && property.getValue().path("additionalProperties").isObject()) {
                    maps.computeIfAbsent(template.descriptor().type(), t -> new java.util.ArrayList<>())
                            .add(property.getKey());
                }
            });
        }
        return maps;
    }

    private Map<String, Object> example(String type) {
        return templates.exampleParameters(type).orElseThrow();
    }

    /** Steps the wizard from the parameters to the review with "Next" and saves, changing nothing on the way. */
    private void saveUnchanged(JobId id, MultiValueMap<String, String> form, List<String> neverShown) throws Exception {
        form = walk.nextToTheReview(id.toString(), form, html -> {
            assertThat(html).doesNotContain("aria-invalid=\"true\"");
            assertThat(neverShown).allSatisfy(secret -> assertThat(html).doesNotContain(secret));
        });
        MockHttpServletResponse saved = walk.save(form).getResponse();
        assertThat(saved.getStatus()).as(saved.getContentAsString()).isEqualTo(302);
        assertThat(saved.getRedirectedUrl()).isEqualTo("/jobs/" + id);
    }

    private JobId create(String type, Map<String, Object> parameters) throws Exception {
        return JobId.parse(walk.createJob(
                        Map.of("name", "secrets of " + type, "template_type", type, "parameters", parameters)))
                .orElseThrow();
    }

    private Map<String, Object> revealed(Job job) {
        return secrets.reveal(job.definition().templateType(), job.definition().parameters());
    }
}
