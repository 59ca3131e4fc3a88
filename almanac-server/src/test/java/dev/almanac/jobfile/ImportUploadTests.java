package dev.almanac.jobfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import java.io.ByteArrayOutputStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The import page's upload through the real servlet container: a file over the limit is refused with a reason. */
@WithH2
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"almanac.data-dir=target/test-data", "almanac.engine.enabled=false"})
class ImportUploadTests extends AlmanacIntegrationTest {

    static final String PASSWORD = "carol-has-a-long-password";
    static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    static final String JOBS = "jobs:\n- name: \"uploaded\"\n  template_type: \"heartbeat\"\n  schedule:\n"
            + "    type: \"interval\"\n    interval_seconds: 3600\n";

    @LocalServerPort
    int port;

    HttpClient browser;

    @BeforeEach
    void signedInAsASuperAdmin() throws Exception {
        browser = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        logins.user("carol", TestLogins.SUPER_ADMIN, PASSWORD);
        String form = "username=carol&password=" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "&_csrf="
                + URLEncoder.encode(csrf("/login"), StandardCharsets.UTF_8);
        HttpResponse<String> login = browser.send(
                HttpRequest.newBuilder(uri("/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(302);
    }

    @Test
    void aFileWithinTheLimitIsPlanned() throws Exception {
        HttpResponse<String> plan = upload(JOBS.getBytes(StandardCharsets.UTF_8));

        assertThat(plan.statusCode()).isEqualTo(200);
        assertThat(plan.body()).contains("uploaded").doesNotContain("cannot be imported");
    }

    @Test
    void aFileOverTheLimitIsRefusedOnThePageWithItsSize() throws Exception {
        StringBuilder large = new StringBuilder(JOBS);
        while (large.length() < 2 * 1024 * 1024) {
            large.append("# a comment that only makes the file larger than a jobs file may be\n");
        }

        HttpResponse<String> refused = upload(large.toString().getBytes(StandardCharsets.UTF_8));

        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(refused.body())
                .contains("The file cannot be imported", "the file is 2.0 MB; a jobs file may be at most 1.0 MB");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isZero();
    }

    @Test
    void anApplyOfATextOverTheLimitIsRefusedOnThePageAndAppliesNothing() throws Exception {
        StringBuilder large = new StringBuilder(JOBS);
        while (large.length() < 1.4 * 1024 * 1024) {
            large.append("# a comment that only makes the file larger than a jobs file may be\n");
        }

        for (boolean htmx : new boolean[] {false, true}) {
            HttpResponse<String> refused = apply(large.toString(), htmx);

            assertThat(refused.statusCode()).as("htmx: " + htmx).isEqualTo(413);
            assertThat(refused.body()).contains("the file is 1.4 MB; a jobs file may be at most 1.0 MB");
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isZero();
    }

    @Test
    void anApplyOfABlankTextIsRefusedOnThePageAndRecordsNoImport() throws Exception {
        for (boolean htmx : new boolean[] {false, true}) {
            HttpResponse<String> refused = apply(" \n", htmx);

            assertThat(refused.statusCode()).as("htmx: " + htmx).isEqualTo(400);
            assertThat(refused.body()).contains("choose a jobs file to upload, or paste one");
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'job.imported'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    /** The plan page's apply form, as a browser posts it (with htmx, as the page's boosted form does). */
    private HttpResponse<String> apply(String text, boolean htmx) throws Exception {
        String form = "_csrf=" + URLEncoder.encode(csrf("/import"), StandardCharsets.UTF_8) + "&text="
                + URLEncoder.encode(text, StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/import/apply"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (htmx) {
            request.header("HX-Request", "true");
        }
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> upload(byte[] file) throws Exception {
        String token = csrf("/import");
        String boundary = "almanac-test-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + token
                        + "\r\n--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"jobs.yaml\"\r\n"
                        + "Content-Type: application/yaml\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return browser.send(
                HttpRequest.newBuilder(uri("/import/plan"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String csrf(String page) throws Exception {
        Matcher matcher = CSRF.matcher(
                browser.send(HttpRequest.newBuilder(uri(page)).GET().build(), HttpResponse.BodyHandlers.ofString())
                        .body());
        assertThat(matcher.find()).as("a CSRF token on " + page).isTrue();
        return matcher.group(1);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
