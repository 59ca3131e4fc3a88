package dev.almanac.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.util.HtmlUtils;

/**
 * Every refusal is in the audit trail exactly once, also when it is thrown inside a service's transaction, which it
 * rolls back; and says what was refused as a whole sentence. Walks the refusals of the API and of the pages, each
 * by the role it is refused to, with its exact message.
 */
abstract class RefusalsAuditTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends RefusalsAuditTests {}

    @WithPostgres
    static class OnPostgres extends RefusalsAuditTests {}

    static final String API = "/api/admin/scheduler";

    /** Words a refusal's message must not end with: it would say "may not change the members of". */
    static final Set<String> DANGLING = Set.of(
            "of", "in", "to", "the", "for", "on", "at", "with", "its", "a", "not", "change", "create", "delete", "run",
            "pause", "resume", "write", "update", "cancel", "approve", "reject", "declare", "end");

    /** A refused call: who makes it, what it is, and the 403's message. */
    record Refusal(String who, String method, String path, String body, String message) {

        /** A form posted by a signed-in user, answered as an htmx fragment. */
        static Refusal page(String who, String path, String form, String message) {
            return new Refusal(who, "POST", path, form, message);
        }
    }

    String viewer;
    String runner;
    String owner;
    String admin;
    String limited;
    String beat;
    String wipe;
    String freeze;
    String script;
    String backfill;

    @BeforeEach
    void aNamespaceWithAViewerARunnerAndAnOwner() throws Exception {
        viewer = logins.token("vera", TestLogins.USER, false);
        runner = logins.token("rudi", TestLogins.USER, false);
        owner = logins.token("olga", TestLogins.USER, false);
        admin = logins.token(TestLogins.ADMIN);
        api("POST", "/namespaces", "{\"name\":\"a\"}");
        api("PUT", "/namespaces/a/members", """
                {"members":[{"username":"vera","role":"viewer"},{"username":"rudi","role":"runner"},
                            {"username":"olga","role":"owner"}]}""");
        beat = JsonPath.read(api("POST", "/jobs", job("a-beat", "heartbeat")), "$.job.id");
        wipe = JsonPath.read(api("POST", "/jobs", job("a-wipe", "test_destroy")), "$.job.id");
        api("POST", "/calendars", "{\"name\":\"holidays\",\"dates\":[\"2026-12-25\"]}");
        api("POST", "/calendars", "{\"name\":\"a-days\",\"namespace\":\"a\",\"dates\":[\"2026-12-24\"]}");
        freeze = JsonPath.read(
                api(
                        "POST",
                        "/freezes",
                        "{\"from\":\"2026-12-20T00:00:00Z\",\"to\":\"2026-12-27T00:00:00Z\",\"reason\":\"year end\"}"),
                "$.id");
        script = JsonPath.read(
                api(
                        "POST",
                        "/scripts",
                        "{\"name\":\"a-script\",\"language\":\"sh\",\"source\":\"echo a\",\"namespace\":\"a\"}"),
                "$.id");
        limited = JsonPath.read(api("POST", "/tokens", "{\"name\":\"a only\",\"namespaces\":[\"a\"]}"), "$.secret");
        clock.set(START.plus(Duration.ofMinutes(10)));
        backfill = JsonPath.read(
                api(
                        "POST",
                        "/jobs/" + beat + "/backfill",
                        "{\"from\":\"" + START.plus(Duration.ofMinutes(1)) + "\",\"to\":\""
                                + START.plus(Duration.ofMinutes(4)) + "\"}"),
                "$.id");
    }

    private static String job(String name, String template) {
        return "{\"name\":\"" + name + "\",\"namespace\":\"a\",\"template_type\":\"" + template + "\","
                + "\"parameters\":" + (template.equals("heartbeat") ? "{}" : "{\"key\":\"k\"}")
                + ",\"schedule\":{\"type\":\"interval\",\"interval_seconds\":60}}";
    }

    @Test
    void everyRefusalOfTheApiIsRecordedOnceAndSaysWhatWasRefused() throws Exception {
        String mayNot = "your role 'viewer' in namespace 'a' may not ";
        String backfillRange = "{\"from\":\"" + START.plus(Duration.ofMinutes(1)) + "\",\"to\":\""
                + START.plus(Duration.ofMinutes(2)) + "\"}";
        String calendar = "{\"dates\":[\"2026-12-31\"]}";
        List<Refusal> refusals = List.of(
                new Refusal(viewer, "POST", "/jobs/" + beat + "/backfill", backfillRange, mayNot + "run its jobs"),
                new Refusal(
                        runner,
                        "POST",
                        "/jobs/" + wipe + "/backfill",
                        backfillRange,
                        "the template is destructive: your role 'runner' in namespace 'a' may not run its jobs; an"
                                + " owner of the namespace or a super admin may"),
                new Refusal(viewer, "DELETE", "/backfills/" + backfill, null, mayNot + "cancel the runs of its jobs"),
                new Refusal(viewer, "POST", "/jobs/" + beat + "/run", null, mayNot + "run its jobs"),
                new Refusal(viewer, "PUT", "/jobs/" + beat, "{\"enabled\":false}", mayNot + "update its jobs"),
                new Refusal(viewer, "PUT", "/namespaces/a/members", "{\"members\":[]}", mayNot + "change its members"),
                new Refusal(viewer, "PUT", "/namespaces/a", "{\"display_name\":\"A\"}", mayNot + "change its settings"),
                new Refusal(viewer, "POST", "/namespaces/a/pause", null, mayNot + "pause it"),
                new Refusal(viewer, "POST", "/namespaces/a/resume", null, mayNot + "resume it"),
                new Refusal(
                        limited, "POST", "/namespaces", "{\"name\":\"c\"}", "only a super admin may create namespaces"),
                new Refusal(
                        owner,
                        "POST",
                        "/calendars",
                        "{\"name\":\"more\",\"dates\":[\"2026-12-31\"]}",
                        "only an admin may create a calendar: it is shared by every namespace"),
                new Refusal(
                        owner,
                        "PUT",
                        "/calendars/holidays",
                        calendar,
                        "only an admin may change a calendar: it is shared by every namespace"),
                new Refusal(
                        owner,
                        "DELETE",
                        "/calendars/holidays",
                        null,
                        "only an admin may delete a calendar: it is shared by every namespace"),
                new Refusal(
                        viewer,
                        "POST",
                        "/calendars",
                        "{\"name\":\"mine\",\"namespace\":\"a\",\"dates\":[\"2026-12-31\"]}",
                        mayNot + "create calendars"),
                new Refusal(viewer, "PUT", "/calendars/a-days?namespace=a", calendar, mayNot + "change its calendars"),
                new Refusal(viewer, "DELETE", "/calendars/a-days?namespace=a", null, mayNot + "delete its calendars"),
                new Refusal(
                        admin,
                        "POST",
                        "/freezes",
                        "{\"from\":\"2026-12-20T00:00:00Z\",\"to\":\"2026-12-21T00:00:00Z\",\"reason\":\"x\"}",
                        "only a super admin may declare a freeze"),
                new Refusal(admin, "DELETE", "/freezes/" + freeze, null, "only a super admin may end a freeze"),
                new Refusal(
                        viewer,
                        "POST",
                        "/scripts",
                        "{\"name\":\"b-script\",\"language\":\"sh\",\"source\":\"echo b\",\"namespace\":\"a\"}",
                        mayNot + "write scripts"),
                new Refusal(
                        viewer,
                        "POST",
                        "/scripts/" + script + "/versions",
                        "{\"source\":\"echo c\"}",
                        mayNot + "write scripts"),
                new Refusal(
                        viewer,
                        "POST",
                        "/scripts/" + script + "/versions/1/approve",
                        "{\"comment\":\"looks fine\"}",
                        mayNot + "approve script versions"));
        for (Refusal refusal : refusals) {
            String call = refusal.method() + " " + refusal.path();
            MockHttpServletRequestBuilder request = request(HttpMethod.valueOf(refusal.method()), API + refusal.path())
                    .with(TestLogins.bearer(refusal.who()));
            if (refusal.body() != null) {
                request.contentType(MediaType.APPLICATION_JSON).content(refusal.body());
            }
            int before = denials().size();
            MockHttpServletResponse response = mvc.perform(request).andReturn().getResponse();

            assertThat(response.getStatus())
                    .as(call + ": " + response.getContentAsString())
                    .isEqualTo(403);
            String detail = JsonPath.read(response.getContentAsString(), "$.detail");
            assertThat(detail).as(call).isEqualTo(refusal.message());
            assertWholeSentence(call, detail);
            assertRecordedOnce(call, before, detail);
        }
    }

    @Test
    void everyRefusalOfThePagesIsRecordedOnceAndSaysWhatWasRefused() throws Exception {
        MockMvc pages = securedMvc();
        String mayNot = "your role 'viewer' in namespace 'a' may not ";
        String global = " a calendar: it is shared by every namespace";
        List<Refusal> refusals = List.of(
                Refusal.page(
                        "vera", "/namespaces/a/members", "username=vera&role=owner", mayNot + "change its members"),
                Refusal.page("vera", "/namespaces/a", "display_name=A", mayNot + "change its settings"),
                Refusal.page(
                        "olga", "/calendars/new", "name=more&dates=2026-12-31", "only an admin may create" + global),
                Refusal.page("olga", "/calendars/holidays", "dates=2026-12-31", "only an admin may change" + global),
                Refusal.page("olga", "/calendars/holidays/delete", "", "only an admin may delete" + global),
                Refusal.page(
                        "vera", "/calendars/a-days?namespace=a", "dates=2026-12-31", mayNot + "change its calendars"),
                Refusal.page("vera", "/calendars/a-days/delete?namespace=a", "", mayNot + "delete its calendars"));
        for (Refusal refusal : refusals) {
            String call = "POST " + refusal.path();
            MockHttpServletRequestBuilder request = post(refusal.path())
                    .with(user(refusal.who()).roles("USER"))
                    .with(csrf())
                    .header("HX-Request", "true")
                    .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                    .content(refusal.body());
            int before = denials().size();
            MockHttpServletResponse response =
                    pages.perform(request).andReturn().getResponse();

            assertThat(response.getStatus())
                    .as(call + ": " + response.getContentAsString())
                    .isEqualTo(403);
            assertThat(response.getContentAsString())
                    .as(call)
                    .contains("data-refusal", HtmlUtils.htmlEscape(refusal.message()));
            assertRecordedOnce(call, before, refusal.message());
        }
    }

    private void assertWholeSentence(String call, String message) {
        String[] words = message.strip().split("[\\s:;,.]+");
        assertThat(DANGLING).as(call + ": '" + message + "' ends mid-sentence").doesNotContain(words[words.length - 1]);
    }

    /** One more {@code access.denied} than {@code before}, the newest, naming the refusal's message as its reason. */
    private void assertRecordedOnce(String call, int before, String message) throws Exception {
        List<Map<String, Object>> denials = denials();
        assertThat(denials).as(call + ": access.denied events").hasSize(before + 1);
        assertThat(denials.get(0).get("details")).as(call).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) denials.get(0).get("details")).get("reason"))
                .as(call)
                .isEqualTo(message);
        // the next refusal's event is the newest by its time
        clock.advance(Duration.ofSeconds(1));
    }

    /** The {@code access.denied} events, newest first, as the audit API lists them. */
    private List<Map<String, Object>> denials() throws Exception {
        return JsonPath.read(api("GET", "/audit?action=access.denied&limit=1000", null), "$.events");
    }
}
