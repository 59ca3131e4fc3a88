package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.aCronJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobCache;
import dev.almanac.job.JobService;
import dev.almanac.testing.EngineNode;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.TcpProxy;
import dev.almanac.testing.WithPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The job read cache on an API node and a worker over one PostgreSQL schema, through {@code GET /jobs/{id}}: a job
 * one node shows from its cache is shown anew there once the other node changed, paused, ran or deleted it. Entries live an hour here, so
 * only the nodes' signals can end them; the node that changes jobs runs no engine loops, so its writes reach the other
 * through the signal whatever its role. A third node reaches the database through a proxy the test can cut, for the
 * signals a node misses while it is cut off.
 */
@Tag("postgres")
@Tag("cluster")
@ExtendWith(WithPostgres.WhenReachable.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JobCacheClusterTests {

    private static final String PASSWORD = "job-cache-cluster-password";
    private static final HttpClient http = HttpClient.newHttpClient();
    private static EngineNode api;
    private static String token;
    private static EngineNode worker;
    private static TcpProxy proxy;
    private static EngineNode remote;

    @BeforeAll
    static void startTheNodes() throws Exception {
        String url = PostgresTestDatabase.freshSchemaUrl("job_cache");
        api = EngineNode.onPostgres(url)
                .nodeId("cache-api")
                .set("almanac.security.admin-password", PASSWORD)
                .set("almanac.security.api-requests-per-minute", 0)
                .set("almanac.engine.enabled", false)
                .set("almanac.security.token-usage-flush-interval", "1h")
                .set("almanac.jobs.read-cache-ttl", "1h")
                .start();
        worker = EngineNode.onPostgres(url)
                .nodeId("cache-worker")
                .set("almanac.security.api-requests-per-minute", 0)
                .set("almanac.jobs.read-cache-ttl", "1h")
                .start();
        proxy = TcpProxy.toDatabase(url);
        remote = EngineNode.onPostgres(proxy.jdbcUrl(url))
                .nodeId("cache-remote")
                .set("almanac.security.api-requests-per-minute", 0)
                .set("almanac.engine.enabled", false)
                .set("almanac.jobs.read-cache-ttl", "1h")
                .start();
        token = newToken();
    }

    /** An API token of the first super admin, so that a known token costs no connection either. */
    private static String newToken() throws Exception {
        String basic = Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(uri(api, "/tokens"))
                        .header("Authorization", "Basic " + basic)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"job-cache\",\"expires_at\":\""
                                + Instant.now().plus(Duration.ofDays(1)) + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        return api.bean(JsonMapper.class)
                .readTree(created.body())
                .path("secret")
                .asString();
    }

    @AfterAll
    static void stopThem() throws Exception {
        if (remote != null) {
            remote.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (worker != null) {
            worker.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @BeforeEach
    void bothNodesHearEachOther() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> api.bean(JobCache.class).hearsOtherNodes()
                        && worker.bean(JobCache.class).hearsOtherNodes());
    }

    @Test
    void aShownJobIsShownAgainWithoutAConnection() throws Exception {
        Job job = worker.bean(JobService.class)
                .create(aCronJob("kept", "0 0 1 1 *").build(), "test");
        // the node without engine loops takes no connection of its own meanwhile, and the token is cached too
        assertThat(shown(api, job).path("name").asString()).isEqualTo("kept");
        double before = connectionsTaken(api);

        for (int i = 0; i < 100; i++) {
            assertThat(shown(api, job).path("name").asString()).isEqualTo("kept");
        }

        assertThat(connectionsTaken(api)).isEqualTo(before);
    }

    @Test
    void aJobChangedOnOneNodeIsShownAnewOnTheOther() throws Exception {
        Job job = api.bean(JobService.class)
                .create(aCronJob("changed-elsewhere", "0 0 1 1 *").build(), "test");
        assertThat(shown(worker, job).path("version").asLong()).isEqualTo(1);

        api.bean(JobService.class)
                .update(
                        job.id(),
                        api.bean(JsonMapper.class).createObjectNode().put("description", "changed on the API node"),
                        "test");

        await().atMost(Duration.ofSeconds(2))
                .until(() -> shown(worker, job).path("version").asLong() == 2);
        assertThat(shown(worker, job).path("description").asString()).isEqualTo("changed on the API node");
    }

    @Test
    void aJobPausedOnOneNodeIsShownPausedOnTheOther() throws Exception {
        Job job = api.bean(JobService.class)
                .create(aCronJob("paused-elsewhere", "0 0 1 1 *").build(), "test");
        assertThat(shown(worker, job).path("paused_since").isNull()).isTrue();

        api.bean(JobService.class).pause(job.id(), null, "maintenance");

        await().atMost(Duration.ofSeconds(2))
                .until(() -> !shown(worker, job).path("paused_since").isNull());
    }

    @Test
    void aRunOnOneNodeShowsInTheJobTheOtherKept() throws Exception {
        Job job = api.bean(JobService.class)
                .create(aCronJob("ran-elsewhere", "0 0 1 1 *").build(), "test");
        assertThat(shown(api, job).path("last_status").isNull()).isTrue();

        Execution run = api.bean(ManualRuns.class).run(job, Map.of(), false, "test");
        ExecutionService executions = api.bean(ExecutionService.class);
        await().atMost(Duration.ofMinutes(1))
                .until(() -> executions.get(run.id()).status() == ExecutionStatus.SUCCEEDED);

        // the worker wrote the job's last outcome; the API node kept the job from before the run
        await().atMost(Duration.ofSeconds(2))
                .until(() ->
                        "succeeded".equals(shown(api, job).path("last_status").asString()));
    }

    @Test
    void aJobDeletedOnOneNodeIsGoneOnTheOther() throws Exception {
        Job job = api.bean(JobService.class)
                .create(aCronJob("deleted-elsewhere", "0 0 1 1 *").build(), "test");
        assertThat(status(worker, job)).isEqualTo(200);

        api.bean(JobService.class).delete(job.id(), "test");

        await().atMost(Duration.ofSeconds(2)).until(() -> status(worker, job) == 404);
    }

    /**
     * A node cut off from the database (its network gone, the node still up) hears none of the other nodes' signals
     * meanwhile; once it is back, it shows a job another node changed while it was away as changed, not the copy it
     * kept from before.
     */
    @Test
    void aNodeCutOffShowsTheJobsChangedWhileItWasAwayOnceItIsBack() throws Exception {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> remote.bean(JobCache.class).hearsOtherNodes());
        Job job = api.bean(JobService.class)
                .create(aCronJob("changed-while-away", "0 0 1 1 *").build(), "test");
        assertThat(shown(remote, job).path("version").asLong()).isEqualTo(1);

        proxy.blackhole();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !remote.bean(JobCache.class).hearsOtherNodes());
            api.bean(JobService.class)
                    .update(
                            job.id(),
                            api.bean(JsonMapper.class)
                                    .createObjectNode()
                                    .put("description", "changed while the other node was away"),
                            "test");
        } finally {
            proxy.restore();
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> remote.bean(JobCache.class).hearsOtherNodes());

        JsonNode shown = shown(remote, job);
        assertThat(shown.path("version").asLong()).isEqualTo(2);
        assertThat(shown.path("description").asString()).isEqualTo("changed while the other node was away");
    }

    private static JsonNode shown(EngineNode node, Job job) throws Exception {
        HttpResponse<String> response = get(node, job);
        assertThat(response.statusCode()).isEqualTo(200);
        return node.bean(JsonMapper.class).readTree(response.body()).path("job");
    }

    private static int status(EngineNode node, Job job) throws Exception {
        return get(node, job).statusCode();
    }

    private static HttpResponse<String> get(EngineNode node, Job job) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(node, "/jobs/" + job.id()))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(EngineNode node, String path) {
        return URI.create("http://127.0.0.1:" + node.bean(Environment.class).getProperty("local.server.port")
                + "/api/admin/scheduler" + path);
    }

    private static double connectionsTaken(EngineNode node) {
        return node.bean(MeterRegistry.class)
                .get("hikaricp.connections.acquire")
                .tag("pool", "almanac")
                .timer()
                .count();
    }
}
