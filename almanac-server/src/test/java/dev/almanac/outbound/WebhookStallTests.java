package dev.almanac.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.WithH2;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * webhook_trigger against a server that sends its headers and then stalls its body: each attempt ends at the
 * template's timeout_seconds, not when the server gives up. One database is enough: it plays no part here.
 */
@WithH2
class WebhookStallTests extends AlmanacIntegrationTest {

    @DynamicPropertySource
    static void outbound(DynamicPropertyRegistry registry) {
        TestOutbound.register(registry);
    }

    @Autowired
    TemplateRuns runs;

    MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWebhookWhoseBodyStallsFailsAtItsTimeoutSayingSo() {
        server.enqueue(new MockResponse.Builder()
                .code(200)
                .body("ok")
                .bodyDelay(60, TimeUnit.SECONDS)
                .build());
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("url", "http://localhost:" + server.getPort() + "/stall");
        parameters.put("method", "POST");
        parameters.put("timeout_seconds", 1);
        parameters.put("max_retries", 0);

        long started = System.nanoTime();
        Execution run = runs.run("webhook_trigger", parameters);

        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("about the 1 s timeout, not the 60 s the server holds its body")
                .isLessThan(Duration.ofSeconds(10));
        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(run.error()).contains("timed out reading the response from localhost after 1 s");
    }
}
