package dev.almanac.testing;

import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TemplateDescriptor;
import java.time.Duration;
import java.util.List;
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

    /**
     * Calls "a webhook" with a secret token: its {@code token} and every value under {@code headers} are marked
     * {@code x-secret}. It logs only the token's length, and records what it was given for the test to check.
     */
    public static final class Secret implements JobTemplate {

        private static final Map<String, Map<String, Object>> SEEN = new ConcurrentHashMap<>();

        public static Map<String, Object> seenBy(String jobName) {
            return SEEN.get(jobName);
        }

        @Override
        public TemplateDescriptor descriptor() {
            return TemplateDescriptor.builder("test_secret")
                    .name("Test: secret")
                    .description("Takes a secret token (tests only)")
                    .category("test")
                    .icon("key")
                    .riskLevel(RiskLevel.LOW)
                    .resourceUsage(ResourceUsage.LOW)
                    .estimatedDuration(Duration.ofSeconds(1))
                    .parametersSchema("""
                            {"type":"object","required":["url","token"],
                             "properties":{
                               "url":{"type":"string","maxLength":200},
                               "token":{"type":"string","minLength":8,"maxLength":64,"x-secret":true},
                               "headers":{"type":"object","additionalProperties":{"type":"string","x-secret":true}}},
                             "additionalProperties":false}
                            """)
                    .exampleParameters("{\"url\":\"https://example.com/hook\",\"token\":\"example-token\"}")
                    .build();
        }

        @Override
        public JobResult execute(JobContext context) {
            SEEN.put(context.jobName(), Map.copyOf(context.parameters()));
            // as careless as a template can be: every parameter it was given, in its log (the log shows the masks)
            context.log().info("calling with {}", context.parameters());
            return JobResult.succeeded("called");
        }
    }

    /**
     * Secrets in every shape a schema can mark them (tests only): an array marked {@code x-secret} with a minimum
     * length, an array whose items are marked and must match a pattern, a secret inside the objects of an array, a
     * secret two objects deep, and an object marked {@code x-secret} holding a map of secrets.
     */
    public static final class NestedSecrets implements JobTemplate {

        private static final Map<String, Map<String, Object>> SEEN = new ConcurrentHashMap<>();

        public static Map<String, Object> seenBy(String jobName) {
            return SEEN.get(jobName);
        }

        @Override
        public TemplateDescriptor descriptor() {
            return TemplateDescriptor.builder("test_nested_secrets")
                    .name("Test: nested secrets")
                    .description("Takes secrets at every depth (tests only)")
                    .category("test")
                    .icon("key")
                    .riskLevel(RiskLevel.LOW)
                    .resourceUsage(ResourceUsage.LOW)
                    .estimatedDuration(Duration.ofSeconds(1))
                    .parametersSchema("""
                            {"type":"object","required":["label"],
                             "properties":{
                               "label":{"type":"string","maxLength":50},
                               "api_keys":{"type":"array","x-secret":true,"maxItems":3,
                                 "items":{"type":"string","minLength":40,"maxLength":60}},
                               "tokens":{"type":"array","items":{"type":"string","x-secret":true,"pattern":"^tok_[a-z0-9]{8,30}$"}},
                               "endpoints":{"type":"array","items":{"type":"object","required":["url"],
                                 "properties":{"url":{"type":"string","maxLength":200},
                                   "password":{"type":"string","x-secret":true,"maxLength":20}},
                                 "additionalProperties":false}},
                               "auth":{"type":"object","properties":{
                                 "basic":{"type":"object","properties":{"user":{"type":"string"},
                                   "password":{"type":"string","x-secret":true,"minLength":12}}},
                                 "extra":{"type":"object","x-secret":true,"additionalProperties":{"type":"string"}}}}},
                             "additionalProperties":false}
                            """)
                    .exampleParameters("{\"label\":\"nested\",\"endpoints\":[{\"url\":\"https://example.com/a\"}]}")
                    .build();
        }

        @Override
        public JobResult execute(JobContext context) {
            SEEN.put(context.jobName(), Map.copyOf(context.parameters()));
            context.log().info("called with {}", context.parameters());
            return JobResult.succeeded("called");
        }
    }

    /** Destructive on paper (tests only): what an ADMIN may read but not change or run. */
    public static final class Destroy implements JobTemplate {

        @Override
        public TemplateDescriptor descriptor() {
            return TemplateDescriptor.builder("test_destroy")
                    .name("Test: destroy")
                    .description("Marked destructive (tests only)")
                    .category("test")
                    .icon("trash")
                    .riskLevel(RiskLevel.HIGH)
                    .destructive(true)
                    .resourceUsage(ResourceUsage.LOW)
                    .estimatedDuration(Duration.ofSeconds(1))
                    .parametersSchema(KEY_SCHEMA)
                    .build();
        }

        @Override
        public JobResult execute(JobContext context) {
            return JobResult.succeeded("destroyed nothing");
        }
    }

    /** A template whose schema has every kind of field the admin UI generates a form for (tests only). */
    public static final class Forms implements JobTemplate {

        public static final String SCHEMA = """
                {"type":"object",
                 "properties":{
                   "table":{"type":"string","title":"Table","description":"Which table to clean","minLength":1,"maxLength":64},
                   "max_rows":{"type":"integer","minimum":1,"maximum":100000,"default":1000},
                   "ratio":{"type":"number","minimum":0,"maximum":1},
                   "vacuum":{"type":"boolean","description":"Reclaim space afterwards"},
                   "mode":{"type":"string","enum":["delete","archive"]},
                   "recipients":{"type":"array","description":"Who hears about it","items":{"type":"string"},"maxItems":5},
                   "conditions":{"type":"array","items":{"type":"object",
                      "properties":{"column":{"type":"string"},"op":{"type":"string","enum":["<",">","="]},"value":{"type":"string"}},
                      "required":["column","op"]}},
                   "target":{"type":"object","properties":{"host":{"type":"string"},"port":{"type":"integer","minimum":1,"maximum":65535}}},
                   "api_key":{"type":"string","writeOnly":true},
                   "extra":{"type":"object","additionalProperties":{"type":"string"}}
                 },
                 "required":["table","mode"],
                 "additionalProperties":false}
                """;

        @Override
        public TemplateDescriptor descriptor() {
            return TemplateDescriptor.builder("test_form")
                    .name("Test: every field")
                    .description("Has a parameter of every kind (tests only)")
                    .category("test")
                    .icon("database")
                    .riskLevel(RiskLevel.HIGH)
                    .destructive(true)
                    .resourceUsage(ResourceUsage.LOW)
                    .estimatedDuration(Duration.ofSeconds(1))
                    .parametersSchema(SCHEMA)
                    .exampleParameters(
                            "{\"table\":\"sessions\",\"mode\":\"delete\",\"recipients\":[\"ops@example.com\"]}")
                    .build();
        }

        @Override
        public JobResult execute(JobContext context) {
            return JobResult.succeeded("did " + context.parameters().get("mode") + " on "
                    + context.parameters().get("table"));
        }

        @Override
        public JobResult dryRun(JobContext context) {
            return JobResult.succeeded("would " + context.parameters().get("mode") + " 1 204 rows of "
                    + context.parameters().get("table"));
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

    /**
     * A plugin template in two versions: version 1 takes an optional greeting; version 2, its upgrade, requires a
     * region too. ServiceLoader installs version 1; a test installs {@link #upgraded()} in its place.
     */
    public static final class Versioned implements JobTemplate {

        private final boolean upgraded;

        public Versioned() {
            this(false);
        }

        private Versioned(boolean upgraded) {
            this.upgraded = upgraded;
        }

        public static Versioned upgraded() {
            return new Versioned(true);
        }

        @Override
        public TemplateDescriptor descriptor() {
            return TemplateDescriptor.builder("test_versioned")
                    .name("Test: versioned")
                    .description("A plugin template that gains a required parameter in version 2 (tests only)")
                    .category("test")
                    .icon("flask")
                    .riskLevel(RiskLevel.LOW)
                    .resourceUsage(ResourceUsage.LOW)
                    .estimatedDuration(Duration.ofSeconds(1))
                    .parametersSchema(upgraded ? """
                            {"type":"object","properties":{"greeting":{"type":"string"},"region":{"type":"string"}},
                             "required":["region"],"additionalProperties":false}
                            """ : """
                            {"type":"object","properties":{"greeting":{"type":"string"}},"additionalProperties":false}
                            """)
                    .exampleParameters(upgraded ? "{\"region\": \"eu\"}" : "{}")
                    .build();
        }

        @Override
        public String version() {
            return upgraded ? "2" : "1";
        }

        @Override
        public java.util.List<dev.almanac.template.TemplateChange> changes() {
            var first = new dev.almanac.template.TemplateChange("1", "First version.");
            return upgraded
                    ? java.util.List.of(
                            first,
                            new dev.almanac.template.TemplateChange("2", "Requires a region; set it on every job."))
                    : java.util.List.of(first);
        }

        @Override
        public JobResult execute(JobContext context) {
            return JobResult.succeeded("ran with " + context.parameters());
        }
    }

    /** Takes {@code seconds} of the test clock: it moves the clock {@link #clock} on by that much while it runs. */
    public static final class Take implements JobTemplate {

        /** The test's clock, set by the test that uses this template. */
        public static volatile MutableClock clock;

        @Override
        public TemplateDescriptor descriptor() {
            return TemplateDescriptor.builder("test_take")
                    .name("Test: take time")
                    .description("Moves the test clock on while it runs (tests only)")
                    .category("test")
                    .icon("clock")
                    .riskLevel(RiskLevel.LOW)
                    .resourceUsage(ResourceUsage.LOW)
                    .estimatedDuration(Duration.ofSeconds(1))
                    .parametersSchema("""
                            {"type":"object","properties":{"seconds":{"type":"integer","minimum":0}}}
                            """)
                    .build();
        }

        @Override
        public JobResult execute(JobContext context) {
            Number seconds = (Number) context.parameters().getOrDefault("seconds", 0);
            clock.advance(Duration.ofSeconds(seconds.longValue()));
            return JobResult.succeeded("took " + seconds + " s");
        }
    }

    /**
     * Says back what it is given, in its log, its result's message and details (a detail named by it too), and, when
     * it starts with {@code fail}, its error (tests only): text from outside a run reaches every place a run writes.
     */
    public static final class Echo implements JobTemplate {

        @Override
        public TemplateDescriptor descriptor() {
            return TemplateDescriptor.builder("test_echo")
                    .name("Test: echo")
                    .description("Says back what it is given (tests only)")
                    .category("test")
                    .icon("message")
                    .riskLevel(RiskLevel.LOW)
                    .resourceUsage(ResourceUsage.LOW)
                    .estimatedDuration(Duration.ofSeconds(1))
                    .parametersSchema("""
                            {"type":"object","properties":{"text":{"type":"string"}},"additionalProperties":false}
                            """)
                    .build();
        }

        @Override
        public JobResult execute(JobContext context) {
            String text = String.valueOf(context.parameters().getOrDefault("text", ""));
            context.log().info("echo: {}", text);
            return JobResult.builder(text.startsWith("fail") ? JobResult.Status.FAILED : JobResult.Status.SUCCEEDED)
                    .message("echo: " + text)
                    .detail("text", text)
                    .detail(text, List.of(text))
                    .build();
        }
    }
}
