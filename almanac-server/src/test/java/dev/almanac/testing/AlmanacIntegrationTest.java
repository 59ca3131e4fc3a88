package dev.almanac.testing;

import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The whole application on a real database, with a clock the test sets. A test class extends this, stays
 * abstract, and declares one subclass per database, annotated {@link WithH2} and {@link WithPostgres}, so the
 * same tests run on both.
 */
@SpringBootTest(
        properties = {
            "almanac.data-dir=target/test-data",
            "almanac.engine.enabled=false",
            "almanac.engine.retry-jitter=0",
            "almanac.engine.node-id=test-node"
        })
@AutoConfigureMockMvc
@Import({AlmanacIntegrationTest.TestClock.class, TemplateRuns.class})
public abstract class AlmanacIntegrationTest {

    public static final Instant START = Instant.parse("2026-06-01T10:00:00Z");

    @Autowired
    protected MutableClock clock;

    @Autowired
    protected JdbcClient jdbc;

    @BeforeEach
    void startFromAnEmptyStoreAtAKnownTime() {
        clock.set(START);
        TestTemplates.Fail.reset();
        TestTemplates.Block.reset();
        for (String table : new String[] {
            "execution_logs",
            "artifacts",
            "executions",
            "job_dependencies",
            "job_tags",
            "job_versions",
            "jobs",
            "api_tokens",
            "users",
            "audit_events",
            "nodes"
        }) {
            jdbc.sql("DELETE FROM " + table).update();
        }
    }

    /** Replaces the system clock for the whole application context. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class TestClock {
        @Bean
        @Primary
        MutableClock mutableClock() {
            return new MutableClock(START);
        }
    }
}
