package dev.almanac.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job of {@code a} whose upstreams are partly in {@code b}, which alice, an editor of {@code a}, may not see: what
 * she reads (the API, her export) she can send back and it keeps them, but nothing she sends adds a relation toward
 * a job of {@code b}, gives one a new condition, or points a trigger at another one, and a refusal reads as for a job
 * that does not exist. A rollback keeps such an upstream when the job has it now, and never restores one.
 */
abstract class HiddenUpstreamsTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends HiddenUpstreamsTests {}

    @WithPostgres
    static class OnPostgres extends HiddenUpstreamsTests {}

    static final String API = "/api/admin/scheduler";
    static final String SECRET = "b-secret";
    static final String HIDDEN = "(a job you may not see)";
    static final String CONDITION = "result.records_affected > 0";
    static final RequestPostProcessor ALICE = user("alice").roles("USER");

    final JsonMapper mapper = JsonMapper.builder().build();
    MockMvc pages;
    String aliceToken;
    String aJob;
    String bJob;
    String bJob2;
    String bJob3;

    @BeforeEach
    void twoTeams() throws Exception {
        pages = securedMvc();
        aliceToken = logins.token("alice", TestLogins.USER, false);
        api("POST", "/namespaces", "{\"name\":\"a\"}");
        api("POST", "/namespaces", "{\"name\":\"b\"}");
        api("PUT", "/namespaces/a/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"editor\"}]}");
        aJob = id(api("POST", "/jobs", heartbeat("a-one", "a", "")));
        bJob = id(api("POST", "/jobs", heartbeat(SECRET, "b", "")));
        bJob2 = id(api("POST", "/jobs", heartbeat(SECRET + "-two", "b", "")));
        bJob3 = id(api("POST", "/jobs", heartbeat(SECRET + "-three", "b", "")));
    }

    /**
     * The super admin's job of {@code a}: it depends on b's job and a's; it is triggered by b's second job failing,
     * by b's third succeeding with a condition, and by a's ending either way.
     */
    private String aFollowsB() throws Exception {
        return id(api(
                "POST",
                "/jobs",
                heartbeat(
                        "a-follows-b",
                        "a",
                        ",\"depends_on\":[\"" + bJob + "\",\"" + aJob + "\"],\"triggers\":["
                                + trigger(bJob2, "failed", null) + "," + trigger(bJob3, "succeeded", CONDITION)
                                + "," + trigger(aJob, "any", null) + "]")));
    }

    @Test
    void aJobSentBackAsTheEditorReadItKeepsTheUpstreamsTheyMayNotSee() throws Exception {
        String job = aFollowsB();
        String stored = relations(job);

        String read = mapper.readTree(asAlice(get(API + "/jobs/" + job)).getContentAsString())
                .get("job")
                .toString();
        assertThat(read).contains(HIDDEN, bJob).doesNotContain(SECRET);
        MockHttpServletResponse sentBack = alicePut(job, read);
        assertThat(sentBack.getStatus()).as(sentBack.getContentAsString()).isEqualTo(200);
        assertThat(sentBack.getContentAsString()).contains("unchanged").doesNotContain(SECRET);
        assertThat(relations(job)).isEqualTo(stored);

        // a change of another field leaves them as they are
        MockHttpServletResponse edited = alicePut(job, "{\"description\":\"edited by alice\"}");
        assertThat(edited.getStatus()).as(edited.getContentAsString()).isEqualTo(200);
        assertThat(edited.getContentAsString()).contains("updated").doesNotContain(SECRET);
        assertThat(relations(job)).isEqualTo(stored);

        // her export imports back unchanged, planned and applied
        String export =
                asAlice(get(API + "/jobs/export").param("format", "yaml")).getContentAsString(StandardCharsets.UTF_8);
        assertThat(export).contains(HIDDEN).doesNotContain(SECRET);
        for (String mode : List.of("plan", "apply")) {
            MockHttpServletResponse imported = aliceImport(mode, "application/yaml", export);
            assertThat(imported.getStatus()).as(imported.getContentAsString()).isEqualTo(200);
            assertThat(JsonPath.<List<String>>read(
                            imported.getContentAsString(), "$.jobs[?(@.name=='a-follows-b')].action"))
                    .containsExactly("unchanged");
        }
        assertThat(relations(job)).isEqualTo(stored);

        // triggers sent in another order are matched by what they say, not where they stand: each keeps its upstream
        ObjectNode reordered = (ObjectNode) mapper.readTree(read);
        reordered.remove("version");
        ArrayNode triggers = (ArrayNode) reordered.get("triggers");
        reordered.set(
                "triggers",
                mapper.createArrayNode()
                        .add(triggers.get(1))
                        .add(triggers.get(0))
                        .add(triggers.get(2)));
        MockHttpServletResponse moved = alicePut(job, reordered.toString());
        assertThat(moved.getStatus()).as(moved.getContentAsString()).isEqualTo(200);
        List<Map<String, Object>> now = JsonPath.read(api("GET", "/jobs/" + job, null), "$.job.triggers");
        assertThat(now)
                .extracting(t -> t.get("job_id") + " " + t.get("on") + " " + t.get("condition"))
                .containsExactly(bJob3 + " succeeded " + CONDITION, bJob2 + " failed null", aJob + " any null");

        // an import that changes them shows the change without naming them
        JsonNode file = mapper.readTree(
                asAlice(get(API + "/jobs/export").param("format", "json")).getContentAsString());
        for (JsonNode entry : file.get("jobs")) {
            if (entry.get("name").asString().equals("a-follows-b")) {
                ArrayNode list = (ArrayNode) entry.get("triggers");
                ((ObjectNode) entry)
                        .set(
                                "triggers",
                                mapper.createArrayNode()
                                        .add(list.get(1))
                                        .add(list.get(0))
                                        .add(list.get(2)));
            }
        }
        MockHttpServletResponse plan = aliceImport("plan", MediaType.APPLICATION_JSON_VALUE, file.toString());
        assertThat(plan.getStatus()).as(plan.getContentAsString()).isEqualTo(200);
        assertThat(JsonPath.<List<String>>read(plan.getContentAsString(), "$.jobs[?(@.name=='a-follows-b')].action"))
                .containsExactly("update");
        assertThat(plan.getContentAsString()).contains(HIDDEN).doesNotContain(SECRET, bJob2, bJob3);
    }

    /**
     * Each request sent in alice's name with {@code @@} the entry under test: it is refused exactly as the same request
     * naming a job that does not exist (a random id, or an unknown name for the placeholder), and changes nothing.
     */
    record Abuse(String what, String body, String entry, String unseen) {}

    @Test
    void anEditorCannotAddARelationToAnUpstreamTheyMayNotSeeNorChangeOrRedirectIt() throws Exception {
        String job = aFollowsB();
        String stored = relations(job);
        String unknownId = UUID.randomUUID().toString();
        String keptTriggers = trigger(HIDDEN, "failed", null) + "," + trigger(HIDDEN, "succeeded", CONDITION) + ","
                + trigger(aJob, "any", null);
        String probe = "job.name.startsWith('b-')";
        List<Abuse> abuses = List.of(
                new Abuse(
                        "depends_on's hidden upstream added as a trigger",
                        "{\"triggers\":[" + keptTriggers + "," + trigger("@@", "failed", null) + "]}",
                        bJob,
                        unknownId),
                new Abuse(
                        "a trigger's hidden upstream added to depends_on",
                        "{\"depends_on\":[\"" + bJob + "\",\"" + aJob + "\",\"@@\"]}",
                        bJob2,
                        unknownId),
                new Abuse(
                        "one placeholder more in depends_on than it stores hidden",
                        "{\"depends_on\":[\"" + bJob + "\",\"" + aJob + "\",\"@@\"]}",
                        HIDDEN,
                        "no-such-job"),
                new Abuse(
                        "a second trigger on a hidden upstream",
                        "{\"triggers\":[" + keptTriggers + "," + trigger("@@", "failed", null) + "]}",
                        HIDDEN,
                        "no-such-job"),
                new Abuse(
                        "a hidden trigger kept with a new condition",
                        "{\"triggers\":[" + trigger("@@", "failed", probe) + ","
                                + trigger(HIDDEN, "succeeded", CONDITION) + "]}",
                        HIDDEN,
                        "no-such-job"),
                new Abuse(
                        "a hidden trigger named by its id with a new condition",
                        "{\"triggers\":[" + trigger("@@", "failed", probe) + ","
                                + trigger(HIDDEN, "succeeded", CONDITION) + "]}",
                        bJob2,
                        unknownId),
                new Abuse(
                        "a hidden trigger given another's outcome by its position",
                        "{\"triggers\":[" + trigger("@@", "succeeded", null) + ","
                                + trigger(HIDDEN, "succeeded", CONDITION) + "]}",
                        HIDDEN,
                        "no-such-job"));
        for (Abuse abuse : abuses) {
            MockHttpServletResponse refused = alicePut(job, abuse.body().replace("@@", abuse.entry()));
            MockHttpServletResponse unseen = alicePut(job, abuse.body().replace("@@", abuse.unseen()));
            assertThat(refused.getStatus())
                    .as(abuse.what() + ": " + refused.getContentAsString())
                    .isEqualTo(400);
            assertThat(unseen.getStatus()).as(abuse.what()).isEqualTo(400);
            assertThat(errors(refused).replace(abuse.entry(), "@@"))
                    .as(abuse.what())
                    .isEqualTo(errors(unseen).replace(abuse.unseen(), "@@"));
            assertThat(refused.getContentAsString()).as(abuse.what()).doesNotContain(SECRET);
            assertThat(relations(job)).as(abuse.what()).isEqualTo(stored);
        }

        // the same through a jobs file: her export with a new condition on a hidden trigger is invalid, as unseen
        String export =
                asAlice(get(API + "/jobs/export").param("format", "json")).getContentAsString();
        JsonNode file = mapper.readTree(export);
        for (JsonNode entry : file.get("jobs")) {
            if (entry.get("name").asString().equals("a-follows-b")) {
                ((ObjectNode) entry.get("triggers").get(0)).put("condition", probe);
            }
        }
        MockHttpServletResponse applied = aliceImport("apply", MediaType.APPLICATION_JSON_VALUE, file.toString());
        assertThat(applied.getStatus()).as(applied.getContentAsString()).isEqualTo(400);
        assertThat(applied.getContentAsString())
                .contains("triggers[0].job", "no job named or with id '" + HIDDEN + "'")
                .doesNotContain(SECRET);
        assertThat(relations(job)).isEqualTo(stored);
    }

    @Test
    void placeholdersThatCouldStandForEitherOfTwoHiddenUpstreamsKeepNeither() throws Exception {
        String job = id(api(
                "POST",
                "/jobs",
                heartbeat(
                        "a-after-two",
                        "a",
                        ",\"triggers\":[" + trigger(bJob2, "failed", null) + "," + trigger(bJob3, "failed", null)
                                + "]")));
        String stored = relations(job);

        MockHttpServletResponse one = alicePut(job, "{\"triggers\":[" + trigger(HIDDEN, "failed", null) + "]}");
        assertThat(one.getStatus()).as(one.getContentAsString()).isEqualTo(400);
        assertThat(one.getContentAsString()).contains("no job named or with id '" + HIDDEN + "'");
        assertThat(relations(job)).isEqualTo(stored);

        // both, as read, keep both; one by its id (the job_id she read) keeps that one
        MockHttpServletResponse both = alicePut(
                job,
                "{\"triggers\":[" + trigger(HIDDEN, "failed", null) + "," + trigger(HIDDEN, "failed", null) + "]}");
        assertThat(both.getStatus()).as(both.getContentAsString()).isEqualTo(200);
        assertThat(relations(job)).isEqualTo(stored);
        MockHttpServletResponse byId = alicePut(job, "{\"triggers\":[" + trigger(bJob3, "failed", null) + "]}");
        assertThat(byId.getStatus()).as(byId.getContentAsString()).isEqualTo(200);
        assertThat(JsonPath.<List<String>>read(api("GET", "/jobs/" + job, null), "$.job.triggers[*].job_id"))
                .containsExactly(bJob3);
    }

    @Test
    void theWizardOffersTheHiddenUpstreamsUnnamedInTheirOwnListAndSavesThemBack() throws Exception {
        String job = aFollowsB();
        String stored = relations(job);

        MockHttpServletResponse options = pages.perform(wizard(job)
                        .param("step", "4")
                        .param("_action", "goto:4")
                        .with(ALICE)
                        .with(csrf()))
                .andReturn()
                .getResponse();

        assertThat(options.getStatus()).as(options.getContentAsString()).isEqualTo(200);
        String page = options.getContentAsString();
        assertThat(page)
                .doesNotContain(SECRET)
                .contains("<option value=\"" + bJob + "\" selected=\"selected\">" + HIDDEN + "</option>")
                .contains("<option value=\"" + bJob2 + "\" selected=\"selected\">" + HIDDEN + "</option>")
                .contains("<option value=\"" + bJob3 + "\" selected=\"selected\">" + HIDDEN + "</option>");
        // depends_on's upstream is offered in depends_on alone
        assertThat(page.split("value=\"" + bJob + "\"", -1)).hasSize(2);

        MvcResult saved = pages.perform(wizard(job)
                        .param("step", "4")
                        .param("_action", "save")
                        .with(ALICE)
                        .with(csrf()))
                .andReturn();
        assertThat(saved.getResponse().getStatus())
                .as(saved.getResponse().getContentAsString())
                .isEqualTo(302);
        assertThat(relations(job)).isEqualTo(stored);
    }

    /** The wizard's fields of {@link #aFollowsB()} as its edit form holds them. */
    private MockHttpServletRequestBuilder wizard(String job) {
        return post("/jobs/wizard")
                .param("job_id", job)
                .param("namespace", "a")
                .param("template_type", "heartbeat")
                .param("name", "a-follows-b")
                .param("schedule_kind", "interval")
                .param("interval_value", "1")
                .param("interval_unit", "minutes")
                .param("timezone", "UTC")
                .param("enabled", "true")
                .param("depends_on", bJob, aJob)
                .param("trigger_job", bJob2, bJob3, aJob)
                .param("trigger_on", "failed", "succeeded", "any")
                .param("trigger_condition", "", CONDITION, "")
                .param("trigger_mode", "any");
    }

    @Test
    void anUpstreamPlaceholderNamesAHiddenUpstreamOnlyAsStored() throws Exception {
        String job = id(api(
                "POST",
                "/jobs",
                heartbeat(
                                "a-reads-b",
                                "a",
                                ",\"triggers\":[" + trigger(bJob, "succeeded", null) + "," + trigger(aJob, "any", null)
                                        + "]")
                        .replace(
                                "\"heartbeat\",",
                                "\"heartbeat\",\"parameters\":{\"message\":\"b said" + " {{upstream.b/" + SECRET
                                        + ".result.message}}\"},")));
        String other = aFollowsB();

        MockHttpServletResponse kept = alicePut(job, "{\"description\":\"kept\"}");
        assertThat(kept.getStatus()).as(kept.getContentAsString()).isEqualTo(200);

        for (String id : List.of(job, other)) {
            String body = "{\"parameters\":{\"message\":\"{{upstream.@@.result.status}}\"}}";
            MockHttpServletResponse named = alicePut(id, body.replace("@@", "b/" + SECRET));
            MockHttpServletResponse unseen = alicePut(id, body.replace("@@", "b/no-such-job"));
            assertThat(named.getStatus()).as(named.getContentAsString()).isEqualTo(400);
            assertThat(errors(named).replace("b/" + SECRET, "@@"))
                    .isEqualTo(errors(unseen).replace("b/no-such-job", "@@"));
        }
        // a visible upstream's results are hers to use
        MockHttpServletResponse visible =
                alicePut(job, "{\"parameters\":{\"message\":\"{{upstream.a-one.result.status}}\"}}");
        assertThat(visible.getStatus()).as(visible.getContentAsString()).isEqualTo(200);
    }

    @Test
    void aRollbackKeepsAHiddenUpstreamStoredNowAndNeverRestoresOne() throws Exception {
        String job = id(api(
                "POST",
                "/jobs",
                heartbeat(
                        "a-rolls-back",
                        "a",
                        ",\"depends_on\":[\"" + bJob + "\"],\"triggers\":[" + trigger(bJob2, "failed", null) + "]")));
        String stored = relations(job);
        api("PUT", "/jobs/" + job, "{\"description\":\"second version\"}");

        assertThat(aliceRollsBack(job, 1, 2))
                .startsWith("Rolled back to version 1")
                .doesNotContain(SECRET);
        assertThat(relations(job)).isEqualTo(stored);

        // the super admin changes the trigger's outcome: version 1's is not what the job has now
        api("PUT", "/jobs/" + job, "{\"triggers\":[" + trigger(bJob2, "succeeded", null) + "]}");
        String changed = relations(job);
        assertThat(aliceRollsBack(job, 1, 4)).startsWith("Could not roll back").doesNotContain(SECRET);
        assertThat(relations(job)).isEqualTo(changed);

        // and removes both: version 1 would add them back
        api("PUT", "/jobs/" + job, "{\"depends_on\":[],\"triggers\":[]}");
        assertThat(aliceRollsBack(job, 1, 5))
                .startsWith("Could not roll back")
                .contains("no job named or with id '" + HIDDEN + "'")
                .doesNotContain(SECRET, bJob2);
        assertThat(relations(job)).isEqualTo("[][]");

        // the super admin, who sees b, rolls back as before
        MvcResult superAdmin = pages.perform(post("/jobs/" + job + "/rollback")
                        .param("version", "1")
                        .param("current_version", "5")
                        .with(user("test-super-admin").roles("SUPER_ADMIN"))
                        .with(csrf()))
                .andReturn();
        assertThat(String.valueOf(superAdmin.getFlashMap().get("flash"))).startsWith("Rolled back to version 1");
        assertThat(relations(job)).isEqualTo(stored);
    }

    /**
     * A version names its triggers' upstreams as they were named then and keeps their ids beside (never shown): a
     * rollback finds an upstream renamed since, one the editor may not see (kept, as stored now) and one they may
     * (restored on the same job, under its new name).
     */
    @Test
    void aRollbackFindsAnUpstreamRenamedSince() throws Exception {
        String job = id(api(
                "POST",
                "/jobs",
                heartbeat(
                        "a-renamed-upstreams",
                        "a",
                        ",\"triggers\":[" + trigger(bJob2, "failed", null) + "," + trigger(aJob, "any", null) + "]")));
        String stored = relations(job);
        api("PUT", "/jobs/" + job, "{\"description\":\"second version\"}");
        api("PUT", "/jobs/" + bJob2, "{\"name\":\"" + SECRET + "-renamed\"}");
        api("PUT", "/jobs/" + aJob, "{\"name\":\"a-one-renamed\"}");
        assertThat(api("GET", "/jobs/" + job + "/versions", null)).doesNotContain("trigger_job_ids");

        assertThat(aliceRollsBack(job, 1, 2))
                .startsWith("Rolled back to version 1")
                .doesNotContain(SECRET);
        assertThat(relations(job))
                .isEqualTo(stored.replace(SECRET + "-two", SECRET + "-renamed").replace("a-one", "a-one-renamed"));

        // the editor's own trigger, removed and then restored by a rollback, is on the renamed job
        api("PUT", "/jobs/" + job, "{\"triggers\":[" + trigger(bJob2, "failed", null) + "]}");
        assertThat(aliceRollsBack(job, 1, 4)).startsWith("Rolled back to version 1");
        assertThat(JsonPath.<List<String>>read(api("GET", "/jobs/" + job, null), "$.job.triggers[*].job"))
                .containsExactly("b/" + SECRET + "-renamed", "a-one-renamed");
    }

    /**
     * A job moved to another namespace keeps no upstream its editor may not see: the new namespace's readers would get
     * the hidden job's runs and results. The move is refused as naming an unknown job would be, and nothing changes.
     */
    @Test
    void aJobMovedToAnotherNamespaceKeepsNoHiddenUpstream() throws Exception {
        api("POST", "/namespaces", "{\"name\":\"c\"}");
        api("PUT", "/namespaces/c/members", "{\"members\":[{\"username\":\"alice\",\"role\":\"editor\"}]}");
        String job = aFollowsB();
        String stored = relations(job);

        MockHttpServletResponse moved = alicePut(job, "{\"namespace\":\"c\"}");

        assertThat(moved.getStatus()).as(moved.getContentAsString()).isEqualTo(400);
        assertThat(moved.getContentAsString()).doesNotContain(SECRET);
        assertThat(relations(job)).isEqualTo(stored);
        assertThat(JsonPath.<String>read(api("GET", "/jobs/" + job, null), "$.job.namespace"))
                .isEqualTo("a");
        MockHttpServletResponse stays = alicePut(job, "{\"namespace\":\"a\",\"description\":\"stays\"}");
        assertThat(stays.getStatus()).as(stays.getContentAsString()).isEqualTo(200);
        assertThat(relations(job)).isEqualTo(stored);
    }

    @Test
    void aCopyOfAJobWithAHiddenUpstreamIsRefusedWithoutNamingIt() throws Exception {
        String job = aFollowsB();

        MockHttpServletResponse copy = asAlice(post(API + "/jobs/" + job + "/clone"));

        assertThat(copy.getStatus()).as(copy.getContentAsString()).isEqualTo(400);
        assertThat(copy.getContentAsString()).doesNotContain(SECRET);
        assertThat(JsonPath.<List<String>>read(api("GET", "/jobs?namespace=a", null), "$.jobs[*].name"))
                .doesNotContain("a-follows-b-copy");
    }

    private String aliceRollsBack(String job, long version, long current) throws Exception {
        MvcResult rollback = pages.perform(post("/jobs/" + job + "/rollback")
                        .param("version", String.valueOf(version))
                        .param("current_version", String.valueOf(current))
                        .with(ALICE)
                        .with(csrf()))
                .andReturn();
        if (rollback.getResponse().getStatus() == 302) {
            return String.valueOf(rollback.getFlashMap().get("flash"));
        }
        // a refusal is answered in place, on the version's page, with its status
        assertThat(rollback.getResponse().getStatus()).isIn(400, 409);
        java.util.regex.Matcher refused = java.util.regex.Pattern.compile("id=\"rollback-error\">([^<]*)<")
                .matcher(rollback.getResponse().getContentAsString());
        assertThat(refused.find()).as("the refusal beside the button").isTrue();
        return org.springframework.web.util.HtmlUtils.htmlUnescape(refused.group(1));
    }

    /** The job's depends_on and triggers as the super admin reads them. */
    private String relations(String job) throws Exception {
        String read = api("GET", "/jobs/" + job, null);
        return JsonPath.read(read, "$.job.depends_on").toString()
                + JsonPath.read(read, "$.job.triggers").toString();
    }

    private static String errors(MockHttpServletResponse response) throws Exception {
        String body = response.getContentAsString();
        return (JsonPath.read(body, "$.errors[*].field") + " " + JsonPath.read(body, "$.errors[*].message"))
                .replace("\\/", "/");
    }

    private static String trigger(String job, String on, String condition) {
        return "{\"job\":\"" + job + "\",\"on\":\"" + on + "\""
                + (condition == null ? "" : ",\"condition\":\"" + condition + "\"") + "}";
    }

    private static String heartbeat(String name, String namespace, String more) {
        return "{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\",\"template_type\":\"heartbeat\","
                + "\"schedule\":{\"type\":\"interval\",\"interval_seconds\":60}" + more + "}";
    }

    private static String id(String response) {
        return JsonPath.read(response, "$.job.id");
    }

    private MockHttpServletResponse asAlice(MockHttpServletRequestBuilder request) throws Exception {
        return pages.perform(request.header("Authorization", "Bearer " + aliceToken))
                .andReturn()
                .getResponse();
    }

    private MockHttpServletResponse alicePut(String job, String body) throws Exception {
        return asAlice(put(API + "/jobs/" + job)
                .contentType(MediaType.APPLICATION_JSON)
                .content(body));
    }

    private MockHttpServletResponse aliceImport(String mode, String type, String body) throws Exception {
        return asAlice(
                post(API + "/jobs/import").param("mode", mode).contentType(type).content(body));
    }
}
