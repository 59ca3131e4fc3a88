package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/** Personal API tokens and user management through the API, on H2 and PostgreSQL. */
abstract class ApiTokenTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends ApiTokenTests {}

    @WithPostgres
    static class OnPostgres extends ApiTokenTests {}

    static final String API = "/api/admin/scheduler";

    @Test
    void aTokenIsShownOnceStoredHashedRecordsItsUseAndStopsWorkingWhenRevoked() throws Exception {
        String created = mvc.perform(post(API + "/tokens")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"deploy\",\"expires_at\":\"2026-07-01T00:00:00Z\"}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.token.name").value("deploy"))
                .andExpect(jsonPath("$.token.status").value("active"))
                .andExpect(jsonPath("$.token.expires_at").value("2026-07-01T00:00:00Z"))
                .andExpect(jsonPath("$.token.read_only").value(false))
                .andReturn()
                .getResponse()
                .getContentAsString();
        String secret = JsonPath.read(created, "$.secret");
        String id = JsonPath.read(created, "$.token.id");
        assertThat(secret).startsWith("alm_").hasSize(47);
        assertThat(jdbc.sql("SELECT token_hash FROM api_tokens WHERE id = CAST(:id AS UUID)")
                        .param("id", id)
                        .query(String.class)
                        .single())
                .isNotEqualTo(secret)
                .doesNotContain(secret.substring(4));

        clock.advance(Duration.ofMinutes(3));
        mvc.perform(get(API + "/me").with(TestLogins.bearer(secret)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.username").value("test-admin"))
                .andExpect(jsonPath("$.role").value("ADMIN"));
        mvc.perform(get(API + "/tokens").with(TestLogins.bearer(secret)))
                .andExpect(jsonPath("$.tokens", hasSize(2)))
                .andExpect(jsonPath("$.tokens[?(@.name == 'deploy')].last_used_at")
                        .value(org.hamcrest.Matchers.contains("2026-06-01T10:03:00Z")))
                .andExpect(jsonPath("$.tokens[0].secret").doesNotExist());

        mvc.perform(delete(API + "/tokens/" + id).with(TestLogins.bearer(secret)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.token.status").value("revoked"));
        mvc.perform(get(API + "/me").with(TestLogins.bearer(secret)))
                .andExpect(status().isUnauthorized())
                .andExpect(
                        header().string("Content-Type", org.hamcrest.Matchers.startsWith("application/problem+json")))
                .andExpect(jsonPath("$.detail").value("the API token is unknown, expired or revoked"));
    }

    @Test
    void revokingAnotherUsersTokenAnswers404AndIsAuditedAsADenial() throws Exception {
        String created = mvc.perform(post(API + "/tokens")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"deploy\"}"))
                .andExpect(status().isCreated())
                .andReturn()
                .getResponse()
                .getContentAsString();
        String id = JsonPath.read(created, "$.token.id");
        String secret = JsonPath.read(created, "$.secret");
        String intruder = logins.token("mallory", TestLogins.ADMIN, false);

        mvc.perform(delete(API + "/tokens/" + id).with(TestLogins.bearer(intruder)))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.detail").value("no token with id " + id));
        mvc.perform(delete(API + "/tokens/" + java.util.UUID.randomUUID()).with(TestLogins.bearer(intruder)))
                .andExpect(status().isNotFound());

        mvc.perform(get(API + "/me").with(TestLogins.bearer(secret))).andExpect(status().isOk());
        mvc.perform(get(API + "/audit").param("action", "access.denied"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.events", hasSize(1)))
                .andExpect(jsonPath("$.events[0].actor").value("mallory"))
                .andExpect(jsonPath("$.events[0].outcome").value("denied"))
                .andExpect(jsonPath("$.events[0].target_type").value("token"))
                .andExpect(jsonPath("$.events[0].target_id").value(id))
                .andExpect(jsonPath("$.events[0].details.action").value("revoke token"));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'token.revoked'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void twoTokensOfOneNameAreToldApartInTheAuditByTheirPrefix() throws Exception {
        String first = createToken(TestLogins.ADMIN, "ci");
        String second = createToken(TestLogins.ADMIN, "ci");
        String firstSecret = JsonPath.read(first, "$.secret");
        String secondSecret = JsonPath.read(second, "$.secret");

        createToken(TestLogins.bearer(firstSecret), "made-by-first");
        createToken(TestLogins.bearer(secondSecret), "made-by-second");

        mvc.perform(get(API + "/audit").param("action", "token.created").param("target", "made-by-first"))
                .andExpect(jsonPath("$.events[0].via").value("token:ci (" + firstSecret.substring(0, 12) + "…)"));
        mvc.perform(get(API + "/audit").param("action", "token.created").param("target", "made-by-second"))
                .andExpect(jsonPath("$.events[0].via").value("token:ci (" + secondSecret.substring(0, 12) + "…)"));
        assertThat(firstSecret.substring(0, 12)).isNotEqualTo(secondSecret.substring(0, 12));
    }

    @Test
    void aTokenWithALongNameIsNamedInTheAuditShortenedWithItsPrefixWhole() throws Exception {
        String name = "n".repeat(100);
        String secret = JsonPath.read(createToken(TestLogins.ADMIN, name), "$.secret");

        createToken(TestLogins.bearer(secret), "made-by-long");

        String via = jdbc.sql("SELECT via FROM audit_events WHERE action = 'token.created' AND target_name = ?")
                .param("made-by-long")
                .query(String.class)
                .single();
        assertThat(via).hasSize(120).startsWith("token:nnn").endsWith("… (" + secret.substring(0, 12) + "…)");
    }

    @Test
    void aSuperAdminListsAndRevokesAnotherUsersTokenAndTheRevocationNamesItsOwner() throws Exception {
        String created = createToken(TestLogins.ADMIN, "deploy");
        String id = JsonPath.read(created, "$.token.id");
        String prefix = JsonPath.read(created, "$.token.prefix");

        mvc.perform(get(API + "/tokens").param("owner", "test-admin").with(logins.as(TestLogins.SUPER_ADMIN)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.tokens[?(@.name == 'deploy')].id").value(org.hamcrest.Matchers.contains(id)));
        mvc.perform(get(API + "/tokens").param("owner", "test-super-admin").with(logins.as(TestLogins.ADMIN)))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail").value("only super admins may list another user's API tokens"));
        mvc.perform(get(API + "/tokens").param("owner", "test-admin").with(logins.as(TestLogins.ADMIN)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.tokens[?(@.name == 'deploy')]", hasSize(1)));
        mvc.perform(get(API + "/tokens").param("owner", "nobody").with(logins.as(TestLogins.SUPER_ADMIN)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("owner"));

        mvc.perform(delete(API + "/tokens/" + id).with(logins.as(TestLogins.SUPER_ADMIN)))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.token.status").value("revoked"));
        mvc.perform(get(API + "/audit").param("action", "token.revoked").param("target", id))
                .andExpect(jsonPath("$.events", hasSize(1)))
                .andExpect(jsonPath("$.events[0].actor").value("test-super-admin"))
                .andExpect(jsonPath("$.events[0].details.owner").value("test-admin"))
                .andExpect(jsonPath("$.events[0].details.prefix").value(prefix));
        mvc.perform(get(API + "/audit").param("action", "access.denied").param("actor", "test-admin"))
                .andExpect(jsonPath("$.events", hasSize(1)))
                .andExpect(jsonPath("$.events[0].target_name").value("test-super-admin"));
    }

    @Test
    void deletingAUserRecordsTheirRoleEmailMembershipsAndTheTokensThatWentWithThem() throws Exception {
        String created = mvc.perform(post(API + "/users")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"username\":\"leaver\",\"password\":\"leaver's long password\",\"role\":\"ADMIN\","
                                + "\"email\":\"leaver@example.com\"}"))
                .andExpect(status().isCreated())
                .andReturn()
                .getResponse()
                .getContentAsString();
        String id = JsonPath.read(created, "$.user.id");
        for (String namespace : new String[] {"ops", "web"}) {
            mvc.perform(post(API + "/namespaces")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"name\":\"" + namespace + "\"}"))
                    .andExpect(status().isCreated());
        }
        mvc.perform(put(API + "/namespaces/ops/members")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"members\":[{\"username\":\"leaver\",\"role\":\"editor\"}]}"))
                .andExpect(status().isOk());
        String secret = logins.token("leaver", TestLogins.ADMIN, false);

        mvc.perform(delete(API + "/users/" + id)).andExpect(status().isOk());

        mvc.perform(get(API + "/audit").param("action", "user.deleted").param("target", "leaver"))
                .andExpect(jsonPath("$.events", hasSize(1)))
                .andExpect(jsonPath("$.events[0].details.role").value("ADMIN"))
                .andExpect(jsonPath("$.events[0].details.email").value("leaver@example.com"))
                .andExpect(jsonPath("$.events[0].details.memberships.ops").value("editor"))
                .andExpect(jsonPath("$.events[0].details.memberships.web").doesNotExist())
                .andExpect(jsonPath("$.events[0].details.tokens", hasSize(1)))
                .andExpect(jsonPath("$.events[0].details.tokens[0].prefix").value(secret.substring(0, 12)))
                .andExpect(jsonPath("$.events[0].details.tokens[0].name").value("test leaver"))
                .andExpect(jsonPath("$.events[0].details.tokens[0].status").value("active"));
    }

    private String createToken(String role, String name) throws Exception {
        return createToken(logins.as(role), name);
    }

    private String createToken(org.springframework.test.web.servlet.request.RequestPostProcessor as, String name)
            throws Exception {
        return mvc.perform(post(API + "/tokens")
                        .with(as)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"" + name + "\"}"))
                .andExpect(status().isCreated())
                .andReturn()
                .getResponse()
                .getContentAsString();
    }

    @Test
    void aReadOnlyTokenReadsButChangesNothing() throws Exception {
        String readOnly = logins.token("reader", TestLogins.SUPER_ADMIN, true);
        mvc.perform(get(API + "/jobs").with(TestLogins.bearer(readOnly))).andExpect(status().isOk());
        mvc.perform(post(API + "/schedules/preview")
                        .with(TestLogins.bearer(readOnly))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"schedule\":{\"type\":\"cron\",\"expression\":\"0 2 * * *\"}}"))
                .andExpect(status().isOk());
        mvc.perform(post(API + "/jobs")
                        .with(TestLogins.bearer(readOnly))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{}"))
                .andExpect(status().isForbidden());
        mvc.perform(get(API + "/me").with(TestLogins.bearer(readOnly)))
                .andExpect(jsonPath("$.read_only").value(true));
    }

    @Test
    void anExpiredTokenAndATokenOfADisabledUserAreRefused() throws Exception {
        String created = mvc.perform(post(API + "/tokens")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"short\",\"expires_at\":\"2026-06-01T11:00:00Z\"}"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        String secret = JsonPath.read(created, "$.secret");
        mvc.perform(get(API + "/me").with(TestLogins.bearer(secret))).andExpect(status().isOk());
        clock.advance(Duration.ofHours(1));
        mvc.perform(get(API + "/me").with(TestLogins.bearer(secret))).andExpect(status().isUnauthorized());

        String admin = logins.token(TestLogins.ADMIN);
        String adminId = jdbc.sql("SELECT CAST(id AS VARCHAR(36)) FROM users WHERE username = 'test-admin'")
                .query(String.class)
                .single();
        mvc.perform(put(API + "/users/" + adminId)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"enabled\":false}"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.user.enabled").value(false));
        mvc.perform(get(API + "/me").with(TestLogins.bearer(admin))).andExpect(status().isUnauthorized());
    }

    @Test
    void tokenRequestsAreValidated() throws Exception {
        mvc.perform(post(API + "/tokens")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"\",\"expires_at\":\"2030-01-01T00:00:00Z\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("name"))
                .andExpect(jsonPath("$.errors[1].field").value("expires_at"));
    }

    @Test
    void superAdminsManageUsersButNeverRemoveTheLastSuperAdmin() throws Exception {
        String created = mvc.perform(post(API + "/users")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"username\":\"carol\",\"password\":\"carol's long password\",\"role\":\"ADMIN\"}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.user.role").value("ADMIN"))
                .andExpect(jsonPath("$.user.password").doesNotExist())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(jdbc.sql("SELECT password_hash FROM users WHERE username = 'carol'")
                        .query(String.class)
                        .single())
                .startsWith("{bcrypt}$2");
        mvc.perform(post(API + "/users")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"username\":\"carol\",\"password\":\"short\",\"role\":\"KING\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("password"))
                .andExpect(jsonPath("$.errors[1].field").value("role"));
        mvc.perform(post(API + "/users")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"username\":\"carol\",\"password\":\"another long password\",\"role\":\"USER\"}"))
                .andExpect(status().isConflict());

        String superId = jdbc.sql("SELECT CAST(id AS VARCHAR(36)) FROM users WHERE username = 'test-super-admin'")
                .query(String.class)
                .single();
        mvc.perform(put(API + "/users/" + superId)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"role\":\"ADMIN\"}"))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.errors[0].field").value("role"));
        mvc.perform(delete(API + "/users/" + superId)).andExpect(status().isConflict());
        mvc.perform(delete(API + "/users/" + JsonPath.<String>read(created, "$.user.id")))
                .andExpect(status().isOk());
        mvc.perform(get(API + "/audit").param("action", "user"))
                .andExpect(
                        jsonPath("$.events[*].action", org.hamcrest.Matchers.hasItems("user.created", "user.deleted")));
    }
}
