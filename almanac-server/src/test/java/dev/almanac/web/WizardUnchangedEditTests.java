package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import dev.almanac.testing.WizardWalk;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * Opening a job's edit form and saving it without touching a field changes nothing: no new version, the same schedule
 * (a one-time run_at to the second, even one that has passed; a cron expression as it was written), whatever the
 * template's parameters are (numbers among them).
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
        return JobId.parse(walk.createJob(Map.of(
                        "name", "unchanged " + type + " " + schedule.values().hashCode(),
                        "template_type", type,
                        "parameters", parameters,
                        "schedule", schedule)))
                .orElseThrow();
    }
}
