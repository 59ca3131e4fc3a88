package dev.almanac.jobfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.almanac.common.InvalidInputException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class YamlAliasesTests {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    @Test
    void anAliasReadsAsTheScalarMappingOrSequenceItsAnchorNames() {
        JsonNode read = read("""
                jobs:
                - name: first
                  description: &d Shared description
                  priority: &p 7
                  enabled: &e false
                  timeout_seconds: &none
                  schedule: &s {type: cron, expression: "0 3 * * *"}
                  tags: &t [nightly, "team:ops", "5"]
                - name: second
                  description: *d
                  priority: *p
                  enabled: *e
                  timeout_seconds: *none
                  schedule: *s
                  tags: *t
                  parameters: {list: [*p, *none, *d]}
                """);

        JsonNode second = read.path("jobs").get(1);
        assertThat(second.path("description").asString()).isEqualTo("Shared description");
        assertThat(second.path("priority").isInt()).isTrue();
        assertThat(second.path("priority").asInt()).isEqualTo(7);
        assertThat(second.path("enabled").isBoolean()).isTrue();
        assertThat(second.path("timeout_seconds").isNull()).isTrue();
        assertThat(second.path("schedule")).isEqualTo(read.path("jobs").get(0).path("schedule"));
        assertThat(second.path("schedule").path("expression").asString()).isEqualTo("0 3 * * *");
        assertThat(second.path("tags").toString()).isEqualTo("[\"nightly\",\"team:ops\",\"5\"]");
        // aliased into a flow list, a number stays a number and an empty value null
        assertThat(second.path("parameters").path("list").toString()).isEqualTo("[7,null,\"Shared description\"]");
    }

    @Test
    void anAnchorInsideAnAnchoredValueAndARedefinedAnchorReadAsWritten() {
        JsonNode read = read("""
                a: &outer {inner: &in {x: 1}, y: 2}
                b: *outer
                c: *in
                d: &in 3
                e: *in
                """);

        assertThat(read.path("b").toString()).isEqualTo("{\"inner\":{\"x\":1},\"y\":2}");
        assertThat(read.path("c").toString()).isEqualTo("{\"x\":1}");
        assertThat(read.path("e").asInt()).isEqualTo(3);
    }

    @Test
    void aFileWithoutAliasesIsReadAsItIs() {
        String text = "jobs:\n- name: x # a comment\n  description: \"<<\"\n  schedule: {expression: \"* * * * *\"}\n";

        assertThat(YamlAliases.expand(text)).isSameAs(text);
        assertThat(YamlAliases.expand("jobs: [not, a, job")).isEqualTo("jobs: [not, a, job");
    }

    @Test
    void aValueNamedLikeAMergeKeyIsKeptWhereTheFileHasAliases() {
        JsonNode read = read("a: &a \"<<\"\nb: [\"<<\", {x: 1}, *a]\n");

        assertThat(read.path("b").toString()).isEqualTo("[\"<<\",{\"x\":1},\"<<\"]");
    }

    @Test
    void anAliasThatNamesNoAnchorBeforeItIsRefusedNamingItsPath() {
        assertRefused(
                "jobs:\n- name: a\n- name: b\n  description: *d\n  other: &d x\n",
                "jobs[1].description",
                "*d names no anchor (&d) written before it");
        assertRefused(
                "jobs:\n- name: a\n  parameters: &p {list: [1, *p]}\n",
                "jobs[0].parameters.list[1]",
                "*p names the value it is in");
    }

    @Test
    void aMergeKeyIsRefusedNamingItsPath() {
        assertRefused(
                "jobs:\n- name: a\n  schedule: &s {type: cron}\n- name: b\n  schedule:\n    <<: *s\n"
                        + "    expression: \"0 3 * * *\"\n",
                "jobs[1].schedule.<<",
                "merge keys (<<: *s) are not supported: alias the whole mapping, or write its keys out");
        assertRefused("a: &s {x: 1}\nb: {<<: [*s]}\n", "b.<<[0]", "merge keys (<<: *s) are not supported");
    }

    @Test
    void aliasesThatWouldAddTooMuchAreRefused() {
        StringBuilder bomb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (char level = 'b'; level <= 'i'; level++) {
            char below = (char) (level - 1);
            bomb.append(level).append(": &").append(level).append(" [");
            for (int i = 0; i < 10; i++) {
                bomb.append(i == 0 ? "" : ", ").append('*').append(below);
            }
            bomb.append("]\n");
        }
        assertRefused(bomb.toString(), "e[7]", "the file's aliases would add more than 100000 values or 1 MB");

        String large = "a: &a \"" + "x".repeat(300 * 1024) + "\"\nb: [*a, *a, *a, *a]\n";
        assertRefused(large, "b[3]", "the file's aliases would add more than 100000 values or 1 MB");
    }

    private static JsonNode read(String text) {
        String expanded = YamlAliases.expand(text);
        assertThat(expanded).doesNotContain("&").isNotEqualTo(text);
        return YAML.readTree(expanded);
    }

    private static void assertRefused(String text, String field, String message) {
        assertThatThrownBy(() -> YamlAliases.expand(text))
                .isInstanceOfSatisfying(
                        InvalidInputException.class,
                        refused -> assertThat(refused.errors()).singleElement().satisfies(error -> {
                            assertThat(error.field()).as("field").isEqualTo(field);
                            assertThat(error.message()).startsWith(message);
                        }));
    }
}
