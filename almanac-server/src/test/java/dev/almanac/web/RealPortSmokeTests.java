package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Almanac on a real port, spoken to over real HTTP, as curl would. */
@WithH2
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"almanac.data-dir=target/test-data", "almanac.engine.enabled=false"})
class RealPortSmokeTests extends AlmanacIntegrationTest {

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesTheApiItsDocumentationAndHealth() throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/api/admin/scheduler/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"name":"smoke","template_type":"heartbeat",
                         "schedule":{"type":"interval","interval_seconds":30}}
                        """)));
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).contains("json"));

        HttpResponse<String> list =
                send(HttpRequest.newBuilder(uri("/api/admin/scheduler/jobs")).GET());
        assertThat(list.body()).contains("\"total\":1", "\"name\":\"smoke\"");

        HttpResponse<String> docs =
                send(HttpRequest.newBuilder(uri("/v3/api-docs")).GET());
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(docs.body())
                .contains("/api/admin/scheduler/jobs/{id}", "/api/admin/scheduler/schedules/preview")
                .contains("/api/admin/scheduler/templates/{type}", "template_type", "interval_seconds");

        HttpResponse<String> ui = send(HttpRequest.newBuilder(uri("/docs")).GET());
        assertThat(ui.statusCode()).isIn(200, 302);

        HttpResponse<String> health =
                send(HttpRequest.newBuilder(uri("/actuator/health")).GET());
        assertThat(health.body()).contains("UP");
    }

    @Test
    void deniesEverythingItDoesNotNameWithAProblem() throws Exception {
        HttpResponse<String> console =
                send(HttpRequest.newBuilder(uri("/h2-console")).GET());
        assertThat(console.statusCode()).isIn(401, 403);
        assertThat(console.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(send(HttpRequest.newBuilder(uri("/actuator/env")).GET()).statusCode())
                .isIn(401, 403);
    }

    @Test
    void neverLeaksAStackTrace() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/admin/scheduler/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":[")));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).doesNotContain("Exception", "at dev.", "at org.", "tools.jackson");
    }

    /**
     * A query string Tomcat cannot decode ({@code %} not followed by two hex digits; no HTTP client sends one, so it
     * is written on the socket) is refused as the reader's input, on the API as a problem and on a page as its error
     * page; before, both answered 500.
     */
    @Test
    void aQueryStringThatIsNotValidUrlEncodingIsA400NamingIt() throws Exception {
        String api = raw("GET /api/admin/scheduler/jobs?q=% HTTP/1.1\r\nAuthorization: Bearer "
                + logins.token(TestLogins.SUPER_ADMIN) + "\r\n");
        assertThat(api).startsWith("HTTP/1.1 400");
        assertThat(api).contains("application/problem+json", "\"field\":\"query\"", "is not valid URL encoding");

        String session = signIn()[0];
        String page = raw("GET /executions?q=% HTTP/1.1\r\nCookie: " + session + "\r\n");
        assertThat(page).startsWith("HTTP/1.1 400");
        assertThat(page).contains("is not valid URL encoding").doesNotContain("Exception");

        // read inside the security filters (no session yet, a form post's CSRF check): the same problem, not Spring
        // Boot's own error JSON
        for (String request :
                new String[] {"GET /executions?q=% HTTP/1.1\r\n", "POST /jobs/x/run?% HTTP/1.1\r\nContent-Length: 0\r\n"
                }) {
            String answer = raw(request);
            assertThat(answer).as(request).startsWith("HTTP/1.1 400");
            assertThat(answer)
                    .as(request)
                    .contains("application/problem+json", "\"field\":\"query\"")
                    .doesNotContain("\"timestamp\"", "Exception");
        }
        String browser = raw("GET /executions?q=% HTTP/1.1\r\nAccept: text/html\r\n");
        assertThat(browser).startsWith("HTTP/1.1 400");
        assertThat(browser).contains("text/html", "is not valid URL encoding").doesNotContain("Exception");
    }

    /**
     * A form over the servlet container's limit (2 MB: a pasted body in the wizard, say) is a 413 page saying so, where
     * it was a 400 calling it a query string that is not valid URL encoding.
     */
    @Test
    void aFormOverTheContainersLimitIsA413SayingSo() throws Exception {
        String[] signedIn = signIn();
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(uri("/jobs/wizard"))
                        .header("Cookie", signedIn[0])
                        .header("Accept", "text/html")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "_csrf=" + signedIn[1] + "&_action=next&p.body=" + "a".repeat(2_500_000)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(answer.body())
                .contains("the form is larger than the server accepts")
                .doesNotContain("URL encoding", "Exception");
    }

    @Test
    void anAddressThatNamesNothingIsTheErrorPageForABrowserAndA404ProblemForAScript() throws Exception {
        anAddressThatNamesNothingIsA404For(
                signIn(),
                "/users/nope",
                "/jobs/" + java.util.UUID.randomUUID() + "/nope",
                "/templates/heartbeat/x",
                "/audit/x",
                "/nonexistent");
        // outside every page's address no role is let in, so none is told its role is the reason
        for (String role : new String[] {TestLogins.ADMIN, TestLogins.USER}) {
            anAddressThatNamesNothingIsA404For(signIn(role), "/nonexistent", "/nothing/here");
        }
    }

    private void anAddressThatNamesNothingIsA404For(String[] signedIn, String... paths) throws Exception {
        for (String path : paths) {
            HttpResponse<String> page = http.send(
                    HttpRequest.newBuilder(uri(path))
                            .header("Cookie", signedIn[0])
                            .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).as(path).isEqualTo(404);
            assertThat(page.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).as(path).startsWith("text/html"));
            assertThat(page.body())
                    .as(path)
                    .contains("<html", "there is nothing at this address")
                    .doesNotContain("No endpoint", "does not allow");
        }
        HttpResponse<String> script = http.send(
                HttpRequest.newBuilder(uri("/nonexistent"))
                        .header("Cookie", signedIn[0])
                        .header("Accept", "application/json")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(script.statusCode()).isEqualTo(404);
        assertThat(script.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(script.body()).contains("there is nothing at this address");
    }

    /** A signed-in super admin's session cookie and CSRF token, through the login form. */
    private String[] signIn() throws Exception {
        return signIn(TestLogins.SUPER_ADMIN);
    }

    /** The session cookie and CSRF token of a reader with {@code role}, signed in through the login form. */
    private String[] signIn(String role) throws Exception {
        String reader = "reader-" + role.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        logins.user(reader, role, "Reader-Pass-12345");
        HttpResponse<String> login =
                http.send(HttpRequest.newBuilder(uri("/login")).GET().build(), HttpResponse.BodyHandlers.ofString());
        Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login.body());
        assertThat(csrf.find()).isTrue();
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        HttpResponse<String> signedIn = http.send(
                HttpRequest.newBuilder(uri("/login"))
                        .header("Cookie", cookie)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "username=" + reader + "&password=Reader-Pass-12345&_csrf=" + csrf.group(1)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String session =
                signedIn.headers().firstValue("Set-Cookie").orElse(cookie).split(";")[0];
        HttpResponse<String> home = http.send(
                HttpRequest.newBuilder(uri("/jobs"))
                        .header("Cookie", session)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(home.body());
        return new String[] {session, token.find() ? token.group(1) : csrf.group(1)};
    }

    /** An address the firewall refuses is a 400 problem, as every refusal, not the server's own error answer. */
    @Test
    void anAddressTheFirewallRefusesIsA400Problem() throws Exception {
        for (String path : new String[] {"/api/admin/scheduler/jobs/a;b", "/api/admin/scheduler/jobs/%2e%2e"}) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nAuthorization: Bearer "
                    + logins.token(TestLogins.SUPER_ADMIN) + "\r\n");
            assertThat(answer).as(path).startsWith("HTTP/1.1 400");
            assertThat(answer).as(path).contains("application/problem+json", "this address or header is not accepted");
        }
    }

    /**
     * What Tomcat refuses before any of Almanac's code sees it (an encoded slash, an encoded NUL) is a 400 problem for
     * a client and a short page for a browser, never Tomcat's own report, and echoes nothing of the request.
     */
    @Test
    void whatTheServerRefusesBeforeTheApplicationIsA400ProblemToo() throws Exception {
        for (String target : new String[] {"/api/admin/scheduler/jobs/%2F", "/jobs/%00"}) {
            String answer = raw("GET " + target + " HTTP/1.1\r\n");
            assertThat(answer).as(target).startsWith("HTTP/1.1 400");
            assertThat(answer)
                    .as(target)
                    .contains("application/problem+json", "\"status\":400", "could not be read")
                    .doesNotContain("Tomcat", "HTTP Status", "%2F", "%00");
        }
        String page = raw("GET /jobs/%2F HTTP/1.1\r\nAccept: text/html\r\n");
        assertThat(page).startsWith("HTTP/1.1 400");
        assertThat(page).contains("text/html", "Back to Almanac").doesNotContain("Tomcat", "HTTP Status");
    }

    /** A request written as is on a socket, answered whole: what no HTTP client would send. */
    private String raw(String requestWithoutEnd) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.getOutputStream()
                    .write((requestWithoutEnd + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void linksStaticFilesAtContentVersionedUrlsThatBrowsersKeepForAYear() throws Exception {
        HttpResponse<String> login =
                http.send(HttpRequest.newBuilder(uri("/login")).GET().build(), HttpResponse.BodyHandlers.ofString());
        Matcher css =
                Pattern.compile("href=\"(/css/login-[0-9a-f]{32}\\.css)\"").matcher(login.body());
        assertThat(css.find()).as(login.body()).isTrue();

        HttpResponse<String> versioned = http.send(
                HttpRequest.newBuilder(uri(css.group(1))).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(versioned.statusCode()).isEqualTo(200);
        assertThat(versioned.headers().firstValue("Cache-Control"))
                .hasValueSatisfying(c -> assertThat(c).contains("max-age=31536000", "immutable"));
        assertThat(http.send(
                                HttpRequest.newBuilder(uri("/css/login.css"))
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .as("the plain URL still answers")
                .isEqualTo(200);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        request.header("Authorization", "Bearer " + logins.token(TestLogins.SUPER_ADMIN));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
