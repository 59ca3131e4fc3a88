package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.security.internal.SecretRotation;
import dev.almanac.security.internal.SecurityProperties;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parameters marked {@code x-secret} are sealed in the database, plain only inside the run, and the mask
 * everywhere a person or a log could see them.
 */
@ExtendWith(OutputCaptureExtension.class)
abstract class SecretParameterTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends SecretParameterTests {}

    @WithPostgres
    static class OnPostgres extends SecretParameterTests {

        @Autowired
        DataSource dataSource;

        /**
         * The rotation finds the rows holding an old key before its transaction, which then only locks, re-seals
         * and writes those. Here a hundred thousand runs already hold the new key, and the transaction's connection
         * ends a transaction idle for 500 ms (Almanac's pools: a third of the dead-node threshold): working through
         * them inside the transaction, as the command once did, lost the whole rotation.
         */
        @Test
        void theRotationNeverWaitsInsideItsTransactionWhileCheckingRowsAlreadyCurrent() throws Exception {
            String first = createJob("hook");
            mvc.perform(post(API + "/jobs/" + first + "/run")).andExpect(status().isAccepted());
            Secrets rotated = rotatedSecrets();
            assertThat(new SecretRotation(jdbc, json, rotated, transactions, null).rotate())
                    .isEqualTo(3);
            transactions.executeWithoutResult(status -> {
                jdbc.sql("""
                                CREATE TEMP TABLE copies ON COMMIT DROP AS
                                SELECT e.* FROM executions e CROSS JOIN generate_series(1, 100000)""").update();
                jdbc.sql("UPDATE copies SET id = gen_random_uuid(), slot_key = NULL, status = 'cancelled'")
                        .update();
                jdbc.sql("INSERT INTO executions SELECT * FROM copies").update();
            });
            String second = createJob("hook-2"); // sealed with the old key: its job and version need the new one

            Connection connection = dataSource.getConnection();
            String poolLimit;
            try (Statement statement = connection.createStatement();
                    ResultSet shown = statement.executeQuery("SHOW idle_in_transaction_session_timeout")) {
                shown.next();
                poolLimit = shown.getString(1);
                statement.execute("SET idle_in_transaction_session_timeout = 500");
            }
            try {
                SingleConnectionDataSource single = new SingleConnectionDataSource(connection, true);
                int changed = new SecretRotation(
                                JdbcClient.create(single),
                                json,
                                rotated,
                                new TransactionTemplate(new DataSourceTransactionManager(single)),
                                null)
                        .rotate();

                assertThat(changed).isEqualTo(2); // the second job and its version
                assertThat(storedToken(second)).startsWith("enc:v1:" + rotated.currentKeyId() + ":");
            } finally {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET idle_in_transaction_session_timeout = '" + poolLimit + "'");
                } catch (SQLException ended) {
                    // PostgreSQL ended the session (the failure this test is about): the pool drops it
                } finally {
                    connection.close();
                }
            }
        }
    }

    static final String API = "/api/admin/scheduler";
    static final String TOKEN = "tok-7f3a9c1e5b";
    static final String HEADER = "hdr-0b8d2e4f6a";
    static final String NEW_TOKEN = "tok-new-4d2c8a";

    @Autowired
    Engine engine;

    @Autowired
    Secrets secrets;

    @Autowired
    JsonMapper json;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    SecretParameters parameters;

    /** A secret that holds another (a URL with its password) is masked whole, not around the shorter one. */
    @Test
    void aSecretHoldingAnotherIsScrubbedWhole() {
        String url = "postgres://app:tok_hunter2222@db.internal/prod";
        Map<String, Object> plain = Map.of(
                "label", "nested", "tokens", List.of("tok_hunter2222"), "auth", Map.of("extra", Map.of("url", url)));

        assertThat(parameters.scrubber("test_nested_secrets", plain).apply("connecting to " + url))
                .isEqualTo("connecting to ••••");
    }

    /**
     * A secret of several lines is scrubbed whole, and so is each of its lines of four characters or more wherever it
     * shows: a script's output reaches the log a line at a time, and JSON writes the line breaks as {@code \n}.
     */
    @Test
    void everyLineOfASecretOfSeveralLinesIsScrubbedWhereverItShows() {
        String key = "-----BEGIN KEY-----\r\nMIIEvQIBADANBgkqhkiG9w0B\r\n  AQEF\r\nab\r\n-----END KEY-----";
        Map<String, Object> plain = Map.of("label", "pem", "auth", Map.of("extra", Map.of("key", key)));
        java.util.function.UnaryOperator<String> scrubber = parameters.scrubber("test_nested_secrets", plain);

        assertThat(scrubber.apply("the key: " + key + ".")).isEqualTo("the key: ••••.");
        // a line of one to three characters would mask unrelated text as well
        assertThat(key.lines().map(scrubber)).containsExactly("••••", "••••", "  ••••", "ab", "••••");
        assertThat(scrubber.apply(json.writeValueAsString(Map.of("key", key))))
                .isEqualTo("{\"key\":\"••••\\r\\n••••\\r\\n  ••••\\r\\nab\\r\\n••••\"}");
    }

    /** A text cut before it is scrubbed loses the beginning of a secret at its end: the rest is not there to mask. */
    @Test
    void theStartOfACutTextLosesTheBeginningOfASecretAtItsEnd() {
        SecretScrubber scrubber =
                parameters.scrubber("test_nested_secrets", Map.of("label", "cut", "tokens", List.of("tok_hunter2222")));

        assertThat(scrubber.head("a tok_hunter2222 b tok_hunt")).isEqualTo("a •••• b ");
        assertThat(scrubber.head("a tok_hunter2222 b")).isEqualTo("a •••• b");
    }

    /** A result is scrubbed in its keys as well as its values, at any depth: a script may name a detail by a secret. */
    @Test
    void aResultIsScrubbedInItsKeysAsWellAsItsValues() {
        Map<String, Object> plain = Map.of("label", "nested", "tokens", List.of("tok_hunter2222"));
        Map<String, Object> result =
                Map.of("tok_hunter2222", "a key", "rows", List.of(Map.of("user tok_hunter2222", "tok_hunter2222")));

        assertThat(parameters.scrubbed("test_nested_secrets", plain, result))
                .isEqualTo(Map.of("••••", "a key", "rows", List.of(Map.of("user ••••", "••••"))));
    }

    @Test
    void aSecretIsSealedAtRestMaskedInEveryAnswerAndPlainOnlyInsideTheRun(CapturedOutput output) throws Exception {
        String id = createJob();

        mvc.perform(get(API + "/jobs/" + id))
                .andExpect(jsonPath("$.job.parameters.token").value("••••"))
                .andExpect(jsonPath("$.job.parameters.headers.X-Api-Key").value("••••"))
                .andExpect(jsonPath("$.job.parameters.url").value("https://hooks.example.com/x"));
        mvc.perform(get(API + "/jobs/" + id + "/versions"))
                .andExpect(jsonPath("$.versions[0].definition.parameters.token").value("••••"));
        mvc.perform(get(API + "/jobs/" + id + "/versions/1"))
                .andExpect(jsonPath("$.definition.parameters.token").value("••••"));

        String execution = JsonPath.read(
                mvc.perform(post(API + "/jobs/" + id + "/run"))
                        .andExpect(status().isAccepted())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.execution_id");
        engine.runDueOnce();

        assertThat(TestTemplates.Secret.seenBy("hook"))
                .containsEntry("token", TOKEN)
                .containsEntry("headers", Map.of("X-Api-Key", HEADER));
        String detail = mvc.perform(get(API + "/executions/" + execution))
                .andExpect(jsonPath("$.execution.status").value("succeeded"))
                .andExpect(jsonPath("$.execution.parameters.token").value("••••"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        String list =
                mvc.perform(get(API + "/executions")).andReturn().getResponse().getContentAsString();
        String audit =
                mvc.perform(get(API + "/audit")).andReturn().getResponse().getContentAsString();

        assertThat(List.of(detail, list, audit)).noneMatch(body -> body.contains(TOKEN) || body.contains(HEADER));
        assertThat(everyStoredText()).doesNotContain(TOKEN, HEADER).contains("enc:v1:");
        assertThat(output.getAll()).doesNotContain(TOKEN, HEADER);
    }

    @Test
    void sendingTheMaskBackKeepsTheSecretAndAPlainValueReplacesIt() throws Exception {
        String id = createJob();
        String sealed = storedToken(id);

        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"parameters":{"url":"https://hooks.example.com/y","token":"••••",
                                 "headers":{"X-Api-Key":"••••"}}}"""))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.parameters.url").value("https://hooks.example.com/y"))
                .andExpect(jsonPath("$.job.parameters.token").value("••••"));
        assertThat(storedToken(id)).isEqualTo(sealed);

        String job =
                mvc.perform(get(API + "/jobs/" + id)).andReturn().getResponse().getContentAsString();
        String body = json.writeValueAsString(json.readTree(job).get("job"));
        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.message").value("Job 'hook' unchanged"));

        // a later instant, so this update is the newest audit event whatever order equal instants get
        clock.advance(java.time.Duration.ofSeconds(1));
        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"parameters\":{\"url\":\"https://hooks.example.com/y\",\"token\":\"" + NEW_TOKEN
                                + "\"}}"))
                .andExpect(status().isOk());
        assertThat(storedToken(id)).isNotEqualTo(sealed).startsWith("enc:v1:");
        assertThat(secrets.reveal(storedToken(id))).isEqualTo(NEW_TOKEN);
        assertThat(everyStoredText()).doesNotContain(NEW_TOKEN);

        mvc.perform(get(API + "/audit").param("action", "job.updated").param("target", "hook"))
                .andExpect(jsonPath("$.events[0].details.changes['parameters.token'].before")
                        .value("••••"))
                .andExpect(jsonPath("$.events[0].details.changes['parameters.token'].after")
                        .value("••••"));
    }

    @Test
    void aWebhookUrlInSeveralListsSentBackUnchangedChangesNothing() throws Exception {
        String created = mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name":"twice-told","template_type":"heartbeat",
                                 "schedule":{"type":"interval","interval_seconds":3600},
                                 "notifications":{"on_success":["https://hooks.example.com/x"],
                                  "on_failure":["https://hooks.example.com/x","https://hooks.example.com/x"],
                                  "on_retry":["https://hooks.example.com/x"]}}"""))
                .andExpect(status().isCreated())
                .andReturn()
                .getResponse()
                .getContentAsString();
        String id = json.readTree(created).get("job").get("id").asText();
        String body = json.writeValueAsString(json.readTree(mvc.perform(get(API + "/jobs/" + id))
                        .andReturn()
                        .getResponse()
                        .getContentAsString())
                .get("job"));
        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.message").value("Job 'twice-told' unchanged"));

        String export = mvc.perform(get(API + "/jobs/export").param("format", "yaml"))
                .andReturn()
                .getResponse()
                .getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        mvc.perform(post(API + "/jobs/import")
                        .param("mode", "plan")
                        .contentType("application/yaml")
                        .content(export))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.jobs[?(@.name=='twice-told')].action").value("unchanged"));
    }

    /**
     * Two stored webhook URLs of one host look alike (both shown as the host and "…"): a request that sends fewer of
     * them than are stored cannot say which one it keeps, and is refused at that place; the stored list stays. The
     * whole URL of the one to keep is taken.
     */
    @Test
    void removingOneOfTwoUrlsShownAlikeNeedsTheWholeUrlOfTheOneKept() throws Exception {
        String created = mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name":"two-channels","template_type":"heartbeat",
                                 "schedule":{"type":"interval","interval_seconds":3600},
                                 "notifications":{"on_failure":["https://hooks.example.com/removed",
                                  "https://hooks.example.com/kept"]}}"""))
                .andExpect(status().isCreated())
                .andReturn()
                .getResponse()
                .getContentAsString();
        String id = json.readTree(created).get("job").get("id").asText();
        String stored = storedNotifications(id);

        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"notifications\":{\"on_failure\":[\"https://hooks.example.com/…\"]}}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("notifications.on_failure[0]"))
                .andExpect(jsonPath("$.errors[0].message").value(org.hamcrest.Matchers.containsString("shown alike")));
        assertThat(storedNotifications(id)).isEqualTo(stored);

        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"notifications\":{\"on_failure\":[\"https://hooks.example.com/kept\"]}}"))
                .andExpect(status().isOk());
        List<String> kept = new java.util.ArrayList<>();
        json.readTree(storedNotifications(id)).get("on_failure").forEach(url -> kept.add(secrets.reveal(url.asText())));
        assertThat(kept).containsExactly("https://hooks.example.com/kept");
        // both sent back as read keeps both, as before
        mvc.perform(put(API + "/jobs/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"notifications\":{\"on_failure\":[\"https://hooks.example.com/…\"]}}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.message").value("Job 'two-channels' unchanged"));
    }

    private String storedNotifications(String id) {
        return jdbc.sql("SELECT notifications FROM jobs WHERE id = :id")
                .param("id", java.util.UUID.fromString(id))
                .query(String.class)
                .single();
    }

    @Test
    void anExportMasksTheSecretAndImportingItBackKeepsTheStoredOne() throws Exception {
        String id = createJob();
        String sealed = storedToken(id);

        for (String format : List.of("json", "yaml")) {
            String export = mvc.perform(get(API + "/jobs/export").param("format", format))
                    .andExpect(status().isOk())
                    .andReturn()
                    .getResponse()
                    .getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(export).contains("hook").contains("••••").doesNotContain(TOKEN, HEADER, "enc:v1:");
        }
        String json = mvc.perform(get(API + "/jobs/export").param("format", "json"))
                .andReturn()
                .getResponse()
                .getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        mvc.perform(post(API + "/jobs/import")
                        .param("mode", "apply")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json))
                .andExpect(status().isOk());
        assertThat(storedToken(id)).isEqualTo(sealed);
        mvc.perform(get(API + "/audit").param("action", "job.imported"))
                .andExpect(jsonPath("$.events[0].action").value("job.imported"));
    }

    @Test
    void refusesTheMaskWhereNothingIsStoredAndAValueThatLooksSealed() throws Exception {
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content(jobBody("••••")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.token"));
        mvc.perform(post(API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(jobBody("enc:v1:abcdef12:AAAA")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.token"));
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content(jobBody("short")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.token"));
    }

    @Test
    void aMaskOrAShownUrlWithNothingStoredIsRefusedAtItsOwnPlaceAndAnEmptyMapOfSecretsExportsEmpty() throws Exception {
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content("""
                                {"name":"nested","template_type":"test_nested_secrets",
                                 "parameters":{"label":"x","tokens":["tok_abcdefgh","••••"],
                                   "auth":{"extra":{"X-Key":"••••"}}},
                                 "schedule":{"type":"interval","interval_seconds":3600},
                                 "notifications":{"on_failure":["https://hooks.slack.com/…"]}}"""))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[*].field")
                        .value(org.hamcrest.Matchers.containsInAnyOrder(
                                "parameters.tokens[1]", "parameters.auth.extra.X-Key", "notifications.on_failure[0]")));
        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content("""
                                {"name":"nested","template_type":"test_nested_secrets","parameters":{"label":"x"},
                                 "schedule":{"type":"interval","interval_seconds":3600},
                                 "notifications":{"on_failure":["https://hooks.slack.com/…"]}}"""))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("notifications.on_failure[0]"));

        mvc.perform(post(API + "/jobs").contentType(MediaType.APPLICATION_JSON).content("""
                                {"name":"hook","template_type":"webhook_trigger",
                                 "parameters":{"url":"https://hooks.example.com/x","secret_headers":{}},
                                 "schedule":{"type":"interval","interval_seconds":3600}}"""))
                .andExpect(status().isCreated());
        String export = mvc.perform(get(API + "/jobs/export").param("format", "json"))
                .andReturn()
                .getResponse()
                .getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json.readTree(export).at("/jobs/0/parameters/secret_headers").isEmpty())
                .isTrue();
        mvc.perform(post(API + "/jobs/import")
                        .param("mode", "apply")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(export))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.jobs[0].action").value("unchanged"));
    }

    @Test
    void theRotationCommandReSealsEveryStoredSecretWithTheNewKey() throws Exception {
        String id = createJob();
        mvc.perform(post(API + "/jobs/" + id + "/run")).andExpect(status().isAccepted());
        Secrets rotated = rotatedSecrets();

        int changed = new SecretRotation(jdbc, json, rotated, transactions, null).rotate();

        assertThat(changed).isEqualTo(3); // the job, its first version, the queued execution's snapshot
        String stored = storedToken(id);
        assertThat(stored).startsWith("enc:v1:" + rotated.currentKeyId() + ":");
        assertThat(rotated.reveal(stored)).isEqualTo(TOKEN);
        assertThat(new SecretRotation(jdbc, json, rotated, transactions, null).rotate())
                .isZero();
    }

    /** Secrets with a new key, the test's own key as the previous one. */
    static Secrets rotatedSecrets() throws Exception {
        String oldKey = Base64.getEncoder()
                .encodeToString(java.nio.file.Files.readString(java.nio.file.Path.of("target/test-data/secret.key"))
                        .strip()
                        .transform(Base64.getDecoder()::decode));
        return new Secrets(
                new SecurityProperties(
                        null, true, 600, 10, 60, 100, 5, null, null, null, 0, null, Secrets.newKey(), oldKey, null),
                "target/test-data");
    }

    private String createJob() throws Exception {
        return createJob("hook");
    }

    String createJob(String name) throws Exception {
        return JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(jobBody(name, TOKEN)))
                        .andExpect(status().isCreated())
                        .andExpect(jsonPath("$.job.parameters.token").value("••••"))
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
    }

    private static String jobBody(String token) {
        return jobBody("hook", token);
    }

    private static String jobBody(String name, String token) {
        return """
                {"name":"%s","template_type":"test_secret",
                 "parameters":{"url":"https://hooks.example.com/x","token":"%s","headers":{"X-Api-Key":"%s"}},
                 "schedule":{"type":"interval","interval_seconds":3600}}""".formatted(name, token, HEADER);
    }

    String storedToken(String id) {
        String parameters = jdbc.sql("SELECT parameters FROM jobs WHERE id = :id")
                .param("id", java.util.UUID.fromString(id))
                .query(String.class)
                .single();
        return (String) json.readValue(parameters, Map.class).get("token");
    }

    private String everyStoredText() {
        StringBuilder all = new StringBuilder();
        for (String query : new String[] {
            "SELECT parameters FROM jobs",
            "SELECT definition FROM job_versions",
            "SELECT parameters FROM executions",
            "SELECT COALESCE(result, '') FROM executions",
            "SELECT message FROM execution_logs",
            "SELECT COALESCE(details, '') FROM audit_events"
        }) {
            jdbc.sql(query).query(String.class).list().forEach(all::append);
        }
        return all.toString();
    }
}
