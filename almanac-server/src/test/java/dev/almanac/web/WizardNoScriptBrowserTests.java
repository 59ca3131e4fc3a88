package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The wizard in real Chromium with JavaScript off, as the browser walk met it: a button kept for JavaScript
 * ({@code hidden}) stays hidden, and the review's dry run opens its result in a new tab, so the draft and its typed
 * secrets stay in the wizard's tab; with JavaScript on the dry run answers in place, in the same tab.
 */
class WizardNoScriptBrowserTests extends BrowserTest {

    @Test
    void withoutJavaScriptHiddenButtonsStayHiddenAndTheDryRunKeepsTheDraft() {
        logIn();
        String wizard = browser.getWindowHandle();
        scripts(false);
        try {
            open("/jobs/new?template=heartbeat");
            type(By.id("name"), "no-script dry run");
            click(By.id("next"));
            waitForText(By.cssSelector("h2[data-step-heading]"), "When does it run?");
            assertThat(browser.findElement(By.cssSelector("[data-fill-zone]")).isDisplayed())
                    .as("'Use my time zone' without JavaScript")
                    .isFalse();
            click(By.id("next"));
            waitForText(By.cssSelector("h2[data-step-heading]"), "Options");
            click(By.id("next"));
            waitForText(By.cssSelector("h2[data-step-heading]"), "Review");
            String review = browser.getCurrentUrl();

            click(By.id("dry-run-button"));
            wait.until(d -> d.getWindowHandles().size() == 2);
            List<String> handles = new ArrayList<>(browser.getWindowHandles());
            handles.remove(wizard);
            browser.switchTo().window(handles.get(0));
            wait.until(d -> d.getCurrentUrl().contains("/executions/"));
            waitForText(By.tagName("main"), "Dry run queued");
            browser.close();
            browser.switchTo().window(wizard);

            // the wizard's tab is still the review of the unsaved draft: nothing to resubmit, nothing lost
            assertThat(browser.getCurrentUrl()).isEqualTo(review);
            assertThat(text(By.cssSelector("h2[data-step-heading]"))).isEqualTo("Review");
            assertThat(browser.findElement(By.cssSelector("#wizard input[name=name]"))
                            .getDomAttribute("value"))
                    .isEqualTo("no-script dry run");
        } finally {
            scripts(true);
            browser.switchTo().window(wizard);
        }
    }

    @Test
    void withJavaScriptTheDryRunAnswersInPlace() {
        logIn();
        open("/jobs/new?template=heartbeat");
        waitForText(By.cssSelector("h2[data-step-heading]"), "Name and parameters");
        type(By.id("name"), "script dry run");
        click(By.id("next"));
        click(By.id("kind-daily"));
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Options");
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Review");
        click(By.id("dry-run-button"));
        waitForText(By.id("dry-run-status"), "dry run succeeded");
        assertThat(browser.getWindowHandles()).hasSize(1);
        assertThat(text(By.cssSelector("h2[data-step-heading]"))).isEqualTo("Review");
    }

    private void scripts(boolean on) {
        browser.executeCdpCommand("Emulation.setScriptExecutionDisabled", Map.of("value", !on));
    }
}
