package dev.almanac.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.almanac.common.RunControl;
import dev.almanac.outbound.internal.OutboundProperties;
import dev.almanac.template.OutboundHttp;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The guarded client against a real HTTP server, reached only because the operator allowed "localhost". */
class GuardedHttpClientTest {

    MockWebServer server = new MockWebServer();
    GuardedHttpClient client = new GuardedHttpClient(
            new OutboundProperties(List.of("localhost"), Duration.ofSeconds(5), 5, "Almanac-Test"));

    @BeforeEach
    void start() throws Exception {
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    URI url(String path) {
        return URI.create("http://localhost:" + server.getPort() + path);
    }

    OutboundHttp.Request get(URI uri, boolean follow) {
        return new OutboundHttp.Request("GET", uri, Map.of(), null, Duration.ofSeconds(5), 10, follow);
    }

    @Test
    void callsAnAllowedHostAndKeepsItsNameInTheHostHeader() throws Exception {
        server.enqueue(
                new MockResponse.Builder().code(200).body("0123456789abcdef").build());

        OutboundHttp.Response response = client.send(get(url("/hook?x=1"), false), RunControl.unlimited());

        assertThat(response.status()).isEqualTo(200);
        assertThat(new String(response.body())).isEqualTo("0123456789");
        assertThat(response.truncated()).isTrue();
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getHeaders().get("Host")).isEqualTo("localhost:" + server.getPort());
        assertThat(request.getHeaders().get("User-Agent")).isEqualTo("Almanac-Test");
        assertThat(request.getTarget()).isEqualTo("/hook?x=1");
    }

