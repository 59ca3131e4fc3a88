package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.security.internal.SecretUpgrade;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * An install upgraded from the release before secrets were sealed holds them plain: the upgrade pass seals them all
 * (job parameters and notification URLs, saved versions, execution snapshots), once.
 */
abstract class SecretUpgradeTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends SecretUpgradeTests {}

    @WithPostgres
    static class OnPostgres extends SecretUpgradeTests {}

    static final String API = "/api/admin/scheduler";
    static final String HEADER = "plain-upgrade-canary";
    static final String SLACK = "slack:https://hooks.slack.com/services/T000/B000/slack-upgrade-canary";
    static final String WEBHOOK = "https://user:pw@alerts.example.com:8443/hook-upgrade-canary";

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

    @Autowired
    SecretUpgrade upgrade;

    @Autowired
    SecretParameters parameters;

    @Autowired
    Secrets secrets;

    @Autowired
    JsonMapper json;

    @Test
    void aStartMarksThePassDoneSoLaterStartsReadNothing() {
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(30))
                .until(() -> jdbc.sql("SELECT COUNT(*) FROM upgrade_steps WHERE name = 'seal-plain-secrets'")
                                .query(Long.class)
                                .single()
                        == 1);
    }

    @Test
    void plainSecretsStoredByTheEarlierReleaseAreSealedOnceAndStillWork() throws Exception {
        String id = JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("""
                                        {"name":"upgraded","template_type":"webhook_trigger",
                                         "parameters":{"url":"https://example.com/hook","method":"POST"},
                                         "schedule":{"type":"interval","interval_seconds":3600}}"""))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
        String execution = JsonPath.read(
                mvc.perform(post(API + "/jobs/" + id + "/run"))
                        .andExpect(status().isAccepted())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.execution_id");
        // what the earlier release stored: every secret plain
        String plainParameters = """
                {"url":"https://example.com/hook","method":"POST","secret_headers":{"X-Api-Key":"%s"}}""".formatted(HEADER);
        String plainNotifications = """
                {"on_success":[],"on_failure":["ops@example.com","%s"],"on_retry":["%s"]}""".formatted(SLACK, WEBHOOK);
        jdbc.sql("UPDATE jobs SET parameters = :parameters, notifications = :notifications WHERE id = :id")
                .param("parameters", plainParameters)
                .param("notifications", plainNotifications)
                .param("id", UUID.fromString(id))
                .update();
        jdbc.sql("UPDATE job_versions SET definition = :definition WHERE job_id = :id")
                .param("definition", """
                        {"name":"upgraded","template_type":"webhook_trigger","parameters":%s,
                         "schedule":{"type":"interval","interval_seconds":3600},"notifications":%s}""".formatted(plainParameters, plainNotifications))
                .param("id", UUID.fromString(id))
                .update();
        jdbc.sql("UPDATE executions SET parameters = :parameters WHERE id = :id")
                .param("parameters", plainParameters)
                .param("id", UUID.fromString(execution))
                .update();
        assertThat(stored()).contains(HEADER, "slack-upgrade-canary", "hook-upgrade-canary");

        SecretUpgrade.Counts first = upgrade.upgrade();

        assertThat(first).isEqualTo(new SecretUpgrade.Counts(1, 1, 1));
        String stored = stored();
        assertThat(stored)
                .doesNotContain(HEADER, "slack-upgrade-canary", "hook-upgrade-canary", "user:pw")
                .contains("enc:v1:", "ops@example.com");
        mvc.perform(get(API + "/jobs/" + id))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.parameters.secret_headers.X-Api-Key").value("••••"))
                .andExpect(jsonPath("$.job.notifications.on_failure[0]").value("ops@example.com"))
                .andExpect(jsonPath("$.job.notifications.on_failure[1]").value("slack:https://hooks.slack.com/…"))
                .andExpect(jsonPath("$.job.notifications.on_retry[0]").value("https://alerts.example.com:8443/…"));

        String jobParameters = jdbc.sql("SELECT parameters FROM jobs WHERE id = :id")
                .param("id", UUID.fromString(id))
                .query(String.class)
                .single();
        assertThat(parameters.reveal("webhook_trigger", json.readValue(jobParameters, JSON_OBJECT)))
                .containsEntry("secret_headers", Map.of("X-Api-Key", HEADER));
        String notifications = jdbc.sql("SELECT notifications FROM jobs WHERE id = :id")
                .param("id", UUID.fromString(id))
                .query(String.class)
                .single();
        Map<String, Object> settings = json.readValue(notifications, JSON_OBJECT);
        assertThat(((List<?>) settings.get("on_failure")).stream().map(r -> secrets.reveal((String) r)))
                .containsExactly("ops@example.com", SLACK);
        assertThat(((List<?>) settings.get("on_retry")).stream().map(r -> secrets.reveal((String) r)))
                .containsExactly(WEBHOOK);
        String snapshot = jdbc.sql("SELECT parameters FROM executions WHERE id = :id")
                .param("id", UUID.fromString(execution))
                .query(String.class)
                .single();
        assertThat(parameters.reveal("webhook_trigger", json.readValue(snapshot, JSON_OBJECT)))
                .containsEntry("secret_headers", Map.of("X-Api-Key", HEADER));

        assertThat(upgrade.upgrade()).isEqualTo(new SecretUpgrade.Counts(0, 0, 0));
        assertThat(stored()).isEqualTo(stored);
    }

    @Test
    void theHistoryIsSealedInKeysetBatchesAndRunsOfTemplatesNoLongerInstalledAreLeftAlone() throws Exception {
        String id = JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("""
                                        {"name":"history","template_type":"webhook_trigger",
                                         "parameters":{"url":"https://example.com/hook","method":"POST"},
                                         "schedule":{"type":"interval","interval_seconds":3600}}"""))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
        String plain = """
                {"url":"https://example.com/hook","secret_headers":{"X-Api-Key":"%s"}}""".formatted(HEADER);
        for (int i = 0; i < 5; i++) {
            insertRun(UUID.fromString(id), "webhook_trigger", plain);
        }
        UUID gone = insertRun(UUID.fromString(id), "uninstalled_template", plain);

        assertThat(upgrade.sealExecutions(2)).isEqualTo(5);

        List<String> snapshots = jdbc.sql("SELECT parameters FROM executions WHERE template_type = 'webhook_trigger'")
                .query(String.class)
                .list();
        assertThat(snapshots)
                .hasSize(5)
                .allSatisfy(text -> assertThat(text).doesNotContain(HEADER).contains("enc:v1:"));
        assertThat(jdbc.sql("SELECT parameters FROM executions WHERE id = :id")
                        .param("id", gone)
                        .query(String.class)
                        .single())
                .isEqualTo(plain);
        assertThat(upgrade.sealExecutions(2)).isZero();
    }

    private UUID insertRun(UUID job, String type, String parameters) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, attempt,
                                                run_after, created_at, dry_run, parameters, triggered_by,
                                                cancel_requested)
                        VALUES (:id, :job_id, 1, 'history', :type, 'succeeded', 1, :at, :at, FALSE, :parameters,
                                'test', FALSE)
                        """)
                .param("id", id)
                .param("job_id", job)
                .param("type", type)
                .param("at", java.time.OffsetDateTime.parse("2026-01-01T00:00:00Z"))
                .param("parameters", parameters)
                .update();
        return id;
    }

    private String stored() {
        StringBuilder all = new StringBuilder();
        for (String query : new String[] {
            "SELECT parameters FROM jobs ORDER BY id",
            "SELECT notifications FROM jobs ORDER BY id",
            "SELECT definition FROM job_versions ORDER BY job_id, version",
            "SELECT parameters FROM executions ORDER BY id"
        }) {
            jdbc.sql(query).query(String.class).list().forEach(all::append);
        }
        return all.toString();
    }
}
