package dev.almanac.template;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.LogLine;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

/**
 * The sample plugin module (almanac-sample-plugin) is on the class path as a plugin jar would be: its template is
 * found through ServiceLoader, listed by the API, validated like a built-in and run by the engine.
 */
@WithH2
class SamplePluginTests extends AlmanacIntegrationTest {

    @Autowired
    JobService jobs;

    @Autowired
    Engine engine;

    @Autowired
    ExecutionService executions;

    @Test
    void theSamplePluginsTemplateIsListedAndRunsLikeABuiltIn() throws Exception {
        mvc.perform(get("/api/admin/scheduler/templates"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.templates[?(@.type == 'countdown')].category")
                        .value("samples"));

        Job job = jobs.create(
                anIntervalJob("countdown", 60)
                        .template("countdown", Map.of("from", 3, "step_millis", 0))
                        .build(),
                "test");
        clock.advance(Duration.ofSeconds(60));
        engine.runDueOnce();

        List<Execution> runs = executions.list(ExecutionQuery.ofJob(job.id(), 10));
        assertThat(runs).singleElement().satisfies(run -> {
            assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(run.result()).containsEntry("message", "liftoff after 3 steps");
            assertThat(executions.logs(run.id(), 0))
                    .extracting(LogLine::message)
                    .containsSubsequence("T-minus 3", "T-minus 2", "T-minus 1", "liftoff");
        });
    }

    @Test
    void itsOwnValidationNamesTheFieldLikeABuiltInsDoes() throws Exception {
        mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("""
                                {"name": "too-long", "template_type": "countdown",
                                 "parameters": {"from": 1000, "step_millis": 60000},
                                 "schedule": {"type": "interval", "interval_seconds": 3600}}
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.step_millis"));
    }
}
