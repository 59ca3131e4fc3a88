package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import dev.almanac.testing.WizardWalk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * Opening a job's edit form and saving it without touching a field changes nothing: no new version, the same schedule
 * (a one-time run_at to the second, even one that has passed; a cron expression as it was written), whatever the
 * template's parameters are (numbers and unticked yes/no fields among them), for a job of every built-in template.
 */
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
abstract class WizardUnchangedEditTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends WizardUnchangedEditTests {}

    @WithPostgres
    static class OnPostgres extends WizardUnchangedEditTests {}

    @Autowired
    TemplateRegistry templates;

    @Autowired
    JobService jobs;

    @Autowired
    JsonMapper json;

    private WizardWalk walk;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        walk = new WizardWalk(securedMvc(), mvc, json);
    }

    @Test
    void anUnchangedEditKeepsAOneTimeRunToTheSecondAndACronExpressionAsWritten() throws Exception {
        Map<String, Object> heartbeat = templates.exampleParameters("heartbeat").orElse(Map.of());
        JobId once = create(
                "heartbeat",
                heartbeat,
                Map.of("type", "once", "run_at", "2026-06-01T12:00:30", "timezone", "Europe/Berlin"));
        JobId cron = create(
                "heartbeat",
                heartbeat,
                Map.of("type", "cron", "expression", "0 9 * jan-mar mon-fri", "timezone", "UTC"));
        JobId preset =
                create("heartbeat", heartbeat, Map.of("type", "cron", "expression", "00 09 * * *", "timezone", "UTC"));

        assertNothingChangedBySavingTheEditForm(once, "one-time, still ahead");
        assertNothingChangedBySavingTheEditForm(cron, "cron in lower case");
        assertNothingChangedBySavingTheEditForm(preset, "cron a preset would spell otherwise");

        // once it has passed (it ran), an unchanged save keeps it, as the API's PUT of an unchanged schedule does
        clock.set(Instant.parse("2026-06-02T10:00:00Z"));
        assertNothingChangedBySavingTheEditForm(once, "one-time, passed");
        assertThat(jobs.get(once).definition().schedule().toSpec().runAt()).isEqualTo("2026-06-01T12:00:30+02:00");
    }

    @Test
    void anUnchangedEditOfAJobOfEveryBuiltInTemplateMakesNoVersion() throws Exception {
        approveTheExampleScript();
        List<String> types = templates.all().stream()
                .filter(t -> t.getClass().getPackageName().equals("dev.almanac.template.builtin")
                        || t.getClass().getPackageName().equals("dev.almanac.script"))
                .map(t -> t.descriptor().type())
                .toList();
        assertThat(types).hasSize(11).contains("heartbeat", "database_cleanup", "data_export", "script", "backup");
        Map<String, Object> hourly = Map.of("type", "interval", "interval_seconds", 3600);
        List<String> changed = new ArrayList<>();
        List<String> minimalOnes = new ArrayList<>();
        for (String type : types) {
            Map<String, Object> example = templates.exampleParameters(type).orElse(Map.of());
            // the example, and (where the template takes it) only the schema's required parameters of it: every
            // other one left out, shown with its default or unticked, and read back as that
            Map<String, Object> minimal = new LinkedHashMap<>(example);
            minimal.keySet().retainAll(required(type));
            try {
                String what = type + " with " + example;
                assertNothingChangedBySavingTheEditForm(create(type, type, example, hourly), what);
                Optional<JobId> left =
                        minimal.equals(example) ? Optional.empty() : created(type + " minimal", type, minimal, hourly);
                if (left.isPresent()) {
                    minimalOnes.add(type);
                    assertNothingChangedBySavingTheEditForm(left.get(), type + " with " + minimal);
                }
            } catch (AssertionError e) {
                changed.add(e.getMessage());
            }
        }
        // a whole number stored as 2.0 is shown as 2 and read back as 2
        Map<String, Object> webhook = new LinkedHashMap<>(
                templates.exampleParameters("webhook_trigger").orElseThrow());
        webhook.put("retry_backoff_seconds", 2.0);
        try {
            assertNothingChangedBySavingTheEditForm(
                    create("webhook 2.0", "webhook_trigger", webhook, hourly), "webhook_trigger with a backoff of 2.0");
        } catch (AssertionError e) {
            changed.add(e.getMessage());
        }
        assertThat(changed).isEmpty();
        assertThat(minimalOnes).contains("heartbeat", "backup", "webhook_trigger", "script", "database_cleanup");
    }

    private Set<String> required(String type) {
        Object required =
                templates.registered(type).orElseThrow().schemaDocument().get("required");
        Set<String> names = new HashSet<>();
        if (required instanceof List<?> list) {
            list.forEach(name -> names.add(String.valueOf(name)));
        }
        return names;
    }

    private void assertNothingChangedBySavingTheEditForm(JobId id, String what) throws Exception {
        Job before = jobs.get(id);
        MultiValueMap<String, String> form = walk.nextToTheReview(what, walk.form("/jobs/" + id + "/edit", "wizard"));
        MvcResult saved = walk.save(form);
        assertThat(saved.getResponse().getStatus())
                .as(what + ": " + saved.getResponse().getContentAsString())
                .isEqualTo(302);
        Job after = jobs.get(id);
        assertThat(after.definition()).as(what).isEqualTo(before.definition());
        assertThat(String.valueOf(saved.getFlashMap().get("flash"))).as(what).startsWith("Nothing changed");
        assertThat(after.version()).as(what).isEqualTo(before.version());
        assertThat(Duration.between(before.updatedAt(), after.updatedAt()))
                .as(what)
                .isZero();
    }

    private JobId create(String type, Map<String, Object> parameters, Map<String, Object> schedule) throws Exception {
        return create(type, type, parameters, schedule);
    }

    private JobId create(String name, String type, Map<String, Object> parameters, Map<String, Object> schedule)
            throws Exception {
        return created(name, type, parameters, schedule).orElseThrow();
    }

    /** The job created through the API, or empty when the API refuses these parameters (400). */
    private Optional<JobId> created(
            String name, String type, Map<String, Object> parameters, Map<String, Object> schedule) throws Exception {
        String body = json.writeValueAsString(Map.of(
                "name", "unchanged " + name + " " + schedule.values().hashCode(),
                "template_type", type,
                "enabled", false,
                "parameters", parameters,
                "schedule", schedule));
        MockHttpServletResponse response = mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andReturn()
                .getResponse();
        String answer = response.getContentAsString(StandardCharsets.UTF_8);
        if (response.getStatus() == 400) {
            return Optional.empty();
        }
        assertThat(response.getStatus()).as(answer).isEqualTo(201);
        return JobId.parse(json.readTree(answer).path("job").path("id").asString());
    }
}
