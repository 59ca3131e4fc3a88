package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.testing.SharedChromium;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Issue 17's first hour, clicked through in the browser: an admin who is not a super admin sees what she may not do
 * disabled with the reason; an unchanged export imports as all unchanged; the webhook example's body is JSON; an
 * e-mail job's dry run says that no SMTP server is configured; a clone is disabled and says so; a keyboard alone gets
 * through a list and a confirmation.
 */
class FirstHourBrowserTests extends BrowserTest {

    private static final String ADA_PASSWORD = "ada-reads-everything-42";

    @Test
    void anAdminSeesTheDestructiveTemplateAndJobDisabledWithTheReasonNotOfferedThenRefused() {
        String cleanup = createJobFrom("""
                {"name": "locked-cleanup", "template_type": "database_cleanup", "enabled": false,
                 "parameters": {"target": "demo", "table": "sessions", "date_column": "created_at", "older_than": 90},
                 "schedule": {"type": "cron", "expression": "0 2 * * *"}}""");
        String heartbeat = createJob("ada-may-run-this");
        logIn();
        open("/users");
        type(By.id("username"), "ada");
        choose(By.id("new-role"), "ADMIN");
        type(By.id("new-password"), ADA_PASSWORD);
        click(By.id("create-user-button"));
        waitForText(By.cssSelector(".flash"), "User 'ada' created");
        click(By.id("sign-out"));
        wait.until(d -> d.getCurrentUrl().contains("/login"));
        try {
            logIn("ada", ADA_PASSWORD);

            open("/templates");
            By cleanupCard = By.cssSelector(".template-card:has(a[href$='/templates/database_cleanup'])");
            WebElement card = wait.until(ExpectedConditions.presenceOfElementLocated(cleanupCard));
            assertThat(card.findElement(By.tagName("button")).isEnabled()).isFalse();
            assertThat(card.getText()).contains("needs a super admin");
            assertThat(card.findElements(By.cssSelector("a[href*='/jobs/new']")))
                    .as("no link to the wizard for the destructive template")
                    .isEmpty();
            assertThat(browser.findElements(By.cssSelector("a[href$='/jobs/new?template=heartbeat']")))
                    .as("the templates she may use are offered")
                    .hasSize(1);
            script("arguments[0].scrollIntoView({block: 'center'})", card);
            screenshot("admin-templates-destructive-locked");

            open("/jobs/new");
            WebElement use = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("use-database_cleanup")));
            assertThat(use.isEnabled()).isFalse();
            assertThat(use.findElement(By.xpath("..")).getText()).contains("needs a super admin");
            assertThat(browser.findElement(By.id("use-heartbeat")).isEnabled()).isTrue();
            script("arguments[0].scrollIntoView({block: 'center'})", use);
            screenshot("admin-wizard-destructive-locked");

            // a link to the destructive template's wizard (shared by a super admin) stops at step 1 with the reason
            open("/jobs/new?template=database_cleanup");
            assertThat(text(By.cssSelector("h2[data-step-heading]"))).contains("Choose a template");
            assertThat(text(By.tagName("main"))).contains("needs a super admin");

            open("/templates/database_cleanup");
            assertThat(text(By.id("locked-reason"))).contains("needs a super admin", "you can read it here");

            open("/jobs/" + cleanup);
            List<WebElement> actions = browser.findElements(By.cssSelector("[data-locked] button"));
            assertThat(actions)
                    .extracting(WebElement::getText)
                    .contains("Run now", "Dry run", "Enable", "Edit", "Clone", "Delete");
            assertThat(actions).noneMatch(WebElement::isEnabled);
            assertThat(text(By.id("locked-reason"))).contains("needs a super admin");
            assertThat(browser.findElements(By.cssSelector("main form[method=post]")))
                    .as("no action on the destructive job is offered to be refused")
                    .isEmpty();
            screenshot("admin-destructive-job-locked");
            // typed in by hand, its edit page is refused in the layout, with the reason and the way back
            open("/jobs/" + cleanup + "/edit");
            assertThat(text(By.tagName("main"))).contains("403 Forbidden", "only a super admin", "Back to the jobs");
            assertThat(browser.findElement(By.id("sign-out")).isDisplayed()).isTrue();
            screenshot("admin-destructive-edit-refused");

            open("/jobs?size=100");
            WebElement select = browser.findElement(By.cssSelector("#job-" + cleanup + " input[type=checkbox]"));
            assertThat(select.isEnabled())
                    .as("bulk selection of the destructive job")
                    .isFalse();
            assertThat(select.getAttribute("aria-label")).contains("needs a super admin");

