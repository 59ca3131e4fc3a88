package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Layout in real Chromium at the widths people use: the job list's name column keeps room for a name from a narrow
 * laptop to a wide screen, and nothing scrolls sideways.
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
