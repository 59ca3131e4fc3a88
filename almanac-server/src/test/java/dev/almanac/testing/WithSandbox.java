package dev.almanac.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test that starts real scripts in bubblewrap ({@link #BWRAP}). Where bubblewrap is absent or cannot create its
 * namespaces here the test is skipped, loudly, unless {@code ALMANAC_TEST_SANDBOX_REQUIRED=true} (CI), where it runs
 * and fails.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(WithSandbox.WhenInstalled.class)
public @interface WithSandbox {

    /** {@code ALMANAC_TEST_BWRAP} or Debian's; pointing it at nothing shows how a machine without it runs. */
    Path BWRAP = Path.of(
            System.getenv("ALMANAC_TEST_BWRAP") == null
                            || System.getenv("ALMANAC_TEST_BWRAP").isBlank()
                    ? "/usr/bin/bwrap"
                    : System.getenv("ALMANAC_TEST_BWRAP"));

    /** Skips sandbox tests when bubblewrap is missing or cannot work here, unless CI requires them. */
    class WhenInstalled implements ExecutionCondition {

        private static final boolean REQUIRED = Boolean.parseBoolean(System.getenv("ALMANAC_TEST_SANDBOX_REQUIRED"));
        private static volatile Boolean works;
        private static volatile boolean warned;

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (REQUIRED || works()) {
                return ConditionEvaluationResult.enabled("bubblewrap at " + BWRAP);
            }
            String reason = "bubblewrap missing or unable to create namespaces (" + BWRAP
                    + "): sandbox tests SKIPPED; apt-get install bubblewrap to run them (or set ALMANAC_TEST_BWRAP)";
            if (!warned) {
                warned = true;
                System.err.printf("%n*** %s%n%n", reason);
            }
            return ConditionEvaluationResult.disabled(reason);
        }

        private static boolean works() {
            if (works == null) {
                works = Files.isExecutable(BWRAP) && trial();
            }
            return works;
        }

        private static boolean trial() {
            try {
                Process process = new ProcessBuilder(
                                BWRAP.toString(),
                                "--unshare-all",
                                "--ro-bind",
                                "/usr",
                                "/usr",
                                "--symlink",
                                "usr/bin",
                                "/bin",
                                "--symlink",
                                "usr/lib",
                                "/lib",
                                "--symlink",
                                "usr/lib64",
                                "/lib64",
                                "/bin/true")
                        .redirectErrorStream(true)
                        .start();
                return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
            } catch (Exception e) {
                return false;
            }
        }
    }
}
