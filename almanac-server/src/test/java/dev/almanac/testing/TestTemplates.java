package dev.almanac.testing;

import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TemplateDescriptor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Templates that only tests load (through this module's test ServiceLoader file). */
public final class TestTemplates {

    private TestTemplates() {}

    private static final String KEY_SCHEMA = """
            {"type":"object","properties":{"key":{"type":"string"},"failures":{"type":"integer","minimum":0}},
             "additionalProperties":false}
            """;

    /** Fails its first {@code failures} runs per key (all of them without {@code failures}), then succeeds. */
    public static final class Fail implements JobTemplate {

        private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

        public static void reset() {
            RUNS.clear();
        }

        @Override
        public TemplateDescriptor descriptor() {
            return TemplateDescriptor.builder("test_fail")
                    .name("Test: fail")
                    .description("Fails on purpose (tests only)")
                    .category("test")
                    .icon("bug")
                    .riskLevel(RiskLevel.LOW)
                    .resourceUsage(ResourceUsage.LOW)
                    .estimatedDuration(Duration.ofSeconds(1))
                    .parametersSchema(KEY_SCHEMA)
                    .build();
        }

        @Override
        public JobResult execute(JobContext context) {
            String key = String.valueOf(context.parameters().getOrDefault("key", context.jobName()));
            int run = RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            Object failures = context.parameters().get("failures");
            if (failures == null || run <= ((Number) failures).intValue()) {
                context.log().error("failing on purpose, run {}", run);
                return JobResult.failed("failed on purpose (run " + run + ")");
            }
            return JobResult.succeeded("succeeded on run " + run);
        }
    }

    /**
     * Blocks until its key is released, or until interrupted; with the system property {@code almanac.test.hang}
     * set it never returns of its own (the process that runs it is meant to be killed).
     */
    public static final class Block implements JobTemplate {

        private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();
        private static final Map<String, AtomicInteger> STARTED = new ConcurrentHashMap<>();

        public static void release(String key) {
            gate(key).countDown();
        }

        public static int started(String key) {
            return STARTED.computeIfAbsent(key, k -> new AtomicInteger()).get();
        }

        public static void reset() {
            GATES.values().forEach(CountDownLatch::countDown);
            GATES.clear();
            STARTED.clear();
        }

        private static CountDownLatch gate(String key) {
            return GATES.computeIfAbsent(key, k -> new CountDownLatch(1));
        }

        @Override
        public TemplateDescriptor descriptor() {
            return TemplateDescriptor.builder("test_block")
                    .name("Test: block")
                    .description("Blocks until released (tests only)")
                    .category("test")
                    .icon("pause")
                    .riskLevel(RiskLevel.LOW)
                    .resourceUsage(ResourceUsage.LOW)
                    .estimatedDuration(Duration.ofSeconds(1))
                    .parametersSchema(KEY_SCHEMA)
                    .build();
        }

        @Override
        public JobResult execute(JobContext context) throws InterruptedException {
            String key = String.valueOf(context.parameters().getOrDefault("key", context.jobName()));
            STARTED.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            context.log().info("blocking on {}", key);
            if (Boolean.getBoolean("almanac.test.hang")) {
                new CountDownLatch(1).await();
            }
            while (!gate(key).await(50, TimeUnit.MILLISECONDS)) {
                context.checkCancelled();
            }
            return JobResult.succeeded("released");
        }
    }

    /** Sleeps on a target database ({@code pg_sleep}) through the run's guarded connection. */
    public static final class TargetSleep implements JobTemplate {

        @Override
        public TemplateDescriptor descriptor() {
            return TemplateDescriptor.builder("test_target_sleep")
                    .name("Test: sleep on a target")
                    .description("Runs pg_sleep on a target (tests only)")
                    .category("test")
                    .icon("pause")
                    .riskLevel(RiskLevel.LOW)
                    .resourceUsage(ResourceUsage.LOW)
                    .estimatedDuration(Duration.ofSeconds(1))
                    .parametersSchema("""
                            {"type":"object","properties":{"target":{"type":"string"},"seconds":{"type":"integer"}},
                             "required":["target","seconds"],"additionalProperties":false}""")
                    .exampleParameters("{\"target\":\"pg\",\"seconds\":1}")
                    .build();
        }

        @Override
        public JobResult execute(JobContext context) throws Exception {
            try (java.sql.Connection connection = context.target(
                                    (String) context.parameters().get("target"))
                            .connect();
                    java.sql.PreparedStatement sleep = connection.prepareStatement("SELECT pg_sleep(?)")) {
                sleep.setInt(1, ((Number) context.parameters().get("seconds")).intValue());
                context.log().info("sleeping on the target");
                sleep.execute();
            }
            return JobResult.succeeded("slept");
        }
    }

    /** Calls a URL through the run's guarded HTTP client. */
    public static final class HttpCall implements JobTemplate {

        @Override
        public TemplateDescriptor descriptor() {
            return TemplateDescriptor.builder("test_http_call")
                    .name("Test: HTTP call")
                    .description("Calls a URL (tests only)")
                    .category("test")
                    .icon("globe")
                    .riskLevel(RiskLevel.LOW)
                    .resourceUsage(ResourceUsage.LOW)
                    .estimatedDuration(Duration.ofSeconds(1))
                    .parametersSchema("""
                            {"type":"object","properties":{"url":{"type":"string"},"timeout_seconds":{"type":"integer"}},
                             "required":["url"],"additionalProperties":false}""")
                    .exampleParameters("{\"url\":\"http://localhost/\"}")
                    .build();
        }

        @Override
        public JobResult execute(JobContext context) throws Exception {
            int timeout = ((Number) context.parameters().getOrDefault("timeout_seconds", 600)).intValue();
            context.log().info("calling");
            dev.almanac.template.OutboundHttp.Response response = context.http()
                    .send(new dev.almanac.template.OutboundHttp.Request(
                            "GET",
                            java.net.URI.create((String) context.parameters().get("url")),
                            Map.of(),
                            null,
                            Duration.ofSeconds(timeout),
                            1024,
                            true));
            return JobResult.succeeded("status " + response.status());
        }
    }
}
