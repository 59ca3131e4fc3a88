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

/**
 * The first run needs no other page: the generated admin password, printed once, is changed right after the first
 * sign-in, in the browser; and everyone can change their own password from the header. Over real HTTP, as a browser.
 */
@WithH2
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"almanac.data-dir=target/test-data", "almanac.engine.enabled=false"})
@ExtendWith(OutputCaptureExtension.class)
class FirstSignInTests extends AlmanacIntegrationTest {

    static final String PROMPT = "You signed in with the generated password — change it now";
    static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    static final String NEW_PASSWORD = "correct horse battery staple";

    @LocalServerPort
    int port;

    @Autowired
    AdminBootstrap bootstrap;

    HttpClient browser;

    @BeforeEach
    void aFreshBrowser() {
        browser = aBrowser();
    }

    @Test
    void theGeneratedPasswordSignInLandsOnTheChangePromptUntilItIsChanged(CapturedOutput output) throws Exception {
        jdbc.sql("DELETE FROM users").update();
        bootstrap.run(new DefaultApplicationArguments());
        String generated = printedPassword(output);

        HttpResponse<String> login = login("admin", generated);

        assertThat(login.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/account/password"));
        assertThat(get("/account/password").body())
                .contains(PROMPT, "id=\"generated-password-prompt\"")
                .contains("name=\"currentPassword\"", "name=\"newPassword\"", "name=\"confirmPassword\"");
        assertThat(get("/").body()).contains("id=\"generated-password-banner\"", PROMPT, "href=\"/account/password\"");

        HttpResponse<String> wrong = change("not-the-password", NEW_PASSWORD, NEW_PASSWORD);

        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body())
                .contains("id=\"current_password-error\">is not your current password<", PROMPT)
                .contains("aria-invalid=\"true\"");
        assertThat(change(generated, NEW_PASSWORD, "something else entirely").body())
                .contains("id=\"confirm_password-error\">does not match the new password<");
        assertThat(change(generated, "short", "short").body())
                .contains("id=\"new_password-error\">must be at least 12 characters<");

        HttpResponse<String> changed = change(generated, NEW_PASSWORD, NEW_PASSWORD);

        assertThat(changed.statusCode()).isEqualTo(302);
        assertThat(changed.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/"));
        assertThat(get("/").body()).contains("Your password is changed").doesNotContain(PROMPT);
        assertThat(jdbc.sql("SELECT password_generated FROM users WHERE username = 'admin'")
                        .query(Boolean.class)
                        .single())
                .isFalse();
        browser = aBrowser();
        assertThat(login("admin", generated).headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
        assertThat(login("admin", NEW_PASSWORD).headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).doesNotContain("/account/password"));
        assertThat(get("/").body()).doesNotContain(PROMPT);
    }

    @Test
    void anyUserChangesTheirOwnPasswordFromTheHeader() throws Exception {
        String password = "alice-has-a-long-password";
        logins.user("alice", TestLogins.ADMIN, password);
        login("alice", password);

        assertThat(get("/").body())
                .contains("id=\"change-password-link\"", "href=\"/account/password\"")
                .doesNotContain(PROMPT);
        assertThat(get("/account/password").body()).contains("Change password").doesNotContain(PROMPT);
        assertThat(change(password, NEW_PASSWORD, NEW_PASSWORD).statusCode()).isEqualTo(302);

        browser = aBrowser();
        assertThat(login("alice", NEW_PASSWORD).headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));

        logins.user("bob", TestLogins.USER, password);
        browser = aBrowser();
        login("bob", password);
        assertThat(get("/account/password").statusCode()).isEqualTo(200);
        assertThat(get("/jobs").statusCode()).isEqualTo(403);
    }

    private static String printedPassword(CapturedOutput output) {
        Matcher printed = Pattern.compile("generated password:\\s+(\\S+)").matcher(output.getAll());
        String password = null;
        while (printed.find()) {
            password = printed.group(1);
        }
        assertThat(password).isNotNull();
        return password;
    }

    private HttpClient aBrowser() {
        return HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    private HttpResponse<String> change(String current, String next, String confirm) throws Exception {
        String token = csrf("/account/password");
        return post(
                "/account/password",
                "currentPassword=" + encode(current) + "&newPassword=" + encode(next) + "&confirmPassword="
                        + encode(confirm) + "&_csrf=" + encode(token));
    }

    private HttpResponse<String> login(String username, String password) throws Exception {
        String token = csrf("/login");
        return post(
                "/login", "username=" + encode(username) + "&password=" + encode(password) + "&_csrf=" + encode(token));
    }

    private String csrf(String page) throws Exception {
        Matcher matcher = CSRF.matcher(get(page).body());
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return browser.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String form) throws Exception {
        return browser.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
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
