package dev.almanac.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

/**
 * A plugin upgrade whose template requires a new parameter: its jobs are flagged invalid with the reason (API filter,
 * job list, job page), their scheduled runs are skipped with reason {@code invalid} instead of failing, and saving a
 * valid definition clears the flag.
 */
abstract class TemplateVersionTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends TemplateVersionTests {}

    @WithPostgres
    static class OnPostgres extends TemplateVersionTests {}

    static final String JOBS = "/api/admin/scheduler/jobs";

    /** The pages as a signed-in super admin sees them. */
    static final org.springframework.test.web.servlet.request.RequestPostProcessor ADMIN =
            org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user("admin")
                    .roles("SUPER_ADMIN");

    @Autowired
    TemplateRegistry templates;

    @Autowired
    JobTemplateCheck check;

    @Autowired
    JobRepository jobRepository;

    @Autowired
    Engine engine;

    @AfterEach
    void reinstallTheFirstVersion() {
        templates.replace(new TestTemplates.Versioned());
    }

    @Test
    void anUpgradeThatRequiresANewParameterFlagsItsJobsWhichAreSkippedUntilSavedValid() throws Exception {
        String created = mvc.perform(
                        post(JOBS).contentType(MediaType.APPLICATION_JSON).content("""
                                {"name":"greeter","template_type":"test_versioned","parameters":{"greeting":"hi"},
                                 "schedule":{"type":"interval","interval_seconds":60}}"""))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.template_version").value("1"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        String id = JsonPath.read(created, "$.job.id");
        assertThat((Object) JsonPath.read(created, "$.job.invalid_reason")).isNull();
        mvc.perform(get(JOBS).param("invalid", "true"))
                .andExpect(jsonPath("$.total").value(0));

        templates.replace(TestTemplates.Versioned.upgraded());

        mvc.perform(get(JOBS).param("invalid", "true"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").value(1))
                .andExpect(jsonPath("$.jobs[0].name").value("greeter"))
                .andExpect(jsonPath("$.jobs[0].template_version").value("1"))
                .andExpect(jsonPath("$.jobs[0].invalid_reason")
                        .value(containsString("no longer validate against test_versioned version 2")))
                .andExpect(jsonPath("$.jobs[0].invalid_reason").value(containsString("parameters.region is required")));
        mvc.perform(get(JOBS).param("invalid", "false"))
                .andExpect(jsonPath("$.total").value(0));
        mvc.perform(get(JOBS).param("invalid", "sometimes"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("invalid"));
        mvc.perform(get("/api/admin/scheduler/templates/test_versioned"))
                .andExpect(jsonPath("$.template.version").value("2"))
                .andExpect(jsonPath("$.changes[1].version").value("2"))
                .andExpect(jsonPath("$.changes[1].summary").value(containsString("region")));

        mvc.perform(get("/jobs/" + id).with(ADMIN))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("id=\"invalid-job\"")))
                .andExpect(content().string(containsString("region")));
        mvc.perform(get("/jobs").param("invalid", "true").with(ADMIN))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("greeter")))
                .andExpect(content().string(containsString(">invalid</span>")));

        clock.set(START.plus(Duration.ofMinutes(2)));
        engine.runDueOnce();
        List<Map<String, Object>> runs = jdbc.sql("SELECT status, reason FROM executions WHERE job_id = :id")
                .param("id", UUID.fromString(id))
                .query()
                .listOfRows();
        assertThat(runs).isNotEmpty().allSatisfy(run -> {
            assertThat(run.get("status")).isEqualTo("skipped");
            assertThat(run.get("reason")).isEqualTo("invalid");
        });

        String saved = mvc.perform(put(JOBS + "/" + id)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"parameters":{"greeting":"hi","region":"eu"}}"""))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.job.template_version").value("2"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat((Object) JsonPath.read(saved, "$.job.invalid_reason")).isNull();
        mvc.perform(get(JOBS).param("invalid", "true"))
                .andExpect(jsonPath("$.total").value(0));
        mvc.perform(get("/jobs/" + id).with(ADMIN))
                .andExpect(content().string(org.hamcrest.Matchers.not(containsString("id=\"invalid-job\""))));

        clock.set(START.plus(Duration.ofMinutes(4)));
        engine.runDueOnce();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM executions WHERE job_id = :id AND status = 'succeeded'")
                        .param("id", UUID.fromString(id))
                        .query(Long.class)
                        .single())
                .isPositive();
    }

    @Test
    void aStartUpCheckClearsAFlagOnceTheParametersValidateAgain() throws Exception {
        createEveryMinute("plain");
        templates.replace(TestTemplates.Versioned.upgraded());
        assertThat(check.checkAll().invalid()).isEqualTo(1);

        templates.replace(new TestTemplates.Versioned());

        assertThat(check.checkAll()).isEqualTo(new JobTemplateCheck.Outcome(1, 0));
        mvc.perform(get(JOBS).param("invalid", "true"))
                .andExpect(jsonPath("$.total").value(0));
    }

    /**
     * The check validates a page outside its transaction; a flag it then writes lands only where the job is still as
     * it read it: a save in between (a new version) or a flag cleared in between keeps what it wrote.
     */
    @Test
    void theCheckWritesNoFlagOverAJobChangedSinceItReadIt() throws Exception {
        createEveryMinute("raced");
        JobRepository.StoredParameters read =
                jobRepository.parametersAfter(new java.util.UUID(0, 0), 10).get(0);

        jdbc.sql("UPDATE jobs SET version = version + 1").update(); // a save lands meanwhile
        jobRepository.markInvalid(read, "checked against what the save replaced");
        jobRepository.markValidated(read, "9");

        assertThat(jdbc.sql("SELECT COALESCE(invalid_reason, '-') || ' ' || template_version FROM jobs")
                        .query(String.class)
                        .single())
                .isEqualTo("- " + read.templateVersion());

        JobRepository.StoredParameters current =
                jobRepository.parametersAfter(new java.util.UUID(0, 0), 10).get(0);
        jobRepository.markInvalid(current, "flagged as read");
        assertThat(jdbc.sql("SELECT invalid_reason FROM jobs")
                        .query(String.class)
                        .single())
                .isEqualTo("flagged as read");
    }

    @Test
    void theStartUpCheckRunsInTheBackgroundAndItsFlagSkipsTheJobOnceItHasRun() throws Exception {
        String created = mvc.perform(
                        post(JOBS).contentType(MediaType.APPLICATION_JSON).content("""
                                {"name":"late","template_type":"test_versioned","parameters":{"greeting":"hi"},
                                 "schedule":{"type":"interval","interval_seconds":60}}"""))
                .andExpect(status().isCreated())
                .andReturn()
                .getResponse()
                .getContentAsString();
        UUID id = UUID.fromString(JsonPath.read(created, "$.job.id"));
        templates.replace(TestTemplates.Versioned.upgraded());
        // as after a restart with the upgraded plugin: nothing flagged yet
        jdbc.sql("UPDATE jobs SET invalid_reason = NULL").update();

        check.afterStartUp();

        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> jdbc.sql("SELECT invalid_reason FROM jobs WHERE id = :id")
                                .param("id", id)
                                .query(String.class)
                                .optional()
                                .orElse(null)
                        != null);
        clock.set(START.plus(Duration.ofMinutes(2)));
        engine.runDueOnce();
        assertThat(jdbc.sql("SELECT DISTINCT reason FROM executions WHERE job_id = :id")
                        .param("id", id)
                        .query(String.class)
                        .list())
                .containsExactly("invalid");
    }

    private void createEveryMinute(String name) throws Exception {
        mvc.perform(post(JOBS).contentType(MediaType.APPLICATION_JSON).content("""
                                {"name":"%s","template_type":"test_versioned","parameters":{},
                                 "schedule":{"type":"interval","interval_seconds":60}}""".formatted(name)))
                .andExpect(status().isCreated());
    }
}
