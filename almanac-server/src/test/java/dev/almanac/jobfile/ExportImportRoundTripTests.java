package dev.almanac.jobfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.template.JobTemplate;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.TestTemplates;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.web.context.WebApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Export then import is a round trip (issue 17): one job of every installed template's example, plus webhooks with
 * no, some and notification secrets, exported as JSON and YAML through the API and the import / export page, imports
 * back as all unchanged and applying it stores nothing new. A mask means "keep the stored secret"; where none is
 * stored, the job is invalid with the field named, and the others are still planned.
 */
abstract class ExportImportRoundTripTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends ExportImportRoundTripTests {}

    @WithPostgres
    static class OnPostgres extends ExportImportRoundTripTests {}

    private static final String API = "/api/admin/scheduler/jobs";

    private static final RequestPostProcessor ADMIN =
            user(TestLogins.username(TestLogins.SUPER_ADMIN)).roles("SUPER_ADMIN");

    @Autowired
    TemplateRegistry templates;

    @Autowired
    JsonMapper json;

    @Autowired
    WebApplicationContext context;

    @Autowired
    JobsFile jobsFile;

    @Autowired
    SystemJobs systemJobs;

    private MockMvc ui;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        ui = securedMvc();
    }

    @Test
    void anUnchangedExportImportsBackAsAllUnchangedAndApplyingItStoresNothing() throws Exception {
        List<String> names = createOneJobOfEveryKind();
        Stored before = stored();
        assertThat(download(API + "/export", "yaml")).contains("priority: 8").contains("priority: 5");

        for (String format : List.of("json", "yaml")) {
            for (String source : List.of(API + "/export", "/import/export")) {
                String file = download(source, format);
                String from = format + " from " + source;

                JsonNode plan = importThroughTheApi("plan", format, file);
                assertThat(actions(plan)).as("plan of %s", from).isEqualTo(allUnchanged(names));
                JsonNode applied = importThroughTheApi("apply", format, file);
                assertThat(actions(applied)).as("apply of %s", from).isEqualTo(allUnchanged(names));
                assertThat(stored())
                        .as("stored after the API's apply of %s", from)
                        .isEqualTo(before);

                assertThat(planRows(planOnThePage(file)))
                        .as("page plan of %s", from)
                        .isEqualTo(allUnchanged(names));
                MvcResult page = ui.perform(post("/import/apply")
                                .param("text", file)
                                .with(ADMIN)
                                .with(csrf()))
                        .andReturn();
                @SuppressWarnings("unchecked")
                List<TransferPages.PlanRow> rows =
                        (List<TransferPages.PlanRow>) page.getFlashMap().get("appliedJobs");
                assertThat(rows)
                        .as("page apply of %s: %s", from, page.getModelAndView())
                        .isNotNull();
                assertThat(planRows(rows)).as("page apply of %s", from).isEqualTo(allUnchanged(names));
                assertThat(stored())
                        .as("stored after the page's apply of %s", from)
                        .isEqualTo(before);
            }
        }
    }

    /**
     * Text fields carrying every awkward kind of character the API takes (C0 and C1 controls, U+0085, U+2028, U+FEFF,
     * emoji, quotes, backslashes, YAML's own signs) import back unchanged from either format: a JSON export was read by
     * the YAML parser, which refused U+0080 and read U+0085 as a line break.
     */
    @Test
    void textWithEveryAwkwardCharacterImportsBackUnchanged() throws Exception {
        List<String> awkward = List.of(
                "tab\tand\nnew line\r\nend",
                "c0 \u0001\u0008\u000b\u000c\u001b\u001f",
                "del \u007f c1 \u0080\u0081\u009f",
                "a \u0085 b",
                "line \u2028 paragraph \u2029 bom \ufeff nbsp \u00a0",
                "emoji \ud83d\ude80 and \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67",
                "quotes \" ' ` and backslashes \\ \\n \\u0041",
                "yaml: - ? * & ! | > % @ # {x} [y] ~ null true 1.0 0x1F");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < awkward.size(); i++) {
            String text = awkward.get(i);
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("name", "awkward " + i);
            request.put("template_type", "heartbeat");
            request.put("description", text);
            request.put("parameters", Map.of("message", text));
            request.put("tags", List.of("awkward"));
            int status = create(request);
            if (status == 201) {
                names.add("awkward " + i);
            } else {
                // the API may refuse a control character in a field; then the test is about what it takes
                request.put("description", null);
                assertThat(create(request))
                        .as("%s without the description", text)
                        .isEqualTo(201);
                names.add("awkward " + i);
            }
        }
        Stored before = stored();

        for (String format : List.of("json", "yaml")) {
            String file = download(API + "/export", format);

            assertThat(actions(importThroughTheApi("plan", format, file)))
                    .as("plan of the %s export", format)
                    .isEqualTo(allUnchanged(names));
            assertThat(actions(importThroughTheApi("apply", format, file)))
                    .as("apply of the %s export", format)
                    .isEqualTo(allUnchanged(names));
            assertThat(planRows(planOnThePage(file)))
                    .as("page plan of the %s export", format)
                    .isEqualTo(allUnchanged(names));
            assertThat(stored())
                    .as("stored after the %s export's apply", format)
                    .isEqualTo(before);
        }
    }

    /**
     * Parameters one level deeper than an export can carry are refused when saved, naming the field; a YAML file
     * nested deeper than a JSON body may be is refused as JSON is; a misspelt field of a file is named by its path.
     */
    @Test
    void whatAnExportCouldNotCarryIsRefusedWhenSavedAndWhenImported() throws Exception {
        Object tooDeep = "bottom";
        for (int level = 2; level <= 25; level++) {
            tooDeep = List.of(tooDeep);
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", "too deep");
        request.put("template_type", "webhook_trigger");
        request.put("parameters", Map.of("url", "https://hooks.example.com/deep", "body", tooDeep));
        request.put("schedule", Map.of("type", "cron", "expression", "0 3 * * *"));
        mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(request)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters"))
                .andExpect(jsonPath("$.errors[0].message").value("are nested more than 24 levels deep"));

        // nor larger than a job of an import may be: 256 KiB of parameters
        request.put("name", "too large");
        request.put("parameters", Map.of("url", "https://hooks.example.com/large", "body", "x".repeat(300_000)));
        mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(request)))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters"))
                .andExpect(jsonPath("$.errors[0].message").value(org.hamcrest.Matchers.containsString("262144")));

        String deepYaml = "jobs:\n- name: deep\n  template_type: webhook_trigger\n  parameters:\n    body: "
                + "[".repeat(40) + "]".repeat(40) + "\n";
        mvc.perform(post(API + "/import")
                        .param("mode", "plan")
                        .contentType("application/yaml")
                        .content(deepYaml))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("jobs"))
                .andExpect(jsonPath("$.errors[0].message").value("the file is nested more than 32 levels deep"));

        mvc.perform(post(API + "/import")
                        .param("mode", "plan")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"jobs\":[{\"name\":\"x1\",\"tempate_type\":\"heartbeat\"}]}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("jobs[0].tempate_type"));
    }

    @Test
    void aMaskWithNoSecretStoredBehindItIsAnErrorOfThatJobNamingTheField() throws Exception {
        List<String> names = createOneJobOfEveryKind();
        Stored before = stored();
        String file = download(API + "/export", "json")
                .replace("\"name\" : \"signed hook\"", "\"name\" : \"signed hook moved\"")
                .replace("\"name\" : \"notified hook\"", "\"name\" : \"notified hook moved\"")
                .replace("\"name\" : \"nested secrets\"", "\"name\" : \"nested secrets moved\"");

        JsonNode plan = importThroughTheApi("plan", "json", file);
        Map<String, String> actions = new LinkedHashMap<>();
        plan.path("jobs")
                .forEach(job -> actions.put(
                        job.path("name").asString(), job.path("action").asString()));
        assertThat(actions)
                .as("the other jobs are still planned")
                .hasSize(names.size())
                .containsEntry("signed hook moved", "invalid")
                .containsEntry("notified hook moved", "invalid")
                .containsEntry("nested secrets moved", "invalid")
                .containsEntry("empty headers hook", "unchanged");
        assertThat(actions.values()).containsOnly("unchanged", "invalid");
        assertThat(errorFields(plan, "signed hook moved"))
                .containsExactlyInAnyOrder("parameters.secret_headers.X-Api-Key", "parameters.signing_secret");
        assertThat(plan.findValues("message"))
                .extracting(JsonNode::asString)
                .as("a mask in a job the file creates says there is nothing to keep")
                .allMatch(message -> message.contains("is stored, so there is no secret to keep"))
                .anyMatch(message -> message.contains("no job named 'signed hook moved' is stored"));
        assertThat(errorFields(plan, "notified hook moved"))
                .containsExactlyInAnyOrder("notifications.on_failure[0]", "notifications.on_success[0]");
        assertThat(errorFields(plan, "nested secrets moved"))
                .contains("parameters.api_keys[0]", "parameters.tokens[0]", "parameters.auth.basic.password");

        String refused = mvc.perform(post(API + "/import")
                        .param("mode", "apply")
                        .contentType(MediaType.APPLICATION_JSON)
                        .characterEncoding(StandardCharsets.UTF_8)
                        .content(file.getBytes(StandardCharsets.UTF_8)))
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        assertThat(refused)
                .as("the apply's errors name the job and the field")
                .contains("jobs[")
                .contains("signed hook moved")
                .contains("parameters.signing_secret")
                .contains("notified hook moved")
                .contains("notifications.on_success[0]");
        assertThat(stored()).isEqualTo(before);

        List<TransferPages.PlanRow> rows = planOnThePage(file);
        TransferPages.PlanRow signed = rows.stream()
                .filter(row -> row.name().equals("signed hook moved"))
                .findFirst()
                .orElseThrow();
        assertThat(signed.action()).isEqualTo("invalid");
        assertThat(signed.errors()).anySatisfy(error -> assertThat(error).startsWith("parameters.signing_secret: "));
        assertThat(rows).hasSize(names.size());
    }

    /**
     * depends_on leaves an export by name, as triggers do: the ids of a chain deleted and recreated (or of another
     * install) differ, and an export with ids could not be applied there ("no job with id …").
     */
    @Test
    void anExportRecreatesADependsOnChainOnceItsJobsWereDeleted() throws Exception {
        assertThat(create(Map.of("name", "bystander", "template_type", "heartbeat")))
                .isEqualTo(201);
        for (String format : List.of("json", "yaml", "json reversed")) {
            String a = createInChain("chain-a", List.of());
            String b = createInChain("chain-b", List.of(a));
            createInChain("chain-c", List.of(b));
            assertThat(dependencies()).isEqualTo(chain());

            String file = download(API + "/export", format.startsWith("json") ? "json" : "yaml");
            assertThat(file).as(format).doesNotContain(a).doesNotContain(b);
            assertThat(exportedDependsOn(file)).as(format).isEqualTo(chain());
            if (format.endsWith("reversed")) {
                // the file's order is no matter: a job's upstream jobs in the file are saved first
                JsonNode tree = json.readTree(file);
                List<JsonNode> reversed = new ArrayList<>();
                tree.path("jobs").forEach(job -> reversed.add(0, job));
                file = json.writeValueAsString(Map.of("jobs", reversed));
            }
            for (String name : List.of("chain-c", "chain-b", "chain-a")) {
                mvc.perform(delete(API + "/" + idOf(name))).andExpect(status().is2xxSuccessful());
            }
            assertThat(dependencies()).as(format).isEmpty();

            String type = format.startsWith("json") ? "json" : "yaml";
            Map<String, String> recreated = new LinkedHashMap<>();
            recreated.put("bystander", "unchanged");
            recreated.put("chain-a", "create");
            recreated.put("chain-b", "create");
            recreated.put("chain-c", "create");
            assertThat(sorted(actions(importThroughTheApi("plan", type, file))))
                    .as("plan of %s", format)
                    .isEqualTo(recreated);
            assertThat(dependencies()).as("a plan stores nothing").isEmpty();
            assertThat(sorted(actions(importThroughTheApi("apply", type, file))))
                    .as("apply of %s", format)
                    .isEqualTo(recreated);
            assertThat(dependencies()).as("after the apply of %s", format).isEqualTo(chain());
            mvc.perform(get(API + "/" + idOf("chain-b")))
                    .andExpect(jsonPath("$.job.depends_on[0]").value(idOf("chain-a")));

            // the recreated chain exports and imports back unchanged, and its export names what the first one did
            String again = download(API + "/export", type);
            assertThat(sorted(actions(importThroughTheApi("apply", type, again))))
                    .as("the export of the recreated chain, %s", format)
                    .isEqualTo(allUnchanged(List.of("bystander", "chain-a", "chain-b", "chain-c")));
            assertThat(dependencies()).isEqualTo(chain());
            for (String name : List.of("chain-c", "chain-b", "chain-a")) {
                mvc.perform(delete(API + "/" + idOf(name))).andExpect(status().is2xxSuccessful());
            }
        }
    }

    /** A file's depends_on may still name its upstream by id, as the API takes it. */
    @Test
    void anImportStillTakesDependsOnByIdAndRefusesAnUnknownNameNamingTheField() throws Exception {
        String a = createInChain("chain-a", List.of());
        String file =
                "{\"jobs\":[{\"name\":\"chain-b\",\"template_type\":\"heartbeat\",\"schedule\":{\"type\":\"cron\","
                        + "\"expression\":\"0 3 * * *\"},\"depends_on\":[\"" + a + "\"]}]}";
        assertThat(actions(importThroughTheApi("apply", "json", file))).containsEntry("chain-b", "create");
        assertThat(dependencies()).containsExactly(Map.of("job", "chain-b", "upstream", "chain-a"));

        String unknown = file.replace("chain-b", "chain-x").replace(a, "no-such-job");
        mvc.perform(post(API + "/import")
                        .param("mode", "apply")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(unknown))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("jobs[0].depends_on[0]"))
                .andExpect(
                        jsonPath("$.errors[0].message").value("job 'chain-x': no job named or with id 'no-such-job'"));
    }

    /**
     * Names are unique per namespace: a full export holding {@code report} of two namespaces, each with a {@code
     * digest} that depends on its own, imports back as unchanged (API, page and the start-up jobs file), and recreates
     * each upstream in its namespace once the jobs were deleted.
     */
    @Test
    void jobsOfOneNameInTwoNamespacesImportBackAsUnchangedAndAreRecreatedEachWithItsUpstream() throws Exception {
        namespace("a");
        namespace("b");
        for (String namespace : List.of("a", "b")) {
            assertThat(create(Map.of("name", "report", "template_type", "heartbeat", "namespace", namespace)))
                    .isEqualTo(201);
            assertThat(create(Map.of(
                            "name",
                            "digest",
                            "template_type",
                            "heartbeat",
                            "namespace",
                            namespace,
                            "depends_on",
                            List.of("report"))))
                    .isEqualTo(201);
        }
        assertThat(create(Map.of(
                        "name",
                        "overview",
                        "template_type",
                        "heartbeat",
                        "depends_on",
                        List.of("a/report", "b/digest"))))
                .isEqualTo(201);
        List<String> upstreams = List.of(
                "a/digest <- a/report",
                "b/digest <- b/report",
                "default/overview <- a/report",
                "default/overview <- b/digest");
        assertThat(namespacedDependencies()).isEqualTo(upstreams);
        Map<String, String> unchanged =
                allUnchanged(List.of("a/digest", "a/report", "b/digest", "b/report", "overview"));
        Stored before = stored();

        for (String format : List.of("json", "yaml")) {
            String file = download(API + "/export", format);
            assertThat(sorted(actions(importThroughTheApi("plan", format, file))))
                    .as("plan of %s", format)
                    .isEqualTo(unchanged);
            assertThat(sorted(actions(importThroughTheApi("apply", format, file))))
                    .as("apply of %s", format)
                    .isEqualTo(unchanged);
            assertThat(sorted(planRows(planOnThePage(file))))
                    .as("page plan of %s", format)
                    .isEqualTo(unchanged);
            assertThat(jobsFile.apply(written(file, format)).jobs().unchanged())
                    .as("the jobs file of %s at start-up", format)
                    .containsExactlyInAnyOrderElementsOf(unchanged.keySet());
            assertThat(stored()).as("stored after %s", format).isEqualTo(before);
        }

        String file = download(API + "/export", "yaml");
        for (String job : List.of("default/overview", "a/digest", "b/digest", "a/report", "b/report")) {
            mvc.perform(delete(
                            API + "/" + idOf(job.substring(0, job.indexOf('/')), job.substring(job.indexOf('/') + 1))))
                    .andExpect(status().is2xxSuccessful());
        }
        Map<String, String> created = new java.util.TreeMap<>();
        unchanged.keySet().forEach(job -> created.put(job, "create"));
        assertThat(sorted(actions(importThroughTheApi("apply", "yaml", file)))).isEqualTo(created);
        assertThat(namespacedDependencies()).isEqualTo(upstreams);
    }

    /**
     * A name with spaces around it is the job the API stores trimmed (as it trims a name on create): planned as
     * unchanged or as its update, through the API, the page and the start-up jobs file; named twice when the file holds
     * it with and without the spaces.
     */
    @Test
    void aNameWithSpacesAroundItIsTheStoredJobOfThatName() throws Exception {
        assertThat(create(Map.of("name", "beat2", "template_type", "heartbeat")))
                .isEqualTo(201);
        Stored before = stored();
        String file = download(API + "/export", "json").replace("\"name\" : \"beat2\"", "\"name\" : \" beat2 \"");
        assertThat(file).contains("\" beat2 \"");

        assertThat(actions(importThroughTheApi("plan", "json", file))).isEqualTo(Map.of("beat2", "unchanged"));
        assertThat(actions(importThroughTheApi("apply", "json", file))).isEqualTo(Map.of("beat2", "unchanged"));
        assertThat(planRows(planOnThePage(file))).isEqualTo(Map.of("beat2", "unchanged"));
        assertThat(jobsFile.apply(written(file, "json")).jobs().unchanged()).containsExactly("beat2");
        assertThat(stored()).isEqualTo(before);

        String urgent = file.replace("\"priority\" : 5", "\"priority\" : 7");
        assertThat(urgent).isNotEqualTo(file);
        assertThat(importThroughTheApi("plan", "json", urgent)
                        .at("/jobs/0/action")
                        .asString())
                .isEqualTo("update");
        assertThat(planOnThePage(urgent))
                .singleElement()
                .satisfies(row -> assertThat(row.action()).isEqualTo("update"));

        String twice = "{\"jobs\":[{\"name\":\"beat2\",\"template_type\":\"heartbeat\"},"
                + "{\"name\":\" beat2\",\"template_type\":\"heartbeat\"}]}";
        JsonNode plan = importThroughTheApi("plan", "json", twice);
        assertThat(plan.at("/jobs/0/action").asString()).isEqualTo("unchanged");
        assertThat(plan.at("/jobs/1/action").asString()).isEqualTo("invalid");
        assertThat(plan.at("/jobs/1/errors/0/message").asString()).isEqualTo("is named twice");
    }

    /** YAML anchors and aliases read as the values they name, not as the anchor's name; a dangling one is refused. */
    @Test
    void anAliasInAJobsFileReadsAsTheValueItsAnchorNames() throws Exception {
        String file = """
                jobs:
                - name: first
                  description: &d Shared description
                  template_type: heartbeat
                  schedule: &s {type: cron, expression: "15 4 * * *"}
                  tags: &t [nightly]
                  priority: &p 7
                - name: second
                  description: *d
                  template_type: heartbeat
                  schedule: *s
                  tags: *t
                  priority: *p
                """;

        assertThat(actions(importThroughTheApi("apply", "yaml", file)))
                .isEqualTo(Map.of("first", "create", "second", "create"));
        JsonNode second = json.readTree(download(API + "/export", "json")).at("/jobs/1");
        assertThat(second.path("name").asString()).isEqualTo("second");
        assertThat(second.path("description").asString()).isEqualTo("Shared description");
        assertThat(second.path("schedule").path("expression").asString()).isEqualTo("15 4 * * *");
        assertThat(second.path("tags").toString()).isEqualTo("[\"nightly\"]");
        assertThat(second.path("priority").asInt()).isEqualTo(7);
        assertThat(actions(importThroughTheApi("plan", "yaml", file)))
                .isEqualTo(Map.of("first", "unchanged", "second", "unchanged"));
        assertThat(jobsFile.apply(written(file, "yaml")).jobs().unchanged()).containsExactly("first", "second");

        String dangling = file.replace("description: *d", "description: *nope");
        mvc.perform(post(API + "/import")
                        .param("mode", "plan")
                        .contentType("application/yaml")
                        .content(dangling))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("jobs[1].description"))
                .andExpect(jsonPath("$.errors[0].message").value("*nope names no anchor (&nope) written before it"));
        MvcResult page = ui.perform(
                        post("/import/plan").param("text", dangling).with(ADMIN).with(csrf()))
                .andExpect(status().isBadRequest())
                .andReturn();
        assertThat(page.getModelAndView().getModel().get("problems"))
                .isEqualTo(List.of("jobs[1].description: *nope names no anchor (&nope) written before it"));
        assertThat(page.getModelAndView().getModel().get("text")).isEqualTo(dangling);
        assertThatThrownBy(() -> jobsFile.apply(written(dangling, "yaml")))
                .hasMessageContaining(
                        "is not valid: jobs[1].description: *nope names no anchor (&nope) written before it");
    }

    /**
     * As in a PUT, a field a file sets to null clears it (the plan shows it going), and one the file leaves out keeps
     * what is stored.
     */
    @Test
    void aFieldSetToNullInAFileIsClearedAndOneLeftOutIsKept() throws Exception {
        mvc.perform(post("/api/admin/scheduler/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"quiet\",\"dates\":[\"2026-12-24\"]}"))
                .andExpect(status().isCreated());
        assertThat(create(Map.of(
                        "name",
                        "upkept",
                        "template_type",
                        "heartbeat",
                        "description",
                        "kept",
                        "expected_duration",
                        "PT10M",
                        "retention",
                        Map.of("keep_runs", 100),
                        "calendars",
                        Map.of("blackout", List.of("quiet")))))
                .isEqualTo(201);
        String file = "jobs:\n- name: upkept\n  template_type: heartbeat\n  expected_duration: null\n"
                + "  retention: null\n  calendars: null\n";

        JsonNode plan = importThroughTheApi("plan", "yaml", file);
        assertThat(plan.at("/jobs/0/action").asString()).isEqualTo("update");
        Map<String, String> changes = new java.util.TreeMap<>();
        plan.at("/jobs/0/changes")
                .forEach(change -> changes.put(
                        change.path("field").asString(), change.path("after").toString()));
        assertThat(changes).isEqualTo(Map.of("calendars", "null", "expected_duration", "null", "retention", "null"));
        assertThat(importThroughTheApi("apply", "yaml", file)
                        .at("/jobs/0/action")
                        .asString())
                .isEqualTo("update");

        JsonNode job = json.readTree(download(API + "/export", "json")).at("/jobs/0");
        assertThat(job.get("expected_duration").isNull()).isTrue();
        assertThat(job.get("retention").isNull()).isTrue();
        assertThat(job.get("calendars").isNull()).isTrue();
        assertThat(job.path("description").asString()).as("left out, so kept").isEqualTo("kept");
        assertThat(actions(importThroughTheApi("plan", "yaml", file))).isEqualTo(Map.of("upkept", "unchanged"));
        assertThat(jobsFile.apply(written(file, "yaml")).jobs().unchanged()).containsExactly("upkept");
    }

    /**
     * An export is the whole of each job: every field is written, an empty one as null or [], so importing it back
     * after a PUT plans each changed field as an update and applying it restores the job as exported, also a field
     * it had empty then (a description, triggers or calendars added since), where a field left out would keep them.
     */
    @Test
    void anExportTakesEveryFieldChangedSinceBackToWhatItWas() throws Exception {
        mvc.perform(post("/api/admin/scheduler/calendars")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"quiet\",\"dates\":[\"2026-12-24\"]}"))
                .andExpect(status().isCreated());
        assertThat(create(Map.of("name", "upstream", "template_type", "heartbeat")))
                .isEqualTo(201);
        assertThat(create(Map.of("name", "promoted", "template_type", "heartbeat")))
                .isEqualTo(201);
        // a change needs its own namespace or template; every other field changes
        List<String> changed = dev.almanac.job.JobRequest.FIELDS.stream()
                .filter(field -> !List.of("name", "namespace", "template_type").contains(field))
                .toList();

        for (String format : List.of("json", "yaml")) {
            String exported = download(API + "/export", format);
            api("PUT", "/jobs/" + idOf("promoted"), """
                    {"description": "since", "parameters": {"message": "since"},
                     "schedule": {"type": "cron", "expression": "0 6 * * *"}, "enabled": false, "priority": 9,
                     "timeout_seconds": 60, "retry_policy": {"max_retries": 2, "retry_delay_seconds": 10,
                     "backoff_multiplier": 3.0}, "concurrency_policy": "allow", "misfire_policy": "skip",
                     "catch_up_window_seconds": 60, "depends_on": ["upstream"],
                     "notifications": {"on_failure": ["ops@example.com"], "on_retry": ["ops@example.com"],
                     "alert_if_no_success_within": "PT26H", "auto_pause_after_failures": 3},
                     "tags": ["since"], "triggers": [{"job": "upstream", "on": "any"}], "trigger_mode": "all",
                     "trigger_window": "PT3H", "calendars": {"blackout": ["quiet"]}, "expected_duration": "PT1M",
                     "retention": {"keep_runs": 3}}
                    """);
            JsonNode was = named("promoted", YAMLMapper.builder().build().readTree(exported));
            JsonNode now = named("promoted", json.readTree(download(API + "/export", "json")));
            assertThat(changed.stream().filter(field -> !now.get(field).equals(was.get(field))))
                    .as("the PUT changes every field an export carries (add a field's change here)")
                    .containsExactlyElementsOf(changed);
            assertThat(changed)
                    .as("an export writes every field of %s", format)
                    .allMatch(field -> was.has(field) && now.has(field));

            JsonNode plan = importThroughTheApi("plan", format, exported);
            assertThat(actions(plan)).as(format).isEqualTo(Map.of("upstream", "unchanged", "promoted", "update"));
            List<String> planned = new ArrayList<>();
            named("promoted", plan)
                    .path("changes")
                    .forEach(change -> planned.add(change.path("field").asString()));
            assertThat(planned).as("the plan of %s", format).containsExactlyInAnyOrderElementsOf(changed);

            importThroughTheApi("apply", format, exported);
            assertThat(download(API + "/export", format))
                    .as("after the apply of %s", format)
                    .isEqualTo(exported);
            assertThat(actions(importThroughTheApi("plan", format, exported)))
                    .isEqualTo(allUnchanged(List.of("promoted", "upstream")));
        }
    }

    /**
     * A one-time job whose run_at has passed (it ran) is recreated from an export after its deletion, on another install
     * alike: created with no next run, as a one-time job that ran is stored, with a warning on the plan that it will
     * not run; the API still refuses a new run_at in the past.
     */
    @Test
    void aOneTimeJobThatRanIsRecreatedFromItsExportWithAWarningThatItWillNotRun() throws Exception {
        String once = "{\"name\":\"once\",\"template_type\":\"heartbeat\","
                + "\"schedule\":{\"type\":\"once\",\"run_at\":\"2026-06-01T11:00:00Z\"}}";
        api("POST", "/jobs", once);
        clock.set(START.plus(java.time.Duration.ofDays(1)));
        String file = download(API + "/export", "yaml");
        assertThat(actions(importThroughTheApi("plan", "yaml", file))).isEqualTo(Map.of("once", "unchanged"));
        mvc.perform(delete(API + "/" + idOf("once"))).andExpect(status().is2xxSuccessful());

        String warning = "2026-06-01T11:00:00Z has passed: the job is saved with no next run, as a one-time job that"
                + " has run, and will not run; set a later run_at to run it";
        JsonNode plan = importThroughTheApi("plan", "yaml", file);
        assertThat(actions(plan)).isEqualTo(Map.of("once", "create"));
        assertThat(plan.at("/jobs/0/warnings").toString())
                .isEqualTo("[{\"field\":\"schedule.run_at\",\"message\":\"" + warning + "\"}]");
        assertThat(planOnThePage(file))
                .singleElement()
                .satisfies(row -> assertThat(row.warnings()).containsExactly("schedule.run_at: " + warning));
        assertThat(actions(importThroughTheApi("apply", "yaml", file))).isEqualTo(Map.of("once", "create"));
        mvc.perform(get(API + "/" + idOf("once")))
                .andExpect(jsonPath("$.job.enabled").value(true))
                .andExpect(jsonPath("$.job.next_run_at").doesNotExist());
        assertThat(actions(importThroughTheApi("plan", "yaml", file))).isEqualTo(Map.of("once", "unchanged"));

        mvc.perform(delete(API + "/" + idOf("once"))).andExpect(status().is2xxSuccessful());
        assertThat(jobsFile.apply(written(file, "yaml")).warnings())
                .containsExactly("once: schedule.run_at: " + warning);
        mvc.perform(post(API)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(once.replace("\"name\":\"once\"", "\"name\":\"again\"")))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("schedule.run_at"));
    }

    /**
     * Every install seeds the destructive job system-history-retention: an admin's unchanged export of it imports back
     * as unchanged. Only a change to a job of a destructive template is refused: that job's error in a plan, a 403
     * naming it on apply (recorded as access.denied), while the admin's change to another job next to it applies.
     */
    @Test
    void anAdminImportsTheirUnchangedExportBackThoughItHoldsADestructiveSystemJob() throws Exception {
        jdbc.sql("DELETE FROM installation_flags").update();
        systemJobs.seedOnce();
        RequestPostProcessor admin = logins.as(TestLogins.ADMIN);
        String file = mvc.perform(get(API + "/export").param("format", "json").with(admin))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        Map<String, String> unchanged =
                allUnchanged(List.of("system-daily-summary", "system-heartbeat", "system-history-retention"));
        Stored before = stored();

        assertThat(actions(importAs(admin, "plan", file))).isEqualTo(unchanged);
        assertThat(actions(importAs(admin, "apply", file))).isEqualTo(unchanged);
        assertThat(planRows(planOnThePage(file, user("amy").roles("ADMIN")))).isEqualTo(unchanged);
        assertThat(stored()).isEqualTo(before);

        String destroying = file.replace("\"keep_days\" : 30", "\"keep_days\" : 10");
        assertThat(destroying).isNotEqualTo(file);
        Map<String, String> refused = new LinkedHashMap<>(unchanged);
        refused.put(
                "system-history-retention",
                "invalid [{\"field\":\"\",\"message\":\"you may not update this job: needs a super admin or an owner"
                        + " of namespace 'default': this template is destructive\"}]");
        assertThat(actions(importAs(admin, "plan", destroying))).isEqualTo(refused);
        mvc.perform(post(API + "/import")
                        .param("mode", "apply")
                        .with(admin)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(destroying))
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail")
                        .value("job 'system-history-retention': template 'history_retention' is destructive: only a"
                                + " super admin may update its jobs"));
        assertThat(stored().jobs()).isEqualTo(before.jobs());
        assertThat(jdbc.sql("SELECT target_name FROM audit_events WHERE action = 'access.denied'")
                        .query(String.class)
                        .list())
                .containsExactly("system-history-retention");

        String beating = file.replace("\"scheduler is alive\"", "\"still alive\"");
        assertThat(beating).isNotEqualTo(file);
        Map<String, String> updated = new LinkedHashMap<>(unchanged);
        updated.put("system-heartbeat", "update");
        assertThat(actions(importAs(admin, "apply", beating))).isEqualTo(updated);
    }

    /** A job whose upstream in the same file is invalid says so, instead of "no job named 'X'". */
    @Test
    void aJobWhoseUpstreamInTheFileIsInvalidSaysThatUpstreamIsInvalid() throws Exception {
        String schedule = "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 3 * * *\"}";
        String file = "{\"jobs\":[{\"name\":\"chain-b\",\"template_type\":\"heartbeat\"," + schedule
                + ",\"depends_on\":[\"chain-a\"]},{\"name\":\"chain-c\",\"template_type\":\"heartbeat\"," + schedule
                + ",\"triggers\":[{\"job\":\"chain-a\",\"on\":\"failed\"}]},{\"name\":\"chain-a\","
                + "\"template_type\":\"heartbeat\"," + schedule + ",\"priority\":10}]}";

        JsonNode plan = importThroughTheApi("plan", "json", file);
        assertThat(errorFields(plan, "chain-a")).containsExactly("priority");
        assertThat(plan.at("/jobs/0/errors").toString())
                .isEqualTo("[{\"field\":\"depends_on[0]\",\"message\":\"the upstream job 'chain-a' in this file is"
                        + " invalid: see its errors\"}]");
        assertThat(plan.at("/jobs/1/errors").toString())
                .isEqualTo("[{\"field\":\"triggers[0].job\",\"message\":\"the upstream job 'chain-a' in this file is"
                        + " invalid: see its errors\"}]");
        mvc.perform(post(API + "/import")
                        .param("mode", "apply")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(file))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("jobs[0].depends_on[0]"))
                .andExpect(jsonPath("$.errors[0].message")
                        .value("job 'chain-b': the upstream job 'chain-a' in this file is invalid: see its errors"));
    }

    /** The job of that name in a jobs file or an import's answer. */
    private static JsonNode named(String name, JsonNode file) {
        for (JsonNode job : file.path("jobs")) {
            if (job.path("name").asString().equals(name)) {
                return job;
            }
        }
        throw new AssertionError("no job named " + name + " in " + file);
    }

    private String createInChain(String name, List<String> dependsOn) throws Exception {
        assertThat(create(Map.of("name", name, "template_type", "heartbeat", "depends_on", dependsOn)))
                .as(name)
                .isEqualTo(201);
        return idOf(name);
    }

    private void namespace(String name) throws Exception {
        mvc.perform(post("/api/admin/scheduler/namespaces")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"" + name + "\"}"))
                .andExpect(status().isCreated());
    }

    private String idOf(String namespace, String name) {
        return jdbc.sql("SELECT id FROM jobs WHERE namespace = ? AND name = ?")
                .param(namespace)
                .param(name)
                .query(java.util.UUID.class)
                .single()
                .toString();
    }

    /** Every stored depends_on, as {@code namespace/job <- namespace/upstream}. */
    private List<String> namespacedDependencies() {
        return jdbc
                .sql("""
                        SELECT j.namespace AS jn, j.name AS job, u.namespace AS un, u.name AS upstream
                        FROM job_dependencies d JOIN jobs j ON j.id = d.job_id JOIN jobs u ON u.id = d.depends_on
                        """)
                .query((rs, n) -> rs.getString("jn") + "/" + rs.getString("job") + " <- " + rs.getString("un") + "/"
                        + rs.getString("upstream"))
                .list()
                .stream()
                .sorted()
                .toList();
    }

    /** A file on disk, as the start-up jobs file ({@code almanac.jobs-file}) names one. */
    private static Path written(String file, String format) throws Exception {
        Path path = Files.createTempFile("jobs", "." + format);
        Files.writeString(path, file);
        return path;
    }

    private JsonNode importAs(RequestPostProcessor who, String mode, String file) throws Exception {
        MvcResult result = mvc.perform(post(API + "/import")
                        .param("mode", mode)
                        .with(who)
                        .contentType(MediaType.APPLICATION_JSON)
                        .characterEncoding(StandardCharsets.UTF_8)
                        .content(file.getBytes(StandardCharsets.UTF_8)))
                .andReturn();
        String body = result.getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(result.getResponse().getStatus()).as("%s: %s", mode, body).isEqualTo(200);
        return json.readTree(body);
    }

    private String idOf(String name) {
        return jdbc.sql("SELECT id FROM jobs WHERE name = ?")
                .param(name)
                .query(java.util.UUID.class)
                .single()
                .toString();
    }

    /** Every stored depends_on, as the names of the job and its upstream. */
    private List<Map<String, String>> dependencies() {
        return jdbc.sql("""
                        SELECT j.name AS job, u.name AS upstream FROM job_dependencies d
                        JOIN jobs j ON j.id = d.job_id JOIN jobs u ON u.id = d.depends_on ORDER BY j.name, u.name
                        """)
                .query((rs, n) -> Map.of("job", rs.getString("job"), "upstream", rs.getString("upstream")))
                .list();
    }

    /** The depends_on a jobs file (JSON or YAML) writes, as the names of the job and its upstream. */
    private static List<Map<String, String>> exportedDependsOn(String file) {
        List<Map<String, String>> written = new ArrayList<>();
        YAMLMapper.builder()
                .build()
                .readTree(file)
                .path("jobs")
                .forEach(job -> job.path("depends_on")
                        .forEach(upstream -> written.add(
                                Map.of("job", job.path("name").asString(), "upstream", upstream.asString()))));
        written.sort(java.util.Comparator.comparing((Map<String, String> d) -> d.get("job"))
                .thenComparing(d -> d.get("upstream")));
        return written;
    }

    private static List<Map<String, String>> chain() {
        return List.of(
                Map.of("job", "chain-b", "upstream", "chain-a"), Map.of("job", "chain-c", "upstream", "chain-b"));
    }

    private static Map<String, String> sorted(Map<String, String> actions) {
        return new java.util.TreeMap<>(actions);
    }

    /** One job of every template's example, and webhooks with secrets in every place a job keeps them. */
    private List<String> createOneJobOfEveryKind() throws Exception {
        approveTheExampleScript();
        List<String> names = new ArrayList<>();
        for (JobTemplate template : templates.all()) {
            String type = template.descriptor().type();
            Map<String, Object> example = templates.exampleParameters(type).orElse(Map.of());
            boolean fixture = template.getClass().getEnclosingClass() == TestTemplates.class;
            if (example.isEmpty() && fixture) {
                continue;
            }
            String name = "example " + type;
            int status = create(Map.of("name", name, "template_type", type, "parameters", example));
            if (status == 201) {
                names.add(name);
            } else {
                assertThat(fixture)
                        .as("a job of %s's example could not be created (%s)", type, status)
                        .isTrue();
            }
        }
        assertThat(names).contains("example webhook_trigger", "example heartbeat");

        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put(
                "empty headers hook",
                Map.of(
                        "template_type",
                        "webhook_trigger",
                        "parameters",
                        Map.of("url", "https://hooks.example.com/a", "secret_headers", Map.of())));
        extras.put(
                "signed hook",
                Map.of(
                        "template_type",
                        "webhook_trigger",
                        "tags",
                        List.of("Nightly", "team:ops"),
                        "priority",
                        8,
                        "parameters",
                        Map.of(
                                "url",
                                "https://hooks.example.com/b",
                                "secret_headers",
                                Map.of("X-Api-Key", "key-0123456789"),
                                "signing_secret",
                                "0123456789abcdef-signing")));
        // as deep as parameters may nest (the parameters object is the first level): its export imports back
        Object deepest = "bottom";
        for (int level = 2; level <= 24; level++) {
            deepest = List.of(deepest);
        }
        extras.put(
                "deepest body hook",
                Map.of(
                        "template_type",
                        "webhook_trigger",
                        "parameters",
                        Map.of("url", "https://hooks.example.com/deep", "body", deepest)));
        extras.put(
                "notified hook",
                Map.of(
                        "template_type",
                        "webhook_trigger",
                        "parameters",
                        Map.of("url", "https://hooks.example.com/c"),
                        "notifications",
                        Map.of(
                                "on_failure",
                                List.of("https://hooks.example.com/notify/0123456789"),
                                "on_success",
                                List.of("slack:https://hooks.slack.com/services/T000/B000/XXXX"),
                                "on_retry",
                                List.of("ops@example.com"))));
        extras.put(
                "nested secrets",
                Map.of(
                        "template_type",
                        "test_nested_secrets",
                        "parameters",
                        Map.of(
                                "label",
                                "nested",
                                "api_keys",
                                List.of("k".repeat(40)),
                                "tokens",
                                List.of("tok_abcdefgh12"),
                                "endpoints",
                                List.of(Map.of("url", "https://example.com/a", "password", "endpoint-pw")),
                                "auth",
                                Map.of(
                                        "basic", Map.of("user", "u", "password", "basic-password-1"),
                                        "extra", Map.of("k", "extra-secret")))));
        for (Map.Entry<String, Object> extra : extras.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> request = new LinkedHashMap<>((Map<String, Object>) extra.getValue());
            request.put("name", extra.getKey());
            assertThat(create(request)).as(extra.getKey()).isEqualTo(201);
            names.add(extra.getKey());
        }
        return names;
    }

    private int create(Map<String, Object> request) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>(request);
        body.put("schedule", Map.of("type", "cron", "expression", "0 3 * * *"));
        return mvc.perform(post("/api/admin/scheduler/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json.writeValueAsString(body)))
                .andReturn()
                .getResponse()
                .getStatus();
    }

    private String download(String path, String format) throws Exception {
        // the API with its token, the page as a signed-in person
        MvcResult result = path.startsWith(API)
                ? mvc.perform(get(path).param("format", format)).andReturn()
                : ui.perform(get(path).param("format", format).with(ADMIN)).andReturn();
        assertThat(result.getResponse().getStatus())
                .as("GET %s?format=%s", path, format)
                .isEqualTo(200);
        return result.getResponse().getContentAsString(StandardCharsets.UTF_8);
    }

    private JsonNode importThroughTheApi(String mode, String format, String file) throws Exception {
        MvcResult result = mvc.perform(post(API + "/import")
                        .param("mode", mode)
                        .contentType(format.equals("yaml") ? "application/yaml" : MediaType.APPLICATION_JSON_VALUE)
                        .characterEncoding(StandardCharsets.UTF_8)
                        .content(file.getBytes(StandardCharsets.UTF_8)))
                .andReturn();
        String body = result.getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(result.getResponse().getStatus()).as("%s: %s", mode, body).isEqualTo(200);
        return json.readTree(body);
    }

    private List<TransferPages.PlanRow> planOnThePage(String file) throws Exception {
        return planOnThePage(file, ADMIN);
    }

    private List<TransferPages.PlanRow> planOnThePage(String file, RequestPostProcessor who) throws Exception {
        MvcResult page = ui.perform(
                        post("/import/plan").param("text", file).with(who).with(csrf()))
                .andReturn();
        @SuppressWarnings("unchecked")
        List<TransferPages.PlanRow> rows =
                (List<TransferPages.PlanRow>) page.getModelAndView().getModel().get("plan");
        assertThat(rows)
                .as("problems: %s", page.getModelAndView().getModel().get("problems"))
                .isNotNull();
        return rows;
    }

    private static Map<String, String> actions(JsonNode result) {
        Map<String, String> actions = new LinkedHashMap<>();
        for (JsonNode job : result.path("jobs")) {
            String namespace = job.path("namespace").asString("default");
            actions.put(
                    (namespace.equals("default") ? "" : namespace + "/")
                            + job.path("name").asString(),
                    job.path("action").asString() + errors(job));
        }
        return actions;
    }

    private static String errors(JsonNode job) {
        return job.path("errors").isEmpty() ? "" : " " + job.path("errors");
    }

    private static List<String> errorFields(JsonNode result, String name) {
        List<String> fields = new ArrayList<>();
        for (JsonNode job : result.path("jobs")) {
            if (job.path("name").asString().equals(name)) {
                job.path("errors")
                        .forEach(error -> fields.add(error.path("field").asString()));
            }
        }
        return fields;
    }

    private static Map<String, String> planRows(List<TransferPages.PlanRow> rows) {
        Map<String, String> actions = new LinkedHashMap<>();
        rows.forEach(row -> actions.put(
                row.name(), row.action() + (row.errors().isEmpty() ? "" : " " + row.errors()) + changes(row)));
        return actions;
    }

    private static String changes(TransferPages.PlanRow row) {
        return row.changes().isEmpty() ? "" : " " + row.changes();
    }

    private static Map<String, String> allUnchanged(List<String> names) {
        Map<String, String> actions = new LinkedHashMap<>();
        names.stream().sorted().forEach(name -> actions.put(name, "unchanged"));
        return actions;
    }

    /** Every stored column of every job, the versions kept and the audit trail but the imports themselves. */
    private Stored stored() {
        return new Stored(
                jdbc.sql("SELECT * FROM jobs ORDER BY namespace, name").query().listOfRows(),
                jdbc.sql("SELECT COUNT(*) FROM job_versions").query(Long.class).single(),
                jdbc.sql("SELECT action, target_name FROM audit_events WHERE action <> 'job.imported' ORDER BY id")
                        .query()
                        .listOfRows());
    }

    private record Stored(List<Map<String, Object>> jobs, long versions, List<Map<String, Object>> audit) {}
}
