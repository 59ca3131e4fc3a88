package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A refused API token is audited with what it is: a stored token that is revoked, expired or whose user is disabled
 * names itself (prefix, owner) and the true reason; an unknown token names nothing. The token itself never shows.
 */
@WithH2
@SpringBootTest(properties = {"almanac.data-dir=target/test-data", "almanac.engine.enabled=false"})
class TokenRefusalAuditTests extends AlmanacIntegrationTest {

    @Test
    void aRefusedStoredTokenIsAuditedWithItsOwnerPrefixAndTrueReason() throws Exception {
        String revoked = logins.token("rita", TestLogins.ADMIN, false);
        String expired = logins.token("eddie", TestLogins.ADMIN, false);
        String disabled = logins.token("dora", TestLogins.ADMIN, false);
        jdbc.sql("UPDATE api_tokens SET revoked_at = :now WHERE name = 'test rita'")
                .param("now", OffsetDateTime.now(ZoneOffset.UTC))
                .update();
        jdbc.sql("UPDATE api_tokens SET expires_at = :then WHERE name = 'test eddie'")
                .param("then", START.minusSeconds(60).atOffset(ZoneOffset.UTC))
                .update();
        jdbc.sql("UPDATE users SET enabled = FALSE WHERE username = 'dora'").update();
        String unknown = "alm_" + "x".repeat(43);

        Map<String, String> reasons = Map.of(
                revoked, "revoked token",
                expired, "expired token",
                disabled, "the token's user is disabled");
        for (Map.Entry<String, String> token : reasons.entrySet()) {
            refused(token.getKey());
            String owner =
                    token.getKey().equals(revoked) ? "rita" : token.getKey().equals(expired) ? "eddie" : "dora";
            Map<String, Object> event = lastFailure();
            assertThat(event.get("target_type")).isEqualTo("token");
            assertThat(event.get("target_name")).isEqualTo("test " + owner);
            assertThat((String) event.get("details"))
                    .contains("\"reason\":\"" + token.getValue() + "\"")
                    .contains("\"owner\":\"" + owner + "\"")
                    .contains("\"prefix\":\"" + token.getKey().substring(0, 12) + "\"")
                    .doesNotContain(token.getKey());
        }

        refused(unknown);
        Map<String, Object> event = lastFailure();
        assertThat(event.get("target_name")).isNull();
        assertThat((String) event.get("details"))
                .contains("unknown, expired or revoked token")
                .doesNotContain(unknown);
    }

    private void refused(String token) throws Exception {
        jdbc.sql("DELETE FROM audit_events").update();
        mvc.perform(get("/api/admin/scheduler/jobs").with(TestLogins.bearer(token)))
                .andExpect(status().isUnauthorized())
                .andExpect(jsonPath("$.detail").value("the API token is unknown, expired or revoked"));
    }

    private Map<String, Object> lastFailure() {
        return jdbc.sql("SELECT target_type, target_name, details FROM audit_events WHERE action = 'login.failed'")
                .query((rs, n) -> {
                    Map<String, Object> row = new java.util.HashMap<>();
                    row.put("target_type", rs.getString("target_type"));
                    row.put("target_name", rs.getString("target_name"));
                    row.put("details", rs.getString("details"));
                    return row;
                })
                .single();
    }
}
