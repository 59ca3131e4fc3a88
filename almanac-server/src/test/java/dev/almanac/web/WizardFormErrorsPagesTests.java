package dev.almanac.web;

import static dev.almanac.testing.WizardWalk.html;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.template.TemplateRegistry;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.BrowserForm;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WizardWalk;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * The wizard's parameters and review as a person meets them, with and without htmx: a copy names every secret and
 * webhook URL it left out, an edit's review lists the stored secrets it keeps, every error of a form shows in one
 * round and where it belongs (a group's styled and marked, a header's name under the name), the dry run keeps the
 * draft without JavaScript, and one-line values get one-line boxes.
 */
@WithH2
@WithMockUser(username = "admin", roles = "SUPER_ADMIN")
class WizardFormErrorsPagesTests extends AlmanacIntegrationTest {

    @Autowired
    JsonMapper json;

    @Autowired
    TemplateRegistry templates;

    private WizardWalk walk;

    @BeforeEach
    void browseThroughTheSecurityFilters() {
        walk = new WizardWalk(securedMvc(), mvc, json);
    }

    private String createWebhook() throws Exception {
        return walk.createJob(Map.of(
                "name",
                "signed hook",
                "template_type",
                "webhook_trigger",
                "parameters",
                Map.of(
                        "url",
                        "https://hooks.example.com/almanac",
                        "signing_secret",
                        "sign-9012ijkl-9012ijkl",
                        "secret_headers",
                        Map.of("X-Api-Key", "key-5678efgh")),
                "notifications",
                Map.of(
                        "on_failure",
                        List.of(
                                "ops@example.com",
                                "slack:https://hooks.slack.com/services/T0/B0/secret",
                                "https://alerts.example.com/hook/secret"))));
    }

    @Test
    void aCopyNamesEachSecretAndWebhookItLeftOutAndMarksTheirFields() throws Exception {
        String id = createWebhook();
        String copy = walk.page("/jobs/" + id + "/clone");
        String notice = between(copy, "id=\"clone-notice\"", "</div>");
        assertThat(notice)
                .contains(
                        "Signing secret",
                        "Secret headers: X-Api-Key",
                        "Tell about failures: slack:https://hooks.slack.com/…",
                        "Tell about failures: https://alerts.example.com/…")
                .doesNotContain("ops@example.com", "services/T0", "hook/secret", "key-5678efgh");
        WizardWalk.assertMarkedInvalid(copy, "p.signing_secret", "the copy's signing secret");
        WizardWalk.assertMarkedInvalid(copy, "p.secret_headers[0].value", "the copy's secret header");
        assertThat(WizardWalk.assertEveryInvalidControlNamesItsError(copy, "copy"))
                .isEqualTo(2);
        assertThat(copy).contains("not copied from the original: type it again, or leave it empty for none");

        // the notice and the marks on the notification field go along to the options step, with htmx or without
        MultiValueMap<String, String> form = BrowserForm.of(copy, "wizard");
        form.set("p.signing_secret", "sign-new-0000-0000-0000");
        form.set("p.secret_headers[0].value", "key-new");
        form.set("step", "4");
        form.set("_action", "goto:4");
        for (boolean htmx : List.of(false, true)) {
            MockHttpServletResponse options = walk.post(WizardWalk.WIZARD, form, htmx);
            String html = html(options);
            assertThat(options.getStatus()).as(html).isEqualTo(200);
            assertThat(html)
                    .contains("Tell about failures: https://alerts.example.com/…", "id=\"notify_failure-retype\"")
                    .contains("notify-help notify_failure-retype");
            assertThat(BrowserForm.of(html, "wizard").getFirst("notify_failure"))
                    .isEqualTo("ops@example.com");
        }
    }

    @Test
    void anEditsReviewListsTheStoredSecretsItKeepsMasked() throws Exception {
        String id = createWebhook();
        MultiValueMap<String, String> form = walk.form("/jobs/" + id + "/edit", "wizard");
        form.set("step", "4");
        for (boolean htmx : List.of(false, true)) {
            form.set("_action", "next");
            MockHttpServletResponse review = walk.post(WizardWalk.WIZARD, form, htmx);
            String html = html(review);
            assertThat(review.getStatus()).as(html).isEqualTo(200);
            assertThat(html)
                    .contains("signing_secret</span> = <span>•••• (unchanged)<")
                    .contains("secret_headers.X-Api-Key</span> = <span>•••• (unchanged)<")
                    .doesNotContain("sign-9012ijkl", "key-5678efgh");
        }
        // a secret typed again is listed masked, not as unchanged (the typed one rides in the form until it is saved)
        form.set("p.signing_secret", "sign-new-0000-0000-0000");
        form.set("_action", "next");
        String html = html(walk.post(WizardWalk.WIZARD, form, false));
        assertThat(html)
                .contains("signing_secret</span> = <span>••••<")
                .contains("secret_headers.X-Api-Key</span> = <span>•••• (unchanged)<")
                .doesNotContain("sign-new-0000-0000-0000</span>");
    }

