package dev.almanac.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a browser test in Debian's headless Chromium ({@link #CHROMIUM}, driven through {@link #CHROMEDRIVER}). Where
 * either is absent or not executable the test is skipped, loudly, unless {@code ALMANAC_TEST_BROWSER_REQUIRED=true}
 * (CI), where it fails: a fresh machine with only a JDK and Maven passes {@code mvn verify}, CI cannot skip it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag("browser")
@ExtendWith(WithChromium.WhenInstalled.class)
public @interface WithChromium {

    /** {@code ALMANAC_TEST_CHROMIUM} or Debian's; pointing it at nothing shows how a machine without it runs. */
    Path CHROMIUM = WhenInstalled.path("ALMANAC_TEST_CHROMIUM", "/usr/bin/chromium");

    Path CHROMEDRIVER = WhenInstalled.path("ALMANAC_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");

    /** Skips browser tests when Chromium or its driver is missing, unless CI requires them. */
    class WhenInstalled implements ExecutionCondition {

        private static final boolean REQUIRED = Boolean.parseBoolean(System.getenv("ALMANAC_TEST_BROWSER_REQUIRED"));
        private static volatile boolean warned;

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (REQUIRED || (executable(CHROMIUM) && executable(CHROMEDRIVER))) {
                return ConditionEvaluationResult.enabled("Chromium at " + CHROMIUM);
            }
            String reason = "Chromium or chromedriver missing (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): browser tests SKIPPED; apt-get install chromium chromium-driver to run them"
                    + " (or set ALMANAC_TEST_CHROMIUM and ALMANAC_TEST_CHROMEDRIVER)";
            if (!warned) {
                warned = true;
                System.err.printf("%n*** %s%n%n", reason);
            }
            return ConditionEvaluationResult.disabled(reason);
        }

        private static Path path(String variable, String debian) {
            String set = System.getenv(variable);
            return Path.of(set == null || set.isBlank() ? debian : set);
        }

        /** Fails at once, naming what is missing, where CI requires the browser and it is not there. */
        public static void requireInstalled() {
            if (!executable(CHROMIUM) || !executable(CHROMEDRIVER)) {
                throw new IllegalStateException("ALMANAC_TEST_BROWSER_REQUIRED=true but Chromium or chromedriver is"
                        + " missing or not executable (" + CHROMIUM + ", " + CHROMEDRIVER + ")");
            }
        }

        private static boolean executable(Path file) {
            return Files.isRegularFile(file) && Files.isExecutable(file);
        }
    }
}
