package dev.almanac.jobfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The calendars a job lists travel with it: an export writes them under {@code calendars:}, and the file imports back
 * as unchanged here and creates them, then the jobs, on an install that lacks them (through the API, the import page
 * and the start-up jobs file). A calendar a role may not create or change is that calendar's error in a plan and a 403
 * on apply, while an unchanged one plans as unchanged for anyone; an invalid calendar applies nothing.
 */
abstract class CalendarsInJobsFileTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends CalendarsInJobsFileTests {}

    @WithPostgres
    static class OnPostgres extends CalendarsInJobsFileTests {}

    private static final String API = "/api/admin/scheduler";
    private static final RequestPostProcessor ADMIN =
            user(TestLogins.username(TestLogins.SUPER_ADMIN)).roles("SUPER_ADMIN");

    @Autowired
    JsonMapper json;

    @Autowired
    JobsFile jobsFile;

    private MockMvc ui;

    @BeforeEach
    void aJobListingAGlobalAndANamespaceCalendar() throws Exception {
        ui = securedMvc();
        call("POST", "/namespaces", "{\"name\":\"ops\"}", 201);
        call(
                "POST",
                "/calendars",
                "{\"name\":\"holidays\",\"timezone\":\"Europe/Berlin\",\"description\":\"Public holidays\","
                        + "\"dates\":[\"2026-12-25\",\"2026-12-26\"]}",
                201);
        call(
                "POST",
                "/calendars",
                "{\"name\":\"office\",\"namespace\":\"ops\",\"weekly\":[{\"from\":\"MON 08:00\",\"to\":\"FRI"
                        + " 18:00\"}],\"ranges\":[{\"from\":\"2026-08-01\",\"to\":\"2026-08-14\"}]}",
                201);
        call(
                "POST",
                "/jobs",
                "{\"name\":\"report\",\"namespace\":\"ops\",\"template_type\":\"heartbeat\","
                        + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"},"
                        + "\"calendars\":{\"blackout\":[\"holidays\"],\"only\":[\"office\"]}}",
                201);
        call(
                "POST",
                "/jobs",
                "{\"name\":\"plain\",\"template_type\":\"heartbeat\","
                        + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 9 * * *\"}}",
                201);
    }

    @Test
    void anExportCarriesTheCalendarsItsJobsListAndImportsIntoAnInstallWithoutThem() throws Exception {
        for (String format : List.of("json", "yaml")) {
            String file = download(format);
            JsonNode read = format.equals("json") ? json.readTree(file) : yamlTree(file);
            assertThat(read.path("calendars").size()).as(format).isEqualTo(2);
            assertThat(read.at("/calendars/0/name").asString()).isEqualTo("holidays");
            assertThat(read.at("/calendars/0").has("namespace"))
                    .as("a global calendar")
                    .isFalse();
            assertThat(read.at("/calendars/0").has("created_by")).isFalse();
            assertThat(read.at("/calendars/1/namespace").asString()).isEqualTo("ops");

            JsonNode plan = importFile("plan", format, file, 200);
            assertThat(actions(plan, "calendars"))
                    .isEqualTo(Map.of("holidays", "unchanged", "ops/office", "unchanged"));
            assertThat(actions(plan, "jobs")).isEqualTo(Map.of("ops/report", "unchanged", "plain", "unchanged"));
        }
        String file = download("yaml");
        Stored before = stored();

        emptyInstall();
        JsonNode applied = importFile("apply", "yaml", file, 200);
        assertThat(actions(applied, "calendars")).isEqualTo(Map.of("holidays", "create", "ops/office", "create"));
        assertThat(actions(applied, "jobs")).isEqualTo(Map.of("ops/report", "create", "plain", "create"));
        assertThat(applied.at("/summary/create").asLong()).isEqualTo(4);
        assertThat(stored()).isEqualTo(before);
        assertThat(actions(importFile("plan", "yaml", file, 200), "calendars"))
                .isEqualTo(Map.of("holidays", "unchanged", "ops/office", "unchanged"));

        emptyInstall();
        MvcResult page = ui.perform(
                        post("/import/plan").param("text", file).with(ADMIN).with(csrf()))
                .andReturn();
        assertThat(page.getResponse().getStatus()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<TransferPages.PlanRow> rows =
                (List<TransferPages.PlanRow>) page.getModelAndView().getModel().get("plan");
        assertThat(rows.stream().map(row -> row.name() + ": " + row.action()))
                .containsExactly(
                        "calendar holidays: create",
                        "calendar ops/office: create",
                        "plain: create",
                        "ops/report: create");
        assertThat(page.getResponse().getContentAsString()).contains("calendar ops/office");
        ui.perform(post("/import/apply").param("text", file).with(ADMIN).with(csrf()));
        assertThat(stored()).isEqualTo(before);

        emptyInstall();
        Path onDisk = Files.createTempFile("jobs", ".yaml");
        Files.writeString(onDisk, file);
        JobsFile.AppliedFile atStart = jobsFile.apply(onDisk);
        assertThat(atStart.calendars().created()).containsExactly("holidays", "ops/office");
        assertThat(atStart.jobs().created()).containsExactly("plain", "ops/report");
        assertThat(stored()).isEqualTo(before);
        assertThat(jobsFile.apply(onDisk).calendars().unchanged()).containsExactly("holidays", "ops/office");
    }

    @Test
    void aCalendarChangedInTheFileIsPlannedAsItsUpdateWithTheFieldsThatChange() throws Exception {
        String file = download("json").replace("\"2026-12-26\"", "\"2026-12-31\"");
        JsonNode plan = importFile("plan", "json", file, 200);
        assertThat(actions(plan, "calendars")).isEqualTo(Map.of("holidays", "update", "ops/office", "unchanged"));
        assertThat(plan.at("/calendars/0/changes/0/field").asString()).isEqualTo("dates");
        assertThat(plan.at("/calendars/0/changes/0/after").toString()).isEqualTo("[\"2026-12-25\",\"2026-12-31\"]");
        assertThat(plan.at("/calendars/0/changes").size()).isEqualTo(1);
        assertThat(calendar(null, "holidays")).contains("2026-12-26");

        importFile("apply", "json", file, 200);
        assertThat(calendar(null, "holidays")).contains("2026-12-31").doesNotContain("2026-12-26");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'job.imported'"
                                + " AND details LIKE '%holidays: update%'")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    @Test
    void anInvalidCalendarAppliesNothingAndNamesItsField() throws Exception {
        String file = download("json").replace("\"2026-12-26\"", "\"2026-13-40\"");
        emptyInstall();
        MockHttpServletResponse refused = importResponse("apply", "json", file);
        assertThat(refused.getStatus()).isEqualTo(400);
        JsonNode problem = json.readTree(refused.getContentAsString(StandardCharsets.UTF_8));
        assertThat(problem.at("/errors/0/field").asString()).startsWith("calendars[0].dates");
        assertThat(problem.at("/errors/0/message").asString()).startsWith("calendar 'holidays': ");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM calendars").query(Long.class).single())
                .isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs WHERE name IN ('report', 'plain')")
                        .query(Long.class)
                        .single())
                .isZero();
        JsonNode plan = importFile("plan", "json", file, 200);
        assertThat(plan.at("/calendars/0/action").asString()).isEqualTo("invalid");
        assertThat(plan.at("/jobs/1/name").asString()).isEqualTo("report");
        assertThat(plan.at("/jobs/1/errors/0").toString())
                .as("the job listing the invalid calendar")
                .isEqualTo("{\"field\":\"calendars.blackout\",\"message\":\"the calendar 'holidays' in this file is"
                        + " invalid: see its errors\"}");

        String twice = "{\"calendars\":[{\"name\":\"x\",\"dates\":[\"2026-01-01\"]},"
                + "{\"name\":\" x \",\"dates\":[\"2026-01-02\"]}],\"jobs\":[]}";
        JsonNode named = importFile("plan", "json", twice, 200);
        assertThat(named.at("/calendars/1/errors/0/message").asString()).isEqualTo("is named twice");
    }

    /**
     * An editor of {@code ops} imports their own export back (its calendars unchanged); a file that would create a
     * calendar of {@code ops} or change the global one is that calendar's error in their plan and a 403 naming it on
     * apply, with nothing stored; a calendar of a namespace they may not see is named like one that does not exist.
     */
    @Test
    void aCalendarTheRoleMayNotChangeIsRefusedAndAnUnchangedOnePassesForAnyone() throws Exception {
        RequestPostProcessor erin = TestLogins.bearer(logins.token("erin", TestLogins.USER, false));
        call("PUT", "/namespaces/ops/members", "{\"members\":[{\"username\":\"erin\",\"role\":\"editor\"}]}", 200);
        call("POST", "/namespaces", "{\"name\":\"hidden\"}", 201);
        call(
                "POST",
                "/calendars",
                "{\"name\":\"hidden-days\",\"namespace\":\"hidden\",\"dates\":[\"2026-06-02\"]}",
                201);
        String file = mvc.perform(
                        get(API + "/jobs/export").param("format", "json").with(erin))
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(json.readTree(file).path("calendars").size()).isEqualTo(2);
        assertThat(actions(importAs(erin, "apply", file, 200), "calendars"))
                .isEqualTo(Map.of("holidays", "unchanged", "ops/office", "unchanged"));

        Stored before = stored();
        String changed = file.replace("\"2026-12-26\"", "\"2026-12-31\"")
                .replace(
                        "\"calendars\" : [",
                        "\"calendars\" : [ {\"name\":\"team-days\",\"namespace\":\"ops\","
                                + "\"dates\":[\"2026-06-01\"]}, {\"name\":\"secret\",\"namespace\":\"hidden\","
                                + "\"dates\":[\"2026-06-01\"]},");
        JsonNode plan = importAs(erin, "plan", changed, 200);
        assertThat(actions(plan, "calendars"))
                .containsEntry("ops/team-days", "invalid")
                .containsEntry("hidden/secret", "invalid")
                .containsEntry("holidays", "invalid")
                .containsEntry("ops/office", "unchanged");
        assertThat(plan.at("/calendars/0/errors/0/message").asString())
                .isEqualTo("you may not create this calendar: your role in namespace 'ops' may not create its"
                        + " calendars; its owners may");
        assertThat(plan.at("/calendars/1/errors/0/message").asString()).isEqualTo("no namespace named 'hidden'");
        assertThat(plan.at("/calendars/2/errors/0/message").asString())
                .isEqualTo("you may not change this calendar: only an admin may change a global calendar");
        // a global calendar named as one of a namespace she may not see is refused for her role, not for its name
        JsonNode probe = importAs(
                erin,
                "plan",
                "{\"calendars\":[{\"name\":\"hidden-days\",\"dates\":[\"2026-06-01\"]}],\"jobs\":[]}",
                200);
        assertThat(probe.at("/calendars/0/errors").toString())
                .isEqualTo("[{\"field\":\"\",\"message\":\"you may not create this calendar: only an admin may create a"
                        + " global calendar\"}]");

        JsonNode problem = importAs(erin, "apply", changed, 403);
        assertThat(problem.path("detail").asString()).startsWith("calendar 'ops/team-days': ");
        assertThat(stored()).isEqualTo(before);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied'")
                        .query(Long.class)
                        .single())
                .isEqualTo(1);

        MvcResult page = ui.perform(post("/import/apply")
                        .param("text", changed)
                        .with(user("erin").roles("USER"))
                        .with(csrf()))
                .andReturn();
        assertThat(page.getResponse().getStatus()).isEqualTo(403);
        assertThat(page.getResponse().getContentAsString()).contains("calendar &#39;ops/team-days&#39;");
        assertThat(stored()).isEqualTo(before);
    }

    /**
     * A token limited to {@code ops} may not read the global calendars ({@code GET /calendars/holidays} is a 403): its
     * export leaves them out, and a file naming one is refused alike whether it exists, matches or not, so neither the
     * export nor the plan tells what a global calendar holds; apply is the 403, audited, and stores nothing.
     */
    @Test
    void aTokenLimitedToNamespacesNeitherExportsNorProbesTheGlobalCalendars() throws Exception {
        MockHttpServletResponse made = mvc.perform(post(API + "/tokens")
                        .with(logins.as(TestLogins.SUPER_ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"ops only\",\"namespaces\":[\"ops\"]}"))
                .andReturn()
                .getResponse();
        assertThat(made.getStatus()).isEqualTo(201);
        RequestPostProcessor limited = TestLogins.bearer(
                json.readTree(made.getContentAsString()).path("secret").asString());
        assertThat(mvc.perform(get(API + "/calendars/holidays").with(limited))
                        .andReturn()
                        .getResponse()
                        .getStatus())
                .isEqualTo(403);

        String file = mvc.perform(
                        get(API + "/jobs/export").param("format", "json").with(limited))
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(file).doesNotContain("Public holidays").doesNotContain("2026-12-25");
        JsonNode plan = importAs(limited, "plan", file, 200);
        assertThat(actions(plan, "calendars")).isEqualTo(Map.of("ops/office", "unchanged"));
        assertThat(actions(plan, "jobs")).isEqualTo(Map.of("ops/report", "unchanged"));

        String exact = download("json");
        String guessed = exact.replace("\"2026-12-26\"", "\"2026-12-31\"");
        String absent = exact.replace("\"holidays\"", "\"no-such-days\"");
        List<String> answers = new java.util.ArrayList<>();
        for (String probe : List.of(exact, guessed, absent)) {
            JsonNode probed = importAs(limited, "plan", probe, 200);
            assertThat(probed.at("/calendars/0/action").asString()).isEqualTo("invalid");
            answers.add(probed.at("/calendars/0/errors").toString());
        }
        assertThat(answers)
                .as("the same answer whatever the global calendar holds")
                .containsOnly("[{\"field\":\"\",\"message\":\"" + JobTransfer.GLOBAL_CALENDAR_REFUSED + "\"}]");

        Stored before = stored();
        long denied = deniedOn("holidays");
        JsonNode problem = importAs(limited, "apply", guessed, 403);
        assertThat(problem.path("detail").asString())
                .isEqualTo("calendar 'holidays': a token limited to namespaces may not read or change a global"
                        + " calendar: it is shared by every namespace");
        assertThat(stored()).isEqualTo(before);
        assertThat(deniedOn("holidays")).isEqualTo(denied + 1);
    }

    private long deniedOn(String target) {
        return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied' AND target_name = ?")
                .param(target)
                .query(Long.class)
                .single();
    }

    /**
     * An editor of {@code ops} applies the global calendar exactly as exported with a job that is invalid: the
     * calendar is unchanged, so no refusal of her role is in the way, and the answer is the job's 400 (through the API
     * and the page, with and without htmx), with no {@code access.denied} recorded.
     */
    @Test
    void anUnchangedCalendarTheRoleMayNotChangeDoesNotHideAJobsError() throws Exception {
        RequestPostProcessor erin = TestLogins.bearer(logins.token("erin", TestLogins.USER, false));
        call("PUT", "/namespaces/ops/members", "{\"members\":[{\"username\":\"erin\",\"role\":\"editor\"}]}", 200);
        JsonNode exported = json.readTree(download("json"));
        String file = "{\"calendars\":[" + exported.at("/calendars/0") + "],\"jobs\":[{\"name\":\"broken\","
                + "\"namespace\":\"ops\",\"template_type\":\"heartbeat\","
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"not a cron\"}}]}";
        JsonNode plan = importAs(erin, "plan", file, 200);
        assertThat(actions(plan, "calendars")).isEqualTo(Map.of("holidays", "unchanged"));
        assertThat(actions(plan, "jobs")).isEqualTo(Map.of("ops/broken", "invalid"));

        JsonNode problem = importAs(erin, "apply", file, 400);
        assertThat(problem.at("/errors/0/field").asString()).startsWith("jobs[0].schedule");
        assertThat(problem.at("/errors/0/message").asString()).startsWith("job 'ops/broken': ");
        assertThat(problem.toString()).doesNotContain("only an admin");
        for (boolean htmx : new boolean[] {false, true}) {
            var request = post("/import/apply")
                    .param("text", file)
                    .with(user("erin").roles("USER"))
                    .with(csrf());
            if (htmx) {
                request.header("HX-Request", "true");
            }
            MockHttpServletResponse page = ui.perform(request).andReturn().getResponse();
            assertThat(page.getStatus()).as("htmx: " + htmx).isEqualTo(400);
            assertThat(page.getContentAsString(StandardCharsets.UTF_8))
                    .contains("Nothing was applied", "ops/broken")
                    .doesNotContain("only an admin");
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'access.denied'")
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs WHERE name = 'broken'")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    private void emptyInstall() {
        jdbc.sql("DELETE FROM job_versions WHERE job_id IN (SELECT id FROM jobs WHERE name IN ('report', 'plain'))")
                .update();
        jdbc.sql("DELETE FROM jobs WHERE name IN ('report', 'plain')").update();
        jdbc.sql("DELETE FROM calendars").update();
    }

    private String download(String format) throws Exception {
        return mvc.perform(get(API + "/jobs/export").param("format", format))
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
    }

    private JsonNode yamlTree(String file) {
        return new tools.jackson.dataformat.yaml.YAMLMapper().readTree(file);
    }

    private JsonNode importFile(String mode, String format, String file, int status) throws Exception {
        MockHttpServletResponse response = importResponse(mode, format, file);
        String body = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as("%s: %s", mode, body).isEqualTo(status);
        return json.readTree(body);
    }

    private MockHttpServletResponse importResponse(String mode, String format, String file) throws Exception {
        return mvc.perform(post(API + "/jobs/import")
                        .param("mode", mode)
                        .contentType(format.equals("yaml") ? "application/yaml" : MediaType.APPLICATION_JSON_VALUE)
                        .characterEncoding(StandardCharsets.UTF_8)
                        .content(file.getBytes(StandardCharsets.UTF_8)))
                .andReturn()
                .getResponse();
    }

    private JsonNode importAs(RequestPostProcessor who, String mode, String file, int status) throws Exception {
        MockHttpServletResponse response = mvc.perform(post(API + "/jobs/import")
                        .param("mode", mode)
                        .with(who)
                        .contentType(MediaType.APPLICATION_JSON)
                        .characterEncoding(StandardCharsets.UTF_8)
                        .content(file.getBytes(StandardCharsets.UTF_8)))
                .andReturn()
                .getResponse();
        String body = response.getContentAsString(StandardCharsets.UTF_8);
        assertThat(response.getStatus()).as("%s: %s", mode, body).isEqualTo(status);
        return json.readTree(body);
    }

    private void call(String method, String path, String body, int status) throws Exception {
        var request = method.equals("PUT")
                ? org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put(API + path)
                : post(API + path);
        MockHttpServletResponse response = mvc.perform(
                        request.contentType(MediaType.APPLICATION_JSON).content(body))
                .andReturn()
                .getResponse();
        assertThat(response.getStatus())
                .as("%s %s: %s", method, path, response.getContentAsString())
                .isEqualTo(status);
    }

    private String calendar(String namespace, String name) {
        return jdbc.sql("SELECT definition FROM calendars WHERE namespace = ? AND name = ?")
                .param(namespace == null ? "" : namespace)
                .param(name)
                .query(String.class)
                .single();
    }

    private static Map<String, String> actions(JsonNode result, String list) {
        Map<String, String> actions = new LinkedHashMap<>();
        for (JsonNode entry : result.path(list)) {
            String namespace = entry.path("namespace").asString("default");
            actions.put(
                    (namespace.equals("default") ? "" : namespace + "/")
                            + entry.path("name").asString(),
                    entry.path("action").asString());
        }
        return actions;
    }

    /** The calendars and the jobs as stored, but what only their creation time or id tells apart. */
    private Stored stored() {
        return new Stored(
                jdbc.sql("SELECT namespace, name, timezone, description, definition FROM calendars"
                                + " ORDER BY namespace, name")
                        .query()
                        .listOfRows(),
                jdbc.sql("SELECT namespace, name, template_type, cron_expression, calendars FROM jobs"
                                + " WHERE name IN ('report', 'plain') ORDER BY namespace, name")
                        .query()
                        .listOfRows());
    }

    private record Stored(List<Map<String, Object>> calendars, List<Map<String, Object>> jobs) {}
}