    @Test
    void theTemplatesOwnChecksShowWithTheSchemasInOneRoundAndAHeadersNameErrorIsUnderTheName() throws Exception {
        MultiValueMap<String, String> form = walk.form("/jobs/new?template=webhook_trigger", "wizard");
        form.set("name", "one round");
        form.set("p.url", "http://127.0.0.1/internal");
        form.set("p.signing_secret", "too short");
        form.set("p.headers[0].key", "Bad Header:");
        form.set("p.headers[0].value", "fine");
        // a reserved header is an error about its name too
        form.add("p.headers[1].key", "Host");
        form.add("p.headers[1].value", "example.org");
        form.set("_action", "next");
        for (boolean htmx : List.of(false, true)) {
            MockHttpServletResponse answer = walk.post(WizardWalk.WIZARD, form, htmx);
            String html = html(answer);
            assertThat(answer.getStatus()).as(html).isEqualTo(400);
            // the schema's error and the template's own (the SSRF guard, the header name) in one answer
            WizardWalk.assertMarkedInvalid(html, "p.signing_secret", "schema: too short");
            WizardWalk.assertMarkedInvalid(html, "p.url", "template: the guard refuses the URL");
            WizardWalk.assertMarkedInvalid(html, "p.headers[0].key", "template: a header's name");
            assertThat(html).contains("id=\"f-p-headers-0--key-error\">is not a valid header name<");
            assertThat(html).doesNotContain("id=\"f-p-headers-0--value-error\"");
            assertThat(html).contains("id=\"f-p-headers-1--key-error\">is set by Almanac and cannot be given<");
            WizardWalk.assertEveryInvalidControlNamesItsError(html, "one round");
        }
    }

    @Test
    void aGroupsOwnErrorIsStyledAndMarksTheGroup() throws Exception {
        MultiValueMap<String, String> form = walk.form("/jobs/new?template=email_notification", "wizard");
        form.set("name", "duplicates");
        form.set("p.subject", "Hello");
        form.set("p.recipients[0]", "a@example.com");
        form.add("p.recipients[1]", "a@example.com");
        form.set("_action", "next");
        for (boolean htmx : List.of(false, true)) {
            MockHttpServletResponse answer = walk.post(WizardWalk.WIZARD, form, htmx);
            String html = html(answer);
            assertThat(answer.getStatus()).as(html).isEqualTo(400);
            Matcher group = Pattern.compile("<fieldset[^>]*class=\"array invalid\"[^>]*>")
                    .matcher(html);
            assertThat(group.find()).as(html).isTrue();
            assertThat(group.group()).contains("aria-invalid=\"true\"").contains("f-p-recipients-error");
            assertThat(html).contains("id=\"f-p-recipients-error\">must not contain duplicate items<");
            assertThat(WizardWalk.assertEveryInvalidControlNamesItsError(html, "duplicates"))
                    .isPositive();
        }
    }

    @Test
    void aNotificationListWithTwoBadRecipientsNamesEach() throws Exception {
        MultiValueMap<String, String> form = AdminPagesTests.wizardForm("two bad", "heartbeat");
        form.set("step", "4");
        form.set("notify_failure", "not an address\nops@example.com\nx@");
        form.set("_action", "next");
        for (boolean htmx : List.of(false, true)) {
            String html = html(walk.post(WizardWalk.WIZARD, form, htmx));
            String error = between(html, "id=\"notify_failure-error\">", "</p>");
            assertThat(error).contains("&#39;not an address&#39;: must be", "&#39;x@&#39;: must be");
        }
    }

    @Test
    void aColumnNamesPatternIsSaidInWords() {
        List<String> problems =
                templates.validateParameters("data_export", Map.of("target", "nope", "table", "Bad-Table")).stream()
                        .filter(e -> e.field().equals("table"))
                        .map(e -> e.message())
                        .toList();
        assertThat(problems)
                .containsExactly(
                        "must be a name in lower case: a letter, then letters, digits or _ (at most 63 in all)");
    }

    @Test
    void oneLineValuesGetOneLineBoxesAndARequiredChoiceNoEmptyOption() throws Exception {
        String email = walk.page("/jobs/new?template=email_notification");
        assertThat(email).contains("<input type=\"text\" id=\"f-p-subject\"");
        assertThat(email).containsPattern("<textarea id=\"f-p-body_text\"");
        MultiValueMap<String, String> form = walk.form("/jobs/new?template=email_notification", "wizard");
        form.set("_action", "add:p.recipients");
        String added = html(walk.post(WizardWalk.WIZARD, form, true));
        assertThat(added).contains("<input type=\"text\" id=\"f-p-recipients-0-\"");

        String webhook = walk.page("/jobs/new?template=webhook_trigger");
        assertThat(webhook).contains("<input type=\"text\" id=\"f-p-url\"");
        String method = between(webhook, "id=\"f-p-method\"", "</select>");
        assertThat(method).contains(">POST<").doesNotContain("(none)", "Choose…");
    }

    @Test
    void theDryRunWithoutJavaScriptOpensANewTabAndSaysSo() throws Exception {
        MultiValueMap<String, String> form = AdminPagesTests.wizardForm("dry", "heartbeat");
        form.set("step", "4");
        form.set("_action", "next");
        for (boolean htmx : List.of(false, true)) {
            String html = html(walk.post(WizardWalk.WIZARD, form, htmx));
            Matcher button =
                    Pattern.compile("<button[^>]*id=\"dry-run-button\"[^>]*>").matcher(html);
            assertThat(button.find()).as(html).isTrue();
            // htmx answers the click in place (#dry-run); a plain post goes to a new tab and leaves the draft here
            assertThat(button.group()).contains("formtarget=\"_blank\"", "hx-post=\"/jobs/wizard/dry-run\"");
            assertThat(html).contains("without JavaScript it opens in a new", "this page keeps what you typed");
        }
    }

    private static String between(String html, String from, String to) {
        int start = html.indexOf(from);
        assertThat(start).as(from + " in " + html).isNotNegative();
        int end = html.indexOf(to, start + from.length());
        return html.substring(start, end < 0 ? html.length() : end);
    }
}
