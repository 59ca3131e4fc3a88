package dev.almanac.template.builtin;

import static dev.almanac.template.builtin.DatabaseCleanupTests.details;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.jayway.jsonpath.JsonPath;
import dev.almanac.engine.internal.Engine;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.TestLogins;
import dev.almanac.testing.TestOutbound;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * Whom daily_summary mails, through the API and a real SMTP server (GreenMail): a namespace owner's job never mails
 * the super admins nor shows them anyone's address, every recipient gets a message of their own, and recipients past
 * the limit are reported, not dropped in silence.
 */
abstract class DailySummaryTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends DailySummaryTests {}

    @WithPostgres
    static class OnPostgres extends DailySummaryTests {}

    static final GreenMail SMTP = TestOutbound.SMTP;
    static final String API = "/api/admin/scheduler";

    @DynamicPropertySource
    static void outbound(DynamicPropertyRegistry registry) {
        TestOutbound.register(registry);
        registry.add("almanac.security.manual-runs-per-hour", () -> "0");
    }

    @Autowired
    WebApplicationContext context;

    @Autowired
    Engine engine;

    @Autowired
    ExecutionService executions;

    @Autowired
    TemplateRuns runs;

    @Autowired
    JsonMapper json;

    MockMvc owner;

    @BeforeEach
    void aTeamAndItsOwner() throws Exception {
        api("POST", "/namespaces", "{\"name\":\"team\"}");
        owner = TestLogins.mvc(context, logins.token("owner", TestLogins.USER, false));
        api("PUT", "/namespaces/team/members", "{\"members\":[{\"username\":\"owner\",\"role\":\"owner\"}]}");
        logins.token(TestLogins.SUPER_ADMIN);
        jdbc.sql("UPDATE users SET email = 'root@example.test' WHERE role = 'SUPER_ADMIN'")
                .update();
        SMTP.purgeEmailFromAllMailboxes();
    }

    @Test
    void aNamespaceOwnersSummaryNeverReachesNorShowsTheSuperAdmins() throws Exception {
        MockHttpServletResponse saved = call(
                post(API + "/jobs"),
                job(Map.of("recipients", List.of("attacker@example.test", "friend@example.test"))));
        assertThat(saved.getStatus()).as(saved.getContentAsString()).isEqualTo(201);
        String job = JsonPath.read(saved.getContentAsString(), "$.job.id");

        Execution dryRun = run(job, "{\"dry_run\":true}");
        assertThat(details(dryRun)).containsEntry("recipients", 2);

        Execution run = run(job, "{}");
        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("emailed_to", 2);
        assertThat(SMTP.waitForIncomingEmail(5000, 2)).isTrue();
        assertThat(SMTP.getReceivedMessages()).hasSize(2);
        List<List<String>> to = new ArrayList<>();
        for (MimeMessage message : SMTP.getReceivedMessages()) {
            to.add(List.of(message.getRecipients(Message.RecipientType.TO)).stream()
                    .map(Object::toString)
                    .toList());
            assertThat(message.getRecipients(Message.RecipientType.CC)).isNull();
            assertThat(GreenMailUtil.getWholeMessage(message)).doesNotContain("root@example.test");
        }
        assertThat(to)
                .as("each recipient alone in To, and nobody else")
                .containsExactlyInAnyOrder(List.of("attacker@example.test"), List.of("friend@example.test"));

        // a run that overrides its parameters (checked without the namespace) leaves them out all the same, and says so
        SMTP.purgeEmailFromAllMailboxes();
        Execution overridden = run(job, "{\"parameters\":{\"include_super_admins\":true}}");
        assertThat(overridden.status()).as(overridden.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(overridden)).containsEntry("emailed_to", 2).containsEntry("super_admins_left_out", true);
        assertThat(overridden.result().get("warnings").toString()).contains("include_super_admins is ignored");
        assertThat(logOf(overridden)).contains("include_super_admins is ignored");
        assertThat(SMTP.waitForIncomingEmail(5000, 2)).isTrue();
        for (MimeMessage message : SMTP.getReceivedMessages()) {
            assertThat(GreenMailUtil.getWholeMessage(message)).doesNotContain("root@example.test");
        }
    }

    @Test
    void theSystemJobsWayStillMailsTheSuperAdminsEachAlone() throws Exception {
        Execution run = runs.run(
                "daily_summary", Map.of("include_super_admins", true, "recipients", List.of("ops@example.test")));

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("emailed_to", 2).doesNotContainKey("recipients_left_out");
        assertThat(SMTP.waitForIncomingEmail(5000, 2)).isTrue();
        assertThat(SMTP.getReceivedMessages())
                .extracting(message -> List.of(message.getRecipients(Message.RecipientType.TO)).stream()
                        .map(Object::toString)
                        .toList())
                .containsExactlyInAnyOrder(List.of("root@example.test"), List.of("ops@example.test"));
    }

    @Test
    void recipientsPastTheLimitAreReportedNotDroppedInSilence() throws Exception {
        List<String> fifty =
                IntStream.range(0, 50).mapToObj(i -> "u" + i + "@example.test").toList();

        Execution dryRun = runs.dryRun("daily_summary", Map.of("recipients", fifty));
        assertThat(details(dryRun)).containsEntry("recipients", 50).containsEntry("recipients_left_out", 1);
        assertThat(dryRun.result().get("message").toString()).contains("1 recipient was left out");

        Execution run = runs.run("daily_summary", Map.of("recipients", fifty));

        assertThat(run.status()).as(run.error()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(details(run)).containsEntry("emailed_to", 50).containsEntry("recipients_left_out", 1);
        assertThat(run.result().get("message").toString())
                .contains("1 recipient was left out: a summary goes to at most 50");
        assertThat(run.result().get("warnings").toString()).contains("1 recipient(s) left out");
        assertThat(logOf(run)).contains("1 recipient(s) left out");
        assertThat(SMTP.waitForIncomingEmail(10000, 50)).isTrue();
        assertThat(SMTP.getReceivedMessages()).hasSize(50);
    }

    private String job(Map<String, Object> parameters) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("name", "summary-" + System.nanoTime());
        request.put("namespace", "team");
        request.put("template_type", "daily_summary");
        request.put("parameters", parameters);
        request.put("schedule", Map.of("type", "cron", "expression", "0 3 1 1 *"));
        return json.writeValueAsString(request);
    }

    private MockHttpServletResponse call(
            org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder request, String body)
            throws Exception {
        return owner.perform(request.contentType(MediaType.APPLICATION_JSON).content(body))
                .andReturn()
                .getResponse();
    }

    /** The owner's run of {@code job}, once it ended. */
    private Execution run(String job, String body) throws Exception {
        MockHttpServletResponse queued = call(post(API + "/jobs/" + job + "/run"), body);
        assertThat(queued.getStatus()).as(queued.getContentAsString()).isEqualTo(202);
        engine.runDueOnce();
        return executions.get(ExecutionId.parse(JsonPath.read(queued.getContentAsString(), "$.execution_id"))
                .orElseThrow());
    }

    private String logOf(Execution run) {
        return String.join(
                "\n",
                jdbc.sql("SELECT message FROM execution_logs WHERE execution_id = ?")
                        .param(UUID.fromString(run.id().toString()))
                        .query(String.class)
                        .list());
    }
}
