package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.almanac.engine.internal.Engine;
import dev.almanac.job.JobForm;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.BrowserForm;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.context.WebApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The proof that no secret leaks, for every installed template with no test of its own: each template's schema is
 * walked, a unique canary put in every place it marks {@code x-secret} (a string, the values of a map, the items of
 * an array, at any depth) and in the job's webhook and Slack notification URLs; then the job goes through the real
 * API and pages (create, read, update, run, export, import, rollback, audit), and no canary may show in any answer,
 * page, export, log line or text column of any table, nor may a sealed value show anywhere but the database.
 */
@ExtendWith(OutputCaptureExtension.class)
abstract class SecretCanaryTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends SecretCanaryTests {}

    @WithPostgres
    static class OnPostgres extends SecretCanaryTests {}

    private static final String API = "/api/admin/scheduler";

    @Autowired
    TemplateRegistry templates;

    @Autowired
    Engine engine;

    @Autowired
    JobService jobs;

    @Autowired
    JsonMapper json;

    @Autowired
    SecretParameters secretParameters;

    private static final RequestPostProcessor ADMIN =
            user(TestLogins.username(TestLogins.SUPER_ADMIN)).roles("SUPER_ADMIN");

    @Autowired
    WebApplicationContext context;

    private MockMvc ui;

    private final Set<String> canaries = new LinkedHashSet<>();
    private final List<String> seen = new ArrayList<>();

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        ui = securedMvc();
    }

    @Test
    void noSecretOfAnyTemplateShowsInAnyAnswerPageExportLogOrPlainColumn(CapturedOutput output) throws Exception {
        List<String> covered = new ArrayList<>();
        List<String> failedSteps = new ArrayList<>();
        approveTheExampleScript();
        for (JobTemplate template : templates.all()) {
            String type = template.descriptor().type();
            JsonNode schema = json.readTree(template.descriptor().parametersSchema());
            Map<String, Object> example = templates.exampleParameters(type).orElse(Map.of());
            boolean secrets = containsSecret(schema);
            String created = create(type, schema, example);
            if (created == null) {
                assertThat(secrets)
                        .as("template %s has secrets, but a job of its example could not be created", type)
                        .isFalse();
                continue;
            }
            covered.add(type);
            try {
                exercise(created, schema, example);
            } catch (AssertionError | Exception refused) {
                // a step that fails still leaves its answers to search: the leaks are reported first
                failedSteps.add(type + ": " + refused.getMessage());
            }
        }

        assertThat(covered).contains("webhook_trigger", "test_secret", "test_nested_secrets");
        assertThat(canaries).hasSizeGreaterThan(10);
        String stored = everyStoredText();
        assertThat(stored).contains("enc:v1:");
        List<String> leaks = new ArrayList<>();
        leaks.addAll(leaks("the database", stored, canaries));
        leaks.addAll(leaks("the log", output.getAll(), withSealed()));
        for (String answer : seen) {
            leaks.addAll(leaks(answer.substring(0, answer.indexOf('\n')), answer, withSealed()));
        }
        assertThat(leaks).as("where a secret showed").isEmpty();
        assertThat(failedSteps).as("steps that failed").isEmpty();
    }

    private Set<String> withSealed() {
        Set<String> tokens = new LinkedHashSet<>(canaries);
        tokens.add("enc:v1:");
        return tokens;
    }

    /** Where in {@code text} a token shows, with a little of what is around it. */
    private static List<String> leaks(String where, String text, Set<String> tokens) {
        List<String> found = new ArrayList<>();
        for (String token : tokens) {
            int at = text.indexOf(token);
            if (at >= 0) {
                found.add(
                        where + ": …" + text.substring(Math.max(0, at - 120), Math.min(text.length(), at + 60)) + "…");
            }
        }
        return found;
    }

    /** Creates a job of the template's example with a canary in every secret; null when the example is refused. */
    private String create(String type, JsonNode schema, Map<String, Object> example) throws Exception {
        ObjectNode body = json.createObjectNode();
        body.put("name", "canary " + type);
        body.put("template_type", type);
        body.put("enabled", false); // runs only when the test says: the clock moves on by the hour
        body.set("parameters", json.valueToTree(fill(schema, example, false)));
        body.set("schedule", json.readTree("{\"type\":\"interval\",\"interval_seconds\":3600}"));
        body.set(
                "notifications",
                json.valueToTree(Map.of(
                        "on_failure", List.of("https://hooks.example.com/notify/" + canary()),
                        "on_success", List.of("slack:https://hooks.slack.com/services/" + canary()),
                        "on_retry", List.of("ops@example.com"))));
        MvcResult result = mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(body)))
                .andReturn();
        String answer = body(result);
        seen.add(what(result) + answer);
        return result.getResponse().getStatus() == 201
                ? json.readTree(answer).path("job").path("id").asString()
                : null;
    }

    private void exercise(String id, JsonNode schema, Map<String, Object> example) throws Exception {
        // the wizard's edit form posted back as the page shows it, through every step: every stored secret kept
        Map<String, Object> secretsBefore = storedSecrets(id);
        assertThat(secretsBefore.isEmpty()).isEqualTo(!containsSecret(schema));
        editUnchangedInTheWizard(id);
        assertThat(storedSecrets(id))
                .as("the secrets kept by an unchanged edit")
                .isEqualTo(secretsBefore);

        String notificationsBefore = storedNotifications(id);
        String parametersBefore = stored("parameters", id);

        // what a client read, sent back with a change: the masks and shown URLs keep what is stored
        ObjectNode job =
                (ObjectNode) json.readTree(answer(get(API + "/jobs/" + id))).path("job");
        answer(get(API + "/jobs"));
        ObjectNode back = json.createObjectNode();
        for (String field : List.of("name", "template_type", "parameters", "schedule", "notifications", "version")) {
            back.set(field, job.get(field));
        }
        back.put("description", "read and sent back");
        ok(put(API + "/jobs/" + id).contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(back)));
        assertThat(storedNotifications(id)).isEqualTo(notificationsBefore);
        assertThat(stored("parameters", id)).as("the secrets kept").isEqualTo(parametersBefore);

        // new secrets everywhere, so the versions and the audit trail hold two of each
        ObjectNode changed = json.createObjectNode();
        changed.set("parameters", json.valueToTree(fill(schema, example, false)));
        ok(put(API + "/jobs/" + id).contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(changed)));

        if (containsSecret(schema)) {
            run(id, job);
        }

        String export = answer(get(API + "/jobs/export").param("format", "json"));
        answer(get(API + "/jobs/export").param("format", "yaml"));
        answer(post(API + "/jobs/import")
                .param("mode", "plan")
                .contentType(MediaType.APPLICATION_JSON)
                .content(export));
        answer(post(API + "/jobs/import")
                .param("mode", "apply")
                .contentType(MediaType.APPLICATION_JSON)
                .content(export));

        long current = json.readTree(answer(get(API + "/jobs/" + id)))
                .path("job")
                .path("version")
                .asLong();
        MvcResult rollback = ui.perform(post("/jobs/" + id + "/rollback")
                        .with(csrf())
                        .with(ADMIN)
                        .param("version", "1")
                        .param("current_version", String.valueOf(current)))
                .andReturn();
        assertThat(rollback.getResponse().getHeader("Location"))
                .as("the rollback of %s (%s)", id, rollback.getFlashMap())
                .isEqualTo("/jobs/" + id);

        JsonNode versions = json.readTree(answer(get(API + "/jobs/" + id + "/versions")));
        answer(get(API + "/jobs/" + id + "/versions/1"));
        answer(get(API + "/audit"));
        page(get("/jobs/" + id));
        page(get("/jobs/" + id + "/edit"));
        page(get("/jobs/" + id + "/clone"));
        page(get("/jobs/" + id + "/versions"));
        for (JsonNode version : versions.path("versions")) {
            page(get("/jobs/" + id + "/versions")
                    .param("show", version.path("version").asString()));
        }
        page(get("/jobs"));
        page(get("/audit"));
    }

    /** The job's edit page posted back as a browser shows it: "Next" from the parameters to the review, then "Save". */
    private void editUnchangedInTheWizard(String id) throws Exception {
        MvcResult edit = ui.perform(get("/jobs/" + id + "/edit").with(ADMIN)).andReturn();
        seen.add(what(edit) + body(edit));
        MultiValueMap<String, String> form = BrowserForm.of(body(edit), "wizard");
        for (int step = JobForm.PARAMETERS; step < JobForm.REVIEW; step++) {
            form.set("_action", "next");
            MvcResult next = ui.perform(
                            post("/jobs/wizard").with(csrf()).with(ADMIN).params(form))
                    .andReturn();
            seen.add(what(next) + body(next));
            form = BrowserForm.of(body(next), "wizard");
            assertThat(form.getFirst("step"))
                    .as("the step after %s of the edit of %s: %s", step, id, body(next))
                    .isEqualTo(String.valueOf(step + 1));
        }
        form.set("_action", "save");
        MvcResult saved = ui.perform(
                        post("/jobs/wizard").with(csrf()).with(ADMIN).params(form))
                .andReturn();
        seen.add(what(saved) + body(saved));
        assertThat(saved.getResponse().getRedirectedUrl())
                .as("the save of the edit of %s: %s", id, body(saved))
                .isEqualTo("/jobs/" + id);
    }

    /** Every stored secret of the job in plain text, by its field path ({@code parameters.secret_headers.X-Key}). */
    private Map<String, Object> storedSecrets(String id) {
        var definition = jobs.get(JobId.parse(id).orElseThrow()).definition();
        String type = definition.templateType();
        Object plain = Map.of("parameters", secretParameters.reveal(type, definition.parameters()));
        Map<String, Object> byField = new LinkedHashMap<>();
        for (String field : secretParameters.secretFields(type, definition.parameters())) {
            Object value = plain;
            java.util.regex.Matcher step =
                    Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]").matcher(field);
            while (step.find() && value != null) {
                value = step.group(2) != null
                        ? ((List<?>) value).get(Integer.parseInt(step.group(2)))
                        : ((Map<?, ?>) value).get(step.group(1));
            }
            byField.put(field, value);
        }
        return byField;
    }

    /**
     * A dry run with the masks as overrides and a real run, each through the engine's manual step; failing is fine,
     * the snapshots, logs and results are what count. Only for templates with secret parameters: a run holds no
     * notification URL, and other templates may block or need a target.
     */
    private void run(String id, ObjectNode job) throws Exception {
        clock.advance(java.time.Duration.ofHours(1)); // past the manual-run rate limit of the templates before
        ObjectNode dryRun = json.createObjectNode().put("dry_run", true);
        dryRun.set("parameters", job.get("parameters"));
        mvc.perform(post(API + "/jobs/" + id + "/run")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(dryRun)))
                .andDo(r -> seen.add(what(r) + body(r)));
        mvc.perform(post(API + "/jobs/" + id + "/run")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{}"))
                .andDo(r -> seen.add(what(r) + body(r)));
        // the wizard's dry run of the job being edited, with the form its edit page shows (masks for the secrets)
        JobForm form = JobForm.of(
                jobs.get(JobId.parse(id).orElseThrow()).definition(),
                templates.form(job.path("template_type").asString()).orElse(null));
        form.values().put("job_id", List.of(id));
        form.values().put("version", List.of(job.path("version").asString()));
        MultiValueMap<String, String> fields = new LinkedMultiValueMap<>();
        form.values().forEach((name, values) -> values.forEach(value -> fields.add(name, value)));
        MvcResult draft = ui.perform(
                        post("/jobs/wizard/dry-run").with(csrf()).with(ADMIN).params(fields))
                .andReturn();
        seen.add(what(draft) + body(draft));
        assertThat(draft.getResponse().getHeader("Location"))
                .as("the wizard's dry run: %s", body(draft))
                .startsWith("/executions/");
        engine.runDueOnce();
        JsonNode executions = json.readTree(answer(get(API + "/jobs/" + id + "/executions")));
        List<String> executionIds = new ArrayList<>();
        executions.path("executions").forEach(e -> executionIds.add(e.path("id").asString()));
        assertThat(executionIds)
                .as("the runs of %s: %s", id, seen.subList(seen.size() - 3, seen.size()))
                .isNotEmpty();
        answer(get(API + "/executions"));
        for (String execution : executionIds) {
            answer(get(API + "/executions/" + execution));
            page(get("/executions/" + execution));
            page(get("/executions/" + execution + "/logs"));
        }
    }

    /**
     * The value with a fresh canary in every string at or under an {@code x-secret} node, containers created where a
     * secret needs them, and the example's other values kept.
     */
    @SuppressWarnings("unchecked")
    private Object fill(JsonNode schema, Object current, boolean secret) {
        boolean here = secret || schema.path("x-secret").asBoolean(false);
        String type = typeOf(schema);
        if ("object".equals(type) || schema.has("properties")) {
            Map<String, Object> object = current instanceof Map<?, ?> map
                    ? new LinkedHashMap<>((Map<String, Object>) map)
                    : new LinkedHashMap<>();
            List<String> required = new ArrayList<>();
            schema.path("required").forEach(r -> required.add(r.asString()));
            for (Map.Entry<String, JsonNode> property :
                    schema.path("properties").properties()) {
                String key = property.getKey();
                if (here || containsSecret(property.getValue())) {
                    object.put(key, fill(property.getValue(), object.get(key), here));
                } else if (required.contains(key) && !object.containsKey(key)) {
                    object.put(key, minimal(property.getValue()));
                }
            }
            JsonNode additional = schema.path("additionalProperties");
            if (additional.isObject() && (here || containsSecret(additional))) {
                for (String key : new ArrayList<>(object.keySet())) {
                    if (!schema.path("properties").has(key)) {
                        object.put(key, fill(additional, object.get(key), here));
                    }
                }
                // a key the schema's propertyNames allow: a header name, or an environment variable's
                String key = "X-Canary-" + (canaries.size() + 1);
                String names = schema.path("propertyNames").path("pattern").asString("");
                if (!names.isEmpty()
                        && !java.util.regex.Pattern.compile(names).matcher(key).find()) {
                    key = "X_CANARY_" + (canaries.size() + 1);
                }
                object.put(key, fill(additional, null, here));
            }
            return object;
        }
        if ("array".equals(type)) {
            List<Object> list = current instanceof List<?> items ? new ArrayList<>(items) : new ArrayList<>();
            JsonNode items = schema.path("items");
            if (items.isObject() && (here || containsSecret(items))) {
                list.replaceAll(item -> fill(items, item, here));
                int wanted = Math.max(1, schema.path("minItems").asInt(0));
                int most = schema.path("maxItems").asInt(Integer.MAX_VALUE);
                while (list.size() < wanted || (list.size() < 2 && list.size() < most)) {
                    list.add(fill(items, null, here));
                }
            }
            return list;
        }
        if ("string".equals(type) && here) {
            return canaryFor(schema);
        }
        return current != null ? current : minimal(schema);
    }

    /** A canary that satisfies the string's own constraints (length, a literal prefix of its pattern). */
    private String canaryFor(JsonNode schema) {
        String canary = canary();
        String value = canary;
        String pattern = schema.path("pattern").asString(null);
        if (pattern != null && !Pattern.compile(pattern).matcher(value).find()) {
            java.util.regex.Matcher literal =
                    Pattern.compile("^\\^([A-Za-z0-9_:/.-]*)").matcher(pattern);
            value = (literal.find() ? literal.group(1) : "") + canary;
        }
        if ("uri".equals(schema.path("format").asString(null))) {
            value = "https://example.com/" + value;
        }
        int minLength = schema.path("minLength").asInt(0);
        while (value.length() < minLength) {
            value = value + "0";
        }
        if (pattern != null) {
            assertThat(value).as("a canary for the pattern %s", pattern).containsPattern(pattern);
        }
        int maxLength = schema.path("maxLength").asInt(Integer.MAX_VALUE);
        assertThat(value.length()).as("a canary within maxLength").isLessThanOrEqualTo(maxLength);
        return value;
    }

    /** A unique lower-case token no real data contains. */
    private String canary() {
        byte[] random = new byte[5];
        ThreadLocalRandom.current().nextBytes(random);
        String canary = "cnry" + HexFormat.of().formatHex(random);
        canaries.add(canary);
        return canary;
    }

    private static Object minimal(JsonNode schema) {
        if (schema.has("default")) {
            return schema.get("default");
        }
        if (schema.path("enum").isArray() && !schema.path("enum").isEmpty()) {
            return schema.path("enum").get(0);
        }
        return switch (String.valueOf(typeOf(schema))) {
            case "integer", "number" -> schema.path("minimum").asLong(1);
            case "boolean" -> false;
            case "array" -> List.of();
            case "object" -> Map.of();
            default -> "x".repeat(Math.max(1, schema.path("minLength").asInt(1)));
        };
    }

    private static String typeOf(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isString()) {
            return type.asString();
        }
        for (JsonNode t : type) {
            if (!t.asString().equals("null")) {
                return t.asString();
            }
        }
        return null;
    }

    private static boolean containsSecret(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return false;
        }
        if (schema.path("x-secret").asBoolean(false)) {
            return true;
        }
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            if (containsSecret(property.getValue())) {
                return true;
            }
        }
        return containsSecret(schema.get("additionalProperties")) || containsSecret(schema.get("items"));
    }

    private String answer(RequestBuilder request) throws Exception {
        MvcResult result = mvc.perform(request).andReturn();
        String body = body(result);
        seen.add(what(result) + body);
        assertThat(result.getResponse().getStatus()).as(body).isLessThan(400);
        return body;
    }

    /** A page of the admin UI, as a signed-in super admin sees it. */
    private void page(MockHttpServletRequestBuilder request) throws Exception {
        MvcResult result = ui.perform(request.with(ADMIN)).andReturn();
        String body = body(result);
        seen.add(what(result) + body);
        assertThat(result.getResponse().getStatus()).as(body).isEqualTo(200);
    }

    private void ok(RequestBuilder request) throws Exception {
        answer(request);
    }

    /** The request an answer is to, as the first line of what the test keeps of it. */
    private static String what(MvcResult result) {
        String query = result.getRequest().getQueryString();
        return result.getRequest().getMethod() + " " + result.getRequest().getRequestURI()
                + (query == null ? "" : "?" + query) + "\n";
    }

    private static String body(MvcResult result) throws Exception {
        return result.getResponse().getContentAsString(StandardCharsets.UTF_8);
    }

    private String storedNotifications(String id) {
        return stored("notifications", id);
    }

    private String stored(String column, String id) {
        return jdbc.sql("SELECT " + column + " FROM jobs WHERE id = :id")
                .param("id", java.util.UUID.fromString(id))
                .query(String.class)
                .single();
    }

    /** Every text column of every table of the application's schema, whatever the database. */
    private String everyStoredText() {
        List<Map<String, Object>> columns = jdbc.sql("""
                        SELECT table_name, column_name, data_type FROM information_schema.columns
                        WHERE table_schema = CURRENT_SCHEMA
                        """).query().listOfRows();
        StringBuilder all = new StringBuilder();
        int searched = 0;
        for (Map<String, Object> column : columns) {
            String kind = String.valueOf(column.get("data_type")).toLowerCase(java.util.Locale.ROOT);
            if (!(kind.contains("char") || kind.contains("text") || kind.contains("clob") || kind.contains("json"))) {
                continue;
            }
            searched++;
            jdbc.sql("SELECT CAST(\"" + column.get("column_name") + "\" AS VARCHAR) FROM \"" + column.get("table_name")
                            + "\"")
                    .query(String.class)
                    .list()
                    .forEach(value -> all.append(value).append('\n'));
        }
        assertThat(searched).as("text columns found in information_schema").isGreaterThan(20);
        return all.toString();
    }
}
