package dev.almanac.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A rollback restores the whole definition a version saved, every field of it: one the version leaves out because it
 * was null or empty then (no triggers, no calendars, no retention of its own) is cleared, not kept as it is now.
 */
abstract class RollbackTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends RollbackTests {}

    @WithPostgres
    static class OnPostgres extends RollbackTests {}

    /** The fields the second version keeps: a change of either needs a namespace or a template of its own. */
    private static final Set<String> KEPT = Set.of("template_type", "namespace");

    @Autowired
    JobService jobs;

    @Autowired
    JsonMapper json;

    @Test
    void aRollbackRestoresEveryFieldOfTheVersionAndClearsThoseItLeftOut() throws Exception {
        api("POST", "/calendars", "{\"name\":\"quiet\",\"dates\":[\"2026-12-24\"]}");
        api(
                "POST",
                "/jobs",
                "{\"name\":\"upstream\",\"template_type\":\"heartbeat\","
                        + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 4 * * *\"}}");
        String id = JsonPath.read(
                api(
                        "POST",
                        "/jobs",
                        "{\"name\":\"rolled\",\"template_type\":\"heartbeat\","
                                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 5 * * *\"}}"),
                "$.job.id");
        api("PUT", "/jobs/" + id, """
                {"name": "rolled renamed", "description": "v2", "parameters": {"message": "v2"},
                 "schedule": {"type": "cron", "expression": "0 6 * * *"}, "enabled": false, "priority": 9,
                 "timeout_seconds": 60, "retry_policy": {"max_retries": 2, "retry_delay_seconds": 10,
                 "backoff_multiplier": 3.0}, "concurrency_policy": "allow", "misfire_policy": "skip",
                 "catch_up_window_seconds": 60, "depends_on": ["upstream"],
                 "notifications": {"on_failure": ["ops@example.com"], "on_retry": ["ops@example.com"],
                 "alert_if_no_success_within": "PT26H", "auto_pause_after_failures": 3},
                 "tags": ["v2"], "triggers": [{"job": "upstream", "on": "any"}], "trigger_mode": "all",
                 "trigger_window": "PT3H", "calendars": {"blackout": ["quiet"]}, "expected_duration": "PT1M",
                 "retention": {"keep_runs": 3}}
                """);
        JsonNode first =
                json.valueToTree(jobs.version(JobId.parse(id).orElseThrow(), 1).definition());
        JsonNode second = definition(id);
        assertThat(JobRequest.FIELDS.stream()
                        .filter(field -> !KEPT.contains(field))
                        .filter(field -> java.util.Objects.equals(first.get(field), second.get(field))))
                .as("the second version changes every field a rollback must restore (add a field's change here)")
                .isEmpty();

        MvcResult rollback = securedMvc()
                .perform(post("/jobs/" + id + "/rollback")
                        .with(user(TestLogins.username(TestLogins.SUPER_ADMIN)).roles("SUPER_ADMIN"))
                        .with(csrf())
                        .param("version", "1")
                        .param("current_version", "2"))
                .andReturn();
        assertThat(rollback.getFlashMap().get("flash")).isEqualTo("Rolled back to version 1; saved as version 3");

        JsonNode restored = definition(id);
        for (String field : JobRequest.FIELDS) {
            assertThat(restored.get(field)).as(field).isEqualTo(first.get(field));
        }
        assertThat(jobs.get(JobId.parse(id).orElseThrow()).nextRunAt())
                .as("enabled again, on its first schedule")
                .isNotNull();
    }

    /** The job's definition as its versions save it. */
    private JsonNode definition(String id) {
        return json.valueToTree(
                JobRequest.of(jobs.get(JobId.parse(id).orElseThrow()).definition()));
    }
}
