package dev.almanac.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageFormatterTest {

    @Test
    void replacesPlaceholdersInOrder() {
        assertThat(MessageFormatter.format("deleted {} rows from {}", 42, "audit_log"))
                .isEqualTo("deleted 42 rows from audit_log");
    }

    @Test
    void leavesPlaceholdersWithoutArgumentsAsTheyAre() {
        assertThat(MessageFormatter.format("{} and {}", "one")).isEqualTo("one and {}");
    }

    @Test
    void ignoresSurplusArguments() {
        assertThat(MessageFormatter.format("just {}", "one", "two")).isEqualTo("just one");
    }

    @Test
    void rendersNullsAndArrays() {
        assertThat(MessageFormatter.format("{} {} {}", null, new String[] {"a", "b"}, new int[] {1, 2}))
                .isEqualTo("null [a, b] [1, 2]");
    }

    @Test
    void treatsAnEscapedPlaceholderAsText() {
        assertThat(MessageFormatter.format("literal \\{} then {}", "x")).isEqualTo("literal {} then x");
    }

    @Test
    void appendsATrailingThrowableThatNoPlaceholderTakes() {
        assertThat(MessageFormatter.format("upload of {} failed", "report.csv", new IOException("disk full")))
                .isEqualTo("upload of report.csv failed: java.io.IOException: disk full");
    }

    @Test
    void rendersAThrowableThatAPlaceholderTakesInPlace() {
        assertThat(MessageFormatter.format("failed: {}", new IOException("disk full")))
                .isEqualTo("failed: java.io.IOException: disk full");
    }

    @Test
    void returnsThePatternUnchangedWithoutArguments() {
        assertThat(MessageFormatter.format("100% {} done")).isEqualTo("100% {} done");
    }

    @Test
    void everyLoggerFormatsThroughTheSameHelper() {
        List<String> lines = new ArrayList<>();
        JobLogger logger = (level, message) -> lines.add(level + " " + message);

        logger.debug("a {}", 1);
        logger.info("b {}", 2);
        logger.warn("c {}", 3);
        logger.error("d {}", 4);
        logger.info("plain {}");

        assertThat(lines).containsExactly("DEBUG a 1", "INFO b 2", "WARN c 3", "ERROR d 4", "INFO plain {}");
    }
}
