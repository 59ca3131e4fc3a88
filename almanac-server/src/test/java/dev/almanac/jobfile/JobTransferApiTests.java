package dev.almanac.jobfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.job.Job;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.WithH2;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;

/** Export in the jobs file's format with secrets masked, re-applied as a jobs file; clone as a disabled copy. */
@WithH2
class JobTransferApiTests extends AlmanacIntegrationTest {

    static final String API = "/api/admin/scheduler/jobs";

    @Autowired
    TemplateRuns runs;

    @Autowired
    JobsFile jobsFile;

    @Autowired
    dev.almanac.job.JobService jobService;

    @Test
    void exportsJobsAsAJobsFileWithSecretsMasked() throws Exception {
        runs.create(
                "hook",
                "webhook_trigger",
                Map.of("url", "https://hooks.example.com/x", "signing_secret", "0123456789abcdef-secret"));
        runs.create("beat", "heartbeat", Map.of("message", "hi"));

        mvc.perform(get(API + "/export"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.jobs[0].name").value("beat"))
                .andExpect(jsonPath("$.jobs[1].parameters.signing_secret").value(JobTransferController.MASK))
                .andExpect(jsonPath("$.jobs[1].parameters.url").value("https://hooks.example.com/x"))
                .andExpect(jsonPath("$.jobs[1].id").doesNotExist());
        String yaml = mvc.perform(get(API + "/export?format=yaml&template_type=heartbeat"))
                .andExpect(status().isOk())
                .andExpect(header().string("Content-Type", "application/yaml;charset=UTF-8"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(yaml).contains("name: \"beat\"").doesNotContain("hook");

        Path file = Files.createTempFile("export", ".yaml");
        Files.writeString(file, yaml);
        assertThat(jobsFile.apply(file).jobs().unchanged()).containsExactly("beat");

        mvc.perform(get(API + "/export?format=xml")).andExpect(status().isBadRequest());
    }

    /** Jobs of one name in several namespaces come out in namespace order, so an export reads the same each time. */
    @Test
    void jobsOfOneNameInSeveralNamespacesAreExportedInNamespaceOrder() throws Exception {
        for (String namespace : List.of("zeta", "alpha")) {
            mvc.perform(post("/api/admin/scheduler/namespaces")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content("{\"name\":\"" + namespace + "\"}"))
                    .andExpect(status().isCreated());
        }
        for (String namespace : List.of("zeta", "default", "alpha")) {
            mvc.perform(post(API).contentType(MediaType.APPLICATION_JSON).content("""
                                    {"name":"same","namespace":"%s","template_type":"heartbeat",
                                     "schedule":{"type":"interval","interval_seconds":3600}}
                                    """.formatted(namespace)))
                    .andExpect(status().isCreated());
        }

        mvc.perform(get(API + "/export"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.jobs[*].namespace", contains("alpha", "default", "zeta")));
    }

    @Test
    void clonesAJobAsADisabledCopy() throws Exception {
        Job original = runs.create("nightly", "heartbeat", Map.of("message", "hi"));

        mvc.perform(post(API + "/" + original.id() + "/clone"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.name").value("nightly-copy"))
                .andExpect(jsonPath("$.job.enabled").value(false))
                .andExpect(jsonPath("$.job.parameters.message").value("hi"));
        mvc.perform(post(API + "/" + original.id() + "/clone"))
                .andExpect(jsonPath("$.job.name").value("nightly-copy-2"));
        mvc.perform(post(API + "/" + java.util.UUID.randomUUID() + "/clone")).andExpect(status().isNotFound());
    }

    /**
     * A clone takes a name and a namespace for the copy, checked as a create's; it ignored its body (a name and
     * namespace given made {@code <name>-copy} in the original's namespace, malformed JSON a 201).
     */
    @Test
    void aCloneTakesANameAndANamespaceCheckedAsACreates() throws Exception {
        Job original = runs.create("nightly", "heartbeat", Map.of("message", "hi"));
        mvc.perform(post("/api/admin/scheduler/namespaces")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"team-b\"}"))
                .andExpect(status().isCreated());
        String clone = API + "/" + original.id() + "/clone";

        mvc.perform(post(clone).contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"my-clone\""))
                .andExpect(status().isBadRequest());
        mvc.perform(post(clone).contentType(MediaType.APPLICATION_JSON).content("{\"nmae\":\"my-clone\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("nmae"));
        mvc.perform(post(clone).contentType(MediaType.APPLICATION_JSON).content("{\"namespace\":\"nowhere\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("namespace"));
        mvc.perform(post(clone).contentType(MediaType.APPLICATION_JSON).content("{\"name\":\"nightly\"}"))
                .andExpect(status().is4xxClientError());
        mvc.perform(post(clone).contentType(MediaType.APPLICATION_JSON).content("{\"name\":\" \"}"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("name"));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Integer.class).single())
                .isEqualTo(1);

        mvc.perform(post(clone)
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"name\":\"my-clone\",\"namespace\":\"team-b\"}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.name").value("my-clone"))
                .andExpect(jsonPath("$.job.namespace").value("team-b"))
                .andExpect(jsonPath("$.job.enabled").value(false))
                .andExpect(jsonPath("$.job.parameters.message").value("hi"));
        mvc.perform(post(clone).contentType(MediaType.APPLICATION_JSON).content("{\"namespace\":\"team-b\"}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.name").value("nightly-copy"))
                .andExpect(jsonPath("$.job.namespace").value("team-b"));
        mvc.perform(post(clone).contentType(MediaType.APPLICATION_JSON).content("{}"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.name").value("nightly-copy"))
                .andExpect(jsonPath("$.job.namespace").value("default"));
    }

    @Test
    void clonesAJobWithSecretsAndNotificationUrlsKeepingTheSecretsSealed() throws Exception {
        String created = mvc.perform(post(API).contentType("application/json").content("""
                                {"name": "signed-hook", "template_type": "webhook_trigger",
                                 "parameters": {"url": "https://hooks.example.com/x",
                                                "secret_headers": {"X-Api-Key": "clone-canary-header"},
                                                "signing_secret": "clone-canary-signing-secret"},
                                 "schedule": {"interval_seconds": 3600},
                                 "notifications": {"on_failure": [
                                     "slack:https://hooks.slack.com/services/T0/B0/clone-canary-slack",
                                     "https://hooks.example.com:8443/notify/clone-canary-path"]}}
                                """))
                .andDo(r -> assertThat(r.getResponse().getStatus())
                        .as(r.getResponse().getContentAsString())
                        .isEqualTo(201))
                .andReturn()
                .getResponse()
                .getContentAsString();
        String id = com.jayway.jsonpath.JsonPath.read(created, "$.job.id");

        String cloned = mvc.perform(post(API + "/" + id + "/clone"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.job.name").value("signed-hook-copy"))
                .andExpect(jsonPath("$.job.parameters.secret_headers.X-Api-Key").value(JobTransferController.MASK))
                .andExpect(jsonPath("$.job.notifications.on_failure[0]").value("slack:https://hooks.slack.com/…"))
                .andExpect(jsonPath("$.job.notifications.on_failure[1]").value("https://hooks.example.com:8443/…"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(created + cloned).doesNotContain("clone-canary").doesNotContain("enc:v1:");

        Job copy = jobService.get(dev.almanac.job.JobId.parse(com.jayway.jsonpath.JsonPath.read(cloned, "$.job.id"))
                .orElseThrow());
        assertThat(jobService.plainRequest(copy).parameters())
                .containsEntry("signing_secret", "clone-canary-signing-secret")
                .containsEntry("secret_headers", Map.of("X-Api-Key", "clone-canary-header"));
        assertThat(copy.definition().parameters().toString()).doesNotContain("clone-canary");
    }

    @Test
    void plansAndAppliesAnImportAllOrNothing() throws Exception {
        runs.create("beat", "heartbeat", Map.of("message", "hi"));
        runs.create(
                "hook",
                "webhook_trigger",
                Map.of("url", "https://hooks.example.com/x", "signing_secret", "0123456789abcdef-secret"));
        String exported = mvc.perform(get(API + "/export?format=yaml"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        String edited = exported.replace("\"hi\"", "\"hello\"")
                + "- name: \"fresh\"\n  template_type: \"heartbeat\"\n  schedule:\n    type: \"interval\"\n    interval_seconds: 60\n";

        mvc.perform(post(API + "/import?mode=plan")
                        .contentType("application/yaml")
                        .content(edited))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.summary.create").value(1))
                .andExpect(jsonPath("$.summary.update").value(1))
                .andExpect(jsonPath("$.summary.unchanged").value(1))
                .andExpect(jsonPath("$.jobs[0].changes[0].field").value("parameters"))
                .andExpect(jsonPath("$.jobs[0].changes[0].after.message").value("hello"));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isEqualTo(2);

        String broken = edited.replace(
                "template_type: \"heartbeat\"\n  schedule:\n    type: \"interval\"\n    interval_seconds: 60",
                "template_type: \"nope\"");
        mvc.perform(post(API + "/import?mode=apply")
                        .contentType("application/yaml")
                        .content(broken))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value(org.hamcrest.Matchers.startsWith("jobs[2]")));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isEqualTo(2);

        mvc.perform(post(API + "/import?mode=apply")
                        .contentType("application/yaml")
                        .content(edited))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.applied").value(true));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isEqualTo(3);
        assertThat(jdbc.sql("SELECT parameters FROM jobs WHERE name = 'hook'")
                        .query(String.class)
                        .single())
                .as("the masked secret kept its stored value: sealed, never the plain text")
                .contains("\"signing_secret\":\"enc:v1:")
                .doesNotContain("0123456789abcdef-secret");
    }

    @Test
    void anImportWithoutAContentTypeIsToldWhichTypesItTakes() throws Exception {
        mvc.perform(post(API + "/import?mode=plan").content("jobs: []"))
                .andExpect(status().isUnsupportedMediaType())
                .andExpect(jsonPath("$.detail")
                        .value(org.hamcrest.Matchers.allOf(
                                org.hamcrest.Matchers.startsWith("The body has no Content-Type; send it as one of: "),
                                org.hamcrest.Matchers.containsString("application/json"),
                                org.hamcrest.Matchers.containsString("application/yaml"))));
    }

    /**
     * A pause is the job's state on this install, not part of its definition: the export does not carry it (a file
     * applied at every start would pause again a job someone resumed), and its YAML says which jobs were paused.
     */
    @Test
    void aYamlExportNamesThePausedJobsItDoesNotCarryThePauseOf() throws Exception {
        Job beat = runs.create("beat", "heartbeat", Map.of("message", "hi"));
        runs.create("other", "heartbeat", Map.of("message", "hi"));
        mvc.perform(post(API + "/" + beat.id() + "/pause")
                        .contentType(MediaType.APPLICATION_JSON)
                        .content("{\"reason\": \"db\\nmigration\"}"))
                .andExpect(status().isOk());

        String yaml = mvc.perform(get(API + "/export?format=yaml"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();

        assertThat(yaml)
                .startsWith("# Paused where this file was exported; the file does not carry a pause")
                .contains("#   beat: paused until resumed (db migration)\n")
                .doesNotContain("#   other")
                .doesNotContain("pause_reason");
        mvc.perform(post(API + "/import?mode=plan")
                        .contentType("application/yaml")
                        .content(yaml))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.summary.unchanged").value(2));
        mvc.perform(get(API + "/export")).andExpect(jsonPath("$.jobs[0].name").value("beat"));
    }
}
