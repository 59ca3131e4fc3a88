package dev.almanac.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A burst of refusals thrown inside services' transactions, more at once than the pool has connections, over real
 * HTTP: each is answered 403 and recorded once. A refusal's event used to take a second connection while the refused
 * request's transaction held its first, so with every connection held the requests waited on each other until the
 * pool's time-out, answered 503 and lost their events.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "almanac.data-dir=target/test-data",
            "almanac.engine.enabled=false",
            "spring.datasource.hikari.maximum-pool-size=3",
            "spring.datasource.hikari.connection-timeout=1500"
        })
abstract class RefusalBurstTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends RefusalBurstTests {}

    @WithPostgres
    static class OnPostgres extends RefusalBurstTests {}

    static final int AT_ONCE = 8;

    @LocalServerPort
    int port;

    @Test
    void refusalsInsideTransactionsMoreThanThePoolHoldsAreEachAnsweredAndRecorded() throws Exception {
        String viewer = logins.token("vera", TestLogins.USER, false);
        api("POST", "/namespaces", "{\"name\":\"a\"}");
        api("PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"vera\",\"role\":\"viewer\"}]}");
        String job = JsonPath.read(api("POST", "/jobs", """
                        {"name":"a-beat","namespace":"a","template_type":"heartbeat","parameters":{},
                         "schedule":{"type":"interval","interval_seconds":60}}"""), "$.job.id");
        String range = "{\"from\":\"" + START.minus(Duration.ofMinutes(5)) + "\",\"to\":\""
                + START.minus(Duration.ofMinutes(1)) + "\"}";
        HttpClient client = HttpClient.newHttpClient();
        CyclicBarrier together = new CyclicBarrier(AT_ONCE);
        ExecutorService senders = Executors.newFixedThreadPool(AT_ONCE);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < AT_ONCE; i++) {
                answers.add(senders.submit(() -> {
                    together.await();
                    return client.send(
                            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/admin/scheduler/jobs/"
                                            + job + "/backfill"))
                                    .header("Authorization", "Bearer " + viewer)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(range))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                }));
            }
            for (Future<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
            }
        } finally {
            senders.shutdownNow();
        }

        List<Object> denials = JsonPath.read(api("GET", "/audit?action=access.denied&limit=1000", null), "$.events");
        assertThat(denials).hasSize(AT_ONCE);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM backfills WHERE job_id = :job")
                        .param("job", UUID.fromString(job))
                        .query(Long.class)
                        .single())
                .isZero();
    }
}
