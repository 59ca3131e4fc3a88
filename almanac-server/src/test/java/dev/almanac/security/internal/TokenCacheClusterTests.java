package dev.almanac.security.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.almanac.testing.EngineNode;
import dev.almanac.testing.MutableClock;
import dev.almanac.testing.PostgresTestDatabase;
import dev.almanac.testing.WithPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.core.env.Environment;

/**
 * The token cache on two nodes over one PostgreSQL schema: what one node revokes the other refuses at once, however
 * recently it verified the token; a cached token costs no connection, and its use is written in one batch. The nodes
 * share a clock the test sets, so no cache entry ever ages out here: only signals and expiry checks end one.
 */
@Tag("postgres")
@Tag("slow")
@ExtendWith(WithPostgres.WhenReachable.class)
class TokenCacheClusterTests {

    private static final Instant START = Instant.parse("2026-06-01T10:00:00Z");
    private static final MutableClock clock = new MutableClock(START);
    private static EngineNode a;
    private static EngineNode b;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startTwoNodes() {
        String schema = PostgresTestDatabase.freshSchemaUrl("token_cache");
        a = node(schema, "tokens-a");
        b = node(schema, "tokens-b");
    }

    private static EngineNode node(String schema, String id) {
        return EngineNode.onPostgres(schema)
                .nodeId(id)
                .set("almanac.engine.enabled", false)
                .set("almanac.security.token-usage-flush-interval", "1h")
                .clock(clock)
                .start();
    }

    @AfterAll
    static void stopNodes() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @BeforeEach
    void atTheStart() {
        clock.set(START);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> a.bean(TokenCache.class).hearsOtherNodes()
                        && b.bean(TokenCache.class).hearsOtherNodes());
    }

    @Test
    void aTokenRevokedOnOneNodeIsRefusedOnTheOtherDespiteItsCache() throws Exception {
        ApiTokenService.Created token = newToken("revoked-elsewhere", START.plus(Duration.ofDays(1)));
        assertThat(get(b, "/api/admin/scheduler/me", token.secret())).isEqualTo(200);
        assertThat(b.bean(TokenCache.class).size()).isPositive();

        assertThat(delete(a, "/api/admin/scheduler/tokens/" + token.token().id(), token.secret()))
                .isEqualTo(200);

        // the NOTIFY reaches B when A commits; the clock stands still, so only the signal can end B's entry
        await().atMost(Duration.ofSeconds(2))
                .until(() -> b.bean(ApiTokenService.class)
                        .authenticate(token.secret())
                        .isEmpty());
        assertThat(get(b, "/api/admin/scheduler/me", token.secret())).isEqualTo(401);
    }

    @Test
    void aCachedTokenIsRefusedTheMomentItExpires() throws Exception {
        ApiTokenService.Created token = newToken("short-lived", START.plus(Duration.ofMinutes(5)));
        assertThat(get(b, "/api/admin/scheduler/me", token.secret())).isEqualTo(200);
        clock.advance(Duration.ofMinutes(5));
        assertThat(get(b, "/api/admin/scheduler/me", token.secret())).isEqualTo(401);
    }

    @Test
    void aCachedTokenIsVerifiedWithoutAConnection() {
        ApiTokenService.Created token = newToken("cached", START.plus(Duration.ofDays(1)));
        ApiTokenService tokens = b.bean(ApiTokenService.class);
        assertThat(tokens.authenticate(token.secret())).isPresent();
        double before = connectionsTaken(b);

        for (int i = 0; i < 100; i++) {
            assertThat(tokens.authenticate(token.secret())).isPresent();
        }

        assertThat(connectionsTaken(b)).isEqualTo(before);
    }

    @Test
    void lastUseIsWrittenInOneBatchWithTheLatestTimeOfEachToken() {
        ApiTokenService.Created first = newToken("first", START.plus(Duration.ofDays(1)));
        ApiTokenService.Created second = newToken("second", START.plus(Duration.ofDays(1)));
        ApiTokenService tokens = b.bean(ApiTokenService.class);
        tokens.authenticate(first.secret());
        clock.advance(Duration.ofSeconds(3));
        tokens.authenticate(first.secret());
        tokens.authenticate(second.secret());
        assertThat(lastUsed(first)).isNull();

        b.bean(TokenUsage.class).flush();

        Instant expected = START.plusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
        assertThat(lastUsed(first)).isEqualTo(expected);
        assertThat(lastUsed(second)).isEqualTo(expected);
    }

    private ApiTokenService.Created newToken(String name, Instant expiresAt) {
        User owner = a.bean(UserService.class)
                .create(
                        "owner-" + UUID.randomUUID().toString().substring(0, 8),
                        "x".repeat(20),
                        "SUPER_ADMIN",
                        true,
                        null);
        return a.bean(ApiTokenService.class).create(owner, name, expiresAt, false);
    }

    private Instant lastUsed(ApiTokenService.Created token) {
        return a.jdbc()
                .sql("SELECT last_used_at FROM api_tokens WHERE id = :id")
                .param("id", token.token().id())
                .query(java.time.OffsetDateTime.class)
                .optional()
                .map(java.time.OffsetDateTime::toInstant)
                .orElse(null);
    }

    private static double connectionsTaken(EngineNode node) {
        return node.bean(MeterRegistry.class)
                .get("hikaricp.connections.acquire")
                .tag("pool", "almanac")
                .timer()
                .count();
    }

    private int get(EngineNode node, String path, String token) throws Exception {
        return send(node, HttpRequest.newBuilder(uri(node, path)).GET(), token);
    }

    private int delete(EngineNode node, String path, String token) throws Exception {
        return send(node, HttpRequest.newBuilder(uri(node, path)).DELETE(), token);
    }

    private int send(EngineNode node, HttpRequest.Builder request, String token) throws Exception {
        return http.send(
                        request.header("Authorization", "Bearer " + token).build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static URI uri(EngineNode node, String path) {
        return URI.create("http://127.0.0.1:" + node.bean(Environment.class).getProperty("local.server.port") + path);
    }
}
