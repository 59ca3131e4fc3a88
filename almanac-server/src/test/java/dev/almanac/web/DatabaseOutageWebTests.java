package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.testing.EngineNode;
import dev.almanac.testing.MutableClock;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.TcpProxy;
import dev.almanac.testing.WithPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.env.Environment;

/**
 * The database goes dead under a running node (a TCP proxy stops moving bytes): the health endpoint says so within
 * 2 s, the API answers 503 problem JSON with {@code Retry-After} within a few seconds, also where security would
 * have looked the caller up in the database, and a browser gets the "database unavailable" page. When the database is
 * back, so are the answers.
 */
@Tag("postgres")
@Tag("slow")
@ExtendWith(WithPostgres.WhenReachable.class)
class DatabaseOutageWebTests {

    private static final String PASSWORD = "outage-test-Pa55word!";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    @ExtendWith(OutputCaptureExtension.class)
    void answersFastAndSaysWhyWhileTheDatabaseIsAway(CapturedOutput output) throws Exception {
        String url = PostgresTestDatabase.freshSchemaUrl("outage_web");
        try (TcpProxy proxy = TcpProxy.toDatabase(url);
                EngineNode node = EngineNode.onPostgres(proxy.jdbcUrl(url))
                        .nodeId("outage-web")
                        .set("almanac.security.admin-password", PASSWORD)
                        .set("almanac.engine.heartbeat-interval", "500ms")
                        .set("almanac.engine.heartbeat-timeout", "1s")
                        .set("almanac.engine.dead-node-threshold", "6s")
                        .start()) {
            String base = "http://127.0.0.1:" + node.bean(Environment.class).getProperty("local.server.port");
            assertThat(get(base + "/api/admin/scheduler/jobs", basicAuth()).statusCode())
                    .isEqualTo(200);
            HttpClient browser = signedIn(base);
            assertThat(get(base + "/actuator/health", null).statusCode()).isEqualTo(200);

            proxy.blackhole();

            // health reuses an "up" for a second; every answer comes within 2 s, and soon says the database is away
            HttpResponse<String> health = await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () -> {
                                long asked = System.nanoTime();
                                HttpResponse<String> answer = get(base + "/actuator/health", null);
                                assertThat(elapsed(asked)).isLessThan(Duration.ofSeconds(2));
                                return answer;
                            },
                            answer -> answer.statusCode() == 503);
            assertThat(health.body()).contains("\"DOWN\"").contains("\"db\"");

            long start = System.nanoTime();
            HttpResponse<String> api = get(base + "/api/admin/scheduler/jobs", basicAuth());
            assertThat(elapsed(start)).isLessThan(Duration.ofSeconds(4));
            assertThat(api.statusCode()).isEqualTo(503);
            assertThat(api.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(api.headers().firstValue("Retry-After")).hasValue("5");
            assertThat(api.body()).contains("\"status\":503").contains("database is unavailable");

            start = System.nanoTime();
            HttpResponse<String> token = get(base + "/api/admin/scheduler/jobs", "Bearer not-a-real-token");
            assertThat(elapsed(start)).isLessThan(Duration.ofSeconds(4));
            assertThat(token.statusCode())
                    .as("not 401: the token could not be looked up")
                    .isEqualTo(503);

            // a scrape signed in with a password or a token that cannot be looked up: 503, not a 500 and a trace
            for (String credentials : new String[] {basicAuth(), "Bearer not-a-real-token"}) {
                HttpResponse<String> scrape = get(base + "/actuator/prometheus", credentials);
                assertThat(scrape.statusCode()).as(scrape.body()).isEqualTo(503);
                assertThat(scrape.body()).contains("database is unavailable");
            }

            HttpResponse<String> page = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/jobs"))
                            .header("Accept", "text/html")
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(503);
            assertThat(page.body()).contains("Database unavailable").contains("almanac.css");
            // a signed-in browser too: the page's header reads nothing more from the database, its style sheet loads
            HttpResponse<String> signedInPage = browser.send(
                    HttpRequest.newBuilder(URI.create(base + "/jobs"))
                            .header("Accept", "text/html")
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(signedInPage.statusCode()).isEqualTo(503);
            assertThat(signedInPage.body()).contains("Database unavailable");
            assertThat(browser.send(
                                    HttpRequest.newBuilder(URI.create(base + "/css/almanac.css"))
                                            .timeout(Duration.ofSeconds(10))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);

            proxy.restore();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() ->
                            get(base + "/api/admin/scheduler/jobs", basicAuth()).statusCode() == 200);
            // health follows: the engine's part is down until the node's next heartbeat renews the lease it lost
            // during the outage (the API answers as soon as the database does)
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> get(base + "/actuator/health", null).statusCode() == 200);
            // the log tells the outage in a line when it began and one when it ended, without a stack trace from each
            // library that met it (Spring's rollback that could not reach the database either, Hikari's broken
            // connections)
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> output.getAll().contains("The database is reachable again"));
            assertThat(output.getAll())
                    .contains("The database is unreachable")
                    .doesNotContain("overridden by rollback exception", "marked as broken", "shorter maxLifetime");
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aScrapeWithATokenVerifiedBeforeAnswersAtOnceWhileTheDatabaseIsAway() throws Exception {
        String url = PostgresTestDatabase.freshSchemaUrl("outage_scrape");
        MutableClock clock = new MutableClock(Instant.now());
        try (TcpProxy proxy = TcpProxy.toDatabase(url);
                EngineNode node = EngineNode.onPostgres(proxy.jdbcUrl(url))
                        .nodeId("outage-scrape")
                        .clock(clock)
                        .set("almanac.security.admin-password", PASSWORD)
                        .set("almanac.engine.heartbeat-interval", "500ms")
                        .set("almanac.engine.heartbeat-timeout", "1s")
                        .set("almanac.engine.dead-node-threshold", "6s")
                        .start()) {
            String base = "http://127.0.0.1:" + node.bean(Environment.class).getProperty("local.server.port");
            HttpResponse<String> created = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/admin/scheduler/tokens"))
                            .header("Authorization", basicAuth())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"prometheus\",\"read_only\":true}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            java.util.regex.Matcher secret =
                    java.util.regex.Pattern.compile("\"secret\":\"([^\"]+)\"").matcher(created.body());
            assertThat(secret.find()).isTrue();
            String bearer = "Bearer " + secret.group(1);
            assertThat(get(base + "/actuator/prometheus", bearer).statusCode()).isEqualTo(200);

            proxy.blackhole();
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> get(base + "/actuator/health", null).statusCode() == 503);
            // long past the token cache's lifetime: the token was verified before the outage, nothing evicted it
            clock.advance(Duration.ofMinutes(10));

            for (int scrape = 0; scrape < 3; scrape++) {
                long start = System.nanoTime();
                HttpResponse<String> metrics = get(base + "/actuator/prometheus", bearer);
                assertThat(elapsed(start)).isLessThan(Duration.ofSeconds(1));
                assertThat(metrics.statusCode()).as(metrics.body()).isEqualTo(200);
                assertThat(metrics.body())
                        .contains("almanac_node_heartbeat_age_seconds")
                        .contains("almanac_executions_queued NaN");
            }
            // a token this node never verified still cannot be looked up
            HttpResponse<String> unknown = get(base + "/actuator/prometheus", "Bearer alm_never-seen-here");
            assertThat(unknown.statusCode()).isEqualTo(503);
        }
    }

    /** A browser signed in through the login form: its own cookies, redirects not followed. */
    private static HttpClient signedIn(String base) throws Exception {
        HttpClient browser = HttpClient.newBuilder()
                .cookieHandler(new java.net.CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        String login = browser.send(
                        HttpRequest.newBuilder(URI.create(base + "/login")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"")
                .matcher(login);
        assertThat(csrf.find()).isTrue();
        HttpResponse<String> signed = browser.send(
                HttpRequest.newBuilder(URI.create(base + "/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("username=admin&password="
                                + java.net.URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "&_csrf="
                                + java.net.URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signed.headers().firstValue("Location").orElse("")).doesNotContain("error");
        return browser;
    }

    private HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(40));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basicAuth() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    private static Duration elapsed(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
