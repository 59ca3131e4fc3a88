package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * Every endpoint, called as anonymous, {@code USER}, {@code ADMIN}, {@code SUPER_ADMIN} and with a revoked token,
 * each call on fresh data: the status each caller gets is the table below.
 */
abstract class AuthorizationMatrixTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends AuthorizationMatrixTests {}

    @WithPostgres
    static class OnPostgres extends AuthorizationMatrixTests {}

    static final String API = "/api/admin/scheduler";
    static final String HEARTBEAT = """
            {"name":"matrix","template_type":"heartbeat","schedule":{"type":"interval","interval_seconds":60}}""";
    static final String DESTROY = """
            {"name":"matrix-destroy","template_type":"test_destroy","schedule":{"type":"interval","interval_seconds":60}}""";

    /** One endpoint and the status expected for: anonymous, USER, ADMIN, SUPER_ADMIN, a revoked token. */
    record Row(
            String method, String path, String body, int anonymous, int user, int admin, int superAdmin, int revoked) {}

    static Row api(String method, String path, String body, int admin, int superAdmin) {
        return new Row(method, path, body, 401, 403, admin, superAdmin, 401);
    }

    static final List<Row> MATRIX = List.of(
            api("GET", API + "/templates", null, 200, 200),
            api("GET", API + "/templates/heartbeat", null, 200, 200),
            api("GET", API + "/jobs", null, 200, 200),
            api("POST", API + "/jobs", HEARTBEAT.replace("matrix", "matrix-new"), 201, 201),
            api("POST", API + "/jobs", DESTROY.replace("matrix", "matrix-new"), 403, 201),
            api("GET", API + "/jobs/{job}", null, 200, 200),
            api("GET", API + "/jobs/{destroy}", null, 200, 200),
            api("PUT", API + "/jobs/{job}", "{\"description\":\"changed\"}", 200, 200),
            api("PUT", API + "/jobs/{job}", "{\"template_type\":\"test_destroy\",\"parameters\":{}}", 403, 200),
            api("PUT", API + "/jobs/{destroy}", "{\"enabled\":false}", 403, 200),
            api("DELETE", API + "/jobs/{job}", null, 200, 200),
            api("DELETE", API + "/jobs/{destroy}", null, 403, 200),
            api("GET", API + "/jobs/{job}/versions", null, 200, 200),
            api("GET", API + "/jobs/{job}/versions/1", null, 200, 200),
            api(
                    "POST",
                    API + "/schedules/preview",
                    "{\"schedule\":{\"type\":\"cron\",\"expression\":\"0 2 * * *\"}}",
                    200,
                    200),
            api("POST", API + "/jobs/{job}/run", null, 202, 202),
            api("POST", API + "/jobs/{destroy}/run", "{\"dry_run\":true}", 403, 202),
            api("GET", API + "/jobs/{job}/executions", null, 200, 200),
            api("GET", API + "/executions", null, 200, 200),
            api("GET", API + "/executions/{execution}", null, 200, 200),
            api("POST", API + "/executions/{execution}/cancel", null, 202, 202),
            api("POST", API + "/executions/{destroyExecution}/cancel", null, 403, 202),
            api("DELETE", API + "/executions/{execution}", null, 403, 200),
            api("GET", API + "/executions/{execution}/notifications", null, 200, 200),
            api("GET", API + "/jobs/{job}/notifications", null, 200, 200),
            api("GET", API + "/status", null, 200, 200),
            api("GET", API + "/audit", null, 403, 200),
            api("GET", API + "/users", null, 403, 200),
            api(
                    "POST",
                    API + "/users",
                    "{\"username\":\"newcomer\",\"password\":\"a long enough password\",\"role\":\"ADMIN\"}",
                    403,
                    201),
            api("GET", API + "/users/{user}", null, 403, 200),
            api("PUT", API + "/users/{user}", "{\"enabled\":false}", 403, 200),
            api("DELETE", API + "/users/{user}", null, 403, 200),
            api("GET", API + "/me", null, 200, 200),
            api("GET", API + "/tokens", null, 200, 200),
            api("POST", API + "/tokens", "{\"name\":\"ci\"}", 201, 201),
            // an admin cannot see a super admin's token: to them it does not exist
            api("DELETE", API + "/tokens/{token}", null, 404, 200),
            api("GET", "/actuator/prometheus", null, 200, 200),
            api("GET", "/actuator/env", null, 403, 403),
            api("GET", API + "/no-such-endpoint", null, 404, 404),
            // a revoked token is refused even where no login is needed
            new Row("GET", "/actuator/health", null, 200, 200, 200, 200, 401),
            // the UI chain ignores Bearer tokens: pages go to the login form, the rest is closed
            new Row("GET", "/login", null, 200, 200, 200, 200, 200),
            new Row("GET", "/", null, 302, 302, 302, 302, 302),
            new Row("GET", "/jobs", null, 302, 302, 302, 302, 302),
            new Row("GET", "/executions/{execution}/notifications", null, 302, 302, 302, 302, 302),
            // a state-changing UI request without a CSRF token is refused before anything else
            new Row("POST", "/jobs", "{}", 403, 403, 403, 403, 403),
            new Row("GET", "/v3/api-docs", null, 200, 200, 200, 200, 200),
            new Row("GET", "/h2-console", null, 401, 401, 401, 401, 401));

    @Test
    void everyEndpointAnswersEachCallerAsTheTableSays() throws Exception {
        String revoked = logins.token("test-revoked", TestLogins.SUPER_ADMIN, false);
        jdbc.sql("UPDATE api_tokens SET revoked_at = :now WHERE name = 'test test-revoked'")
                .param("now", OffsetDateTime.now(ZoneOffset.UTC))
                .update();
        Map<String, RequestPostProcessor> callers = new LinkedHashMap<>();
        callers.put("anonymous", TestLogins.anonymously());
        callers.put("USER", logins.as(TestLogins.USER));
        callers.put("ADMIN", logins.as(TestLogins.ADMIN));
        callers.put("SUPER_ADMIN", logins.as(TestLogins.SUPER_ADMIN));
        callers.put("revoked token", TestLogins.bearer(revoked));

        List<String> mismatches = new ArrayList<>();
        for (Row row : MATRIX) {
            int[] expected = {row.anonymous(), row.user(), row.admin(), row.superAdmin(), row.revoked()};
            int column = 0;
            for (Map.Entry<String, RequestPostProcessor> caller : callers.entrySet()) {
                Map<String, String> fixture = freshFixture();
                String path = row.path();
                for (Map.Entry<String, String> value : fixture.entrySet()) {
                    path = path.replace("{" + value.getKey() + "}", value.getValue());
                }
                MockHttpServletRequestBuilder request =
                        request(HttpMethod.valueOf(row.method()), path).with(caller.getValue());
                if (row.body() != null) {
                    request.contentType(MediaType.APPLICATION_JSON).content(row.body());
                }
                MockHttpServletResponse response =
                        mvc.perform(request).andReturn().getResponse();
                int want = expected[column++];
                if (response.getStatus() != want) {
                    mismatches.add(row.method() + " " + row.path() + " as " + caller.getKey() + ": expected " + want
                            + ", got " + response.getStatus() + " " + response.getContentAsString());
                }
                if (response.getStatus() == 401 || response.getStatus() == 403) {
                    assertThat(response.getContentType()).startsWith("application/problem+json");
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    /** A heartbeat job, a destructive job, a queued run of each, another user and a super admin's token. */
    private Map<String, String> freshFixture() throws Exception {
        for (String table : new String[] {
            "execution_logs",
            "executions",
            "job_dependencies",
            "job_triggers",
            "job_tags",
            "job_versions",
            "jobs",
            "audit_events"
        }) {
            jdbc.sql("DELETE FROM " + table).update();
        }
        jdbc.sql("DELETE FROM users WHERE username IN ('victim', 'newcomer')").update();
        jdbc.sql("DELETE FROM api_tokens WHERE name = 'fixture'").update();
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("job", create(HEARTBEAT));
        ids.put("destroy", create(DESTROY));
        ids.put("execution", queuedExecution(ids.get("job"), "matrix", "heartbeat"));
        ids.put("destroyExecution", queuedExecution(ids.get("destroy"), "matrix-destroy", "test_destroy"));
        ids.put("user", logins.user("victim", TestLogins.ADMIN, null).toString());
        UUID token = UUID.randomUUID();
        jdbc.sql("""
                        INSERT INTO api_tokens (id, user_id, name, token_prefix, token_hash, read_only, created_at)
                        SELECT :id, id, 'fixture', 'alm_fixture', :hash, FALSE, :now FROM users
                        WHERE username = 'test-super-admin'
                        """)
                .param("id", token)
                .param("hash", UUID.randomUUID().toString())
                .param("now", OffsetDateTime.now(ZoneOffset.UTC))
                .update();
        ids.put("token", token.toString());
        return ids;
    }

    private String create(String body) throws Exception {
        String response = mvc.perform(request(HttpMethod.POST, API + "/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(body))
                .andReturn()
                .getResponse()
                .getContentAsString();
        return JsonPath.read(response, "$.job.id");
    }

    private String queuedExecution(String job, String name, String template) {
        UUID id = UUID.randomUUID();
        OffsetDateTime now = START.atOffset(ZoneOffset.UTC);
        jdbc.sql("""
                        INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, attempt,
                                                run_after, created_at, dry_run, parameters, triggered_by,
                                                cancel_requested)
                        VALUES (:id, :job, 1, :name, :template, 'queued', 1, :now, :now, FALSE, '{}', 'scheduler',
                                FALSE)
                        """)
                .param("id", id)
                .param("job", UUID.fromString(job))
                .param("name", name)
                .param("template", template)
                .param("now", now)
                .update();
        return id.toString();
    }
}
