package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.ConflictException;
import dev.almanac.security.internal.UserService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A browser session follows its user as stored, over real HTTP: a role change takes effect on the session's next
 * request (both ways), and a user disabled, deleted or given a new password is signed out; the session that changed
 * its own password goes on. The last enabled super admin cannot be disabled by two changes at once.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"almanac.data-dir=target/test-data", "almanac.engine.enabled=false"})
abstract class SessionUsersTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends SessionUsersTests {}

    @WithPostgres
    static class OnPostgres extends SessionUsersTests {}

    static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    @LocalServerPort
    int port;

    @Autowired
    UserService users;

    @Test
    void aDemotedAdminLosesTheRoleAtTheSessionsNextRequest() throws Exception {
        UUID dora = logins.user("dora", TestLogins.ADMIN, password("dora"));
        Browser browser = signedIn("dora");
        assertThat(browser.get("/tokens").statusCode()).isEqualTo(200);

        api("PUT", "/users/" + dora, "{\"role\":\"USER\"}");

        assertThat(browser.get("/tokens").statusCode()).isEqualTo(403);
        assertThat(browser.get("/jobs").statusCode()).isEqualTo(403);
    }

    @Test
    void aPromotedUserGainsTheRoleWithoutSigningInAgain() throws Exception {
        UUID pia = logins.user("pia", TestLogins.USER, password("pia"));
        Browser browser = signedIn("pia");
        assertThat(browser.get("/jobs").statusCode()).isEqualTo(403);

        api("PUT", "/users/" + pia, "{\"role\":\"ADMIN\"}");

        assertThat(browser.get("/jobs").statusCode()).isEqualTo(200);
    }

    @Test
    void aDisabledUsersSessionEndsAndStaysEndedWhenTheyAreEnabledAgain() throws Exception {
        UUID sam = logins.user("sam", TestLogins.SUPER_ADMIN, password("sam"));
        Browser browser = signedIn("sam");
        Browser htmx = signedIn("sam");
        assertThat(browser.get("/users").statusCode()).isEqualTo(200);

        api("PUT", "/users/" + sam, "{\"enabled\":false}");

        assertThat(browser.get("/users").headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        HttpResponse<String> fragment = htmx.send(htmx.request("/users").header("HX-Request", "true"));
        assertThat(fragment.statusCode()).isEqualTo(401);
        assertThat(fragment.headers().firstValue("HX-Redirect")).hasValue("/login");
        api("PUT", "/users/" + sam, "{\"enabled\":true}");
        assertThat(browser.get("/users").statusCode()).isEqualTo(302);
    }

    @Test
    void aDeletedSuperAdminsOpenSessionCannotCreateAUser() throws Exception {
        UUID sal = logins.user("sal", TestLogins.SUPER_ADMIN, password("sal"));
        Browser browser = signedIn("sal");
        String csrf = browser.csrf("/users");

        api("DELETE", "/users/" + sal, null);

        HttpResponse<String> created = browser.post(
                "/users", "username=ghost&password=ghost-has-a-long-password&role=SUPER_ADMIN&_csrf=" + csrf);
        assertThat(created.statusCode()).isIn(302, 403);
        assertThat(created.headers().firstValue("Location").orElse("")).doesNotEndWith("/users");
        assertThat(users.find("ghost")).isEmpty();
    }

    @Test
    void aNewPasswordEndsEveryOtherSessionButTheOneThatChangedIt() throws Exception {
        UUID pat = logins.user("pat", TestLogins.ADMIN, password("pat"));
        Browser changing = signedIn("pat");
        Browser other = signedIn("pat");

        HttpResponse<String> changed = changing.post(
                "/account/password",
                "currentPassword=" + password("pat") + "&newPassword=pat-has-another-long-one&confirmPassword="
                        + "pat-has-another-long-one&_csrf=" + changing.csrf("/account/password"));
        assertThat(changed.statusCode()).isEqualTo(302);

        assertThat(changing.get("/jobs").statusCode()).isEqualTo(200);
        assertThat(other.get("/jobs").statusCode()).isEqualTo(302);

        // a reset by an admin ends the session that changed it, too
        api("PUT", "/users/" + pat, "{\"password\":\"pat-reset-by-an-admin\"}");
        assertThat(changing.get("/jobs").statusCode()).isEqualTo(302);
    }

    @Test
    void theLastTwoSuperAdminsCannotDisableEachOtherAtOnce() throws Exception {
        List<UUID> others = jdbc.sql("SELECT id FROM users WHERE role = 'SUPER_ADMIN' AND enabled")
                .query(UUID.class)
                .list();
        jdbc.sql("UPDATE users SET enabled = FALSE WHERE role = 'SUPER_ADMIN'").update();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                UUID first = logins.user("race-a-" + round, TestLogins.SUPER_ADMIN, null);
                UUID second = logins.user("race-b-" + round, TestLogins.SUPER_ADMIN, null);
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Boolean>> changes = new ArrayList<>();
                for (UUID user : List.of(first, second)) {
                    changes.add(pool.submit(() -> {
                        together.await();
                        try {
                            users.update(user, null, null, false, null);
                            return true;
                        } catch (ConflictException last) {
                            return false;
                        }
                    }));
                }
                int disabled = 0;
                for (Future<Boolean> change : changes) {
                    disabled += change.get() ? 1 : 0;
                }
                assertThat(disabled).as("round " + round).isEqualTo(1);
                assertThat(jdbc.sql("SELECT COUNT(*) FROM users WHERE role = 'SUPER_ADMIN' AND enabled")
                                .query(Long.class)
                                .single())
                        .isEqualTo(1);
                jdbc.sql("UPDATE users SET enabled = FALSE WHERE role = 'SUPER_ADMIN'")
                        .update();
            }
        } finally {
            pool.shutdownNow();
            for (UUID other : others) {
                jdbc.sql("UPDATE users SET enabled = TRUE WHERE id = :id")
                        .param("id", other)
                        .update();
            }
        }
    }

    private static String password(String username) {
        return username + "-has-a-long-password";
    }

    private Browser signedIn(String username) throws Exception {
        Browser browser = new Browser();
        HttpResponse<String> login = browser.post(
                "/login",
                "username=" + username + "&password=" + password(username) + "&_csrf=" + browser.csrf("/login"));
        assertThat(login.statusCode()).isEqualTo(302);
        assertThat(login.headers().firstValue("Location").orElse("")).doesNotContain("error");
        return browser;
    }

    /** One browser: its own cookies, redirects not followed. */
    final class Browser {

        private final HttpClient client = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();

        HttpRequest.Builder request(String path) {
            return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        }

        HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> get(String path) throws Exception {
            return send(request(path).GET());
        }

        HttpResponse<String> post(String path, String form) throws Exception {
            return send(request(path)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)));
        }

        String csrf(String page) throws Exception {
            Matcher matcher = CSRF.matcher(get(page).body());
            assertThat(matcher.find()).as("a CSRF token on " + page).isTrue();
            return URLEncoder.encode(matcher.group(1), StandardCharsets.UTF_8);
        }
    }
}
