package dev.almanac.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.util.List;
import java.util.Map;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Notification targets and the webhook template's URL are checked by the SSRF guard when a job is saved, not only when
 * the call is made: literal internal addresses and host names that resolve to one are refused with the field named.
 */
@WithH2
@TestPropertySource(properties = "almanac.http.allowed-hosts=127.0.0.2")
class OutboundTargetsOnSaveTests extends AlmanacIntegrationTest {

    static final String JOBS = "/api/admin/scheduler/jobs";

    @Autowired
    JsonMapper json;

    @Test
    void refusesANotificationWebhookOnAnInternalAddressNamingTheField() throws Exception {
        List<String> internal = List.of(
                "http://169.254.169.254/latest/meta-data/",
                "http://127.0.0.1:8080/hook",
                "http://10.1.2.3/hook",
                "http://192.168.0.10/hook",
                "http://[::1]/hook",
                "http://[fd00::1]/hook",
                "http://localhost:8080/hook",
                "http://2130706433/");
        for (String url : internal) {
            save(job("internal", Map.of(), Map.of("on_failure", List.of("ops@example.org", url))))
                    .andExpect(status().isBadRequest())
                    .andExpect(header().string("Content-Type", Matchers.startsWith("application/problem+json")))
                    .andExpect(jsonPath("$.errors.length()").value(1))
                    .andExpect(jsonPath("$.errors[0].field").value("notifications.on_failure[1]"))
                    .andExpect(jsonPath("$.errors[0].message")
                            .value(Matchers.anyOf(
                                    Matchers.containsString("refused"), Matchers.containsString("decimal"))));
        }
        save(job("slack", Map.of(), Map.of("on_success", List.of("slack:http://169.254.169.254/services/x"))))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("notifications.on_success[0]"))
                .andExpect(jsonPath("$.errors[0].message").value(Matchers.containsString("link-local")));
        save(job("retry", Map.of(), Map.of("on_retry", List.of("http://localhost/hook"))))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("notifications.on_retry[0]"))
                .andExpect(jsonPath("$.errors[0].message").value(Matchers.startsWith("'localhost' resolves to ")))
                .andExpect(
                        jsonPath("$.errors[0].message").value(Matchers.containsString("ALMANAC_HTTP_ALLOWED_HOSTS")));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isZero();
    }

    @Test
    void refusesAWebhookTemplateUrlOnAnInternalAddressOrAHostThatResolvesToOne() throws Exception {
        for (String url : List.of("http://169.254.169.254/", "http://localhost:9200/_bulk", "http://[::1]/")) {
            save(job("webhook", Map.of("url", url), Map.of()))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("parameters.url"))
                    .andExpect(jsonPath("$.errors[0].message").value(Matchers.containsString("refused")));
        }
    }

    @Test
    void acceptsAllowedHostsAndHostsThatDoNotResolveYet() throws Exception {
        save(job(
                        "allowed",
                        Map.of("url", "http://127.0.0.2:8080/hook"),
                        Map.of("on_failure", List.of("http://127.0.0.2:8080/failed"))))
                .andExpect(status().isCreated());
        // no DNS answer now: saved, and the guard checks it again (failing closed) when it is called
        save(job(
                        "later",
                        Map.of("url", "https://hooks.unresolvable.invalid/x"),
                        Map.of("on_failure", List.of("slack:https://chat.unresolvable.invalid/services/T0/B0/x"))))
                .andExpect(status().isCreated());
    }

    @Test
    void checksTheSyntaxOfEmailRecipientsOnSave() throws Exception {
        save(job("mail", Map.of(), Map.of("on_failure", List.of("ops@example.org", "ops at example.org"))))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("notifications.on_failure[1]"));
    }

    private org.springframework.test.web.servlet.ResultActions save(Map<String, Object> job) throws Exception {
        return mvc.perform(post(JOBS).contentType(MediaType.APPLICATION_JSON).content(json.writeValueAsString(job)));
    }

    /** A webhook job when {@code parameters} has a URL, a heartbeat otherwise. */
    private static Map<String, Object> job(
            String name, Map<String, Object> parameters, Map<String, Object> notifications) {
        return Map.of(
                "name",
                name,
                "template_type",
                parameters.containsKey("url") ? "webhook_trigger" : "heartbeat",
                "parameters",
                parameters,
                "schedule",
                Map.of("type", "interval", "interval_seconds", 3600),
                "notifications",
                notifications);
    }
}
