package dev.almanac.target;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.almanac.target.internal.TargetProperties;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** The targets the operator configured, as the UI reads them: names, products and allowlists, never credentials. */
@WithH2
class TargetApiTests extends AlmanacIntegrationTest {

    @Test
    void listsTheDemoTargetWithItsTablesAndColumnsButNoUrl() throws Exception {
        mvc.perform(get("/api/admin/scheduler/targets"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.targets[0].name").value("demo"))
                .andExpect(jsonPath("$.targets[0].product").value("h2"))
                .andExpect(jsonPath("$.targets[0].tables[*].name")
                        .value(Matchers.contains("users", "logs", "sessions", "messages", "tickets", "users_copy")))
                .andExpect(jsonPath("$.targets[0].tables[4].columns").value(Matchers.hasItem("resolved_at")))
                .andExpect(content().string(Matchers.not(Matchers.containsString("jdbc:"))))
                .andExpect(content().string(Matchers.not(Matchers.containsString("password"))));
    }

    @Test
    void refusesAMalformedTargetConfigurationNamingEveryProblem() {
        TargetProperties properties = new TargetProperties(
                Map.of(
                        "Bad Name",
                                new TargetProperties.Target(
                                        "jdbc:h2:mem:x", "sa", "", null, Map.of("t", List.of("id")), 2),
                        "nourl", new TargetProperties.Target("http://x", "sa", "", null, Map.of("t", List.of("id")), 2),
                        "injected",
                                new TargetProperties.Target(
                                        "jdbc:h2:mem:y", "sa", "", null, Map.of("users; drop", List.of("id;--")), 2)),
                new TargetProperties.DemoTarget(false, "demo", 10, null));

        assertThatThrownBy(() -> new Targets(properties, Path.of("target/test-data"), value -> value))
                .hasMessageContaining("'Bad Name'")
                .hasMessageContaining("nourl': url must be a jdbc: URL")
                .hasMessageContaining("table 'users; drop'")
                .hasMessageContaining("column 'id;--'");
    }

    @Test
    void refusesTablesAndColumnsNamedLikeReservedWordsNamingEach() {
        TargetProperties properties = new TargetProperties(
                Map.of(
                        "shop",
                        new TargetProperties.Target(
                                "jdbc:postgresql://db/shop",
                                "u",
                                "",
                                null,
                                Map.of("orders", List.of("id", "order", "status"), "user", List.of("id")),
                                2),
                        "local",
                        new TargetProperties.Target(
                                "jdbc:h2:mem:z", "sa", "", null, Map.of("readings", List.of("id", "value")), 2)),
                new TargetProperties.DemoTarget(false, "demo", 10, null));

        assertThatThrownBy(() -> new Targets(properties, Path.of("target/test-data"), value -> value))
                .hasMessageContaining("target 'shop': column 'order' of table 'orders' is a reserved word in SQL")
                .hasMessageContaining("target 'shop': table 'user' is a reserved word in SQL")
                .hasMessageContaining("target 'local': column 'value' of table 'readings' is a reserved word in SQL")
                .hasMessageNotContaining("'status'");
    }

    /**
     * Names H2 takes unquoted are allowed (partition, range, rows …), and so is a word an H2 URL frees with its
     * NON_KEYWORDS setting.
     */
    @Test
    void allowsWhatTheDatabaseTakesUnquoted() {
        TargetProperties properties = new TargetProperties(
                Map.of(
                        "local",
                        new TargetProperties.Target(
                                "jdbc:h2:mem:words;NON_KEYWORDS=VALUE,YEAR",
                                "sa",
                                "",
                                null,
                                Map.of("readings", List.of("id", "value", "year", "partition", "range", "rows")),
                                2)),
                new TargetProperties.DemoTarget(false, "demo", 10, null));

        assertThatCode(() -> new Targets(properties, Path.of("target/test-data"), value -> value))
                .doesNotThrowAnyException();
    }
}
