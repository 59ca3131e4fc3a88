package dev.almanac.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalPathsTest {

    @Test
    void keepsAPathOfThisSite() {
        assertThat(LocalPaths.orElse("/jobs?page=2&sort=name", "/")).isEqualTo("/jobs?page=2&sort=name");
    }

    @Test
    void refusesAnotherHostInEveryDisguise() {
        for (String back : new String[] {
            null, "", "https://evil.example/", "//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/x", "jobs"
        }) {
            assertThat(LocalPaths.orElse(back, "/jobs"))
                    .as(String.valueOf(back))
                    .isEqualTo("/jobs");
        }
    }
}
