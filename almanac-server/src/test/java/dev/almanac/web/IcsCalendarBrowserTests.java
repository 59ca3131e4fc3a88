package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The {@code .ics} promise in a real browser: a calendar imported from an iCalendar file through the calendar page,
 * named as a blackout calendar in the wizard, strikes the run on a holiday through in the preview with the reason, and
 * the saved job's page does the same.
 */
class IcsCalendarBrowserTests extends BrowserTest {

    private static final DateTimeFormatter ICS_DATE = DateTimeFormatter.BASIC_ISO_DATE;
    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH);

    @Test
    void anImportedIcsCalendarStrikesTheHolidayRunThroughInThePreviewWithTheReason() throws IOException {
        // 2026's public holidays, and tomorrow as one more, so the preview's next five runs meet one whenever this runs
        LocalDate tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1);
        Path ics = Files.createTempFile("public-holidays-2026", ".ics");
        Files.writeString(
                ics,
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//almanac browser test//EN\r\n"
                        + holiday("new-year", LocalDate.of(2026, 1, 1), "New Year's Day")
                        + holiday("labour", LocalDate.of(2026, 5, 1), "Labour Day")
                        + holiday("xmas", LocalDate.of(2026, 12, 25), "Christmas Day")
                        + holiday("boxing", LocalDate.of(2026, 12, 26), "Boxing Day")
                        + holiday("tomorrow", tomorrow, "Test holiday")
                        + "END:VCALENDAR\r\n");
        logIn();

        open("/calendars/new");
        type(By.id("name"), "browser-holidays");
        type(By.id("timezone"), "UTC");
        browser.findElement(By.id("icsFile")).sendKeys(ics.toString());
        click(By.cssSelector("#calendar-form button[type=submit]"));
        waitForText(By.cssSelector(".flash"), "Calendar 'browser-holidays' created");
        screenshot("calendar-ics-imported");

        open("/jobs/new");
        click(By.id("use-heartbeat"));
        waitForText(By.cssSelector("h2[data-step-heading]"), "Name and parameters");
        type(By.id("name"), "browser-ics-daily");
        click(By.id("next"));
        click(By.cssSelector("input[name=schedule_kind][value=cron]"));
        type(By.id("cron_expression"), "0 2 * * *");
        type(By.id("timezone"), "UTC");
        type(By.id("blackout_calendars"), "browser-holidays");
        waitForText(By.cssSelector("#preview li.blocked .blocked-by"), "blocked by calendar 'browser-holidays'");
        assertThat(browser.findElements(By.cssSelector("#preview ol li"))).hasSize(5);
        WebElement struck = browser.findElements(By.cssSelector("#preview li.blocked del")).stream()
                .filter(del -> del.getText().contains(tomorrow.format(SHOWN)))
                .findFirst()
                .orElseThrow();
        assertThat(struck.getText()).contains("02:00");
        assertThat(struck.getCssValue("text-decoration-line")).isEqualTo("line-through");
        screenshot("wizard-preview-ics-blocked");

        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Options");
        click(By.id("next"));
        waitForText(By.cssSelector("h2"), "Review");
        click(By.id("save"));
        waitForText(By.cssSelector(".flash"), "Job 'browser-ics-daily' created");
        List<WebElement> blocked = browser.findElements(By.cssSelector("ol.preview li:has(del)"));
        assertThat(blocked)
                .extracting(WebElement::getText)
                .anySatisfy(run -> assertThat(run)
                        .contains(tomorrow.format(SHOWN))
                        .contains("skipped: blocked by calendar 'browser-holidays'"));
        screenshot("job-next-runs-ics-blocked");
    }

    private static String holiday(String uid, LocalDate day, String summary) {
        return "BEGIN:VEVENT\r\nUID:" + uid + "@almanac-test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:"
                + day.format(ICS_DATE) + "\r\nDTEND;VALUE=DATE:"
                + day.plusDays(1).format(ICS_DATE) + "\r\nSUMMARY:"
                + summary + "\r\nEND:VEVENT\r\n";
    }
}
