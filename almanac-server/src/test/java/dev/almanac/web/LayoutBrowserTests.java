package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * Layout in real Chromium at the widths people use: the job list's name column keeps room for a name from a narrow
 * laptop to a wide screen, a long unbroken name wraps in a page's head, nothing scrolls sideways, and Esc closes a
 * row's menu.
 */
class LayoutBrowserTests extends BrowserTest {

    @Test
    void theJobListsNameColumnKeepsRoomForANameAtEveryLaptopWidth() {
        createJob("layout-system-backup-of-the-reporting-database");
        logIn();
        try {
            for (int width : new int[] {901, 1101, 1180, 1280, 1440, 1441, 1920}) {
                viewport(width, 900);
                open("/jobs?search=layout-system");
                Number name =
                        (Number) script("return document.querySelector('th.col-name').getBoundingClientRect().width");
                assertThat(name.doubleValue()).as("name column at %d px", width).isGreaterThanOrEqualTo(200);
                assertThat(sideways())
                        .as("sideways scrolling of the job list at %d px", width)
                        .isEqualTo("fits");
                assertThat(script("return document.querySelector('td.name-cell a').title"))
                        .isEqualTo("layout-system-backup-of-the-reporting-database");
            }
        } finally {
            realViewport();
        }
    }

    @Test
    void aLongUnbrokenNameOrDescriptionWrapsInsideEveryPageHeadInsteadOfWideningThePage() {
        String name = "n".repeat(100);
        String job = createJobFrom("{\"name\":\"" + name + "\",\"description\":\"see " + "d".repeat(300) + "\","
                + "\"template_type\":\"heartbeat\",\"parameters\":{},"
                + "\"schedule\":{\"type\":\"interval\",\"interval_seconds\":3600}}");
        HttpResponse<String> run = post("/api/admin/scheduler/jobs/" + job + "/run", "{}");
        assertThat(run.statusCode()).as(run.body()).isLessThan(300);
        Matcher execution =
                Pattern.compile("\"execution_id\"\\s*:\\s*\"([^\"]+)\"").matcher(run.body());
        assertThat(execution.find()).as(run.body()).isTrue();
        logIn();
        try {
            for (int width : new int[] {1280, 390}) {
                viewport(width, 900);
                for (String path : List.of(
                        "/jobs/" + job,
                        "/jobs/" + job + "/versions",
                        "/jobs/" + job + "/edit",
                        "/executions/" + execution.group(1))) {
                    open(path);
                    assertThat(sideways())
                            .as("sideways scrolling of %s at %d px", path, width)
                            .isEqualTo("fits");
                }
            }
        } finally {
            realViewport();
        }
    }

    /**
     * Every page the header links to (the navigation, namespaces, API tokens, the account), and the calendars, at
     * 390 px wide: none scrolls sideways, the users page included.
     */
    @Test
    void noPageTheHeaderLinksToScrollsSidewaysOnAPhone() {
        createJob("layout-phone");
        logIn();
        try {
            viewport(390, 844);
            open("/");
            @SuppressWarnings("unchecked")
            List<String> paths = (List<String>) script("return Array.from(new Set(Array.from("
                    + "document.querySelectorAll('header.top a[href^=\"/\"]')).map(function (a) {"
                    + " return a.getAttribute('href'); })))");
            assertThat(paths).contains("/jobs", "/executions", "/users", "/audit", "/tokens", "/namespaces");
            for (String path : concat(paths, List.of("/calendars", "/freezes", "/jobs/new"))) {
                open(path);
                assertThat(sideways())
                        .as("sideways scrolling of %s at 390 px", path)
                        .isEqualTo("fits");
            }
        } finally {
            realViewport();
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new java.util.ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** Esc closes a job row's Actions menu, as it closes a dialog, and leaves the focus on the menu's button. */
    @Test
    void escClosesAJobRowsActionsMenu() {
        createJob("layout-menu");
        logIn();
        try {
            viewport(1280, 900);
            open("/jobs?search=layout-menu");
            click(By.cssSelector("tr:has(a[aria-label='Edit layout-menu']) summary"));
            wait.until(d -> Boolean.TRUE.equals(script("return document.querySelector('details.menu').open")));
            browser.switchTo().activeElement().sendKeys(Keys.ESCAPE);
            wait.until(d -> Boolean.FALSE.equals(script("return document.querySelector('details.menu').open")));
            assertThat(script("return document.activeElement.tagName")).isEqualTo("SUMMARY");
        } finally {
            realViewport();
        }
    }

    /** "fits", or how wide the page is and the first elements that stick out on the right. */
    String sideways() {
        return (String) script("var wide = []; document.querySelectorAll('body *').forEach(function (e) {"
                + " if (e.getBoundingClientRect().right > window.innerWidth + 1) {"
                + " wide.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
                + " + (typeof e.className === 'string' && e.className ? '.' + e.className : '')); } });"
                + " return document.documentElement.scrollWidth <= window.innerWidth ? 'fits'"
                + " : document.documentElement.scrollWidth + ' px wide: ' + wide.slice(0, 8).join(', ');");
    }
}
