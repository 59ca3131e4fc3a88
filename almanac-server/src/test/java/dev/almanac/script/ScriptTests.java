package dev.almanac.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.execution.LogLine;
import dev.almanac.job.Job;
import dev.almanac.template.ParameterForm;
import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import dev.almanac.testing.WithSandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.ResultActions;

/** Scripts through the API: review by a second person, the audit trail, and runs of approved versions only. */
abstract class ScriptTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends ScriptTests {}

    @WithPostgres
    static class OnPostgres extends ScriptTests {}

    static final String API = "/api/admin/scheduler";

    @Autowired
    TemplateRuns runs;

    @Autowired
    ExecutionService executions;

    @Autowired
    Engine engine;

    @Autowired
    TemplateRegistry templates;

    @BeforeEach
    void noScripts() {
        jdbc.sql("DELETE FROM script_versions").update();
        jdbc.sql("DELETE FROM scripts").update();
    }

    private String create(String role, String name, String source) throws Exception {
        return create(role, name, "python3", source);
    }

    private String create(String role, String name, String language, String source) throws Exception {
        return JsonPath.read(
                mvc.perform(post(API + "/scripts")
                                .with(logins.as(role))
                                .contentType(MediaType.APPLICATION_JSON)
                                .content(json(Map.of("name", name, "language", language, "source", source))))
                        .andExpect(status().isCreated())
                        .andReturn()
                        .getResponse()
                        .getContentAsString(),
                "$.id");
    }

    private ResultActions review(String role, String id, int version, String decision, String comment)
            throws Exception {
        return mvc.perform(post(API + "/scripts/" + id + "/versions/" + version + "/" + decision)
                .with(logins.as(role))
                .contentType(MediaType.APPLICATION_JSON)
                .content(comment == null ? "{}" : json(Map.of("comment", comment))));
    }

    private static String json(Map<String, Object> values) {
        return tools.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(values);
    }

    @Test
    void theAuthorCannotApproveTheirOwnVersion() throws Exception {
        String id = create(TestLogins.SUPER_ADMIN, "mine", "print('hi')");

        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "looks fine")
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail").value(Matchers.containsString("author")));

        mvc.perform(get(API + "/scripts/" + id + "/versions"))
                .andExpect(jsonPath("$.versions[0].status").value("pending"));
        mvc.perform(get(API + "/audit").param("action", "access.denied"))
                .andExpect(jsonPath("$.events[0].actor").value("test-super-admin"))
                .andExpect(jsonPath("$.events[0].target_name").value("mine"));
    }

    @Test
    void onlyASuperAdminApproves() throws Exception {
        String id = create(TestLogins.SUPER_ADMIN, "theirs", "print('hi')");

        review(TestLogins.ADMIN, id, 1, "approve", "looks fine").andExpect(status().isForbidden());
    }

    @Test
    void aSecondPersonApprovesOnceWithACommentAndEveryStepIsAudited() throws Exception {
        String id = create(TestLogins.ADMIN, "report", "print('v1')");
        clock.advance(Duration.ofSeconds(1));

        review(TestLogins.SUPER_ADMIN, id, 1, "approve", null)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("comment"));
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "read it, prints a line")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("approved"))
                .andExpect(jsonPath("$.author").value("test-admin"))
                .andExpect(jsonPath("$.reviewer").value("test-super-admin"))
                .andExpect(jsonPath("$.review_comment").value("read it, prints a line"));
        review(TestLogins.SUPER_ADMIN, id, 1, "reject", "changed my mind").andExpect(status().isConflict());

        mvc.perform(get(API + "/audit").param("target", "report"))
                .andExpect(
                        jsonPath("$.events[*].action", Matchers.contains("script.version_approved", "script.created")))
                .andExpect(jsonPath("$.events[0].details.comment").value("read it, prints a line"));
    }

    @Test
    void aChangeIsANewVersionDiffedAgainstTheLastApprovedOne() throws Exception {
        String id = create(TestLogins.ADMIN, "diffed", "print('v1')\nprint('same')");
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "ok").andExpect(status().isOk());

        mvc.perform(post(API + "/scripts/" + id + "/versions")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json(Map.of("source", "print('v2')\nprint('same')"))))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.version").value(2))
                .andExpect(jsonPath("$.status").value("pending"));

        mvc.perform(get(API + "/scripts/" + id + "/versions/2/diff"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.against").value(1))
                .andExpect(jsonPath("$.diff").value(Matchers.containsString("-print('v1')")))
                .andExpect(jsonPath("$.diff").value(Matchers.containsString("+print('v2')")));
        mvc.perform(get(API + "/scripts/" + id + "/versions/1"))
                .andExpect(jsonPath("$.source").value("print('v1')\nprint('same')"))
                .andExpect(jsonPath("$.status").value("approved"));
        mvc.perform(get(API + "/scripts/" + id))
                .andExpect(jsonPath("$.latest_version").value(2))
                .andExpect(jsonPath("$.latest_approved_version").value(1));
    }

    /** New versions of one script sent at once are numbered one after another; none is refused for another's. */
    @Test
    void newVersionsOfOneScriptSentAtOnceAllSucceedWithConsecutiveNumbers() throws Exception {
        String id = create(TestLogins.ADMIN, "busy", "print(0)");
        int count = 6;
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<MockHttpServletResponse>> answers = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                String source = "print(" + i + ")";
                answers.add(pool.submit(() -> {
                    start.await();
                    return mvc.perform(post(API + "/scripts/" + id + "/versions")
                                    .with(logins.as(TestLogins.ADMIN))
                                    .contentType(MediaType.APPLICATION_JSON)
                                    .content(json(Map.of("source", source))))
                            .andReturn()
                            .getResponse();
                }));
            }
            start.countDown();
            List<Integer> numbers = new ArrayList<>();
            for (Future<MockHttpServletResponse> answer : answers) {
                MockHttpServletResponse response = answer.get(60, TimeUnit.SECONDS);
                assertThat(response.getStatus())
                        .as(response.getContentAsString())
                        .isEqualTo(201);
                numbers.add(JsonPath.read(response.getContentAsString(), "$.version"));
            }
            assertThat(numbers).containsExactlyInAnyOrder(2, 3, 4, 5, 6, 7);
        } finally {
            pool.shutdownNow();
        }
        mvc.perform(get(API + "/scripts/" + id + "/versions"))
                .andExpect(jsonPath("$.versions.length()").value(count + 1));
    }

    /** A reviewer reading only the diff sees whether the version asks for network access, and whether it did before. */
    @Test
    void theDiffSaysWhetherEachVersionAsksForNetworkAccess() throws Exception {
        String id = create(TestLogins.ADMIN, "netted", "print('v1')");
        mvc.perform(get(API + "/scripts/" + id + "/versions/1/diff"))
                .andExpect(jsonPath("$.network_allowed").value(false))
                .andExpect(jsonPath("$.against_network_allowed").value(Matchers.nullValue()));
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "ok").andExpect(status().isOk());
        mvc.perform(post(API + "/scripts/" + id + "/versions")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json(Map.of("source", "print('v1')", "network_allowed", true))))
                .andExpect(status().isCreated());

        mvc.perform(get(API + "/scripts/" + id + "/versions/2/diff"))
                .andExpect(jsonPath("$.against").value(1))
                .andExpect(jsonPath("$.diff").value(""))
                .andExpect(jsonPath("$.network_allowed").value(true))
                .andExpect(jsonPath("$.against_network_allowed").value(false));
    }

    /**
     * The diff shows lines split at LF; Python and Node.js also break at a lone CR, Node.js at U+2028, and a bidi
     * control reorders what a reviewer reads: a version whose text would read differently from how it runs is refused.
     */
    @Test
    void aSourceThatWouldReadDifferentlyInTheReviewThanItRunsIsRefusedNamingTheSource() throws Exception {
        String id = create(TestLogins.ADMIN, "tidy", "# report\r\nprint('windows line ends are fine')\r\n");
        Map<String, String> refused = Map.of(
                "# report\n# TODO tidy\rimport os; print('EVIL')\n", "carriage return without a line feed (line 2)",
                "// report\u2028process.exit(1)\n", "U+2028 (line 1)",
                "x = 1\nif access != 'user\u202e \u2066// admin\u2069 \u2066': pass\n", "U+202E (line 2)",
                "print('a')\u200f\n", "U+200F (line 1)");
        for (Map.Entry<String, String> source : refused.entrySet()) {
            assertRefusedAsANewScriptAndAsAVersion(id, "sneaky", source.getKey(), source.getValue());
        }

        mvc.perform(get(API + "/scripts/" + id + "/versions"))
                .andExpect(jsonPath("$.versions.length()").value(1));
        mvc.perform(get(API + "/scripts/" + id + "/versions/1/diff"))
                .andExpect(jsonPath("$.diff").value(Matchers.containsString("+print('windows line ends are fine')")));
    }

    /** A python3 {@code source} is refused saying {@code why}, as a new script and as a new version of one. */
    private void assertRefusedAsANewScriptAndAsAVersion(String id, String name, String source, String why)
            throws Exception {
        mvc.perform(post(API + "/scripts")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json(Map.of("name", name, "language", "python3", "source", source))))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("source"))
                .andExpect(jsonPath("$.errors[0].message").value(Matchers.containsString(why)));
        mvc.perform(post(API + "/scripts/" + id + "/versions")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json(Map.of("source", source))))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("source"))
                .andExpect(jsonPath("$.errors[0].message").value(Matchers.containsString(why)));
    }

    /**
     * Python decodes a source by its PEP 263 declaration: under utf-7 a "comment" holding {@code +AAo-} is a line
     * break followed by code that runs. A Python version declaring anything but UTF-8 is refused, naming the line; sh
     * and Node.js honour no such declaration.
     */
    @Test
    void aPythonSourceDeclaringAnEncodingOtherThanUtf8IsRefusedNamingTheLine() throws Exception {
        String id = create(TestLogins.ADMIN, "decoded", "# -*- coding: UTF_8 -*-\nprint('fine')\n");
        Map<String, String> refused = Map.of(
                "# -*- coding: utf-7 -*-\n# harmless +AAo-print('hidden')\n", "encoding 'utf-7' (line 1)",
                "#!/usr/bin/python3\n# vim: set fileencoding=latin-1 :\nprint('x')\n", "encoding 'latin-1' (line 2)",
                "\f  #coding=UTF-7\nprint('x')\n", "encoding 'UTF-7' (line 1)");
        for (Map.Entry<String, String> source : refused.entrySet()) {
            assertRefusedAsANewScriptAndAsAVersion(id, "encoded", source.getKey(), source.getValue());
        }
        for (String language : List.of("sh", "node")) {
            mvc.perform(post(API + "/scripts")
                            .with(logins.as(TestLogins.ADMIN))
                            .contentType(MediaType.APPLICATION_JSON)
                            .content(json(Map.of(
                                    "name",
                                    "plain-" + language,
                                    "language",
                                    language,
                                    "source",
                                    "# -*- coding: utf-7 -*-\necho x\n"))))
                    .andExpect(status().isCreated());
        }
        // a declaration after the second line is no declaration to Python
        mvc.perform(post(API + "/scripts/" + id + "/versions")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json(Map.of("source", "print('a')\nprint('b')\n# coding: utf-7\n"))))
                .andExpect(status().isCreated());
        mvc.perform(get(API + "/scripts/" + id + "/versions"))
                .andExpect(jsonPath("$.versions.length()").value(2));
    }

    @Test
    void aJobMayNameOnlyAnApprovedVersion() throws Exception {
        String id = create(TestLogins.ADMIN, "pending", "print('hi')");

        for (Object version : List.of(1, "latest_approved")) {
            mvc.perform(post(API + "/jobs")
                            .contentType(MediaType.APPLICATION_JSON)
                            .content(json(Map.of(
                                    "name",
                                    "uses-pending-" + version,
                                    "template_type",
                                    "script",
                                    "parameters",
                                    Map.of("script", "pending", "version", version),
                                    "schedule",
                                    Map.of("type", "cron", "expression", "0 3 * * *")))))
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[0].field").value("parameters.version"));
        }
        review(TestLogins.SUPER_ADMIN, id, 1, "reject", "no").andExpect(status().isOk());
        mvc.perform(get(API + "/scripts/" + id + "/versions"))
                .andExpect(jsonPath("$.versions[0].status").value("rejected"));
    }

    @Test
    void anImportNamingAPendingVersionIsRefusedWithTheField() throws Exception {
        create(TestLogins.ADMIN, "imported", "print('hi')");

        mvc.perform(post(API + "/jobs/import?mode=apply")
                        .contentType("application/yaml")
                        .content("""
                                jobs:
                                - name: "uses-imported"
                                  template_type: "script"
                                  parameters:
                                    script: "imported"
                                    version: 1
                                  schedule:
                                    type: "interval"
                                    interval_seconds: 60
                                """))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value(Matchers.containsString("parameters.version")));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isZero();
    }

    @Test
    void theTemplateIsListedWithItsAvailability() throws Exception {
        mvc.perform(get(API + "/templates"))
                .andExpect(
                        jsonPath("$.templates[?(@.type == 'script')].available").exists());
    }

    @Test
    @WithSandbox
    void anApprovedVersionRunsInTheSandboxWithItsOutputInTheLog() throws Exception {
        String id = create(TestLogins.ADMIN, "hello", """
                import json, os, sys
                params = json.load(sys.stdin)
                print("hello", params["who"], os.environ["ALMANAC_PARAM_WHO"])
                print("token is", "set" if os.environ.get("ALMANAC_SECRET_TOKEN") == "t0p-s3cret" else "missing")
                print("warning", file=sys.stderr)
                print('::result {"greeted": 1}')
                """);
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "ok").andExpect(status().isOk());

        Execution run = runs.run(
                "script",
                Map.of(
                        "script",
                        "hello",
                        "version",
                        "latest_approved",
                        "parameters",
                        Map.of("who", "world"),
                        "secrets",
                        Map.of("TOKEN", "t0p-s3cret")));

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(messages(run)).contains("hello world world", "token is set", "warning");
        assertThat(run.result()).extractingByKey("details").asString().contains("greeted=1");
    }

    /**
     * sh runs a CR as part of its line; Python and Node.js read CR LF as LF. A source posted with CR LF is stored with
     * LF, so a shell script written on Windows runs, and the size limit counts what is stored.
     */
    @Test
    @WithSandbox
    void aShellScriptPostedWithWindowsLineEndsIsStoredWithLineFeedsAndRuns() throws Exception {
        String id = create(TestLogins.ADMIN, "crlf", "sh", "if true; then\r\n  echo fine\r\nfi\r\n");
        mvc.perform(get(API + "/scripts/" + id + "/versions/1"))
                .andExpect(jsonPath("$.source").value("if true; then\n  echo fine\nfi\n"));
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "ok").andExpect(status().isOk());

        Execution run = runs.run("script", Map.of("script", "crlf"));

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(messages(run)).contains("fine");
        // 200 000 characters stored, 300 000 posted: within the limit of 262 144
        mvc.perform(post(API + "/scripts/" + id + "/versions")
                        .with(logins.as(TestLogins.ADMIN))
                        .contentType(MediaType.APPLICATION_JSON)
                        .content(json(Map.of("source", "x\r\n".repeat(100_000)))))
                .andExpect(status().isCreated());
    }

    /** A run that logs past the line limit still ends its log with why it failed, after the truncation marker. */
    @Test
    @WithSandbox
    void aFailedRunsLogEndsWithWhyItFailedPastTheLineLimit() throws Exception {
        String id =
                create(TestLogins.ADMIN, "chatty", "import sys\nfor i in range(10050):\n    print(i)\nsys.exit(4)\n");
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "ok").andExpect(status().isOk());

        Execution run = runs.run("script", Map.of("script", "chatty"));

        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        String rest = mvc.perform(get(API + "/executions/" + run.id().value()).param("after_seq", "9999"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        List<String> last = JsonPath.read(rest, "$.logs[*].message");
        assertThat(last).hasSize(3);
        assertThat(last.get(1)).startsWith("log truncated");
        assertThat(last.get(2)).isEqualTo("failed: 'chatty' v1 exited with code 4");
    }

    /**
     * A script gets exactly the variables docs/scripts.md lists, PWD included: bubblewrap sets it to the working
     * directory, /tmp, whatever the environment it was given.
     */
    @Test
    @WithSandbox
    void aScriptGetsExactlyTheDocumentedVariables() throws Exception {
        String python = create(
                TestLogins.ADMIN,
                "env-py",
                "import os\nprint(' '.join(sorted(os.environ)))\nprint('PWD=' + os.environ['PWD'])\n");
        review(TestLogins.SUPER_ADMIN, python, 1, "approve", "ok").andExpect(status().isOk());
        String sh = create(TestLogins.ADMIN, "env-sh", "sh", "env | cut -d= -f1 | sort | tr '\\n' ' '\n");
        review(TestLogins.SUPER_ADMIN, sh, 1, "approve", "ok").andExpect(status().isOk());
        String documented = "ALMANAC_EXECUTION_ID ALMANAC_JOB_NAME ALMANAC_PARAM_WHO ALMANAC_SCRIPT"
                + " ALMANAC_SCRIPT_VERSION ALMANAC_SECRET_TOKEN HOME LANG PATH PWD TMPDIR";
        Map<String, Object> given = Map.of("parameters", Map.of("who", "me"), "secrets", Map.of("TOKEN", "t0k3n-x"));

        Execution fromPython = runs.run("script", new java.util.HashMap<>(Map.of("script", "env-py")) {
            {
                putAll(given);
            }
        });
        Execution fromSh = runs.run("script", new java.util.HashMap<>(Map.of("script", "env-sh")) {
            {
                putAll(given);
            }
        });

        assertThat(messages(fromPython)).contains(documented, "PWD=/tmp");
        assertThat(messages(fromSh).stream().map(String::strip)).contains(documented);
    }

    @Test
    @WithSandbox
    void aFailedRunsLogEndsWithWhyItFailed() throws Exception {
        String id = create(TestLogins.ADMIN, "fails", "import sys\nprint('trying')\nsys.exit(3)\n");
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "ok").andExpect(status().isOk());

        Execution run = runs.run("script", Map.of("script", "fails"));

        assertThat(run.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(messages(run)).contains("trying").last().isEqualTo("failed: 'fails' v1 exited with code 3");
    }

    /**
     * A secret a script prints as it was given shows as the mask wherever its run is read (the API's log lines and
     * result, the stored rows): a key of several lines printed as it is, a secret at a line's end in ASCII and in
     * multi-byte text, a line cut at the line length after its secret, one so long that the sandbox keeps only its
     * start (16000 bytes: four times the line length of 4000), and a secret as a key and a value of the result.
     */
    @Test
    @WithSandbox
    void aSecretPrintedAsItWasGivenIsMaskedInTheLogAndTheResultHoweverTheLineIsCut() throws Exception {
        String key = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nAQEFAASCBKcwggSjAgEAAoIB\n-----END KEY-----";
        String token = "tok3n-Qv8Zr2-Lm5Wx7";
        String id = create(TestLogins.ADMIN, "leaky", """
                import json, os
                key, token = os.environ["ALMANAC_SECRET_KEY"], os.environ["ALMANAC_SECRET_TOKEN"]
                print(key)
                print("x" * 3990 + token)
                print("\\u00e9" * 3990 + token)
                print("\\U0001f600" * 1999 + token)
                print("x" * 3998 + token)
                print("yyy" + token * 1000)
                print("::result " + json.dumps({token: "a key", "token": token, "key": key}))
                """);
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "ok").andExpect(status().isOk());

        Execution run = runs.run("script", Map.of("script", "leaky", "secrets", Map.of("KEY", key, "TOKEN", token)));

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        String answer = mvc.perform(get(API + "/executions/" + run.id().value()))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString(java.nio.charset.StandardCharsets.UTF_8);
        List<String> logged = JsonPath.read(answer, "$.logs[*].message");
        assertThat(logged)
                .containsSequence(
                        "••••",
                        "••••",
                        "••••",
                        "••••",
                        "x".repeat(3990) + "••••",
                        "é".repeat(3990) + "••••",
                        "😀".repeat(1999) + "••" + " […]",
                        "x".repeat(3998) + "••" + " […]",
                        "yyy" + "••••".repeat(841) + " […]");
        Map<String, Object> details = JsonPath.read(answer, "$.execution.result.details");
        assertThat(details)
                .containsEntry("••••", "a key")
                .containsEntry("token", "••••")
                .containsEntry("key", "••••");
        String stored = String.join(
                        "\n",
                        jdbc.sql("SELECT message FROM execution_logs")
                                .query(String.class)
                                .list())
                + jdbc.sql("SELECT result FROM executions WHERE id = ?")
                        .param(run.id().value())
                        .query(String.class)
                        .single();
        for (String shown : List.of(answer, stored)) {
            // no secret, no line of the key, and not the start of the token where a line was cut
            assertThat(shown).doesNotContain(token, "tok3n", "BEGIN KEY", "MIIEvQ", "AQEFAA", "END KEY");
        }
    }

    /**
     * What the sandbox cannot hand to a script is refused when the job is saved, naming the field: a NUL character
     * (an environment variable cannot hold one) and two parameters whose names become the same variable.
     */
    @Test
    void aValueWithANulCharacterAndParametersThatBecomeTheSameVariableAreRefusedOnSave() throws Exception {
        String id = create(TestLogins.ADMIN, "picky", "print('hi')");
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "ok").andExpect(status().isOk());

        Map<String, Map<String, Object>> refusedAt = Map.of(
                "parameters.parameters.note",
                Map.of("script", "picky", "parameters", Map.of("note", "a\u0000b")),
                "parameters.secrets.TOKEN",
                Map.of("script", "picky", "secrets", Map.of("TOKEN", "t0p\u0000s3cret")),
                "parameters.parameters.a",
                Map.of("script", "picky", "parameters", new java.util.TreeMap<>(Map.of("A", "1", "a", "2"))));
        for (Map.Entry<String, Map<String, Object>> refused : refusedAt.entrySet()) {
            savedAsAScriptJob("picky", refused.getValue())
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[*].field").value(Matchers.contains(refused.getKey())))
                    .andExpect(content().string(Matchers.not(Matchers.containsString("s3cret"))));
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM jobs").query(Long.class).single())
                .isZero();
    }

    /** A job of the script template named {@code name} with these parameters, created through the API. */
    org.springframework.test.web.servlet.ResultActions savedAsAScriptJob(String name, Map<String, Object> parameters)
            throws Exception {
        return mvc.perform(post(API + "/jobs")
                .contentType(MediaType.APPLICATION_JSON)
                .content(json(Map.of(
                        "name",
                        name,
                        "template_type",
                        "script",
                        "parameters",
                        parameters,
                        "schedule",
                        Map.of("type", "cron", "expression", "0 3 * * *")))));
    }

    /**
     * Each parameter is also an environment variable, and the kernel starts no program with one over 128 KiB
     * ("NAME=value" and its NUL) or with too much environment in all: such parameters are refused when the job is
     * saved, naming the field, and one up to the bound runs. A job changed behind the API's back fails its run
     * saying why, its log ending with the reason.
     */
    @Test
    @WithSandbox
    void aParameterTooLargeForAnEnvironmentVariableIsRefusedOnSaveAndOneUpToTheBoundRuns() throws Exception {
        String id = create(TestLogins.ADMIN, "roomy", "import os\nprint(len(os.environ['ALMANAC_PARAM_NOTE']))\n");
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "ok").andExpect(status().isOk());
        // ALMANAC_PARAM_NOTE=<value> and a NUL: 18 + 1 + 131 052 + 1 = 131 072 bytes
        String fits = "x".repeat(131_052);
        Map<String, Object> many = new java.util.TreeMap<>();
        for (int i = 0; i < 9; i++) {
            many.put("part" + i, "y".repeat(120_000));
        }
        Map<String, Map<String, Object>> refusedAt = Map.of(
                "parameters.parameters.note",
                Map.of("script", "roomy", "parameters", Map.of("note", fits + "x")),
                "parameters.parameters.note ",
                Map.of("script", "roomy", "parameters", Map.of("note", "é".repeat(65_600))));
        for (Map.Entry<String, Map<String, Object>> refused : refusedAt.entrySet()) {
            savedAsAScriptJob("roomy", refused.getValue())
                    .andExpect(status().isBadRequest())
                    .andExpect(jsonPath("$.errors[*].field")
                            .value(Matchers.contains(refused.getKey().strip())))
                    .andExpect(jsonPath("$.errors[0].message").value(Matchers.containsString("bytes")));
        }

        Execution run = runs.run("script", Map.of("script", "roomy", "parameters", Map.of("note", fits)));
        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(messages(run)).contains("131052");

        // past the API (which keeps a job's parameters to 256 KiB as JSON): one variable too long, too many in all
        Map<String, Map<String, Object>> byHand = Map.of(
                "ALMANAC_PARAM_NOTE would take 131073 bytes", Map.of("note", fits + "x"), "would take 1080", many);
        for (Map.Entry<String, Map<String, Object>> changed : byHand.entrySet()) {
            Job job = runs.create(
                    "changed-by-hand-" + changed.getValue().size(),
                    "script",
                    Map.of("script", "roomy", "parameters", Map.of("note", "a")));
            jdbc.sql("UPDATE jobs SET parameters = ? WHERE id = ?")
                    .params(
                            json(Map.of("script", "roomy", "parameters", changed.getValue())),
                            job.id().value())
                    .update();
            clock.advance(Duration.ofHours(24));
            engine.runDueOnce();
            Map<String, Object> scheduled = jdbc.sql("SELECT id, status, error FROM executions WHERE job_id = ?")
                    .param(job.id().value())
                    .query()
                    .singleRow();
            assertThat(scheduled.get("status")).isEqualTo("failed");
            assertThat(scheduled.get("error").toString()).contains("was not started", changed.getKey());
            assertThat(messages(new ExecutionId((UUID) scheduled.get("id"))))
                    .last()
                    .asString()
                    .startsWith("failed: ")
                    .contains(changed.getKey());
        }
    }

    @Test
    @WithSandbox
    void theTemplatesExampleRunsOnceItsScriptIsApproved() throws Exception {
        String id = create(TestLogins.ADMIN, "hello", "import sys, json\nprint(json.load(sys.stdin))");
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "ok").andExpect(status().isOk());
        ParameterForm form = templates.form("script").orElseThrow();
        ParameterForm.Parsed parsed =
                form.parse(form.toForm(templates.exampleParameters("script").orElseThrow()));
        assertThat(parsed.errors()).isEmpty();
        assertThat(templates.validateParameters("script", parsed.parameters())).isEmpty();

        Execution run = runs.run("script", parsed.parameters());

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(messages(run)).contains("{'greeting': 'hello'}");
    }

    @Test
    @WithSandbox
    void aVersionThatIsNoLongerApprovedNeverRunsWhateverTheJobSays() throws Exception {
        String id = create(TestLogins.ADMIN, "revoked", "print('ran')");
        review(TestLogins.SUPER_ADMIN, id, 1, "approve", "ok").andExpect(status().isOk());
        Job job = runs.create("pinned", "script", Map.of("script", "revoked", "version", 1));
        jdbc.sql("UPDATE script_versions SET status = 'rejected' WHERE script_id = ?")
                .param(UUID.fromString(id))
                .update();

        mvc.perform(post(API + "/jobs/" + job.id().value() + "/run"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("parameters.version"));

        clock.advance(Duration.ofHours(18));
        engine.runDueOnce();
        Map<String, Object> run = jdbc.sql("SELECT id, status, error FROM executions WHERE job_id = ?")
                .param(job.id().value())
                .query()
                .singleRow();
        assertThat(run.get("status")).as("the scheduled run").isEqualTo("failed");
        assertThat(run.get("error").toString()).contains("only an approved version runs");
        assertThat(messages(new ExecutionId((UUID) run.get("id")))).doesNotContain("ran");
    }

    private List<String> messages(Execution run) {
        return messages(run.id());
    }

    private List<String> messages(ExecutionId run) {
        return executions.logs(run, 0).stream().map(LogLine::message).toList();
    }
}
