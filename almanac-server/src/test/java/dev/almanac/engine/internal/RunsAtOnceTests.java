package dev.almanac.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.context.WebApplicationContext;

/**
 * A namespace's {@code runs_at_once} quota (issue #20) in the engine's claim: namespace {@code b} may run one run at
 * once; of its two due runs the second stays queued, saying why in the API and on the run page, and is not failed;
 * when the first ends it runs. Another namespace's run is not held back.
 */
abstract class RunsAtOnceTests extends AlmanacIntegrationTest {

    static final String API = "/api/admin/scheduler";

    @WithH2
    static class OnH2 extends RunsAtOnceTests {}

    @WithPostgres
    static class OnPostgres extends RunsAtOnceTests {}

    @Autowired
    Engine engine;

    @Autowired
    EngineStore store;

    @Autowired
    TransactionTemplate transactions;

    @Autowired
    WebApplicationContext context;

    /** Each job's name by its id: the key its block is released by. */
    private final Map<String, String> names = new HashMap<>();

    @Test
    void theSecondDueRunOfANamespaceAtItsQuotaWaitsQueuedUntilTheFirstEnds() throws Exception {
        mvc.perform(post(API + "/namespaces")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"b\",\"quotas\":{\"runs_at_once\":1}}"))
                .andExpect(status().isCreated());
        String first = create("b-first", "b");
        String second = create("b-second", "b");
        String elsewhere = create("elsewhere", "default");
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        engine.triggerOnce();

        assertThat(engine.startDue())
                .as("one run of b, and the run of the namespace without a quota")
                .hasSize(2);
        assertThat(runStatus(elsewhere)).isEqualTo("running");
        String running = "running".equals(runStatus(first)) ? first : second;
        String waiting = running.equals(first) ? second : first;
        assertThat(runStatus(running)).isEqualTo("running");
        assertThat(runStatus(waiting)).isEqualTo("queued");
        String waitingRun = runId(waiting);
        mvc.perform(get(API + "/executions/" + waitingRun))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.execution.status").value("queued"))
                .andExpect(jsonPath("$.execution.execution_host").doesNotExist())
                .andExpect(jsonPath("$.execution.waiting_reason")
                        .value(Matchers.startsWith("namespace quota runs_at_once (1) of 'b' reached: 1 of its runs")));
        mvc.perform(get(API + "/executions/" + runId(running)))
                .andExpect(jsonPath("$.execution.waiting_reason").doesNotExist());
        securedMvc()
                .perform(get("/executions/" + waitingRun).with(user("admin").roles("SUPER_ADMIN")))
                .andExpect(status().isOk())
                .andExpect(
                        content().string(Matchers.containsString("namespace quota runs_at_once (1) of &#39;b&#39;")));

        clock.advance(Duration.ofMinutes(10));
        engine.heartbeat();
        assertThat(engine.startDue())
                .as("b is at its quota, however long the run waits")
                .isEmpty();
        Optional<Instant> earliest = transactions.execute(s -> store.earliestQueued());
        assertThat(earliest)
                .as("a run held back by its quota does not wake the worker loop over and over")
                .isEmpty();
        assertThat(runStatus(waiting)).isEqualTo("queued");

        TestTemplates.Block.release(names.get(running));
        TestTemplates.Block.release(names.get(elsewhere));
        engine.awaitIdle(Duration.ofSeconds(10));
        assertThat(engine.startDue()).as("the first ended: the second starts").hasSize(1);
        assertThat(runStatus(waiting)).isEqualTo("running");
        mvc.perform(get(API + "/executions/" + waitingRun))
                .andExpect(jsonPath("$.execution.attempt").value(1))
                .andExpect(jsonPath("$.execution.waiting_reason").doesNotExist());

        TestTemplates.Block.release(names.get(waiting));
        engine.awaitIdle(Duration.ofSeconds(10));
        for (String job : List.of(first, second, elsewhere)) {
            assertThat(runStatus(job)).isEqualTo("succeeded");
        }
    }

    @Test
    void aQuotaSetAfterAClaimFoundNoneHoldsAtTheNextClaim() throws Exception {
        mvc.perform(post(API + "/namespaces")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"b\"}"))
                .andExpect(status().isCreated());
        String first = create("b-first", "b");
        String second = create("b-second", "b");
        assertThat(engine.startDue())
                .as("nothing due; the claim found no quota")
                .isEmpty();

        mvc.perform(put(API + "/namespaces/b")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"quotas\":{\"runs_at_once\":1}}"))
                .andExpect(status().isOk());
        clock.advance(Duration.ofHours(1));
        engine.heartbeat();
        engine.triggerOnce();

        assertThat(engine.startDue())
                .as("the quota set since the last claim holds at once, on the node that set it")
                .hasSize(1);
        String running = "running".equals(runStatus(first)) ? first : second;
        String waiting = running.equals(first) ? second : first;
        assertThat(runStatus(waiting)).isEqualTo("queued");

        TestTemplates.Block.release(names.get(running));
        engine.awaitIdle(Duration.ofSeconds(10));
        assertThat(engine.startDue()).hasSize(1);
        TestTemplates.Block.release(names.get(waiting));
        engine.awaitIdle(Duration.ofSeconds(10));
        assertThat(runStatus(first)).isEqualTo("succeeded");
        assertThat(runStatus(second)).isEqualTo("succeeded");
    }

    /** A blocking job in {@code namespace}, due in an hour; its block's key is its name. */
    private String create(String name, String namespace) throws Exception {
        String body = """
                {"name":"%s","namespace":"%s","template_type":"test_block","parameters":{"key":"%s"},
                 "schedule":{"type":"interval","interval_seconds":3600}}""".formatted(name, namespace, name);
        String id = JsonPath.read(
                mvc.perform(post(API + "/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(body))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
        names.put(id, name);
        return id;
    }

    private String runStatus(String job) throws Exception {
        return JsonPath.read(executions(job), "$.executions[0].status");
    }

    private String runId(String job) throws Exception {
        return JsonPath.read(executions(job), "$.executions[0].id");
    }

    private String executions(String job) throws Exception {
        String body = mvc.perform(get(API + "/jobs/" + job + "/executions"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").value(1))
                .andReturn()
                .getResponse()
                .getContentAsString();
        return body;
    }
}
