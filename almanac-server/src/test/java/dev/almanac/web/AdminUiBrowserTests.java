package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.audit.AuditTrail;
import dev.almanac.security.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A person's first minutes with Almanac, in Debian's headless Chromium against the real application on a random port
 * with an H2 database under target/: create a cron job through the wizard (with a form error on the way and a dry
 * run), run it now, watch it succeed with its log, disable it, delete it; then open the audit log, users, API tokens
 * and import pages; the lists on a laptop and a phone; axe-core on every page, light and dark. Screenshots of the
 * main pages land in {@code target/screenshots/}.
 */
class AdminUiBrowserTests extends BrowserTest {

    @Autowired
    AuditTrail audit;

    @Autowired
    JdbcClient jdbc;

    @Test
    void createsACronJobRunsItSeesItSucceedThenDisablesAndDeletesIt() {
        logIn();
        open("/");
        screenshot("dashboard-empty");

        open("/jobs/new");
        assertThat(browser.getTitle()).contains("New job");
        screenshot("wizard-1-template");
        click(By.id("use-heartbeat"));

        // Step 2: a missing name is refused by the server and shown next to the field.
        waitForText(By.cssSelector("h2[data-step-heading]"), "Name and parameters");
        click(By.id("next"));
        WebElement nameError = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("name-error")));
        assertThat(nameError.getText()).contains("is required");
        assertThat(browser.findElement(By.id("name")).getAttribute("aria-invalid"))
                .isEqualTo("true");
        screenshot("wizard-2-form-error");
        type(By.id("name"), "browser-heartbeat");
        type(By.id("description"), "Created by the browser test");
        type(By.id("f-p-message"), "hello from the browser");
        screenshot("wizard-2-parameters");
        click(By.id("next"));

        // Step 3: a cron expression that never fires is refused inline; a good one is previewed in words.
        click(By.cssSelector("input[name=schedule_kind][value=cron]"));
        type(By.id("cron_expression"), "0 0 31 2 *");
        click(By.id("next"));
        waitForText(By.cssSelector("#schedule-fields .error-text"), "never fires");
        type(By.id("cron_expression"), "*/5 * * * *");
        type(By.id("timezone"), "Europe/Berlin");
        waitForText(By.cssSelector("#preview .words"), "Every 5 minutes, Europe/Berlin");
        assertThat(browser.findElements(By.cssSelector("#preview ol li"))).hasSize(5);
        screenshot("wizard-3-schedule");
        click(By.id("next"));

        // Step 4: options keep their defaults.
        waitForText(By.cssSelector("h2"), "Options");
        screenshot("wizard-4-options");
        click(By.id("next"));

        // Step 5: review, with a dry run that the engine really runs.
        waitForText(By.cssSelector("h2"), "Review");
        click(By.id("dry-run-button"));
        waitForText(By.id("dry-run-status"), "dry run succeeded");
        assertThat(browser.findElement(By.id("dry-run-message")).getText())
                .contains("would log \"heartbeat: hello from the browser\"");
        screenshot("wizard-5-review-dry-run");
        click(By.id("save"));

        // The job exists and is shown with its schedule in words.
        waitForText(By.cssSelector(".flash"), "Job 'browser-heartbeat' created");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("Every 5 minutes, Europe/Berlin");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#job-history")));
        screenshot("job-detail");

        // Run it now and watch the run succeed with its log, live.
        click(By.id("run-now"));
        waitForText(By.id("execution-status"), "succeeded");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(
                By.id("log-lines"), "heartbeat: hello from the browser"));
        screenshot("execution-detail");

        open("/executions");
        assertThat(browser.findElement(By.id("results")).getText()).contains("browser-heartbeat");
        screenshot("executions");

        // Disable it from the job list.
        open("/jobs");
        screenshot("jobs-list");
        click(By.cssSelector("tr:has(a[href$='/edit'][aria-label='Edit browser-heartbeat']) summary"));
        click(By.cssSelector("button[aria-label='Disable browser-heartbeat']"));
        waitForText(By.cssSelector(".flash"), "disabled");
        assertThat(browser.findElement(By.cssSelector("main table")).getText()).contains("disabled");

        open("/");
        screenshot("dashboard");
        open("/templates");
        screenshot("templates");
        browser.manage().window().setSize(new Dimension(390, 844));
        open("/jobs");
        screenshot("jobs-list-phone");
        browser.manage().window().setSize(new Dimension(1280, 1000));

        // Delete it behind the confirmation dialog.
        open("/jobs");
        click(By.linkText("browser-heartbeat"));
        click(By.id("delete"));
        WebElement confirm = wait.until(ExpectedConditions.elementToBeClickable(By.id("confirm-delete")));
        screenshot("delete-confirmation");
        confirm.click();
        waitForText(By.cssSelector(".flash"), "Job 'browser-heartbeat' deleted");
        assertThat(browser.findElements(By.linkText("browser-heartbeat")))
                .as("the deleted job is gone from the list (the seeded system jobs stay)")
                .isEmpty();
    }

    /**
     * The promise to a new admin: from the login to a scheduled cleanup of the demo target, dry run included, in
     * under two minutes and without writing any JSON (the browser's own pace is far quicker than a person's).
     */
    @Test
    void aNewAdminSchedulesACleanupWithADryRunWithoutWritingJson() {
        long started = System.nanoTime();
        logIn();
        open("/jobs/new");
        click(By.id("use-database_cleanup"));
        waitForText(By.cssSelector("h2[data-step-heading]"), "Name and parameters");
        type(By.id("name"), "old-sessions-cleanup");
        new Select(browser.findElement(By.id("f-p-target"))).selectByValue("demo");
        // choosing the target offers its allowlisted tables, choosing a table its columns (htmx refreshes)
        choose(By.cssSelector("select#f-p-table"), "sessions");
        choose(By.cssSelector("select#f-p-date_column"), "created_at");
        type(By.id("f-p-older_than"), "30d");
        screenshot("cleanup-2-parameters");
        click(By.id("next"));
        // Step 3: daily at 02:00 is what the wizard proposes; keep it.
        click(By.id("kind-daily"));
        waitForText(By.cssSelector("#preview .words"), "every day");
        screenshot("cleanup-3-schedule");
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Options");
        click(By.id("next"));

        waitForText(By.cssSelector("h2"), "Review");
        click(By.id("dry-run-button"));
        waitForText(By.id("dry-run-status"), "dry run succeeded");
        assertThat(browser.findElement(By.id("dry-run-message")).getText())
                .matches("(?s)Would delete \\d+ of \\d+ matching rows from sessions.*");
        screenshot("cleanup-5-dry-run");
        click(By.id("save"));
        waitForText(By.cssSelector(".flash"), "Job 'old-sessions-cleanup' created");
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("At 02:00 every day");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMinutes(2));
    }

    @Test
    void thePagesForRunningAlmanacItselfOpenAndAnUploadedJobsFileIsPlannedThenApplied() throws IOException {
        logIn();
        open("/audit");
        assertThat(browser.findElement(By.id("audit-events")).getText()).contains("login.succeeded");
        screenshot("audit-log");
        open("/users");
        assertThat(browser.findElement(By.id("users")).getText()).contains(username);
        screenshot("users");

        open("/tokens");
        type(By.id("name"), "browser script");
        click(By.id("create-token-button"));
        waitForText(By.id("created-heading"), "Token 'browser script' created");
        assertThat(browser.findElement(By.id("new-token")).getAttribute("value"))
                .startsWith("alm_");
        screenshot("tokens-created");

        // A real multipart upload through the real servlet container, CSRF token included.
        Path file = Files.writeString(
                Path.of("target", "browser-test", "jobs.yaml"),
                "jobs:\n- name: \"browser-imported\"\n  template_type: \"heartbeat\"\n  schedule:\n"
                        + "    type: \"interval\"\n    interval_seconds: 3600\n");
        open("/import");
        // a file over the limit is refused in the browser, before it is sent
        Path large = Path.of("target", "browser-test", "large-jobs.yaml");
        Files.writeString(large, "x".repeat(2 * 1024 * 1024));
        browser.findElement(By.id("file")).sendKeys(large.toAbsolutePath().toString());
        assertThat((String) script("return document.getElementById('file').validationMessage"))
                .contains("a jobs file may be at most 1.0 MB");
        browser.findElement(By.id("file")).sendKeys(file.toAbsolutePath().toString());
        assertThat((String) script("return document.getElementById('file').validationMessage"))
                .isEmpty();
        click(By.id("plan-button"));
        waitForText(By.id("plan-create"), "1");
        screenshot("import-plan");
        click(By.id("apply-button"));
        waitForText(By.cssSelector(".flash"), "Jobs file applied: 1 created");
    }

    @Test
    void aRefusedDryRunAndARefusedRunAreShownWhereTheyWereAsked() {
        logIn();
        open("/jobs/new?template=heartbeat");
        waitForText(By.cssSelector("h2[data-step-heading]"), "Name and parameters");
        type(By.id("name"), "limited-heartbeat");
        click(By.id("next"));
        click(By.id("kind-daily"));
        waitForText(By.cssSelector("#preview .words"), "every day");
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Options");
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Review");
        try {
            spend(Limits.DRY_RUN, 60);
            // htmx: the 429 is swapped into the dry-run region, the wizard and its input stay
            click(By.id("dry-run-button"));
            waitForText(By.id("dry-run"), "The dry run was refused");
            assertThat(browser.findElement(By.id("dry-run")).getText()).contains("at most 60 dry runs", "try again in");
            screenshot("wizard-dry-run-refused");
            click(By.id("save"));
            waitForText(By.cssSelector(".flash"), "Job 'limited-heartbeat' created");

            spend(Limits.RUN, 10);
            // the job page's Run now posts through htmx: the refusal and the wait show on the job page itself
            String jobPage = browser.getCurrentUrl();
            click(By.id("run-now"));
            waitForText(By.id("alerts"), "429 Too Many Requests");
            assertThat(browser.findElement(By.id("alerts")).getText())
                    .contains("at most 10 manual runs", "Try again in");
            assertThat(browser.getCurrentUrl()).isEqualTo(jobPage);
            screenshot("run-now-refused");
        } finally {
            jdbc.sql("DELETE FROM audit_events WHERE target_name = 'browser-test-limit'")
                    .update();
        }
    }

    /**
     * Lists for real work: on a 1280×900 screen at least 15 jobs are in view and the navigation is one row; at 390 px
     * wide (a phone) nothing scrolls sideways on the job list, a job's page, the execution history or the wizard.
     */
    @Test
    void theListsShowFifteenJobsOnALaptopAndNothingScrollsSidewaysOnAPhone() throws Exception {
        String first = null;
        for (int i = 1; i <= 20; i++) {
            String id = createJob(String.format("zz-listed-%02d", i));
            first = first == null ? id : first;
        }
        logIn();
        try {
            viewport(1280, 900);
            open("/jobs");
            long inView = (Long)
                    script(
                            "return Array.from(document.querySelectorAll('main tbody tr')).filter(function (r) {"
                                    + " var b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= window.innerHeight; }).length");
            screenshot("jobs-list-1280x900");
            assertThat(inView).as("job rows in view at 1280×900").isGreaterThanOrEqualTo(15);
            assertThat((Long) script("return new Set(Array.from(document.querySelectorAll('header.top nav a'))"
                            + ".map(function (a) { return a.offsetTop; })).size"))
                    .as("rows the navigation takes at 1280 px")
                    .isEqualTo(1L);
            assertThat(sideways())
                    .as("sideways scrolling of the job list at 1280 px")
                    .isEqualTo("fits");
            open("/jobs?sort=-name&size=50");
            click(By.cssSelector("tr:has(a[aria-label='Edit zz-listed-20']) summary"));
            screenshot("jobs-list-row-menu");

            viewport(390, 844);
            Map<String, String> pages = Map.of(
                    "phone-jobs-list", "/jobs",
                    "phone-job-page", "/jobs/" + first,
                    "phone-executions", "/executions",
                    "phone-wizard", "/jobs/new");
            for (Map.Entry<String, String> page : pages.entrySet()) {
                String path = page.getValue();
                open(path);
                screenshot(page.getKey());
                assertThat(sideways())
                        .as("sideways scrolling of %s at 390 px", path)
                        .isEqualTo("fits");
            }
        } finally {
            realViewport();
        }
    }

    /** The script editor: CodeMirror with line numbers and highlighting, saving what was typed as version 1. */
    @Test
    void writesAScriptInTheCodeEditorAndReadsItBackHighlighted() {
        logIn();
        open("/scripts/new");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".CodeMirror .CodeMirror-linenumber")));
        assertThat(browser.findElement(By.id("source")).isDisplayed()).isFalse();
        type(By.id("name"), "browser-script");
        typeInEditor("def main():\nprint('rows')\n");
        screenshot("script-editor");
        click(By.id("save-script"));

        waitForText(By.cssSelector(".flash"), "Script 'browser-script' created");
        click(By.cssSelector("#version-1 a"));
        waitForText(By.cssSelector("h1"), "browser-script v1");
        assertThat(browser.findElement(By.id("diff")).getText()).contains("+ def main():", "print('rows')");
        // the read-only editor highlights the source and numbers its lines
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".CodeMirror .cm-keyword")));
        assertThat(browser.findElements(By.cssSelector(".CodeMirror .CodeMirror-linenumber")))
                .extracting(WebElement::getText)
                .contains("1", "2");
        assertThat(browser.findElement(By.id("own-version")).getText()).contains("a second person reviews it");
        screenshot("script-review");
    }

    /** Types into the CodeMirror editor as a person does: click into it, then type (it indents new lines itself). */
    private void typeInEditor(String text) {
        click(By.cssSelector(".CodeMirror-lines"));
        browser.switchTo().activeElement().sendKeys(text);
    }

    /**
     * axe-core (4.14, in src/test/resources/axe) on every page, light and dark: no serious or critical violation.
     * Every page is checked before the test fails, and the failure lists each violation with where it is.
     */
    @Test
    void everyPageHasNoSeriousOrCriticalAccessibilityViolationLightOrDark() throws Exception {
        String job = createJob("a11y-heartbeat");
        logIn();
        Map<String, List<String>> found = new LinkedHashMap<>();
        axe("dashboard", "/", found);
        axe("jobs list", "/jobs", found);
        axe("job page", "/jobs/" + job, found);
        axe("versions", "/jobs/" + job + "/versions", found);
        open("/jobs/new");
        axe("wizard step 1", null, found);
        click(By.id("use-heartbeat"));
        waitForText(By.cssSelector("h2"), "Name and parameters");
        axe("wizard step 2", null, found);
        type(By.id("name"), "a11y-wizard");
        click(By.id("next"));
        click(By.id("kind-daily"));
        waitForText(By.cssSelector("#preview .words"), "every day");
        axe("wizard step 3", null, found);
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Options");
        axe("wizard step 4", null, found);
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Review");
        axe("wizard step 5", null, found);
        open("/jobs/" + job);
        click(By.id("run-now"));
        waitForText(By.id("execution-status"), "succeeded");
        axe("execution page", null, found);
        axe("executions list", "/executions", found);
        axe("templates", "/templates", found);
        axe("template page", "/templates/heartbeat", found);
        axe("import", "/import", found);
        axe("tokens", "/tokens", found);
        axe("audit", "/audit", found);
        axe("users", "/users", found);
        axe("change password", "/account/password", found);
        axe("run with parameters", "/jobs/" + job + "/run", found);
        axe("scripts", "/scripts", found);
        axe("new script", "/scripts/new", found);
        type(By.id("name"), "a11y-script");
        typeInEditor("import sys\nprint(len(sys.argv))  # the count\n");
        click(By.id("save-script"));
        waitForText(By.cssSelector(".flash"), "pending");
        axe("script page", null, found);
        click(By.cssSelector("#version-1 a"));
        waitForText(By.cssSelector("h1"), "a11y-script v1");
        axe("script version", null, found);
        click(By.id("sign-out"));
        axe("login", "/login", found);

        found.forEach((page, violations) -> System.out.printf(
                "axe %-22s %3d serious/critical nodes%n",
                page,
                violations.stream()
                        .mapToInt(v -> Integer.parseInt(v.substring(0, v.indexOf('×'))))
                        .sum()));
        Map<String, List<String>> failing = new LinkedHashMap<>(found);
        failing.values().removeIf(List::isEmpty);
        assertThat(failing)
                .as("serious or critical axe-core violations:%n%s", readable(failing))
                .isEmpty();
    }

    private static final String RUN_AXE = """
            var done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']}).then(function (result) {
              done(result.violations
                .filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
                .map(function (v) {
                  return v.nodes.length + '× ' + v.impact + ' ' + v.id + ': ' + v.help + ' at '
                    + v.nodes.slice(0, 4).map(function (n) {
                        return n.target.join(' ') + ' (' + (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 160) + ')';
                      }).join('; ');
                }));
            }, function (error) { done(['1× critical axe-error: ' + error]); });
            """;

    /** Runs axe-core on the page (opened at {@code path}, or the one already open) in light and in dark. */
    private void axe(String page, String path, Map<String, List<String>> found) throws IOException {
        if (path != null) {
            open(path);
        }
        if (!(Boolean) script("return typeof axe !== 'undefined'")) {
            script(axeSource());
        }
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        for (String scheme : new String[] {"light", "dark"}) {
            browser.executeCdpCommand(
                    "Emulation.setEmulatedMedia",
                    Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
            @SuppressWarnings("unchecked")
            List<String> violations = (List<String>) browser.executeAsyncScript(RUN_AXE);
            found.put(page + " (" + scheme + ")", violations);
            if (scheme.equals("dark")) {
                screenshot("dark-" + page.replace(' ', '-'));
            }
        }
        browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
    }

    private String axeSource;

    private String axeSource() throws IOException {
        if (axeSource == null) {
            try (var in = getClass().getResourceAsStream("/axe/axe.min.js")) {
                axeSource = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return axeSource;
    }

    private static String readable(Map<String, List<String>> failing) {
        StringBuilder text = new StringBuilder();
        failing.forEach((page, violations) -> {
            text.append(page).append(":\n");
            violations.forEach(v -> text.append("  - ").append(v).append('\n'));
        });
        return text.toString();
    }

    /** "fits", or how wide the page is and the first elements that stick out on the right. */
    private String sideways() {
        return (String) script("var wide = []; document.querySelectorAll('body *').forEach(function (e) {"
                + " if (e.getBoundingClientRect().right > window.innerWidth + 1) {"
                + " wide.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
                + " + (typeof e.className === 'string' && e.className ? '.' + e.className : '')); } });"
                + " return document.documentElement.scrollWidth <= window.innerWidth ? 'fits'"
                + " : document.documentElement.scrollWidth + ' px wide: ' + wide.slice(0, 8).join(', ');");
    }

    /** Uses up a per-user limit of the signed-in admin, as that many runs in the last minutes would. */
    private void spend(String action, int times) {
        for (int i = 0; i < times; i++) {
            audit.record(
                    username,
                    action,
                    AuditTrail.SUCCESS,
                    AuditTrail.Target.of("job", null, "browser-test-limit"),
                    null);
        }
    }
}
