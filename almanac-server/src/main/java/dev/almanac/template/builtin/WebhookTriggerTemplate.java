package dev.almanac.template.builtin;

import dev.almanac.template.JobCancelledException;
import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.OutboundHttp;
import dev.almanac.template.ParameterError;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import dev.almanac.template.TemplateEnvironment;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.json.JsonMapper;

/**
 * Calls an HTTP endpoint through the SSRF guard, with variables in the body, retries with exponential backoff and
 * jitter on network errors, 5xx and 429 (honouring Retry-After), an optional HMAC-SHA256 signature, and an excerpt of
 * the response in the result.
 */
public class WebhookTriggerTemplate implements JobTemplate {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int EXCERPT_CHARS = 1000;
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("webhook_trigger")
            .name("Webhook")
            .description("Calls an HTTP endpoint (GET, POST, PUT, PATCH, DELETE) with headers and a body, retries on"
                    + " network errors, 5xx and 429, and can sign the body with HMAC-SHA256. Private and internal"
                    + " addresses are refused unless the operator allows the host.")
            .category("integration")
            .icon("webhook")
            .riskLevel(RiskLevel.MEDIUM)
            .destructive(false)
            .estimatedDuration(Duration.ofSeconds(5))
            .resourceUsage(ResourceUsage.LOW)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "url": {"type": "string", "title": "URL", "description": "An http or https URL on a public address, or on a host the operator allowed (almanac.http.allowed-hosts); its path and query are sent exactly as written, percent-escapes included. Everyone who may read the job sees it: put tokens and API keys in secret_headers, not in the query", "maxLength": 2000},
                        "method": {"type": "string", "title": "Method", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE"], "default": "POST"},
                        "headers": {"type": "object", "title": "Headers", "description": "Header names and values; values may use variables", "maxProperties": 30, "additionalProperties": {"type": "string", "maxLength": 4000}, "default": {}},
                        "secret_headers": {"type": "object", "title": "Secret headers", "description": "Headers whose values are secrets (tokens, API keys): stored encrypted and never shown", "maxProperties": 10, "additionalProperties": {"type": "string", "maxLength": 4000}, "x-secret": true, "default": {}},
                        "body": {"type": ["string", "object", "array"], "title": "Body", "description": "Text, or JSON; variables {{job.name}} {{job.id}} {{execution.id}} {{now}} {{date}} and your own are filled in"},
                        "content_type": {"type": "string", "title": "Content type", "default": "application/json", "maxLength": 200},
                        "variables": {"type": "object", "title": "Variables", "description": "Your own values for {{name}} placeholders", "maxProperties": 50, "additionalProperties": {"type": ["string", "number", "boolean"]}, "default": {}},
                        "timeout_seconds": {"type": "integer", "title": "Timeout", "description": "Seconds one attempt may take", "minimum": 1, "maximum": 300, "default": 30},
                        "expected_status": {"type": "array", "title": "Expected status codes", "description": "Status codes that count as success; any 2xx when empty", "items": {"type": "integer", "minimum": 100, "maximum": 599}, "maxItems": 20, "default": []},
                        "max_retries": {"type": "integer", "title": "Retries", "description": "Further attempts after a network error, a 5xx or a 429", "minimum": 0, "maximum": 10, "default": 3},
                        "retry_backoff_seconds": {"type": "number", "title": "Backoff", "description": "Wait before the first retry; doubles each time, with jitter", "minimum": 0, "maximum": 300, "default": 1},
                        "signing_secret": {"type": "string", "title": "Signing secret", "description": "When set, the body's HMAC-SHA256 is sent as sha256=<hex> in the signature header", "minLength": 16, "maxLength": 500, "x-secret": true},
                        "signature_header": {"type": "string", "title": "Signature header", "default": "X-Almanac-Signature", "pattern": "^[A-Za-z0-9-]{1,100}$"},
                        "max_response_bytes": {"type": "integer", "title": "Response bytes kept", "minimum": 0, "maximum": 1048576, "default": 65536},
                        "follow_redirects": {"type": "boolean", "title": "Follow redirects", "description": "Follow up to 5 redirects, each checked by the SSRF guard", "default": false}
                      },
                      "required": ["url"],
                      "additionalProperties": false
                    }
                    """)
            .exampleParameters("""
                    {"url": "https://hooks.example.com/almanac", "method": "POST",
                     "headers": {"X-Source": "almanac"},
                     "body": {"job": "{{job.name}}", "execution": "{{execution.id}}", "at": "{{now}}"},
                     "timeout_seconds": 10, "max_retries": 3}
                    """)
            .build();

    @Override
    public TemplateDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public String version() {
        return "2";
    }

    @Override
    public List<TemplateChange> changes() {
        return List.of(
                new TemplateChange(
                        "1",
                        "Calls an HTTP endpoint behind the SSRF guard, with retries on network errors, 5xx and 429, and optional HMAC signing."),
                new TemplateChange(
                        "2",
                        "Result details: attempts is the number of attempts (an int, as declared; it was the list of"
                                + " their outcomes, now attempt_outcomes), and url, declared before, is reported."));
    }

    @Override
    public Map<String, String> resultDetails() {
        return Map.of(
                "status_code", "int",
                "response_excerpt", "string",
                "response_truncated", "bool",
                "content_type", "string",
                "attempts", "int",
                "attempt_outcomes", "list",
                "url", "string");
    }

    @Override
    public List<ParameterError> validate(Map<String, Object> parameters, TemplateEnvironment environment) {
        Params params = new Params(parameters);
        List<ParameterError> errors = new ArrayList<>();
        environment.urlRefusal(params.string("url")).ifPresent(why -> errors.add(new ParameterError("url", why)));
        checkHeaders("headers", params.map("headers"), errors);
        checkRenderedHeaders(params.map("headers"), params.map("variables"), errors);
        checkHeaders("secret_headers", params.map("secret_headers"), errors);
        if (params.has("signature_header") && reserved(params.string("signature_header"))) {
            // the client would drop it, and the signature with it
            errors.add(new ParameterError(
                    "signature_header", "is set by Almanac and cannot carry the signature; choose another name"));
        }
        if (params.has("body") && params.string("method", "POST").equals("GET")) {
            errors.add(new ParameterError("body", "a GET request has no body"));
        }
        if (params.string("content_type", "").matches(".*[\\r\\n].*")) {
            errors.add(new ParameterError("content_type", "must be one line"));
        }
        return errors;
    }

    private static void checkHeaders(String field, Map<String, Object> headers, List<ParameterError> errors) {
        headers.forEach((name, value) -> {
            if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}")) {
                errors.add(new ParameterError(field + "." + name, "is not a valid header name"));
            } else if (reserved(name)) {
                errors.add(new ParameterError(field + "." + name, "is set by Almanac and cannot be given"));
            } else if (String.valueOf(value).matches("(?s).*[\\r\\n\\x00].*")) {
                errors.add(new ParameterError(field + "." + name, "must be one line"));
            } else if (!String.valueOf(value).matches("[\\x20-\\x7E\\t]*")) {
                // HTTP/1.1 header values are ASCII (RFC 9110, 5.5); the client refuses anything else on every run
                errors.add(new ParameterError(
                        field + "." + name, "may hold only visible ASCII characters, spaces and tabs"));
            }
        });
    }

    /** The placeholders {@link Variables} fills in. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z][A-Za-z0-9_.]{0,63})\\s*\\}\\}");

    private static final Set<String> BUILT_IN_VARIABLES = Set.of("job.name", "job.id", "execution.id", "now", "date");

    /** What an HTTP/1.1 header value may hold (RFC 9110, 5.5): the client refuses anything else. */
    private static boolean sendable(String value) {
        return value.matches("[\\x20-\\x7E\\t]*");
    }

    /**
     * A header value that is fine as written may not be once the job's own variables are filled in: those are known
     * on save (the built-in ones, such as the job's name, only when it runs, where the rendered value is checked too).
     */
    private static void checkRenderedHeaders(
            Map<String, Object> headers, Map<String, Object> variables, List<ParameterError> errors) {
        headers.forEach((name, value) -> {
            Matcher placeholder = PLACEHOLDER.matcher(String.valueOf(value));
            while (placeholder.find()) {
                String variable = placeholder.group(1);
                if (!BUILT_IN_VARIABLES.contains(variable)
                        && variables.containsKey(variable)
                        && !sendable(String.valueOf(variables.get(variable)).replaceAll("[\\r\\n]+", " "))) {
                    errors.add(new ParameterError(
                            "headers." + name,
                            "with variable '" + variable + "' filled in, holds characters a header may not: only"
                                    + " visible ASCII characters, spaces and tabs"));
                    return;
                }
            }
        });
    }

    /** A header whose value, with its variables filled in, cannot be sent: the run fails before any call. */
    static final class UnsendableHeader extends Exception {
        UnsendableHeader(String name) {
            super("header '" + name + "', with its variables filled in, holds characters a header may not (only"
                    + " visible ASCII characters, spaces and tabs); nothing was sent");
        }
    }

    /** Headers the HTTP client sets itself (and drops when given): a header of this name would not be sent. */
    private static final Set<String> RESERVED =
            Set.of("host", "content-length", "connection", "transfer-encoding", "upgrade", "expect");

    private static boolean reserved(String name) {
        return RESERVED.contains(name.toLowerCase(Locale.ROOT));
    }

    private record Call(OutboundHttp.Request request, String bodyText) {}

    private static Call call(JobContext context)
            throws NoSuchAlgorithmException, InvalidKeyException, UnsendableHeader {
        Params params = new Params(context.parameters());
        Variables variables = Variables.of(context, params.map("variables"));
        String method = params.string("method", "POST");
        String body = null;
        Object raw = params.raw("body");
        if (raw instanceof String text) {
            body = variables.render(text);
        } else if (raw != null) {
            body = JSON.writeValueAsString(renderJson(raw, variables));
        }
        // header names are case-insensitive: one given twice (headers, secret_headers, the signature) is sent once,
        // the later one winning, and a Content-Type of the user's replaces the default
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Set<String> credentials = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, Object> header : params.map("headers").entrySet()) {
            String value = variables.renderLine(String.valueOf(header.getValue()));
            if (!sendable(value)) {
                throw new UnsendableHeader(header.getKey());
            }
            put(headers, header.getKey(), value);
        }
        params.map("secret_headers").forEach((name, value) -> {
            put(headers, name, String.valueOf(value));
            credentials.add(name);
        });
        if (body != null && !headers.containsKey("Content-Type")) {
            headers.put("Content-Type", params.string("content_type", "application/json"));
        }
        if (params.has("signing_secret")) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(params.string("signing_secret").getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] signature = mac.doFinal((body == null ? "" : body).getBytes(StandardCharsets.UTF_8));
            String signatureHeader = params.string("signature_header", "X-Almanac-Signature");
            put(headers, signatureHeader, "sha256=" + HexFormat.of().formatHex(signature));
            credentials.add(signatureHeader);
        }
        return new Call(
                new OutboundHttp.Request(
                        method,
                        URI.create(params.string("url")),
                        headers,
                        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                        Duration.ofSeconds(params.integer("timeout_seconds", 30)),
                        params.integer("max_response_bytes", 65536),
                        params.bool("follow_redirects", false),
                        credentials),
                body);
    }

    /** Sets a header, replacing one of the same name in any case, under the name as given now. */
    private static void put(Map<String, String> headers, String name, String value) {
        headers.remove(name);
        headers.put(name, value);
    }

    @SuppressWarnings("unchecked")
    private static Object renderJson(Object value, Variables variables) {
        if (value instanceof String text) {
            return variables.render(text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((key, item) -> out.put(key, renderJson(item, variables)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(item -> renderJson(item, variables)).toList();
        }
        return value;
    }

    @Override
    public JobResult dryRun(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        Call call;
        try {
            call = call(context);
        } catch (UnsendableHeader unsendable) {
            return unsent(JobResult.builder(JobResult.Status.FAILED), params)
                    .message("Dry run: a real run would fail: " + unsendable.getMessage())
                    .detail("changes_nothing", true)
                    .build();
        }
        Preflight preflight = Preflight.of(context)
                .url(call.request().uri(), redacted(call.request().uri()));
        if (preflight.failed()) {
            return preflight.failure();
        }
        return preflight
                .addTo(JobResult.builder(JobResult.Status.SUCCEEDED))
                .message("Dry run: would " + call.request().method() + " "
                        + redacted(call.request().uri()) + " with "
                        + (call.bodyText() == null ? "no body" : call.bodyText().length() + " characters of body")
                        + "; nothing sent")
                .detail("changes_nothing", true)
                .detail("method", call.request().method())
                .detail("url", redacted(call.request().uri()))
                .detail(
                        "headers",
                        call.request().headers().keySet().stream().sorted().toList())
                .detail("body_excerpt", excerpt(call.bodyText()))
                .detail("max_attempts", 1 + params.integer("max_retries", 3))
                .build();
    }

    @Override
    public JobResult execute(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        Call call;
        try {
            call = call(context);
        } catch (UnsendableHeader unsendable) {
            context.log().error("{}", unsendable.getMessage());
            return unsent(JobResult.builder(JobResult.Status.FAILED), params)
                    .message(unsendable.getMessage())
                    .build();
        }
        int maxRetries = params.integer("max_retries", 3);
        double backoff = params.raw("retry_backoff_seconds") instanceof Number n ? n.doubleValue() : 1;
        List<Object> expected = params.list("expected_status");
        String target = call.request().method() + " " + redacted(call.request().uri());
        List<String> attempts = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            context.checkCancelled();
            Duration wait = null;
            String failure;
            try {
                context.log().info("attempt {}: {}", attempt, target);
                OutboundHttp.Response response = context.http().send(call.request());
                String excerpt = excerpt(new String(response.body(), StandardCharsets.UTF_8));
                boolean ok = expected.isEmpty()
                        ? response.status() >= 200 && response.status() < 300
                        : expected.stream().anyMatch(code -> ((Number) code).intValue() == response.status());
                attempts.add("HTTP " + response.status());
                context.log().info("attempt {}: HTTP {}", attempt, response.status());
                if (ok) {
                    return result(
                            JobResult.Status.SUCCEEDED,
                            "HTTP " + response.status() + " from " + target,
                            response,
                            excerpt,
                            attempts,
                            call);
                }
                boolean retryable = response.status() >= 500 || response.status() == 429;
                if (!retryable || attempt > maxRetries) {
                    return result(
                            JobResult.Status.FAILED,
                            "unexpected HTTP " + response.status() + " from " + target + " after " + attempt
                                    + " attempt" + (attempt == 1 ? "" : "s"),
                            response,
                            excerpt,
                            attempts,
                            call);
                }
                wait = retryAfter(
                        response.header("retry-after"), context.clock().instant());
                failure = "HTTP " + response.status();
            } catch (OutboundHttp.RefusedException refused) {
                // the attempt the log has announced, ended by the guard before a byte was sent: counted with its
                // outcome
                attempts.add("refused by the SSRF guard: " + refused.getMessage());
                context.log().error("attempt {} refused by the SSRF guard: {}", attempt, refused.getMessage());
                return attempted(JobResult.builder(JobResult.Status.FAILED), call, attempts)
                        .message("refused: " + refused.getMessage())
                        .build();
            } catch (IOException network) {
                attempts.add(network.getClass().getSimpleName() + ": " + network.getMessage());
                context.log().warn("attempt {} failed: {}", attempt, network.getMessage());
                if (attempt > maxRetries) {
                    return attempted(JobResult.builder(JobResult.Status.FAILED), call, attempts)
                            .message("no answer from " + target + " after " + attempt + " attempt"
                                    + (attempt == 1 ? "" : "s") + ": " + network.getMessage())
                            .build();
                }
                failure = network.getMessage();
            }
            if (wait == null) {
                double seconds = backoff * Math.pow(2, attempt - 1);
                seconds *= 1 + ThreadLocalRandom.current().nextDouble(0.2);
                wait = Duration.ofMillis((long) (seconds * 1000));
            }
            if (wait.compareTo(MAX_BACKOFF) > 0) {
                wait = MAX_BACKOFF;
            }
            context.log().info("retrying in {} ms after {}", wait.toMillis(), failure);
            sleep(context, wait);
        }
    }

    private static JobResult result(
            JobResult.Status status,
            String message,
            OutboundHttp.Response response,
            String excerpt,
            List<String> attempts,
            Call call) {
        return attempted(JobResult.builder(status), call, attempts)
                .message(message)
                .recordsProcessed(attempts.size())
                .recordsAffected(status == JobResult.Status.SUCCEEDED ? 1 : 0)
                .detail("status_code", response.status())
                .detail("response_excerpt", excerpt)
                .detail("response_truncated", response.truncated())
                .detail("content_type", response.header("content-type"))
                .build();
    }

    /** The details every end of a run reports, as {@link #resultDetails()} declares them. */
    private static JobResult.Builder attempted(JobResult.Builder result, Call call, List<String> attempts) {
        return result.detail("url", redacted(call.request().uri()))
                .detail("attempts", attempts.size())
                .detail("attempt_outcomes", List.copyOf(attempts));
    }

    /** The details of a run that made no call, as {@link #resultDetails()} declares them. */
    private static JobResult.Builder unsent(JobResult.Builder result, Params params) {
        return result.detail("url", redacted(URI.create(params.string("url"))))
                .detail("attempts", 0)
                .detail("attempt_outcomes", List.of());
    }

    /** Seconds or an HTTP date; {@code null} when absent or unreadable. */
    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration wait = Duration.between(now, at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    private static void sleep(JobContext context, Duration wait) throws InterruptedException {
        long until = System.nanoTime() + wait.toNanos();
        context.deadline().ifPresent(deadline -> {
            if (context.clock().instant().plus(wait).isAfter(deadline)) {
                throw new JobCancelledException(
                        JobCancelledException.Reason.DEADLINE_PASSED,
                        "the next retry would start after the run's deadline " + deadline);
            }
        });
        while (System.nanoTime() < until) {
            context.checkCancelled();
            Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    /** The URL without its query, which may carry tokens. */
    static String redacted(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?…");
    }

    private static String excerpt(String text) {
        if (text == null) {
            return null;
        }
        return text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "…";
    }
}
