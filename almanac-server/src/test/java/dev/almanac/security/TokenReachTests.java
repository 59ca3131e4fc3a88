package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * What API tokens reach beyond the jobs. Tokens are the global roles': the API refuses a user whose only roles are in
 * namespaces exactly as the tokens page does, and a token limited to namespaces may not create, list or revoke any
 * (not even its owner's, unlimited ones). A limited token carries no global role: the freezes, the global calendars
 * and the global scripts are refused it (403), while it reads its namespace's calendars and scripts.
 */
abstract class TokenReachTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends TokenReachTests {}

    @WithPostgres
    static class OnPostgres extends TokenReachTests {}

    static final String API = "/api/admin/scheduler";
    static final String PASSWORD = "a long enough password";

    MockMvc secured;

    @BeforeEach
    void aNamespaceWithAMember() throws Exception {
        secured = securedMvc();
        api("POST", "/namespaces", "{\"name\":\"a\"}");
        logins.user("vic", TestLogins.USER, PASSWORD);
        logins.user("carol", TestLogins.ADMIN, PASSWORD);
        api("PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"vic\",\"role\":\"owner\"}]}");
    }

    private MockHttpServletResponse call(RequestPostProcessor who, String method, String path, String body)
            throws Exception {
        MockHttpServletRequestBuilder call =
                request(HttpMethod.valueOf(method), API + path).with(who);
        if (body != null) {
            call.contentType(MediaType.APPLICATION_JSON).content(body);
        }
        return secured.perform(call).andReturn().getResponse();
    }

    private long tokens(String name) {
        return jdbc.sql("SELECT COUNT(*) FROM api_tokens WHERE name = :name")
                .param("name", name)
                .query(Long.class)
                .single();
    }

    @Test
    void theApiRefusesTokensToWhomTheTokensPageRefuses() throws Exception {
        logins.user("sue", TestLogins.SUPER_ADMIN, PASSWORD);
        for (String[] who : List.of(
                new String[] {"vic", "USER"}, new String[] {"carol", "ADMIN"}, new String[] {"sue", "SUPER_ADMIN"})) {
            int page = secured.perform(get("/tokens").with(user(who[0]).roles(who[1])))
                    .andReturn()
                    .getResponse()
                    .getStatus();
            RequestPostProcessor basic = httpBasic(who[0], PASSWORD);

            MockHttpServletResponse created = call(basic, "POST", "/tokens", "{\"name\":\"" + who[0] + "-tok\"}");
            MockHttpServletResponse listed = call(basic, "GET", "/tokens", null);

            if (page == 200) {
                assertThat(created.getStatus())
                        .as(who[0] + ": " + created.getContentAsString())
                        .isEqualTo(201);
                assertThat(listed.getStatus()).as(who[0]).isEqualTo(200);
            } else {
                assertThat(page).as(who[0] + " on the page").isEqualTo(403);
                assertThat(created.getStatus())
                        .as(who[0] + ": " + created.getContentAsString())
                        .isEqualTo(403);
                assertThat(created.getContentType()).startsWith("application/problem+json");
                assertThat(created.getContentAsString())
                        .contains(
                                "only super admins and admins hold API tokens; a role in a namespace does not give one");
                assertThat(listed.getStatus()).as(who[0]).isEqualTo(403);
                assertThat(tokens(who[0] + "-tok")).isZero();
            }
        }
        assertThat(tokens("carol-tok")).isEqualTo(1);

        // the same with a token vic holds from before: judged by its owner's role, it lists and revokes nothing
        String old = logins.token("vic", TestLogins.USER, false);
        String id = jdbc.sql("SELECT CAST(id AS VARCHAR(36)) FROM api_tokens WHERE name = 'test vic'")
                .query(String.class)
                .single();
        RequestPostProcessor vicsToken = TestLogins.bearer(old);
        assertThat(call(vicsToken, "POST", "/tokens", "{\"name\":\"vic-tok\"}").getStatus())
                .isEqualTo(403);
        assertThat(call(vicsToken, "GET", "/tokens", null).getStatus()).isEqualTo(403);
        assertThat(call(vicsToken, "DELETE", "/tokens/" + id, null).getStatus()).isEqualTo(403);
        // it still works where vic's namespace role lets it
        assertThat(call(vicsToken, "GET", "/namespaces/a", null).getStatus()).isEqualTo(200);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND actor = 'vic'")
                        .query(Long.class)
                        .single())
                .isGreaterThanOrEqualTo(5);
    }

    @Test
    void aLimitedTokenOfAUserWhoMayNoLongerWorkInAnyOfItsNamespacesIsRefusedEverywhere() throws Exception {
        api("POST", "/namespaces", "{\"name\":\"b\"}");
        logins.user("sue", TestLogins.SUPER_ADMIN, PASSWORD);
        RequestPostProcessor carolsToken = TestLogins.bearer(limitedToken("carol", "b"));
        RequestPostProcessor suesToken = TestLogins.bearer(limitedToken("sue", "b"));
        for (RequestPostProcessor token : List.of(carolsToken, suesToken)) {
            assertThat(call(token, "GET", "/jobs", null).getStatus()).isEqualTo(200);
            assertThat(call(token, "GET", "/me", null).getStatus()).isEqualTo(200);
        }

        String carol = jdbc.sql("SELECT CAST(id AS VARCHAR(36)) FROM users WHERE username = 'carol'")
                .query(String.class)
                .single();
        api("PUT", "/users/" + carol, "{\"role\":\"USER\"}");
        for (String path : List.of("/jobs", "/me", "/namespaces")) {
            MockHttpServletResponse refused = call(carolsToken, "GET", path, null);
            assertThat(refused.getStatus())
                    .as(path + ": " + refused.getContentAsString())
                    .isEqualTo(403);
        }
        // a role elsewhere does not let the token in; one in its namespace does, with that role
        api("PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"carol\",\"role\":\"viewer\"}]}");
        assertThat(call(carolsToken, "GET", "/jobs", null).getStatus()).isEqualTo(403);
        api("PUT", "/namespaces/b/members", "{\"members\":[{\"username\":\"carol\",\"role\":\"viewer\"}]}");
        assertThat(call(carolsToken, "GET", "/jobs", null).getStatus()).isEqualTo(200);
        assertThat(call(carolsToken, "GET", "/namespaces/a", null).getStatus()).isEqualTo(404);
        assertThat(call(suesToken, "GET", "/jobs", null).getStatus()).isEqualTo(200);
    }

    /** A token of {@code username} (their role as it is) limited to {@code namespace}, as the database holds one. */
    private String limitedToken(String username, String namespace) {
        String secret = logins.token(username, null, false);
        jdbc.sql("UPDATE api_tokens SET namespaces = :namespaces WHERE name = :name")
                .param("namespaces", namespace)
                .param("name", "test " + username)
                .update();
        return secret;
    }

    @Test
    void aTokenLimitedToNamespacesManagesNoTokensNotEvenItsOwnersUnlimitedOnes() throws Exception {
        RequestPostProcessor root = logins.as(TestLogins.SUPER_ADMIN);
        String unlimitedId = JsonPath.read(
                call(root, "POST", "/tokens", "{\"name\":\"unlimited\"}").getContentAsString(), "$.token.id");
        MockHttpServletResponse made = call(root, "POST", "/tokens", "{\"name\":\"a only\",\"namespaces\":[\"a\"]}");
        assertThat(made.getStatus()).isEqualTo(201);
        RequestPostProcessor limited = TestLogins.bearer(JsonPath.read(made.getContentAsString(), "$.secret"));
        String limitedId = JsonPath.read(made.getContentAsString(), "$.token.id");

        for (String[] refused : List.of(
                new String[] {"GET", "/tokens", null},
                new String[] {"POST", "/tokens", "{\"name\":\"child\"}"},
                new String[] {"POST", "/tokens", "{\"name\":\"child\",\"namespaces\":[\"a\"]}"},
                new String[] {"DELETE", "/tokens/" + unlimitedId, null},
                new String[] {"DELETE", "/tokens/" + limitedId, null})) {
            MockHttpServletResponse answer = call(limited, refused[0], refused[1], refused[2]);
            assertThat(answer.getStatus()).as(refused[0] + " " + refused[1]).isEqualTo(403);
            assertThat(answer.getContentAsString())
                    .contains("a token limited to namespaces may not")
                    .doesNotContain("unlimited");
        }
        assertThat(tokens("child")).isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NOT NULL")
                        .query(Long.class)
                        .single())
                .isZero();
        // its owner, unlimited, still manages them
        assertThat(call(root, "GET", "/tokens", null).getContentAsString()).contains("unlimited", "a only");
        assertThat(call(root, "DELETE", "/tokens/" + limitedId, null).getStatus())
                .isEqualTo(200);
    }

    @Test
    void aTokenLimitedToNamespacesIsRefusedTheFreezesGlobalCalendarsAndGlobalScripts() throws Exception {
        approveTheExampleScript();
        String global = JsonPath.read(api("GET", "/scripts", null), "$.scripts[0].id");
        String own = JsonPath.read(
                api(
                        "POST",
                        "/scripts",
                        "{\"name\":\"a-report\",\"language\":\"sh\",\"source\":\"echo a\",\"namespace\":\"a\"}"),
                "$.id");
        api("POST", "/calendars", "{\"name\":\"holidays\",\"dates\":[\"2026-12-25\"]}");
        api("POST", "/calendars", "{\"name\":\"a-closing\",\"namespace\":\"a\",\"dates\":[\"2026-12-31\"]}");
        api(
                "POST",
                "/freezes",
                "{\"from\":\"2026-12-20T00:00:00Z\",\"to\":\"2026-12-27T00:00:00Z\",\"scope\":\"all\",\"reason\":\"xmas\"}");
        // a token of the super admin, limited to a
        String made = call(
                        logins.as(TestLogins.SUPER_ADMIN),
                        "POST",
                        "/tokens",
                        "{\"name\":\"root a\",\"namespaces\":[\"a\"]}")
                .getContentAsString();
        RequestPostProcessor limited = TestLogins.bearer(JsonPath.read(made, "$.secret"));

        for (String path : List.of(
                "/freezes",
                "/calendars/holidays",
                "/scripts/" + global,
                "/scripts/" + global + "/versions",
                "/scripts/" + global + "/versions/1",
                "/scripts/" + global + "/versions/1/diff")) {
            MockHttpServletResponse refused = call(limited, "GET", path, null);
            assertThat(refused.getStatus())
                    .as(path + ": " + refused.getContentAsString())
                    .isEqualTo(403);
            assertThat(refused.getContentAsString())
                    .contains("a token limited to namespaces may not")
                    .doesNotContain("xmas", "2026-12-25", "echo hello");
        }
        MockHttpServletResponse change =
                call(limited, "PUT", "/calendars/holidays", "{\"name\":\"holidays\",\"dates\":[\"2026-12-26\"]}");
        assertThat(change.getStatus()).isEqualTo(403);

        // its namespace's calendars and scripts it reads, and lists only those
        String calendars = call(limited, "GET", "/calendars", null).getContentAsString();
        assertThat(calendars).contains("a-closing").doesNotContain("holidays");
        assertThat(call(limited, "GET", "/calendars/a-closing?namespace=a", null)
                        .getStatus())
                .isEqualTo(200);
        String scripts = call(limited, "GET", "/scripts", null).getContentAsString();
        assertThat(scripts).contains("a-report").doesNotContain(global);
        assertThat(call(limited, "GET", "/scripts/" + own, null).getStatus()).isEqualTo(200);

        // an unlimited token of the same owner, and vic by password, read them as before
        RequestPostProcessor root = logins.as(TestLogins.SUPER_ADMIN);
        assertThat(call(root, "GET", "/freezes", null).getContentAsString()).contains("xmas");
        assertThat(call(root, "GET", "/calendars", null).getContentAsString()).contains("holidays", "a-closing");
        RequestPostProcessor vic = httpBasic("vic", PASSWORD);
        assertThat(call(vic, "GET", "/calendars/holidays", null).getStatus()).isEqualTo(200);
        assertThat(call(vic, "GET", "/scripts/" + global, null).getStatus()).isEqualTo(200);
    }
}
