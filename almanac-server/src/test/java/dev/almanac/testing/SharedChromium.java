package dev.almanac.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Hands a {@link ChromeDriver} to the browser tests: one headless Chromium for every test class of a run (starting it
 * takes seconds), quit when JUnit closes its root store at the end. Files it downloads land in {@link #DOWNLOADS}.
 * Use with {@link WithChromium}, which skips the class before anything asks for the browser.
 */
public final class SharedChromium implements ParameterResolver {

    public static final Path DOWNLOADS = Path.of("target", "browser-downloads").toAbsolutePath();

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedChromium.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ChromeDriver.class;
    }

    @Override
    public ChromeDriver resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .computeIfAbsent(Session.class, key -> new Session(), Session.class)
                .driver;
    }

    private static final class Session implements AutoCloseable {

        final ChromeDriver driver;

        Session() {
            WithChromium.WhenInstalled.requireInstalled();
            try {
                Files.createDirectories(DOWNLOADS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ChromeOptions options = new ChromeOptions();
            options.setBinary(WithChromium.CHROMIUM.toFile());
            options.addArguments(
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--window-size=1280,1000");
            options.setExperimentalOption(
                    "prefs",
                    Map.of("download.default_directory", DOWNLOADS.toString(), "download.prompt_for_download", false));
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(WithChromium.CHROMEDRIVER.toFile())
                    .usingAnyFreePort()
                    .build();
            driver = new ChromeDriver(service, options);
        }

        @Override
        public void close() {
            driver.quit();
        }
    }
}
