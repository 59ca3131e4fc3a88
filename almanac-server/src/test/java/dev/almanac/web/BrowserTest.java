package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.testing.SharedChromium;
import dev.almanac.testing.WithChromium;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The real application on a random port, with an H2 database under target/, and the shared headless Chromium
 * ({@link SharedChromium}): every browser test class extends this, so they share one application context and one
 * browser. The helpers wait for what a person would see; none sleeps. Screenshots land in {@link #SCREENSHOTS}.
 */
@WithChromium
@ExtendWith(SharedChromium.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "almanac.data-dir=./target/browser-test",
            "almanac.db.url=jdbc:h2:file:./target/browser-test/almanac-${random.uuid};MODE=PostgreSQL;"
                    + "DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE",
            "almanac.engine.node-id=browser-test-node",
            "almanac.engine.poll-interval=200ms",
            "almanac.admin.username=admin",
            "almanac.security.admin-password=browser-test-Pa55word!",
            "almanac.admin.password=browser-test-Pa55word!"
        })
abstract class BrowserTest {

    static final Path SCREENSHOTS = Path.of("target", "screenshots").toAbsolutePath();

    private static volatile boolean told;

    @LocalServerPort
    int port;

    @Value("${almanac.admin.username:admin}")
    String username;

    @Value("${almanac.admin.password}")
    String password;

    ChromeDriver browser;
    WebDriverWait wait;

    @BeforeAll
    void useChromium(ChromeDriver chromium) throws IOException {
        browser = chromium;
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        Files.createDirectories(SCREENSHOTS);
        if (!told) {
            told = true;
            System.out.printf("%n*** Browser test screenshots: %s%n%n", SCREENSHOTS);
        }
    }

    /** The next class starts signed out, whoever this one left signed in. */
    @AfterAll
    void signOut() {
        if (browser != null) {
            browser.manage().deleteAllCookies();
        }
    }

    /** Fills the login form as the super admin when the application asks for it; otherwise goes on. */
    void logIn() {
        logIn(username, password);
    }

    void logIn(String user, String secret) {
        open("/");
        if (browser.getCurrentUrl().contains("/login")) {
            type(By.name("username"), user);
            type(By.name("password"), secret);
            click(By.id("login-submit"));
            wait.until(d -> !d.getCurrentUrl().contains("/login"));
        }
    }

    void open(String path) {
        browser.get("http://127.0.0.1:" + port + path);
        wait.until(d -> "complete".equals(script("return document.readyState")));
    }

    /**
     * Clicks an element once it is shown and enabled. An htmx swap may replace it between the look and the click
     * (Chrome then says the node "does not belong to the document"): the new one is looked up and clicked.
     */
    void click(By by) {
        wait.until(driver -> {
            try {
                WebElement element = driver.findElement(by);
                if (!element.isDisplayed() || !element.isEnabled()) {
                    return false;
                }
                element.click();
                return true;
            } catch (org.openqa.selenium.StaleElementReferenceException
                    | org.openqa.selenium.NoSuchElementException e) {
                return false;
            } catch (org.openqa.selenium.WebDriverException e) {
                if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** Clicks a button that submits its page and waits for the next page to replace it. */
    void submit(By by) {
        WebElement button = wait.until(ExpectedConditions.elementToBeClickable(by));
        button.click();
        wait.until(ExpectedConditions.stalenessOf(button));
        wait.until(d -> "complete".equals(script("return document.readyState")));
    }

    void choose(By by, String value) {
        wait.until(driver -> {
            try {
                new Select(driver.findElement(by)).selectByValue(value);
                return true;
            } catch (NoSuchElementException | StaleElementReferenceException e) {
                return false;
            }
        });
    }

    void type(By by, String text) {
        WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(by));
        field.clear();
        field.sendKeys(text);
    }

    void waitForText(By by, String text) {
        wait.until(new ExpectedCondition<Boolean>() {
            @Override
            public Boolean apply(WebDriver driver) {
                try {
                    return driver.findElement(by).getText().contains(text);
                } catch (NoSuchElementException | StaleElementReferenceException e) {
                    return false;
                } catch (WebDriverException e) {
                    // an htmx swap can replace the element between finding and reading it, and Chrome then reports a
                    // node that no longer belongs to the document instead of a stale element
                    if (String.valueOf(e.getMessage()).contains("does not belong to the document")) {
                        return false;
                    }
                    throw e;
                }
            }

            @Override
            public String toString() {
                return "text '" + text + "' in the element located by " + by;
            }
        });
    }

    String text(By by) {
        return wait.until(ExpectedConditions.presenceOfElementLocated(by)).getText();
    }

    Object script(String source, Object... arguments) {
        return browser.executeScript(source, arguments);
    }

    void screenshot(String name) {
        File shot = browser.getScreenshotAs(OutputType.FILE);
        try {
            Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save screenshot " + name, e);
        }
    }

    /** The page's viewport, exactly (the window's size in headless Chromium is not). */
    void viewport(int width, int height) {
        browser.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
    }

    void realViewport() {
        browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }

    /** A heartbeat job through the REST API; its id. */
    String createJob(String name) {
        return createJobFrom("{\"name\":\"" + name + "\",\"template_type\":\"heartbeat\",\"parameters\":{},"
                + "\"schedule\":{\"type\":\"interval\",\"interval_seconds\":3600}}");
    }

    /** A job through the REST API (basic auth as the super admin), from its JSON; its id. */
    String createJobFrom(String json) {
        HttpResponse<String> response = post("/api/admin/scheduler/jobs", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        Matcher id = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(response.body());
        assertThat(id.find()).isTrue();
        return id.group(1);
    }

    HttpResponse<String> post(String path, String json) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .header("Content-Type", "application/json")
                                    .header(
                                            "Authorization",
                                            "Basic "
                                                    + Base64.getEncoder()
                                                            .encodeToString((username + ":" + password).getBytes()))
                                    .POST(HttpRequest.BodyPublishers.ofString(json))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
