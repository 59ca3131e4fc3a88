package dev.almanac.template.builtin;

import static dev.almanac.template.builtin.DatabaseCleanupTests.details;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.jayway.jsonpath.JsonPath;
import dev.almanac.common.FieldError;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.JobId;
import dev.almanac.job.JobService;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.WithH2;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * webhook_trigger against a real HTTP server (allowed through almanac.http.allowed-hosts) and email_notification
 * against a real SMTP server (GreenMail).
 */
@WithH2
class OutboundTemplatesTests extends AlmanacIntegrationTest {

    static final GreenMail SMTP = TestOutbound.SMTP;

    @DynamicPropertySource
    static void outbound(DynamicPropertyRegistry registry) {
        TestOutbound.register(registry);
    }

    @Autowired
    TemplateRuns runs;

    @Autowired
    TemplateRegistry templates;

    @Autowired
    JobService jobs;

    @Autowired
    dev.almanac.engine.internal.Engine engine;

    @Autowired
    tools.jackson.databind.json.JsonMapper json;

    MockWebServer server;

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.start();
        SMTP.purgeEmailFromAllMailboxes();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void postsARenderedSignedBodyToTheWebhook() throws Exception {
        server.enqueue(
                new MockResponse.Builder().code(202).body("{\"accepted\":true}").build());
        Map<String, Object> parameters = webhook("/hook");
        parameters.put("headers", Map.of("X-Source", "almanac {{job.name}}"));
        parameters.put("secret_headers", Map.of("Authorization", "Bearer s3cret"));
        parameters.put("body", Map.of("job", "{{job.name}}", "execution", "{{execution.id}}", "note", "{{greeting}}"));
        parameters.put("variables", Map.of("greeting", "\"quoted\" {{now}}"));
        parameters.put("signing_secret", "0123456789abcdef0123");

        Execution run = runs.run("webhook_trigger", parameters);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run))
                .containsEntry("status_code", 202)
                .containsEntry("response_excerpt", "{\"accepted\":true}");
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        String body = request.getBody().utf8();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat((String) JsonPath.read(body, "$.job")).isEqualTo(run.jobName());
        assertThat((String) JsonPath.read(body, "$.execution"))
                .isEqualTo(run.id().toString());
        assertThat((String) JsonPath.read(body, "$.note")).isEqualTo("\"quoted\" {{now}}");
        assertThat(request.getHeaders().get("X-Source")).isEqualTo("almanac " + run.jobName());
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer s3cret");
        assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/json");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("0123456789abcdef0123".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        assertThat(request.getHeaders().get("X-Almanac-Signature"))
                .isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aRedirectToAnotherHostGetsNeitherSecretHeadersNorTheSignature() throws Exception {
        try (MockWebServer elsewhere = new MockWebServer()) {
            elsewhere.start();
            elsewhere.enqueue(new MockResponse.Builder().code(200).build());
            server.enqueue(new MockResponse.Builder()
                    .code(302)
                    .addHeader("Location", "http://localhost:" + elsewhere.getPort() + "/collect")
                    .build());
            Map<String, Object> parameters = webhook("/hook");
            parameters.put("headers", Map.of("X-Source", "almanac"));
            parameters.put("secret_headers", Map.of("X-Api-Key", "k3y", "Authorization", "Bearer s3cret"));
            parameters.put("signing_secret", "0123456789abcdef0123");
            parameters.put("follow_redirects", true);

            Execution run = runs.run("webhook_trigger", parameters);

            assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
            RecordedRequest first = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(first.getHeaders().get("X-Api-Key")).isEqualTo("k3y");
            assertThat(first.getHeaders().get("X-Almanac-Signature")).startsWith("sha256=");
            RecordedRequest redirected = elsewhere.takeRequest(5, TimeUnit.SECONDS);
            assertThat(redirected.getTarget()).isEqualTo("/collect");
            assertThat(redirected.getHeaders().names())
                    .map(name -> name.toLowerCase(java.util.Locale.ROOT))
                    .doesNotContain("x-api-key", "authorization", "x-almanac-signature");
            assertThat(redirected.getHeaders().get("X-Source")).isEqualTo("almanac");
        }
    }

    @Test
    void callsASignedUrlAsItWasWrittenInTheJob() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).build());
        String target =
                "/upload/r%C3%A9sum%C3%A9%2Fv2?X-Goog-Signature=ab%2Bcd%3D&X-Goog-Credential=svc%40p.iam%2F20261202"
                        + "&note=a%20b+c&next=https%3A%2F%2Fexample.org%2F%3Fq%3D1";
        String id = JsonPath.read(
                mvc.perform(post("/api/admin/scheduler/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("""
                                        {"name":"signed","template_type":"webhook_trigger",
                                         "schedule":{"type":"interval","interval_seconds":3600},
                                         "parameters":{"url":"http://localhost:%d%s","method":"GET"}}""".formatted(server.getPort(), target)))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");

        Execution run = runs.run(jobs.get(JobId.parse(id).orElseThrow()), false);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo(target);
    }

    @Test
    void refusesAnInvalidUrlWithAFieldError() throws Exception {
        for (String url : List.of("http://localhost/{id}", "http://localhost/a b", "http://exa_mple.com:x/")) {
            mvc.perform(post("/api/admin/scheduler/jobs")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content(json.writeValueAsString(Map.of(
                                    "name",
                                    "invalid",
                                    "template_type",
                                    "webhook_trigger",
                                    "schedule",
                                    Map.of("type", "interval", "interval_seconds", 3600),
                                    "parameters",
                                    Map.of("url", url)))))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("parameters.url"));
        }
    }

    @Test
    void refusesAHeaderValueThatIsNotAsciiWhenTheJobIsSaved() throws Exception {
        for (String value : List.of("h\u00e9llo \u2603", "tab\tis fine but not \u00a0")) {
            mvc.perform(post("/api/admin/scheduler/jobs")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content(json.writeValueAsString(Map.of(
                                    "name",
                                    "non-ascii-header",
                                    "template_type",
                                    "webhook_trigger",
                                    "schedule",
                                    Map.of("type", "interval", "interval_seconds", 3600),
                                    "parameters",
                                    Map.of("url", "https://example.com/", "headers", Map.of("X-U", value))))))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("parameters.headers.X-U"));
        }
        assertThat(templates.validateParameters(
                        "webhook_trigger",
                        Map.of("url", "https://example.com/", "headers", Map.of("X-A", "visible ascii\t~!"))))
                .isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void retriesOn5xxAnd429HonouringRetryAfter() throws Exception {
        server.enqueue(new MockResponse.Builder().code(503).build());
        server.enqueue(new MockResponse.Builder()
                .code(429)
                .addHeader("Retry-After", "1")
                .build());
        server.enqueue(new MockResponse.Builder().code(200).build());
        Map<String, Object> parameters = webhook("/flaky");
        parameters.put("retry_backoff_seconds", 0.05);
        long started = System.nanoTime();

        Execution run = runs.run("webhook_trigger", parameters);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(details(run)).containsEntry("attempts", 3);
        assertThat((List<Object>) details(run).get("attempt_outcomes"))
                .containsExactly("HTTP 503", "HTTP 429", "HTTP 200");
        assertThat(System.nanoTime() - started).isGreaterThan(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void failsAtOnceOnAnUnexpectedClientError() {
        server.enqueue(new MockResponse.Builder().code(404).body("nope").build());
        server.enqueue(new MockResponse.Builder().code(200).build());

        Execution run = runs.run("webhook_trigger", webhook("/missing"));

        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(run.error()).contains("404");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givesUpAfterItsRetriesOnNetworkErrors() throws Exception {
        int port = server.getPort();
        server.close();
        Map<String, Object> parameters = webhook("/gone");
        parameters.put("url", "http://localhost:" + port + "/gone");
        parameters.put("max_retries", 2);
        parameters.put("retry_backoff_seconds", 0.01);

        Execution run = runs.run("webhook_trigger", parameters);

        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(details(run))
                .containsEntry("attempts", 3)
                .containsEntry("url", "http://localhost:" + port + "/gone");
        assertThat((List<?>) details(run).get("attempt_outcomes")).hasSize(3);
    }

    @Test
    void aDryRunSendsNothing() {
        Execution run = runs.dryRun("webhook_trigger", webhook("/dry"));

        assertThat(run.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(run.result().get("message").toString()).startsWith("Dry run: would POST http://localhost:");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void anEmailDryRunPassesItsPreflightWhenAnSmtpServerIsConfigured() throws Exception {
        String id = JsonPath.read(
                mvc.perform(post("/api/admin/scheduler/jobs")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("""
                                        {"name":"mail","template_type":"email_notification",
                                         "schedule":{"type":"interval","interval_seconds":3600},
                                         "parameters":{"recipients":["ops@example.com"],"subject":"hi","body_text":"hello"}}"""))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.job.id");
        String execution = JsonPath.read(
                mvc.perform(post("/api/admin/scheduler/jobs/" + id + "/run")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"dry_run\":true}"))
                        .andExpect(status().isAccepted())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.execution_id");
        engine.runDueOnce();

        mvc.perform(get("/api/admin/scheduler/executions/" + execution))
                .andExpect(jsonPath("$.execution.status").value("succeeded"))
                .andExpect(jsonPath("$.execution.result.message")
                        .value(org.hamcrest.Matchers.startsWith("Dry run: would send \"hi\" to 1 recipient")))
                .andExpect(
                        jsonPath("$.execution.result.details.preflight[0].name").value("smtp"))
                .andExpect(
                        jsonPath("$.execution.result.details.preflight[0].ok").value(true));
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void refusesInternalUrlsAtValidation() {
        for (String url : List.of(
                "http://169.254.169.254/latest/meta-data/",
                "http://10.0.0.1/",
                "http://[::ffff:127.0.0.1]/",
                "http://2130706433/",
                "file:///etc/passwd",
                "gopher://example.com/")) {
            assertThat(templates.validateParameters("webhook_trigger", Map.of("url", url)))
                    .as(url)
                    .extracting(FieldError::field)
                    .containsExactly("url");
        }
        assertThat(templates.validateParameters(
                        "webhook_trigger", Map.of("url", "https://example.com/", "headers", Map.of("Host", "evil"))))
                .extracting(FieldError::field)
                .containsExactly("headers.Host");
        assertThat(templates.validateParameters(
                        "webhook_trigger",
                        Map.of("url", "https://example.com/", "headers", Map.of("X-A", "a\r\nX-B: b"))))
                .extracting(FieldError::field)
                .containsExactly("headers.X-A");
    }

    @Test
    void sendsAnEmailWithBothBodiesAndEscapedVariables() throws Exception {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("recipients", List.of("ops@example.com", "dev@example.com"));
        parameters.put("cc", List.of("lead@example.com"));
        parameters.put("bcc", List.of("audit@example.com"));
        parameters.put("subject", "{{job.name}} on {{date}}");
        parameters.put("body_text", "Run {{execution.id}} says {{who}}");
        parameters.put("body_html", "<p>Run <b>{{execution.id}}</b> says {{who}}</p>");
        parameters.put("priority", "high");
        parameters.put("variables", Map.of("who", "<script>alert(1)</script> & co"));

        Execution run = runs.run("email_notification", parameters);

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(SMTP.waitForIncomingEmail(5000, 4)).isTrue();
        MimeMessage message = SMTP.getReceivedMessages()[0];
        assertThat(message.getSubject()).isEqualTo(run.jobName() + " on 2026-06-01");
        assertThat(message.getFrom()[0].toString()).isEqualTo("almanac@example.org");
        assertThat(message.getRecipients(Message.RecipientType.TO))
                .extracting(Object::toString)
                .containsExactly("ops@example.com", "dev@example.com");
        assertThat(message.getRecipients(Message.RecipientType.CC))
                .extracting(Object::toString)
                .containsExactly("lead@example.com");
        assertThat(message.getRecipients(Message.RecipientType.BCC)).isNull();
        assertThat(message.getHeader("X-Priority")[0]).startsWith("1");
        String raw = GreenMailUtil.getWholeMessage(message);
        assertThat(raw).contains("Run " + run.id() + " says <script>alert(1)</script> & co");
        assertThat(raw)
                .contains("<p>Run <b>" + run.id() + "</b> says &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>");
        assertThat(message.getContent()).isInstanceOf(MimeMultipart.class);
        assertThat(details(run)).containsEntry("recipients", 4);
    }

    @Test
    void theDailySummaryTellsTheSuperAdminsRunsFailuresSlowestAndMissedRuns() throws Exception {
        jdbc.sql("UPDATE users SET email = 'root@example.com' WHERE role = 'SUPER_ADMIN'")
                .update();
        jdbc.sql("UPDATE users SET email = 'admin@example.com' WHERE role = 'ADMIN'")
                .update();
        runs.run(runs.create("nightly beat", "heartbeat", Map.of()), false);
        dev.almanac.job.Job broken = runs.create("broken export", "test_fail", Map.of());
        runs.run(broken, false);
        runs.run(broken, false);
        clock.advance(java.time.Duration.ofMinutes(1));

        Execution summary = runs.run("daily_summary", Map.of("recipients", List.of("Ops@Example.com")));

        assertThat(summary.status()).as(summary.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(summary))
                .containsEntry("runs", 3)
                .containsEntry("failed", 2)
                .containsEntry("emailed_to", 2);
        assertThat(SMTP.waitForIncomingEmail(5000, 2)).isTrue();
        assertThat(SMTP.getReceivedMessages())
                .as("a message each, so nobody sees the others' addresses")
                .extracting(mail -> List.of(mail.getRecipients(Message.RecipientType.TO)).stream()
                        .map(Object::toString)
                        .toList())
                .containsExactlyInAnyOrder(List.of("root@example.com"), List.of("ops@example.com"));
        MimeMessage message = SMTP.getReceivedMessages()[0];
        assertThat(message.getSubject()).isEqualTo("Almanac daily summary: 3 runs, 2 failed, 0 timed out, 0 missed");
        assertThat(part(message, "text/plain"))
                .contains("Runs: 3 (succeeded 1, failed 2")
                .contains("Jobs that failed (failures):\n  broken export, 2\n")
                .contains("Slowest jobs");
        assertThat(part(message, "text/html")).contains("<h2>Missed runs</h2><p>none</p>");
    }

    /** The decoded text of the first part of this content type. */
    private static String part(jakarta.mail.Part part, String type) throws Exception {
        if (part.isMimeType(type)) {
            return part.getContent().toString().replace("\r\n", "\n");
        }
        if (part.getContent() instanceof MimeMultipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                String found = part(multipart.getBodyPart(i), type);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    @Test
    void theDailySummaryWithNobodyToTellSucceedsAndSaysSo() {
        Execution summary = runs.run("daily_summary", Map.of());

        assertThat(summary.status()).as(summary.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(summary)).containsEntry("emailed_to", 0);
        assertThat(summary.result().get("message").toString()).contains("not sent: no recipient has an e-mail address");
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void emailsAReportWithTheReportFileAttached() throws Exception {
        runs.run(runs.create("mailed beat", "heartbeat", Map.of()), false);
        clock.advance(java.time.Duration.ofMinutes(1));

        Execution report = runs.run(
                "report_generation",
                Map.of(
                        "report", "job_activity",
                        "range", "last_24h",
                        "format", "csv",
                        "email_to", List.of("ops@example.com")));

        assertThat(report.status()).as(report.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(report)).containsEntry("emailed_to", 1);
        assertThat(SMTP.waitForIncomingEmail(5000, 1)).isTrue();
        MimeMessage message = SMTP.getReceivedMessages()[0];
        assertThat(message.getRecipients(Message.RecipientType.TO))
                .extracting(Object::toString)
                .containsExactly("ops@example.com");
        assertThat(message.getSubject()).isEqualTo("Job activity");
        String attachment = null;
        MimeMultipart parts = (MimeMultipart) message.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            if (jakarta.mail.Part.ATTACHMENT.equalsIgnoreCase(
                    parts.getBodyPart(i).getDisposition())) {
                assertThat(parts.getBodyPart(i).getFileName())
                        .isEqualTo(details(report).get("file_name"));
                attachment = new String(parts.getBodyPart(i).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        assertThat(attachment).as("the CSV report, attached").isNotNull().contains("mailed beat");
        assertThat(GreenMailUtil.getWholeMessage(message)).contains("The report is attached");
    }

    @Test
    void refusesBadAddressesAndMissingBodies() {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("recipients", List.of("not-an-address", "a@b.com\r\nBcc: x@evil.com", "Name <x@example.com>"));
        parameters.put("subject", "hi");

        assertThat(templates.validateParameters("email_notification", parameters))
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder("recipients[0]", "recipients[1]", "recipients[2]", "body_text");
        parameters.put(
                "recipients",
                java.util.stream.IntStream.range(0, 51)
                        .mapToObj(i -> "u" + i + "@example.com")
                        .toList());
        parameters.put("body_text", "x");
        assertThat(templates.validateParameters("email_notification", parameters))
                .extracting(FieldError::field)
                .containsExactly("recipients");
    }

    private Map<String, Object> webhook(String path) {
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("url", "http://localhost:" + server.getPort() + path);
        parameters.put("method", "POST");
        parameters.put("body", Map.of("ping", true));
        return parameters;
    }
}