    @Test
    void sendsThePathAndQueryByteForByteAsWritten() throws Exception {
        List<String> targets = List.of(
                "/a%20b/c%2Fd/%C3%A9t%C3%A9?x=a%20b&y=a+b&z=%2F%3F%26%3D%25&e=%C3%A9",
                "/signed?X-Amz-Signature=ab%2Bcd%3D%3D&X-Amz-Credential=AKIA%2F20261202%2Feu%2Fs3&sig=a+b/c?d=e",
                "/./x/../y?list=a,b;c:d@e!$'()*&empty=&=&&");
        for (String target : targets) {
            server.enqueue(new MockResponse.Builder().code(204).build());

            client.send(get(url(target), false), RunControl.unlimited());

            assertThat(server.takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo(target);
        }
    }

    @Test
    void checksEveryRedirectAgain() {
        server.enqueue(new MockResponse.Builder()
                .code(302)
                .addHeader("Location", "http://169.254.169.254/latest/meta-data/")
                .build());

        assertThatThrownBy(() -> client.send(get(url("/redirect"), true), RunControl.unlimited()))
                .isInstanceOf(OutboundHttp.RefusedException.class)
                .hasMessageContaining("169.254.169.254");
    }

    @Test
    void followsARedirectToAnAllowedPlace() throws Exception {
        server.enqueue(new MockResponse.Builder()
                .code(301)
                .addHeader("Location", "/moved")
                .build());
        server.enqueue(new MockResponse.Builder().code(204).build());

        OutboundHttp.Response response = client.send(get(url("/old"), true), RunControl.unlimited());

        assertThat(response.status()).isEqualTo(204);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo("/old");
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo("/moved");
    }

    @Test
    void aRedirectToAnotherOriginGoesWithoutCredentials() throws Exception {
        try (MockWebServer elsewhere = new MockWebServer()) {
            elsewhere.start();
            elsewhere.enqueue(new MockResponse.Builder().code(204).build());
            server.enqueue(new MockResponse.Builder()
                    .code(307)
                    .addHeader("Location", "http://localhost:" + elsewhere.getPort() + "/landed")
                    .build());

            OutboundHttp.Response response =
                    client.send(withCredentials(url("/start"), Set.of("x-api-key")), RunControl.unlimited());

            assertThat(response.status()).isEqualTo(204);
            RecordedRequest first = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer s3cret");
            assertThat(first.getHeaders().get("X-Api-Key")).isEqualTo("key-1");
            RecordedRequest second = elsewhere.takeRequest(5, TimeUnit.SECONDS);
            assertThat(second.getTarget()).isEqualTo("/landed");
            assertThat(second.getHeaders().names())
                    .map(name -> name.toLowerCase(Locale.ROOT))
                    .doesNotContain("authorization", "cookie", "proxy-authorization", "x-api-key");
            assertThat(second.getHeaders().get("X-Trace")).isEqualTo("t-1");
        }
    }

    @Test
    void aRedirectOnTheSameOriginKeepsCredentials() throws Exception {
        server.enqueue(new MockResponse.Builder()
                .code(302)
                .addHeader("Location", "/moved")
                .build());
        server.enqueue(new MockResponse.Builder().code(204).build());

        client.send(withCredentials(url("/old"), Set.of("X-Api-Key")), RunControl.unlimited());

        server.takeRequest(5, TimeUnit.SECONDS);
        RecordedRequest moved = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(moved.getTarget()).isEqualTo("/moved");
        assertThat(moved.getHeaders().get("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(moved.getHeaders().get("Cookie")).isEqualTo("session=1");
        assertThat(moved.getHeaders().get("X-Api-Key")).isEqualTo("key-1");
    }

    OutboundHttp.Request withCredentials(URI uri, Set<String> credentialHeaders) {
        return new OutboundHttp.Request(
                "GET",
                uri,
                Map.of(
                        "Authorization", "Bearer s3cret",
                        "Cookie", "session=1",
                        "Proxy-Authorization", "Basic cHJveHk=",
                        "X-Api-Key", "key-1",
                        "X-Trace", "t-1"),
                null,
                Duration.ofSeconds(5),
                10,
                true,
                credentialHeaders);
    }

    @Test
    void refusesAHostTheOperatorDidNotAllow() {
        URI loopback = URI.create("http://127.0.0.1:" + server.getPort() + "/");

        assertThatThrownBy(() -> client.send(get(loopback, false), RunControl.unlimited()))
                .isInstanceOf(OutboundHttp.RefusedException.class)
                .hasMessageContaining("loopback");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void aBodyThatTricklesIsGivenUpAtTheTimeoutAndSaysSo() {
        // headers at once, then one byte a second: the timeout bounds the whole exchange, not just the headers
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .body("x".repeat(100))
                .throttleBody(1, 1, TimeUnit.SECONDS)
                .build());
        OutboundHttp.Request request =
                new OutboundHttp.Request("GET", url("/slow"), Map.of(), null, Duration.ofSeconds(1), 1000, false);

        long started = System.nanoTime();
        assertThatThrownBy(() -> client.send(request, RunControl.unlimited()))
                .isInstanceOf(java.net.http.HttpTimeoutException.class)
                .hasMessage("timed out reading the response from localhost after 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aBodyThatNeverComesIsGivenUpAtTheTimeout() {
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .body("late")
                .bodyDelay(60, TimeUnit.SECONDS)
                .build());
        OutboundHttp.Request request = new OutboundHttp.Request(
                "POST", url("/stalled"), Map.of(), new byte[] {1}, Duration.ofSeconds(1), 1000, false);

        long started = System.nanoTime();
        assertThatThrownBy(() -> client.send(request, RunControl.unlimited()))
                .hasMessage("timed out reading the response from localhost after 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void noHeadersInTimeSaysNoResponse() {
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .headersDelay(60, TimeUnit.SECONDS)
                .build());
        OutboundHttp.Request request =
                new OutboundHttp.Request("GET", url("/silent"), Map.of(), null, Duration.ofMillis(800), 1000, false);

        long started = System.nanoTime();
        assertThatThrownBy(() -> client.send(request, RunControl.unlimited()))
                .hasMessage("no response from localhost within 0.8 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2400));
    }

    @Test
    void aStoppedRunAbortsAStalledBody() {
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .body("late")
                .bodyDelay(60, TimeUnit.SECONDS)
                .build());
        StoppableRun run = new StoppableRun();
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor()
                .schedule(run::stop, 500, TimeUnit.MILLISECONDS);
        OutboundHttp.Request request =
                new OutboundHttp.Request("GET", url("/stalled"), Map.of(), null, Duration.ofSeconds(30), 1000, false);

        long started = System.nanoTime();
        assertThatThrownBy(() -> client.send(request, run)).hasMessageContaining("stopped");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aBodyLongerThanTheCapIsCutWithoutWaitingForTheRest() {
        // the first bytes come at once, the rest never: the cap is reached, so the call ends without the rest
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .body("0123456789abcdef".repeat(1000))
                .throttleBody(4096, 60, TimeUnit.SECONDS)
                .build());
        OutboundHttp.Request request =
                new OutboundHttp.Request("GET", url("/long"), Map.of(), null, Duration.ofSeconds(5), 10, false);

        long started = System.nanoTime();
        OutboundHttp.Response response;
        try {
            response = client.send(request, RunControl.unlimited());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(new String(response.body())).isEqualTo("0123456789");
        assertThat(response.truncated()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    /** A run stopped from another thread, as the engine stops one it cancels. */
    static final class StoppableRun implements RunControl {
        private final java.util.List<Runnable> actions = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile boolean stopped;

        void stop() {
            stopped = true;
            actions.forEach(Runnable::run);
        }

        @Override
        public java.util.Optional<Duration> remaining() {
            return java.util.Optional.empty();
        }

        @Override
        public void checkStop() {
            if (stopped) {
                throw new IllegalStateException("the run was stopped");
            }
        }

        @Override
        public Registration onStop(Runnable action) {
            actions.add(action);
            if (stopped) {
                action.run();
            }
            return () -> actions.remove(action);
        }
    }
}