            open("/jobs/" + heartbeat);
            assertThat(browser.findElement(By.id("run-now")).isEnabled())
                    .as("a job whose template is not destructive she may run")
                    .isTrue();
        } finally {
            browser.manage().deleteAllCookies();
        }
    }

    @Test
    void anUnchangedExportDownloadedAndUploadedAgainImportsAsAllUnchanged() throws IOException {
        createJobFrom("""
                {"name": "export-hook-with-secrets", "template_type": "webhook_trigger", "enabled": false,
                 "parameters": {"url": "https://hooks.example.com/almanac", "method": "POST",
                                "secret_headers": {"X-Api-Key": "k3y-for-the-round-trip"}},
                 "schedule": {"type": "interval", "interval_seconds": 3600}}""");
        createJobFrom("""
                {"name": "export-hook-empty-secrets", "template_type": "webhook_trigger", "enabled": false,
                 "parameters": {"url": "https://hooks.example.com/empty", "secret_headers": {}},
                 "schedule": {"type": "interval", "interval_seconds": 3600}}""");
        createJobFrom("""
                {"name": "export-notified", "template_type": "heartbeat", "parameters": {},
                 "schedule": {"type": "cron", "expression": "0 3 * * *", "timezone": "Europe/Berlin"},
                 "notifications": {"on_failure": ["ops@example.com", "https://hooks.example.com/failed"],
                                   "on_success": ["ops@example.com"]}}""");
        logIn();
        for (String format : List.of("json", "yaml")) {
            Path file = SharedChromium.DOWNLOADS.resolve("almanac-jobs." + format);
            Files.deleteIfExists(file);
            open("/import");
            click(By.id("export-" + format));
            wait.until(d -> Files.isRegularFile(file)
                    && !Files.exists(file.resolveSibling(file.getFileName() + ".crdownload")));

            browser.findElement(By.id("file")).sendKeys(file.toString());
            click(By.id("plan-button"));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("plan-unchanged")));
            List<WebElement> rows = browser.findElements(By.cssSelector("#plan > tbody > tr"));
            assertThat(rows)
                    .extracting(row ->
                            row.findElement(By.cssSelector("td:first-child")).getText())
                    .contains("export-hook-with-secrets", "export-hook-empty-secrets", "export-notified");
            assertThat(rows)
                    .as("the plan of the %s export", format)
                    .extracting(row ->
                            row.findElement(By.cssSelector("td:nth-child(2)")).getText())
                    .containsOnly("unchanged");
            assertThat(text(By.id("plan-unchanged"))).isEqualTo(String.valueOf(rows.size()));
            assertThat(List.of(text(By.id("plan-create")), text(By.id("plan-update")), text(By.id("plan-invalid"))))
                    .containsOnly("0");
            assertThat(browser.findElement(By.id("apply-button")).isEnabled()).isFalse();
            screenshot("import-unchanged-" + format);
        }
    }

    @Test
    void theWebhookExampleFillsInABodyThatJsonParseAccepts() {
        logIn();
        open("/jobs/new?template=webhook_trigger");
        waitForText(By.cssSelector("h2[data-step-heading]"), "Name and parameters");
        submit(By.cssSelector("button[name=_action][value=example]"));
        wait.until(d -> !script("return document.getElementById('f-p-body').value")
                .toString()
                .isBlank());
        @SuppressWarnings("unchecked")
        Map<String, Object> body =
                (Map<String, Object>) script("return JSON.parse(document.getElementById('f-p-body').value)");
        assertThat(body).containsEntry("job", "{{job.name}}").containsKey("execution");
        assertThat(browser.findElement(By.id("f-p-body-json")).isDisplayed())
                .as("the page's JSON check finds nothing wrong")
                .isFalse();
        script("document.getElementById('f-p-body').scrollIntoView({block: 'center'})");
        screenshot("wizard-webhook-example");
    }

    @Test
    void anEmailJobsDryRunSaysNoSmtpServerIsConfiguredInTheWizardAndOnItsPage() {
        logIn();
        open("/jobs/new?template=email_notification");
        waitForText(By.cssSelector("h2[data-step-heading]"), "Name and parameters");
        submit(By.cssSelector("button[name=_action][value=example]"));
        type(By.id("name"), "mail-without-smtp");
        click(By.id("next"));
        click(By.id("kind-daily"));
        waitForText(By.cssSelector("#preview .words"), "every day");
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Options");
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Review");
        click(By.id("dry-run-button"));
        waitForText(By.id("dry-run"), "no SMTP server configured");
        assertThat(text(By.id("dry-run")).split("Pre-flight failed", -1))
                .as("the failed dry run's message, said once")
                .hasSize(2);
        script("document.getElementById('dry-run').scrollIntoView({block: 'center'})");
        screenshot("wizard-email-dry-run-no-smtp");
        click(By.id("save"));
        waitForText(By.cssSelector(".flash"), "Job 'mail-without-smtp' created");

        click(By.id("dry-run"));
        waitForText(By.tagName("main"), "no SMTP server configured");
        assertThat(text(By.tagName("main")).split("Pre-flight failed", -1))
                .as("the failed dry run's error, said once on its page")
                .hasSize(2);
        screenshot("email-dry-run-no-smtp");
    }

    @Test
    void aCloneIsDisabledUntilItsOwnerEnablesItAndThePagesSaySo() {
        String original = createJob("clone-original");
        logIn();
        open("/jobs/" + original);
        click(By.linkText("Clone"));
        waitForText(By.id("clone-notice"), "This copy is disabled until you enable it.");
        assertThat(browser.findElement(By.id("name")).getAttribute("value")).isEqualTo("clone-original copy");
        screenshot("clone-wizard");
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "When does it run?");
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Options");
        assertThat(browser.findElement(By.cssSelector("input[name=enabled][value=false]"))
                        .isSelected())
                .isTrue();
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Review");
        assertThat(text(By.tagName("main"))).contains("disabled: runs only by hand");
        click(By.id("save"));

        waitForText(By.cssSelector(".flash"), "This copy is disabled until you enable it.");
        assertThat(text(By.cssSelector("h1 .badge"))).isEqualTo("disabled");
        assertThat(text(By.tagName("main"))).contains("Disabled: it runs only when you press \"Run now\"");
        assertThat(browser.findElement(By.id("toggle-enabled")).getText()).isEqualTo("Enable");
        screenshot("clone-created-disabled");
    }

    /**
     * Keyboard only: the skip link comes first and lands in the content; a row's Actions menu opens with Enter; the
     * delete confirmation opens with the focus on "Keep it", and Esc closes it, the focus back on Delete and the job
     * untouched.
     */
    @Test
    void aKeyboardAloneSkipsToTheContentOpensARowMenuAndEscapesTheDeleteConfirmation() {
        String id = createJob("keyboard-heartbeat");
        logIn();
        open("/jobs?search=keyboard-heartbeat");
        Actions keys = new Actions(browser);
        keys.sendKeys(Keys.TAB).perform();
        assertThat(focused().getText()).isEqualTo("Skip to the content");
        keys.sendKeys(Keys.ENTER).perform();
        wait.until(d -> "main".equals(focused().getAttribute("id")));

        tabTo(By.cssSelector("#job-" + id + " summary"));
        keys.sendKeys(Keys.ENTER).perform();
        wait.until(d -> d.findElement(By.cssSelector("#job-" + id + " details")).getAttribute("open") != null);
        keys.sendKeys(Keys.TAB).perform();
        assertThat(focused().getAttribute("aria-label")).isEqualTo("Run now: keyboard-heartbeat");
        screenshot("keyboard-row-menu");

        open("/jobs/" + id);
        tabTo(By.id("delete"));
        keys.sendKeys(Keys.ENTER).perform();
        wait.until(d -> "Keep it".equals(focused().getText()));
        assertThat(focused().findElement(By.xpath("ancestor::dialog")).getAttribute("open"))
                .isNotNull();
        screenshot("keyboard-delete-confirmation");
        keys.sendKeys(Keys.ESCAPE).perform();
        wait.until(d -> d.findElements(By.cssSelector("dialog[open]")).isEmpty());
        assertThat(focused().getAttribute("id"))
                .as("the focus returns to the button that opened it")
                .isEqualTo("delete");
        assertThat(text(By.tagName("h1"))).contains("keyboard-heartbeat");
    }

    private WebElement focused() {
        return browser.switchTo().activeElement();
    }

    /** Presses Tab until the element has the focus, as a person would; fails after 60 stops. */
    private void tabTo(By by) {
        WebElement target = wait.until(ExpectedConditions.presenceOfElementLocated(by));
        Actions keys = new Actions(browser);
        for (int i = 0; i < 60 && !target.equals(focused()); i++) {
            keys.sendKeys(Keys.TAB).perform();
        }
        assertThat(focused()).as("the focus after tabbing to %s", by).isEqualTo(target);
    }
}
