package dev.almanac.jobfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A jobs file (the import body, JSON or YAML) is read as the API reads a JSON body: a value of the wrong type or a
 * field given twice is refused naming its field, never converted or decided by the last one; YAML's plain nulls are
 * null.
 */
abstract class JobsFileReadingTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends JobsFileReadingTests {}

    @WithPostgres
    static class OnPostgres extends JobsFileReadingTests {}

    private static final String JOB = "\"name\": \"x\", \"template_type\": \"heartbeat\", \"schedule\": {\"type\":"
            + " \"interval\", \"interval_seconds\": 3600}";

    @Autowired
    JsonMapper json;

    @Autowired
    JobsFile jobsFile;

    @Test
    void refusesInAJobsFileWhatTheApiRefusesNamingTheField() throws Exception {
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("\"priority\": 1, \"priority\": 2", "jobs[0].priority: is given twice: give each field once");
        refused.put("\"priority\": 7.5", "jobs[0].priority: must be an integer");
        refused.put("\"timeout_seconds\": 3600.9", "jobs[0].timeout_seconds: must be an integer");
        refused.put("\"retry_policy\": {\"max_retries\": 2.9}", "jobs[0].retry_policy.max_retries: must be an integer");
        refused.put("\"priority\": \"7\"", "jobs[0].priority: must be an integer");
        refused.put("\"enabled\": 0", "jobs[0].enabled: must be true or false");
        refused.put("\"enabled\": \"false\"", "jobs[0].enabled: must be true or false");
        for (Map.Entry<String, String> field : refused.entrySet()) {
            String jsonFile = "{\"jobs\": [{" + JOB + ", " + field.getKey() + "}]}";
            // the same job as YAML: the file as a flow mapping, and each line of block YAML
            String yamlFile = "jobs:\n  - name: x\n    template_type: heartbeat\n"
                    + "    schedule: {type: interval, interval_seconds: 3600}\n    "
                    + field.getKey().replace(", \"", "\n    \"") + "\n";
            for (String file : new String[] {jsonFile, yamlFile}) {
                String type = file == jsonFile ? "application/json" : "application/yaml";

                JsonNode answer = importing(file, type, 400);

                // the job named, and the line the reader was at (all on one line in the JSON file)
                String expected = field.getValue().contains("given twice")
                        ? field.getValue()
                        : field.getValue().replace(": ", ": job 'x': ") + " (line " + (file == jsonFile ? 1 : 5) + ")";
                assertThat(answer.path("errors").get(0).path("field").asString()
                                + ": "
                                + answer.path("errors").get(0).path("message").asString())
                        .as("%s as %s", field.getKey(), type)
                        .isEqualTo(expected);
            }
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isZero();
    }

    /**
     * A NUL character reaches no database from a jobs file, written as YAML's {@code \0} or JSON's {@code \u0000}
     * under a YAML content type (where the API's JSON body check does not look): 400 naming the field, not a 500.
     */
    @Test
    void refusesANulCharacterInAYamlOrJsonFileNamingTheField() throws Exception {
        String yaml = "jobs:\n  - name: x\n    template_type: heartbeat\n    description: \"a\\0b\"\n";
        String json = "{\"jobs\": [{" + JOB + ", \"description\": \"a\\u0000b\"}]}";
        for (String file : new String[] {yaml, json}) {
            JsonNode answer = importing(file, "application/yaml", 400);

            assertThat(answer.path("errors").get(0).path("field").asString()).isEqualTo("jobs[0].description");
            assertThat(answer.path("errors").get(0).path("message").asString()).contains("NUL");
        }
    }

    @Test
    void refusesAJobsListGivenTwice() throws Exception {
        String second = "{\"jobs\": [{" + JOB + "}], \"jobs\": [{" + JOB.replace("\"x\"", "\"y\"") + "}]}";
        String yaml = "jobs:\n  - {" + JOB + "}\njobs:\n  - {" + JOB.replace("\"x\"", "\"y\"") + "}\n";

        for (String file : new String[] {second, yaml}) {
            JsonNode answer = importing(file, "application/yaml", 400);

            assertThat(answer.path("errors").get(0).path("field").asString()).isEqualTo("jobs");
            assertThat(answer.path("errors").get(0).path("message").asString()).contains("given twice");
        }
    }

    @Test
    void readsYamlsPlainNullsAsNullAndAQuotedTildeAsText() throws Exception {
        api("POST", "/namespaces", "{\"name\": \"team\"}");
        importing(
                "{\"jobs\": [{" + JOB + ", \"namespace\": \"team\", \"description\": \"kept\"}]}",
                "application/json",
                200,
                "apply");

        for (String nothing : new String[] {"~", "null", "Null", "NULL", ""}) {
            String file = "jobs:\n  - name: x\n    namespace: team\n    description: " + nothing + "\n";
            JsonNode plan = importing(file, "application/yaml", 200);

            assertThat(plan.path("jobs").get(0).path("action").asString())
                    .as("description: %s", nothing)
                    .isEqualTo("update");
            JsonNode change = plan.path("jobs").get(0).path("changes").get(0);
            assertThat(change.path("field").asString()).isEqualTo("description");
            assertThat(change.path("after").isNull() || change.path("after").isMissingNode())
                    .as("description: %s clears it: %s", nothing, plan)
                    .isTrue();
        }
        String defaults = "jobs:\n  - name: y\n    namespace: ~\n    template_type: heartbeat\n    schedule:\n"
                + "      type: cron\n      expression: \"0 3 * * *\"\n      timezone: ~\n    calendars: ~\n"
                + "    retention: ~\n    description: '~'\n";
        JsonNode created = importing(defaults, "application/yaml", 200);
        assertThat(created.path("jobs").get(0).path("action").asString())
                .as("%s", created)
                .isEqualTo("create");
        importing(defaults, "application/yaml", 200, "apply");
        assertThat(jdbc.sql("SELECT namespace || ' ' || description FROM jobs WHERE name = 'y'")
                        .query(String.class)
                        .single())
                .isEqualTo("default ~");
    }

    /**
     * Every entry the reader cannot take is named at once, each by its job, its field and its line, not only the
     * first: in YAML and JSON, through the API and in a jobs file read at start.
     */
    @Test
    void namesEveryUnknownFieldAndWrongTypeOfAFileAtOnce() throws Exception {
        String yamlFile = """
                jobs:
                  - name: bad-a
                    tempate_type: heartbeat
                  - name: fine
                    template_type: heartbeat
                    schedule: {type: interval, interval_seconds: 3600}
                  - name: bad-b
                    namespace: team
                    priority: high
                """;
        String jsonFile = "{\"jobs\": [\n{\"name\": \"bad-a\", \"tempate_type\": \"heartbeat\"},\n{" + JOB
                + "},\n{\"name\": \"bad-b\", \"namespace\": \"team\", \"priority\": \"high\"}]}";
        for (String file : new String[] {yamlFile, jsonFile}) {
            JsonNode answer = importing(file, "application/yaml", 400);

            assertThat(answer.path("errors").findValuesAsString("field"))
                    .as("%s", answer)
                    .containsExactly("jobs[0].tempate_type", "jobs[2].priority");
            String first = answer.path("errors").get(0).path("message").asString();
            assertThat(first).startsWith("job 'bad-a': is not a known field; did you mean 'template_type'?");
            assertThat(first).endsWith(file == yamlFile ? "(line 3)" : "(line 2)");
            assertThat(answer.path("errors").get(1).path("message").asString())
                    .startsWith("job 'team/bad-b': must be an integer")
                    .endsWith(file == yamlFile ? "(line 9)" : "(line 4)");
        }

        java.nio.file.Path onDisk = java.nio.file.Files.createTempFile("jobs", ".yaml");
        java.nio.file.Files.writeString(onDisk, yamlFile);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> jobsFile.apply(onDisk)))
                .hasMessageContaining("jobs[0].tempate_type: job 'bad-a'")
                .hasMessageContaining("jobs[2].priority: job 'team/bad-b'");
    }

    @Test
    void saysAJobsFileIsOneYamlDocument() throws Exception {
        String two = "jobs:\n  - {" + JOB + "}\n---\njobs:\n  - {" + JOB.replace("\"x\"", "\"y\"") + "}\n";

        JsonNode answer = importing(two, "application/yaml", 400);

        assertThat(answer.path("errors").get(0).path("message").asString())
                .as("%s", answer)
                .contains("more than one YAML document", "a jobs file is one");
    }

    private JsonNode importing(String file, String type, int status) throws Exception {
        return importing(file, type, status, "plan");
    }

    private JsonNode importing(String file, String type, int status, String mode) throws Exception {
        MvcResult result = mvc.perform(post("/api/admin/scheduler/jobs/import")
                        .param("mode", mode)
                        .contentType(type)
                        .content(file.getBytes(StandardCharsets.UTF_8)))
                .andReturn();
        String body = result.getResponse().getContentAsString(StandardCharsets.UTF_8);
        assertThat(result.getResponse().getStatus()).as("%s\n%s", file, body).isEqualTo(status);
        return json.readTree(body);
    }
}
