package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The job page's Backfill button in a real browser: it previews the slots first (htmx), then starts them; the live
 * engine runs them at most two at a time, and the card shows them done.
 */
class BackfillBrowserTests extends BrowserTest {

    @Test
    void theBackfillButtonPreviewsSevenPastDaysThenRunsThem() {
        logIn();
        String id = createJobFrom("{\"name\":\"browser-backfill\",\"template_type\":\"heartbeat\",\"parameters\":{},"
                + "\"schedule\":{\"type\":\"cron\",\"expression\":\"0 2 * * *\"}}");
        open("/jobs/" + id);
        // the form offers the last seven whole days
        type(By.id("backfill-parallel"), "2");
        click(By.id("backfill-button"));
        waitForText(By.id("backfill-summary"), "7 of 7 slots would run");
        assertThat(browser.findElements(By.cssSelector("#backfill-slots li[data-state=to_run]")))
                .hasSize(7);
        assertThat(browser.findElements(By.cssSelector("#run-strip td.strip-cell")))
                .hasSize(84);
        screenshot("job-backfill-preview");

        click(By.id("backfill-start"));
        waitForText(By.cssSelector(".flash"), "Backfill started: 7 of 7 slots to run, at most 2 at once.");
        wait.until(driver -> {
            open("/jobs/" + id);
            return !driver.findElements(By.cssSelector("#backfills li")).isEmpty()
                    && driver.findElement(By.cssSelector("#backfills li"))
                            .getText()
                            .contains("7 of 7 done");
        });
        assertThat(text(By.cssSelector("#backfills li"))).contains("finished");
        screenshot("job-backfill-finished");
    }
}
