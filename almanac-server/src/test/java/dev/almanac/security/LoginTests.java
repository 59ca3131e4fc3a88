package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.security.internal.AdminBootstrap;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The UI's form login over real HTTP, as a browser does it: session cookie, CSRF, headers, throttling. */
@WithH2
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"almanac.data-dir=target/test-data", "almanac.engine.enabled=false"})
@ExtendWith(OutputCaptureExtension.class)
class LoginTests extends AlmanacIntegrationTest {

    static final String PASSWORD = "alice-has-a-long-password";
    static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    @LocalServerPort
    int port;

    @Autowired
    AdminBootstrap bootstrap;

    HttpClient browser;

    @BeforeEach
    void aFreshBrowser() {
        browser = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        logins.user("alice", TestLogins.ADMIN, PASSWORD);
    }

    @Test
    void theLoginPageIsServedWithStrictSecurityHeaders() throws Exception {
        HttpResponse<String> page = get("/login");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("name=\"username\"", "name=\"password\"", "id=\"login-submit\"", "name=\"_csrf\"")
                .doesNotContain("<script>");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp)
                        .contains("script-src 'self';", "frame-ancestors 'none'")
                        .doesNotContain("unsafe-eval")
                        .doesNotContain("script-src 'self' 'unsafe-inline'"));
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(get("/css/login.css").statusCode()).isEqualTo(200);
        Matcher icon = Pattern.compile("<link rel=\"icon\" type=\"image/svg[+]xml\" href=\"([^\"]+)\"")
                .matcher(page.body());
        assertThat(icon.find()).as("the icon the other pages use").isTrue();
        assertThat(get(icon.group(1)).statusCode()).isEqualTo(200);
    }

    @Test
    void aFormLoginOpensASessionThatNeedsCsrfForEveryChangeAndEndsWithLogout() throws Exception {
        assertThat(get("/jobs").headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login"));

        HttpResponse<String> login = login("alice", PASSWORD);

        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).contains("/jobs"));
        assertThat(login.headers().allValues("Set-Cookie"))
                .anySatisfy(cookie ->
                        assertThat(cookie).startsWith("ALMANAC_SESSION=").contains("HttpOnly", "SameSite=Lax"));
        HttpResponse<String> dashboard = get("/");
        assertThat(dashboard.statusCode())
                .as("the dashboard, not the login page")
                .isEqualTo(200);
        assertThat(dashboard.headers().firstValue("Location")).isEmpty();

        HttpResponse<String> withoutCsrf = post("/logout", "");
        assertThat(withoutCsrf.statusCode()).isEqualTo(403);
        assertThat(withoutCsrf.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(post("/jobs", "name=x&_csrf=forged").statusCode()).isEqualTo(403);

        HttpResponse<String> logout = post("/logout", "_csrf=" + csrf());
        assertThat(logout.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login?logout"));
        assertThat(get("/").headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        assertThat(jdbc.sql("SELECT action FROM audit_events WHERE actor = 'alice' ORDER BY occurred_at, action")
                        .query(String.class)
                        .list())
                .contains("login.succeeded", "logout");
    }

    @Test
    void signingInAfterTheSessionEndedLandsOnThePageOpenedNotOnAnHtmxFragmentOrAScriptsCall() throws Exception {
        String logs = "/executions/" + java.util.UUID.randomUUID() + "/logs?after_seq=0&level=";
        HttpResponse<String> poll = browser.send(
                HttpRequest.newBuilder(uri(logs))
                        .header("HX-Request", "true")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(poll.headers().firstValue("HX-Redirect")).hasValue("/login");
        browser.send(
                HttpRequest.newBuilder(uri("/jobs"))
                        .header("Accept", "application/json")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        HttpResponse<String> login = login("alice", PASSWORD);

        assertThat(login.headers().firstValue("Location"))
                .as("the dashboard, not the fragment htmx asked for")
                .hasValueSatisfying(l -> assertThat(l).endsWith("/").doesNotContain("logs"));

        post("/logout", "_csrf=" + csrf());
        HttpResponse<String> page = browser.send(
                HttpRequest.newBuilder(uri("/executions?status=failed"))
                        .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        assertThat(login("alice", PASSWORD).headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).contains("/executions?status=failed"));
    }

    @Test
    void aPageFormOrHtmxActionWithoutItsCsrfTokenIsRefusedWhereTheReaderActed() throws Exception {
        login("alice", PASSWORD);
        String reason = "the CSRF token is missing or wrong; reload the page and try again";

        HttpResponse<String> form = post("/jobs/bulk", "action=disable&id=" + java.util.UUID.randomUUID() + "&_csrf=x");
        assertThat(form.statusCode()).isEqualTo(403);
        assertThat(form.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(form.body()).contains("<html", reason, "class=\"signed-in\"");

        HttpResponse<String> htmx = post("/jobs/bulk", "action=disable", "HX-Request", "true");
        assertThat(htmx.statusCode()).isEqualTo(403);
        // htmx swaps no 4xx unless told where: into the layout's alerts region
        assertThat(htmx.headers().firstValue("HX-Retarget")).hasValue("#alerts");
        assertThat(htmx.headers().firstValue("HX-Reswap")).hasValue("innerHTML");
        assertThat(htmx.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(htmx.body()).contains(reason).doesNotContain("<html");

        // a form of a session that ended carries the old session's token: the reader signs in again
        browser = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpResponse<String> ended =
                post("/jobs/bulk", "action=disable&_csrf=x", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        assertThat(ended.statusCode()).isEqualTo(302);
        assertThat(ended.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        HttpResponse<String> endedHtmx = post("/jobs/bulk", "action=disable", "HX-Request", "true");
        assertThat(endedHtmx.statusCode()).isEqualTo(401);
        assertThat(endedHtmx.headers().firstValue("HX-Redirect")).hasValue("/login");
        // a script without a session that asks for no HTML is refused as before
        HttpResponse<String> script = post("/jobs/bulk", "action=disable");
        assertThat(script.statusCode()).isEqualTo(403);
        assertThat(script.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));

        // the API keeps problem JSON
        HttpResponse<String> api = basic("/api/admin/scheduler/jobs/" + java.util.UUID.randomUUID(), "alice", PASSWORD);
        assertThat(api.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    }

    @Test
    void aWrongPasswordShowsAnErrorAndRepeatedFailuresLockTheAccountForTheFormAndBasic() throws Exception {
        HttpResponse<String> wrong = login("alice", "not-her-password");
        assertThat(wrong.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
        assertThat(get("/login?error").body()).contains("Wrong user name or password");

        for (int i = 0; i < 4; i++) {
            login("alice", "not-her-password");
        }
        HttpResponse<String> locked = login("alice", PASSWORD);
        assertThat(locked.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login?locked"));
        HttpResponse<String> basic = basic("/api/admin/scheduler/jobs", "alice", PASSWORD);
        assertThat(basic.statusCode()).isEqualTo(429);
        assertThat(basic.headers().firstValue("Retry-After"))
                .hasValueSatisfying(s -> assertThat(Long.parseLong(s)).isBetween(1L, 901L));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE actor = 'alice' AND action = 'login.failed'")
                        .query(Long.class)
                        .single())
                .isEqualTo(7);

        clock.advance(java.time.Duration.ofMinutes(16));
        assertThat(basic("/api/admin/scheduler/jobs", "alice", PASSWORD).statusCode())
                .isEqualTo(200);
    }

    @Test
    void aNameNoAccountHasLocksLikeAnAccountSoALockTellsNoOneWhichNamesExist() throws Exception {
        for (int i = 0; i < 5; i++) {
            login("alice", "not-her-password");
            login("mallory", "not-a-password");
        }
        for (String name : java.util.List.of("alice", "mallory")) {
            assertThat(login(name, "anything-at-all").headers().firstValue("Location"))
                    .as(name)
                    .hasValueSatisfying(l -> assertThat(l).endsWith("/login?locked"));
            HttpResponse<String> basic = basic("/api/admin/scheduler/jobs", name, "anything-at-all");
            assertThat(basic.statusCode()).as(name).isEqualTo(429);
            assertThat(basic.headers().firstValue("Retry-After"))
                    .hasValueSatisfying(s -> assertThat(Long.parseLong(s)).isBetween(1L, 901L));
        }

        clock.advance(java.time.Duration.ofMinutes(16));
        assertThat(basic("/api/admin/scheduler/jobs", "mallory", "anything-at-all")
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void aUserNameWithLineBreaksCannotForgeALineInTheLog(CapturedOutput output) throws Exception {
        login("evil\nFAKE ENTRY admin login.succeeded\r\u001b[2J", "whatever-it-is");

        assertThat(output.getAll())
                .contains("audit: evil\\nFAKE ENTRY admin login.succeeded\\r\\u001b[2J login.failed")
                .doesNotContain("\nFAKE ENTRY", "\u001b[2J");
        assertThat(jdbc.sql("SELECT actor FROM audit_events WHERE action = 'login.failed'")
                        .query(String.class)
                        .single())
                .as("the audit table keeps the name as typed")
                .isEqualTo("evil\nFAKE ENTRY admin login.succeeded\r\u001b[2J");
    }

    @Test
    void httpBasicWorksOnTheApiAndAWrongPasswordIsA401Problem() throws Exception {
        assertThat(basic("/api/admin/scheduler/me", "alice", PASSWORD).body()).contains("\"username\":\"alice\"");
        HttpResponse<String> wrong = basic("/api/admin/scheduler/me", "alice", "wrong-password-here");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(h -> assertThat(h).contains("Bearer"));
        assertThat(wrong.body()).contains("\"status\":401");
        assertThat(get("/api/admin/scheduler/jobs").statusCode()).isEqualTo(401);
    }

    @Test
    void aUserWithoutAccessToTheSchedulerIsRefusedThePagesWithAPageThatSaysWhy() throws Exception {
        logins.user("bob", TestLogins.USER, PASSWORD);
        login("bob", PASSWORD);

        HttpResponse<String> jobs = get("/jobs");
        assertThat(jobs.statusCode()).isEqualTo(403);
        assertThat(jobs.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(jobs.body())
                .contains("/jobs is not open to your role (user)", "a super admin can give you the admin role")
                .contains("action=\"/logout\"")
                .doesNotContain("Back to the jobs")
                // no navigation to pages that would each answer this page again
                .doesNotContain("href=\"/jobs\"", "href=\"/executions\"", "href=\"/jobs/new\"");

        HttpResponse<String> fragment = browser.send(
                HttpRequest.newBuilder(uri("/jobs"))
                        .header("HX-Request", "true")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        // htmx is answered with a message it swaps into the page's alert region, not problem JSON it would ignore
        assertThat(fragment.statusCode()).isEqualTo(403);
        assertThat(fragment.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(fragment.headers().firstValue("HX-Retarget")).hasValue("#alerts");
        assertThat(fragment.body()).contains("role=\"alert\"", "/jobs is not open to your role (user)");
        assertThat(basic("/api/admin/scheduler/jobs", "bob", PASSWORD).statusCode())
                .isEqualTo(403);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE actor = 'bob' AND action = 'access.denied'")
                        .query(Long.class)
                        .single())
                .isEqualTo(3);
    }

    @Test
    void anAdminOpeningASuperAdminPageIsToldItIsForSuperAdmins() throws Exception {
        login("alice", PASSWORD);

        HttpResponse<String> users = get("/users");

        assertThat(users.statusCode()).isEqualTo(403);
        assertThat(users.body()).contains("/users is not open to your role (admin)", "Only super admins may open it.");
    }

    @Test
    void theFirstStartCreatesTheAdminWithAPasswordPrintedOnce(CapturedOutput output) throws Exception {
        jdbc.sql("DELETE FROM users").update();

        bootstrap.run(new DefaultApplicationArguments());

        Matcher printed = Pattern.compile("generated password:\\s+(\\S+)").matcher(output.getAll());
        String password = null;
        while (printed.find()) {
            password = printed.group(1);
        }
        assertThat(password).isNotNull();
        assertThat(basic("/api/admin/scheduler/me", "admin", password).body()).contains("\"role\":\"SUPER_ADMIN\"");
        assertThat(jdbc.sql("SELECT password_hash FROM users WHERE username = 'admin'")
                        .query(String.class)
                        .single())
                .startsWith("{bcrypt}")
                .doesNotContain(password);

        bootstrap.run(new DefaultApplicationArguments());
        assertThat(jdbc.sql("SELECT COUNT(*) FROM users").query(Long.class).single())
                .isEqualTo(1);
    }

    private HttpResponse<String> login(String username, String password) throws Exception {
        String token = csrf();
        return post(
                "/login", "username=" + encode(username) + "&password=" + encode(password) + "&_csrf=" + encode(token));
    }

    private String csrf() throws Exception {
        Matcher matcher = CSRF.matcher(get("/login").body());
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return browser.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A form post as this test's browser, with the headers given as name, value, name, value … */
    private HttpResponse<String> post(String path, String form, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> basic(String path, String username, String password) throws Exception {
        String credentials =
                Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(uri(path))
                                .header("Authorization", "Basic " + credentials)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
