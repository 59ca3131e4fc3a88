package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.job.JobHealth;
import dev.almanac.job.JobId;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * What a member of namespace {@code a} must not learn about {@code b}, through the pages (with the security chain)
 * and the API: hidden job names in the wizard's review, a backfill of a deleted job, the dashboard's unhealthy
 * panel; the tokens page's namespace limit and the denied page's rule. The walk over every mapped path with an id
 * answers an object of {@code b} exactly as a missing one, so an endpoint added later is walked too.
 */
abstract class NamespaceLeaksTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends NamespaceLeaksTests {}

    @WithPostgres
    static class OnPostgres extends NamespaceLeaksTests {}

    static final String API = "/api/admin/scheduler";
    static final String SECRET = "b-secret";

    static final RequestPostProcessor ALICE = user("alice").roles("USER");
    static final RequestPostProcessor BOB = user("bob").roles("USER");
    static final RequestPostProcessor CAROL = user("carol").roles("ADMIN");

    @Autowired
    WebApplicationContext context;

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Autowired
    JobHealth health;

    MockMvc pages;
    String aliceToken;
    String aJob;
    String bJob;
    String bExecution;

    @BeforeEach
    void twoTeams() throws Exception {
        pages = securedMvc();
        jdbc.sql("DELETE FROM backfill_slots").update();
        jdbc.sql("DELETE FROM backfills").update();
        aliceToken = logins.token("alice", TestLogins.USER, false);
        logins.user("bob", TestLogins.USER, null);
        logins.user("carol", TestLogins.ADMIN, null);
        api("POST", "/namespaces", "{\"name\":\"a\"}");
        api("POST", "/namespaces", "{\"name\":\"b\",\"display_name\":\"" + SECRET + " team\"}");
        api("PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"editor\"}]}");
        api("PUT", "/namespaces/b/members", "{\"members\":[{\"username\":\"bob\",\"role\":\"runner\"}]}");
        aJob = JsonPath.read(api("POST", "/jobs", heartbeat("a-one", "a")), "$.job.id");
        bJob = JsonPath.read(api("POST", "/jobs", heartbeat(SECRET, "b")), "$.job.id");
        bExecution = JsonPath.read(api("POST", "/jobs/" + bJob + "/run", null), "$.execution_id");
    }

    private static String heartbeat(String name, String namespace) {
        return "{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\",\"template_type\":\"heartbeat\","
                + "\"schedule\":{\"type\":\"interval\",\"interval_seconds\":60}}";
    }

    private MockHttpServletResponse page(MockHttpServletRequestBuilder request, RequestPostProcessor who)
            throws Exception {
        return pages.perform(request.with(who).with(csrf())).andReturn().getResponse();
    }

    /** A backfill of b's job over five past minutes, started by the super admin. */
    private String bBackfill() throws Exception {
        clock.set(START.plus(Duration.ofMinutes(10)));
        return JsonPath.read(
                api(
                        "POST",
                        "/jobs/" + bJob + "/backfill",
                        "{\"from\":\"" + START.plus(Duration.ofMinutes(1)) + "\",\"to\":\""
                                + START.plus(Duration.ofMinutes(4)) + "\"}"),
                "$.id");
    }

    @Test
    void theWizardReviewDoesNotNameAJobOfAnotherNamespacePostedByItsId() throws Exception {
        MockHttpServletRequestBuilder review = post("/jobs/wizard")
                .param("step", "5")
                .param("_action", "goto:5")
                .param("namespace", "a")
                .param("template_type", "heartbeat")
                .param("name", "a-two")
                .param("schedule_kind", "interval")
                .param("interval_seconds", "60")
                .param("depends_on", bJob, aJob)
                .param("trigger_job", bJob)
                .param("trigger_on", "succeeded")
                .param("trigger_condition", "");

        MockHttpServletResponse shown = page(review, ALICE);

        assertThat(shown.getStatus()).as(shown.getContentAsString()).isEqualTo(200);
        assertThat(shown.getContentAsString())
                .contains("a-one", "(a job you may not see)")
                .doesNotContain(SECRET);
        // through htmx, the same fragment
        MockHttpServletResponse fragment = page(review.header("HX-Request", "true"), ALICE);
        assertThat(fragment.getContentAsString())
                .contains("(a job you may not see)")
                .doesNotContain(SECRET);
        // a super admin sees the name
        assertThat(page(review, user("test-super-admin").roles("SUPER_ADMIN")).getContentAsString())
                .contains(SECRET);
    }

    @Test
    void theWizardPreviewAndHintsDoNotReadTheCalendarsOfAnotherNamespace() throws Exception {
        api("POST", "/calendars", "{\"name\":\"holidays\",\"namespace\":\"b\",\"dates\":[\"2026-06-02\"]}");
        MockHttpServletRequestBuilder preview = wizardSchedule(post("/jobs/wizard/preview"), "b");
        MockHttpServletRequestBuilder hints = wizardSchedule(post("/jobs/wizard/schedule-hints"), "b");
        MockHttpServletRequestBuilder step =
                wizardSchedule(post("/jobs/wizard"), "b").param("step", "3").param("_action", "goto:3");
        // the check would fail without the rule: a super admin's preview does strike b's holiday through
        assertThat(page(
                                preview.header("HX-Request", "true"),
                                user("test-super-admin").roles("SUPER_ADMIN"))
                        .getContentAsString())
                .contains("blocked by calendar &#39;holidays&#39;");

        for (MockHttpServletRequestBuilder shown : List.of(preview.header("HX-Request", "true"), step)) {
            MockHttpServletResponse response = page(shown, ALICE);
            assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(200);
            assertThat(response.getContentAsString())
                    .contains("namespace: no namespace named &#39;b&#39;")
                    .doesNotContain("blocked by calendar", SECRET);
        }
        MockHttpServletResponse strip = page(hints.header("HX-Request", "true"), ALICE);
        assertThat(strip.getStatus()).isEqualTo(200);
        assertThat(strip.getContentAsString())
                .contains("data-state=\"planned\"")
                .doesNotContain("data-state=\"blocked\"", "holidays", SECRET);
        // the preview API refuses b, and answers a calendar b holds exactly as one nobody holds
        for (String name : List.of("holidays", "no-such-calendar")) {
            MockHttpServletResponse answer = pages.perform(post(API + "/schedules/preview")
                            .header("Authorization", "Bearer " + aliceToken)
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"schedule\":{\"cron\":\"0 2 * * *\"},\"namespace\":\"b\","
                                    + "\"calendars\":{\"blackout\":[\"" + name + "\"]}}"))
                    .andReturn()
                    .getResponse();
            assertThat(answer.getStatus()).as(answer.getContentAsString()).isEqualTo(400);
            assertThat(answer.getContentAsString())
                    .contains("no namespace named 'b'", "unknown calendar '" + name + "'");
        }
        // in her own namespace the name is one she cannot list: named unknown, not resolved in b
        assertThat(page(wizardSchedule(post("/jobs/wizard/preview"), "a").header("HX-Request", "true"), ALICE)
                        .getContentAsString())
                .contains("calendars.blackout: unknown calendar &#39;holidays&#39;")
                .doesNotContain("blocked by calendar");
    }

    /** The wizard's schedule fields: a daily cron in namespace {@code namespace}, blacked out by "holidays". */
    private static MockHttpServletRequestBuilder wizardSchedule(MockHttpServletRequestBuilder post, String namespace) {
        return post.param("namespace", namespace)
                .param("template_type", "heartbeat")
                .param("name", "a-daily")
                .param("schedule_kind", "cron")
                .param("cron_expression", "0 2 * * *")
                .param("timezone", "UTC")
                .param("blackout_calendars", "holidays");
    }

    @Test
    void theJobPageDoesNotNameAnUpstreamOfAnotherNamespace() throws Exception {
        String downstream = JsonPath.read(
                api(
                        "POST",
                        "/jobs",
                        heartbeat("a-after-b", "a")
                                .replace(
                                        "}}",
                                        "},\"depends_on\":[\"" + bJob + "\"],\"triggers\":[{\"job\":\"" + bJob
                                                + "\",\"on\":\"failed\"}]}")),
                "$.job.id");

        MockHttpServletResponse shown = page(get("/jobs/" + downstream), ALICE);

        assertThat(shown.getStatus()).as(shown.getContentAsString()).isEqualTo(200);
        assertThat(shown.getContentAsString())
                .contains("(a job you may not see)")
                .doesNotContain(SECRET);
        // whoever may see b reads it as namespace/name
        assertThat(page(get("/jobs/" + downstream), user("test-super-admin").roles("SUPER_ADMIN"))
                        .getContentAsString())
                .contains("b/" + SECRET);
    }

    @Test
    void anExportDoesNotNameADependsOnUpstreamOfAnotherNamespace() throws Exception {
        api(
                "POST",
                "/jobs",
                heartbeat("a-waits-on-b", "a").replace("}}", "},\"depends_on\":[\"" + bJob + "\",\"" + aJob + "\"]}"));

        String viaApi = pages.perform(get(API + "/jobs/export").header("Authorization", "Bearer " + aliceToken))
                .andReturn()
                .getResponse()
                .getContentAsString();
        String viaPage =
                page(get("/import/export").param("format", "yaml"), ALICE).getContentAsString();
        for (String export : List.of(viaApi, viaPage)) {
            assertThat(export)
                    .contains("a-waits-on-b", "(a job you may not see)", "a-one")
                    .doesNotContain(SECRET)
                    .doesNotContain(bJob);
        }
        // whoever may see b reads it as namespace/name, which an import takes back
        assertThat(api("GET", "/jobs/export", null)).contains("\"b/" + SECRET + "\"");
    }

    @Test
    void theApiDoesNotNameAnUpstreamOfAnotherNamespace() throws Exception {
        String downstream = JsonPath.read(
                api(
                        "POST",
                        "/jobs",
                        heartbeat("a-waits-for-b", "a")
                                .replace(
                                        "}}",
                                        "},\"trigger_mode\":\"all\",\"triggers\":[{\"job\":\"" + bJob
                                                + "\",\"on\":\"succeeded\"}]}")),
                "$.job.id");

        for (String path : List.of(
                "/jobs/" + downstream,
                "/jobs?namespace=a",
                "/jobs/" + downstream + "/versions",
                "/jobs/" + downstream + "/versions/1",
                "/jobs/export?namespace=a")) {
            MockHttpServletResponse asAlice = pages.perform(
                            get(API + path).header("Authorization", "Bearer " + aliceToken))
                    .andReturn()
                    .getResponse();
            assertThat(asAlice.getStatus()).as(path).isEqualTo(200);
            assertThat(asAlice.getContentAsString())
                    .as(path)
                    .contains("(a job you may not see)")
                    .doesNotContain(SECRET);
        }
        String one = pages.perform(get(API + "/jobs/" + downstream).header("Authorization", "Bearer " + aliceToken))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat((String) JsonPath.read(one, "$.job.triggers[0].job")).isEqualTo("(a job you may not see)");
        assertThat((String) JsonPath.read(one, "$.job.waiting_for[0]"))
                .isEqualTo("(a job you may not see) (succeeded)");
        MockHttpServletResponse versionsPage = page(get("/jobs/" + downstream + "/versions"), ALICE);
        assertThat(versionsPage.getStatus()).isEqualTo(200);
        assertThat(versionsPage.getContentAsString()).doesNotContain(SECRET);
        // a rollback to the saved version keeps the hidden upstream the job has now, without naming it
        // (HiddenUpstreamsTests: one the job no longer has is refused)
        api("PUT", "/jobs/" + downstream, "{\"description\":\"second version\"}");
        MvcResult rollback = pages.perform(post("/jobs/" + downstream + "/rollback")
                        .param("version", "1")
                        .param("current_version", "2")
                        .with(ALICE)
                        .with(csrf()))
                .andReturn();
        assertThat(rollback.getResponse().getStatus()).isEqualTo(302);
        assertThat(String.valueOf(rollback.getFlashMap().get("flash")))
                .contains("Rolled back to version 1")
                .doesNotContain(SECRET);
        // the super admin, who sees b, reads it as namespace/name
        assertThat((String) JsonPath.read(api("GET", "/jobs/" + downstream, null), "$.job.triggers[0].job"))
                .isEqualTo("b/" + SECRET);
    }

    @Test
    void aRefusedDeleteDoesNotNameADependentOfAnotherNamespace() throws Exception {
        api("POST", "/jobs", heartbeat(SECRET + "-after-a", "b").replace("}}", "},\"depends_on\":[\"" + aJob + "\"]}"));

        MockHttpServletResponse viaApi = pages.perform(request(HttpMethod.DELETE, API + "/jobs/" + aJob)
                        .header("Authorization", "Bearer " + aliceToken))
                .andReturn()
                .getResponse();
        assertThat(viaApi.getStatus()).as(viaApi.getContentAsString()).isEqualTo(409);
        assertThat(viaApi.getContentAsString())
                .contains("other jobs depend on 'a-one': (a job you may not see);")
                .doesNotContain(SECRET);
        for (boolean htmx : List.of(false, true)) {
            MockHttpServletRequestBuilder delete = post("/jobs/" + aJob + "/delete");
            if (htmx) {
                delete.header("HX-Request", "true");
            }
            MockHttpServletResponse onPage = page(delete, ALICE);
            assertThat(onPage.getStatus()).as(onPage.getContentAsString()).isEqualTo(409);
            assertThat(onPage.getContentAsString())
                    .as("htmx: " + htmx)
                    .contains("other jobs depend on &#39;a-one&#39;: (a job you may not see);")
                    .doesNotContain(SECRET);
        }
        MvcResult bulk = pages.perform(post("/jobs/bulk")
                        .param("action", "delete")
                        .param("id", aJob)
                        .param("confirmed", "yes")
                        .with(ALICE)
                        .with(csrf()))
                .andReturn();
        assertThat(String.valueOf(bulk.getFlashMap().get("bulkRefusals")))
                .contains("(a job you may not see)")
                .doesNotContain(SECRET);
        // the super admin, who sees b, is told which job it is
        MockHttpServletResponse asSuperAdmin = mvc.perform(request(HttpMethod.DELETE, API + "/jobs/" + aJob))
                .andReturn()
                .getResponse();
        assertThat(asSuperAdmin.getStatus()).isEqualTo(409);
        assertThat(asSuperAdmin.getContentAsString()).contains("'" + SECRET + "-after-a'");
    }

    @Test
    void aBulkActionOnAJobOfAnotherNamespaceDoesNotNameIt() throws Exception {
        for (boolean htmx : List.of(false, true)) {
            MockHttpServletRequestBuilder bulk = post("/jobs/bulk")
                    .param("action", "disable")
                    .param("id", bJob)
                    .param("confirmed", "yes");
            if (htmx) {
                bulk.header("HX-Request", "true");
            }
            MvcResult done = pages.perform(bulk.with(ALICE).with(csrf())).andReturn();
            assertThat(done.getResponse().getStatus()).isEqualTo(302);
            MockHttpServletResponse list = pages.perform(
                            get("/jobs").flashAttrs(done.getFlashMap()).with(ALICE))
                    .andReturn()
                    .getResponse();
            assertThat(list.getContentAsString())
                    .as("htmx: " + htmx)
                    .contains("Refused, left as they were", bJob + "</span>: <span>no job with id " + bJob)
                    .doesNotContain(SECRET);
        }
        assertThat(api("GET", "/jobs/" + bJob, null)).contains("\"enabled\":true");
    }

    @Test
    void aBackfillOfADeletedJobStaysInItsNamespace() throws Exception {
        String backfill = bBackfill();
        assertThat(jdbc.sql("SELECT namespace FROM backfills WHERE id = :id")
                        .param("id", UUID.fromString(backfill))
                        .query(String.class)
                        .single())
                .isEqualTo("b");
        api("DELETE", "/backfills/" + backfill, null);
        api("DELETE", "/jobs/" + bJob, null);

        RequestPostProcessor alice = TestLogins.bearer(aliceToken);
        String missing = UUID.randomUUID().toString();
        for (String id : List.of(backfill, missing)) {
            MockHttpServletResponse read = mvc.perform(
                            get(API + "/backfills/" + id).with(alice))
                    .andReturn()
                    .getResponse();
            assertThat(read.getStatus()).as(read.getContentAsString()).isEqualTo(404);
            assertThat(read.getContentType()).startsWith("application/problem+json");
            assertThat(read.getContentAsString()).doesNotContain(SECRET);
            MockHttpServletResponse cancel = mvc.perform(
                            request(HttpMethod.DELETE, API + "/backfills/" + id).with(alice))
                    .andReturn()
                    .getResponse();
            assertThat(cancel.getStatus()).as(cancel.getContentAsString()).isEqualTo(404);
            MockHttpServletResponse onPage = page(post("/backfills/" + id + "/cancel"), ALICE);
            assertThat(onPage.getStatus()).as(onPage.getContentAsString()).isEqualTo(404);
            assertThat(onPage.getContentAsString()).doesNotContain(SECRET);
        }
        // b's member and the global roles still read it
        String bob = logins.token("bob", TestLogins.USER, false);
        MockHttpServletResponse bobReads = mvc.perform(
                        get(API + "/backfills/" + backfill).with(TestLogins.bearer(bob)))
                .andReturn()
                .getResponse();
        assertThat(bobReads.getStatus()).as(bobReads.getContentAsString()).isEqualTo(200);
        assertThat(bobReads.getContentAsString()).contains(SECRET);
        assertThat(api("GET", "/backfills/" + backfill, null)).contains("\"status\":\"cancelled\"");
    }

    @Test
    void aMemberSeesTheirOwnUnhealthyJobWhateverAnotherNamespaceHas() throws Exception {
        health.open(new JobId(UUID.fromString(aJob)), JobHealth.FAILING, "failed 3 times", START);
        health.open(new JobId(UUID.fromString(bJob)), JobHealth.FAILING, "failed 3 times", START.plusSeconds(1));
        for (int i = 0; i < 41; i++) {
            String id = JsonPath.read(api("POST", "/jobs", heartbeat("b-noisy-" + i, "b")), "$.job.id");
            health.open(new JobId(UUID.fromString(id)), JobHealth.LATE, "late", START.plusSeconds(10 + i));
        }

        String dashboard = page(get("/"), ALICE).getContentAsString();

        assertThat(dashboard).contains("a-one").doesNotContain(SECRET, "b-noisy-");
        // picked in the header, the same
        page(post("/account/namespace").param("namespace", "a"), ALICE);
        assertThat(page(get("/"), ALICE).getContentAsString()).contains("a-one").doesNotContain("b-noisy-");
        // the whole scheduler shows the newest ten
        String all =
                page(get("/"), user("test-super-admin").roles("SUPER_ADMIN")).getContentAsString();
        assertThat(all).contains("b-noisy-40", "b-noisy-31").doesNotContain("b-noisy-30<");
    }

    @Test
    void theTokensPageLimitsANewTokenToTheNamespacesTicked() throws Exception {
        String form = page(get("/tokens"), CAROL).getContentAsString();
        assertThat(form).contains("name=\"namespaces\"", "value=\"a\"", "value=\"b\"", "value=\"default\"");

        MockHttpServletResponse created = page(
                post("/tokens")
                        .param("name", "ci a")
                        .param("expires_in_days", "30")
                        .param("namespaces", "a", "b"),
                CAROL);
        assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(302);
        MockHttpServletResponse plain =
                page(post("/tokens").param("name", "ci all").param("expires_in_days", "30"), CAROL);
        assertThat(plain.getStatus()).isEqualTo(302);

        assertThat(jdbc.sql("SELECT name, namespaces FROM api_tokens WHERE name LIKE 'ci %' ORDER BY name")
                        .query((rs, n) -> rs.getString(1) + "=" + rs.getString(2))
                        .list())
                .containsExactly("ci a=a,b", "ci all=null");
        String list = page(get("/tokens"), CAROL).getContentAsString();
        assertThat(list).contains("only in a, b", "all your namespaces");

        // a namespace that does not exist is refused at the field, the input kept
        MockHttpServletResponse refused = page(
                post("/tokens")
                        .param("name", "ci x")
                        .param("expires_in_days", "30")
                        .param("namespaces", "a", "zz"),
                CAROL);
        assertThat(refused.getStatus()).isEqualTo(400);
        assertThat(refused.getContentAsString())
                .contains("id=\"namespaces-error\"", "no namespace named &#39;zz&#39;")
                .containsPattern("value=\"a\"\\s+checked");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM api_tokens WHERE name = 'ci x'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void theDeniedPageNamesWhoMayOpenThePage() throws Exception {
        assertThat(denied("/tokens", ALICE))
                .contains("/tokens is not open to your role (user)", "Only super admins and admins may open it")
                .doesNotContain("Only super admins may open it");
        assertThat(denied("/audit", CAROL))
                .contains("/audit is not open to your role (admin)", "Only super admins may open it.");
        logins.user("dave", TestLogins.USER, null);
        assertThat(denied("/jobs", user("dave").roles("USER")))
                .contains("a super admin can give you the admin role", "an owner of a namespace a role in it");
    }

    /** The page the chain forwards a refused reader to, as the browser gets it (MockMvc does not follow forwards). */
    private String denied(String path, RequestPostProcessor who) throws Exception {
        MockHttpServletResponse refused = page(get(path), who);
        assertThat(refused.getStatus()).isEqualTo(403);
        assertThat(refused.getForwardedUrl()).isEqualTo("/denied");
        MockHttpServletResponse shown = page(get("/denied").requestAttr("almanac.denied-path", path), who);
        assertThat(shown.getStatus()).isEqualTo(403);
        return shown.getContentAsString();
    }

    /** Paths whose ids name no namespace's object: they are for the global roles, and not walked here. */
    static final List<String> GLOBAL_OBJECTS =
            List.of("/scripts/", "/calendars/", "/freezes/", "/users/", "/tokens/", "/templates/");

    @Test
    void everyPathWithAnIdAnswersAnotherNamespacesObjectAsAMissingOne() throws Exception {
        Map<String, String> hidden = Map.of(
                "jobs", bJob, "executions", bExecution, "backfills", bBackfill(), "namespaces", "b", "members", "bob");
        Map<String, String> missing = Map.of(
                "jobs",
                UUID.randomUUID().toString(),
                "executions",
                UUID.randomUUID().toString(),
                "backfills",
                UUID.randomUUID().toString(),
                "namespaces",
                "zz",
                "members",
                "bob");
        Map<String, RequestMethod[]> walked = new TreeMap<>();
        for (RequestMappingInfo info : mappings.getHandlerMethods().keySet()) {
            RequestMethod[] methods = info.getMethodsCondition().getMethods().isEmpty()
                    ? new RequestMethod[] {RequestMethod.GET}
                    : info.getMethodsCondition().getMethods().toArray(RequestMethod[]::new);
            for (String pattern : info.getPatternValues()) {
                if (pattern.contains("{") && GLOBAL_OBJECTS.stream().noneMatch(pattern::contains)) {
                    walked.put(pattern, methods);
                }
            }
        }
        assertThat(walked).containsKeys("/jobs/{id}", API + "/executions/{id}", API + "/backfills/{id}");

        List<String> leaks = new ArrayList<>();
        for (Map.Entry<String, RequestMethod[]> path : walked.entrySet()) {
            for (RequestMethod method : path.getValue()) {
                String ofB = fill(path.getKey(), hidden);
                String ofNobody = fill(path.getKey(), missing);
                if (ofB == null) {
                    leaks.add(path.getKey() + ": an id the walk does not know; say what it names");
                    continue;
                }
                // a page is asked as a browser and as htmx, which may be answered by another branch
                for (boolean htmx :
                        path.getKey().startsWith(API) ? new boolean[] {false} : new boolean[] {false, true}) {
                    MockHttpServletResponse b = asAlice(method, ofB, htmx);
                    MockHttpServletResponse none = asAlice(method, ofNobody, htmx);
                    String call = method + " " + path.getKey() + (htmx ? " (htmx)" : "");
                    if (b.getStatus() != none.getStatus()) {
                        leaks.add(call + ": " + b.getStatus() + " for b's object, " + none.getStatus() + " for none: "
                                + b.getContentAsString());
                    }
                    if (b.getContentAsString().contains(SECRET)) {
                        leaks.add(call + ": names b's job: " + b.getContentAsString());
                    }
                    if (b.getStatus() < 400) {
                        leaks.add(call + ": answered " + b.getStatus() + " for b's object");
                    }
                }
            }
        }
        assertThat(leaks).isEmpty();
    }

    private static final Pattern VARIABLE = Pattern.compile("/([a-z-]+)/\\{(\\w+)}");

    /** The path with each id filled: one of b (or none), by the collection before it; null for an unknown one. */
    private static String fill(String pattern, Map<String, String> values) {
        Matcher variables = VARIABLE.matcher(pattern);
        StringBuilder filled = new StringBuilder();
        while (variables.find()) {
            String value = values.get(variables.group(1));
            if (value == null) {
                value = switch (variables.group(2)) {
                    case "version" -> "1";
                    case "artifactId" -> UUID.randomUUID().toString();
                    default -> null;
                };
            }
            if (value == null) {
                return null;
            }
            variables.appendReplacement(filled, "/" + variables.group(1) + "/" + value);
        }
        variables.appendTail(filled);
        return filled.toString().contains("{") ? null : filled.toString();
    }

    private MockHttpServletResponse asAlice(RequestMethod method, String path, boolean htmx) throws Exception {
        MockHttpServletRequestBuilder call = request(HttpMethod.valueOf(method.name()), path);
        if (htmx) {
            call.header("HX-Request", "true");
        }
        if (path.startsWith(API)) {
            call.with(TestLogins.bearer(aliceToken));
            if (method == RequestMethod.POST || method == RequestMethod.PUT || method == RequestMethod.PATCH) {
                call.contentType(MediaType.APPLICATION_JSON).content("{}");
            }
            return mvc.perform(call).andReturn().getResponse();
        }
        return pages.perform(call.with(ALICE).with(csrf())).andReturn().getResponse();
    }
}
