package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;

/**
 * A user locked out after repeated failed logins is let back in by an admin: unlocking them (the API's
 * {@code unlock}, the Users page's Unlock button), resetting their password, or enabling them again. A disabled
 * user's attempts are not counted toward a lock.
 */
@WithH2
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"almanac.data-dir=target/test-data", "almanac.engine.enabled=false"})
class AccountLockTests extends AlmanacIntegrationTest {

    private static final String API = "/api/admin/scheduler";
    private static final String PASSWORD = "alice-has-a-long-password";
    private static final String NEW_PASSWORD = "alice-gets-a-new-password";

    @LocalServerPort
    int port;

    UUID alice;

    @BeforeEach
    void alice() {
        alice = logins.user("alice", TestLogins.ADMIN, PASSWORD);
    }

    @Test
    void anAdminsPasswordResetLiftsTheLockSoTheNewPasswordWorksAtOnce() throws Exception {
        lockAlice();

        mvc.perform(put(API + "/users/" + alice)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"password\":\"" + NEW_PASSWORD + "\"}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.user.locked_until").doesNotExist());

        assertThat(basic("alice", NEW_PASSWORD).statusCode()).isEqualTo(200);
        assertThat(lastUpdate()).contains("\"locked_until\"").contains("\"password\"");
    }

    @Test
    void unlockThroughTheApiLiftsTheLockAndForgetsTheFailures() throws Exception {
        lockAlice();

        mvc.perform(put(API + "/users/" + alice)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"unlock\":true}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.user.locked_until").doesNotExist());

        assertThat(basic("alice", PASSWORD).statusCode()).isEqualTo(200);
        assertThat(lastUpdate()).contains("\"locked_until\"");
        // the failures before the lock are forgotten too: one more wrong password does not lock again
        basic("alice", "not-her-password");
        assertThat(basic("alice", PASSWORD).statusCode()).isEqualTo(200);
    }

    @Test
    void theUsersPageOffersUnlockForALockedUserAndItLetsThemBackIn() throws Exception {
        var ui = securedMvc();
        String page = ui.perform(get("/users").with(superAdmin()))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(page).doesNotContain("Unlock alice");

        lockAlice();
        page = ui.perform(get("/users").with(superAdmin()))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(page).contains("aria-label=\"Unlock alice\"").contains("/users/" + alice + "/unlock");

        ui.perform(post("/users/" + alice + "/unlock").with(csrf()).with(superAdmin()))
                .andExpect(status().is3xxRedirection())
                .andExpect(header().string("Location", "/users"));

        assertThat(basic("alice", PASSWORD).statusCode()).isEqualTo(200);
        assertThat(lastUpdate()).contains("\"locked_until\"");
    }

    @Test
    void disablingAndEnablingAgainLiftsTheLock() throws Exception {
        lockAlice();

        for (boolean enabled : new boolean[] {false, true}) {
            mvc.perform(put(API + "/users/" + alice)
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"enabled\":" + enabled + "}"))
                    .andExpect(status().isOk());
        }

        assertThat(basic("alice", PASSWORD).statusCode()).isEqualTo(200);
    }

    @Test
    void aDisabledUsersAttemptsDoNotCountTowardALock() throws Exception {
        mvc.perform(put(API + "/users/" + alice)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"enabled\":false}"))
                .andExpect(status().isOk());

        for (int i = 0; i < 6; i++) {
            assertThat(basic("alice", i % 2 == 0 ? PASSWORD : "not-her-password")
                            .statusCode())
                    .isEqualTo(401);
        }

        assertThat(jdbc.sql("SELECT failed_login_count FROM users WHERE id = :id")
                        .param("id", alice)
                        .query(Integer.class)
                        .single())
                .isZero();
        mvc.perform(get(API + "/users/" + alice))
                .andExpect(jsonPath("$.user.locked_until").doesNotExist());
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE actor = 'alice' AND action = 'login.failed'")
                        .query(Long.class)
                        .single())
                .as("still audited")
                .isEqualTo(6);
    }

    @Test
    void wrongCurrentPasswordsOnChangePasswordCountTowardTheLockAndAreAudited() throws Exception {
        var ui = securedMvc();
        for (int i = 0; i < 5; i++) {
            ui.perform(changePassword("wrong-guess-number-" + i)).andExpect(status().isBadRequest());
        }

        String refused = ui.perform(changePassword(PASSWORD))
                .andExpect(status().isBadRequest())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(refused).contains("try again after");
        assertThat(jdbc.sql("SELECT details FROM audit_events WHERE actor = 'alice' AND action = 'login.failed'")
                        .query(String.class)
                        .list())
                .hasSize(6)
                .allSatisfy(details -> assertThat(details).contains("password change"))
                .anySatisfy(details -> assertThat(details).contains("locked_until"));
        assertThat(basic("alice", PASSWORD).statusCode()).isEqualTo(429);
    }

    @Test
    void aPasswordLongerThanBcryptReadsNeverSignsIn() throws Exception {
        String longest = "a-password-of-exactly-seventy-two-bytes-".repeat(2).substring(0, 72);
        logins.user("bea", TestLogins.ADMIN, longest);

        assertThat(basic("bea", longest).statusCode()).isEqualTo(200);
        assertThat(basic("bea", longest + "EXTRA").statusCode()).isEqualTo(401);
        assertThat(basic("bea", longest + "EXTRA").body()).doesNotContain("72");
        HttpResponse<String> form = formLogin("bea", longest + "EXTRA");
        assertThat(form.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
        assertThat(formLogin("bea", longest).headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).doesNotContain("error"));
    }

    private HttpResponse<String> formLogin(String username, String password) throws Exception {
        HttpClient browser = HttpClient.newBuilder()
                .cookieHandler(new java.net.CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        URI login = URI.create("http://127.0.0.1:" + port + "/login");
        java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"")
                .matcher(browser.send(HttpRequest.newBuilder(login).build(), HttpResponse.BodyHandlers.ofString())
                        .body());
        assertThat(csrf.find()).isTrue();
        return browser.send(
                HttpRequest.newBuilder(login)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("username=" + username + "&password="
                                + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf="
                                + java.net.URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private org.springframework.test.web.servlet.RequestBuilder changePassword(String current) {
        return post("/account/password")
                .with(csrf())
                .with(user("alice").roles("ADMIN"))
                .param("currentPassword", current)
                .param("newPassword", NEW_PASSWORD)
                .param("confirmPassword", NEW_PASSWORD);
    }

    private void lockAlice() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(basic("alice", "not-her-password").statusCode()).isEqualTo(401);
        }
        assertThat(basic("alice", PASSWORD).statusCode()).isEqualTo(429);
    }

    private String lastUpdate() {
        return jdbc.sql("SELECT details FROM audit_events WHERE action = 'user.updated' ORDER BY occurred_at DESC")
                .query(String.class)
                .list()
                .get(0);
    }

    private static org.springframework.test.web.servlet.request.RequestPostProcessor superAdmin() {
        return user("root").roles("SUPER_ADMIN");
    }

    private HttpResponse<String> basic(String username, String password) throws Exception {
        String credentials =
                Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + API + "/jobs"))
                                .header("Authorization", "Basic " + credentials)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
