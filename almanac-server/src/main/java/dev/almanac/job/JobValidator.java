package dev.almanac.job;

import dev.almanac.common.FieldError;
import dev.almanac.common.InvalidInputException;
import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.job.JobRequest.RetryPolicyJson;
import dev.almanac.outbound.AddressGuard;
import dev.almanac.outbound.GuardedHttpClient;
import dev.almanac.schedule.Schedule;
import dev.almanac.schedule.ScheduleType;
import dev.almanac.schedule.Schedules;
import dev.almanac.security.NamespaceAccess;
import dev.almanac.template.TemplateRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/** Turns a client's {@link JobRequest} into a {@link JobDefinition}, or names every field that is wrong. */
@Component
class JobValidator {

    static final int DEFAULT_PRIORITY = 5;
    static final int MAX_PRIORITY = 9;
    static final int DEFAULT_TIMEOUT_SECONDS = 3600;
    static final int MAX_TIMEOUT_SECONDS = 604_800;
    static final int DEFAULT_CATCH_UP_WINDOW_SECONDS = 3600;
    static final int MAX_CATCH_UP_WINDOW_SECONDS = 2_592_000;
    static final int MAX_LIST_SIZE = 20;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9 _.\\-]{0,98}[A-Za-z0-9_.\\-])?");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:\\-]{0,63}");
    private static final Pattern EMAIL =
            Pattern.compile("[^@\\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.\\-]*[A-Za-z0-9])?\\.[A-Za-z]{2,}");

    private final TemplateRegistry templates;
    private final AddressGuard guard;
    private final NamespaceAccess namespaces;

    JobValidator(TemplateRegistry templates, GuardedHttpClient http, NamespaceAccess namespaces) {
        this.templates = templates;
        this.guard = http.guard();
        this.namespaces = namespaces;
    }

    /** Where the job being validated stands: what exists already, and what changed. */
    interface Context {
        /** The ids among {@code ids} that name no stored job. */
        Set<JobId> missing(Set<JobId> ids);

        /** Whether {@code upstream} already depends, directly or not, on the job being validated. */
        boolean dependsOnThisJob(JobId upstream);

        /** The job being updated, or empty when a job is being created. */
        Optional<JobId> self();

        /** Whether the schedule is new or changed, so a one-time run_at must still lie ahead. */
        boolean scheduleIsNew(Schedule schedule);
    }

    JobDefinition validate(JobRequest request, Instant now, Context context) {
        List<FieldError> errors = new ArrayList<>();

        String name = trimmed(request.name());
        if (name == null) {
            errors.add(new FieldError("name", "is required"));
        } else if (name.length() > 100) {
            errors.add(new FieldError("name", "must be at most 100 characters"));
        } else if (!NAME.matcher(name).matches()) {
            errors.add(
                    new FieldError(
                            "name",
                            "must start and end with a letter or digit and use only letters, digits, spaces, '_', '-' and '.'"));
        }

        String description = trimmed(request.description());
        if (description != null && description.length() > 2000) {
            errors.add(new FieldError("description", "must be at most 2000 characters"));
        }

        String templateType = trimmed(request.templateType());
        Map<String, Object> parameters = request.parameters() == null ? Map.of() : request.parameters();
        if (templateType == null) {
            errors.add(new FieldError("template_type", "is required"));
        } else if (templates.find(templateType).isEmpty()) {
            errors.add(new FieldError(
                    "template_type", "unknown template '" + templateType + "'; known: " + knownTemplates()));
        } else {
            templates.validateParameters(templateType, parameters).stream()
                    .map(e -> e.prefixed("parameters"))
                    .forEach(errors::add);
        }

        Schedule schedule = null;
        if (request.schedule() == null) {
            errors.add(new FieldError("schedule", "is required"));
        } else {
            try {
                schedule = Schedules.parse(request.schedule());
                if (schedule.type() == ScheduleType.ONCE
                        && context.scheduleIsNew(schedule)
                        && schedule.nextAfter(now).isEmpty()) {
                    errors.add(new FieldError("schedule.run_at", "is in the past"));
                }
            } catch (InvalidInputException invalid) {
                invalid.errors().stream().map(e -> e.prefixed("schedule")).forEach(errors::add);
            }
        }

        int priority = bounded(errors, "priority", request.priority(), DEFAULT_PRIORITY, 0, MAX_PRIORITY);
        int timeout = bounded(
                errors, "timeout_seconds", request.timeoutSeconds(), DEFAULT_TIMEOUT_SECONDS, 1, MAX_TIMEOUT_SECONDS);
        RetryPolicy retryPolicy = retryPolicy(errors, request.retryPolicy());
        ConcurrencyPolicy concurrency = choice(
                errors,
                "concurrency_policy",
                request.concurrencyPolicy(),
                ConcurrencyPolicy.FORBID,
                ConcurrencyPolicy::fromJson,
                ConcurrencyPolicy.values(),
                ConcurrencyPolicy::json);
        MisfirePolicy misfire = choice(
                errors,
                "misfire_policy",
                request.misfirePolicy(),
                MisfirePolicy.RUN_ONCE,
                MisfirePolicy::fromJson,
                MisfirePolicy.values(),
                MisfirePolicy::json);
        int catchUpWindow = bounded(
                errors,
                "catch_up_window_seconds",
                request.catchUpWindowSeconds(),
                DEFAULT_CATCH_UP_WINDOW_SECONDS,
                0,
                MAX_CATCH_UP_WINDOW_SECONDS);
        List<JobId> dependsOn = dependencies(errors, request.dependsOn(), context);
        Notifications notifications = notifications(errors, request.notifications());
        List<String> tags = tags(errors, request.tags());
        String namespace = trimmed(request.namespace());
        if (namespace == null) {
            namespace = JobDefinition.DEFAULT_NAMESPACE;
        } else if (!namespaces.exists(namespace)) {
            errors.add(new FieldError("namespace", "no namespace named '" + namespace + "'"));
        }

        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
        return new JobDefinition(
                name,
                description,
                templateType,
                parameters,
                schedule,
                request.enabled() == null || request.enabled(),
                priority,
                timeout,
                retryPolicy,
                concurrency,
                misfire,
                catchUpWindow,
                dependsOn,
                notifications,
                tags,
                namespace);
    }

    private String knownTemplates() {
        return templates.all().stream().map(t -> t.descriptor().type()).collect(Collectors.joining(", "));
    }

    private static RetryPolicy retryPolicy(List<FieldError> errors, RetryPolicyJson json) {
        RetryPolicy defaults = RetryPolicy.none();
        if (json == null) {
            return defaults;
        }
        int maxRetries = bounded(
                errors,
                "retry_policy.max_retries",
                json.maxRetries(),
                defaults.maxRetries(),
                0,
                RetryPolicy.MAX_RETRIES);
        int delay = bounded(
                errors,
                "retry_policy.retry_delay_seconds",
                json.retryDelaySeconds(),
                defaults.retryDelaySeconds(),
                1,
                RetryPolicy.MAX_DELAY_SECONDS);
        double multiplier = json.backoffMultiplier() == null ? defaults.backoffMultiplier() : json.backoffMultiplier();
        if (!(multiplier >= 1.0 && multiplier <= RetryPolicy.MAX_MULTIPLIER)) {
            errors.add(new FieldError("retry_policy.backoff_multiplier", "must be between 1 and 10"));
        }
        return new RetryPolicy(maxRetries, delay, multiplier);
    }

    private static List<JobId> dependencies(List<FieldError> errors, List<String> ids, Context context) {
        if (ids == null || ids.isEmpty()) {
            return List.of();
        }
        if (ids.size() > MAX_LIST_SIZE) {
            errors.add(new FieldError("depends_on", "must list at most " + MAX_LIST_SIZE + " jobs"));
            return List.of();
        }
        Set<JobId> parsed = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            String field = "depends_on[" + i + "]";
            Optional<JobId> id = JobId.parse(ids.get(i));
            if (id.isEmpty()) {
                errors.add(new FieldError(field, "must be a job id"));
            } else if (context.self().equals(id)) {
                errors.add(new FieldError(field, "a job cannot depend on itself"));
            } else if (!parsed.add(id.get())) {
                errors.add(new FieldError(field, "is listed twice"));
            }
        }
        Set<JobId> missing = parsed.isEmpty() ? Set.of() : context.missing(parsed);
        for (int i = 0; i < ids.size(); i++) {
            Optional<JobId> id = JobId.parse(ids.get(i));
            if (id.isEmpty()) {
                continue;
            }
            if (missing.contains(id.get())) {
                errors.add(new FieldError("depends_on[" + i + "]", "no job with id " + id.get()));
            } else if (context.self().isPresent() && parsed.contains(id.get()) && context.dependsOnThisJob(id.get())) {
                errors.add(new FieldError(
                        "depends_on[" + i + "]", "would create a cycle: that job already depends on this one"));
            }
        }
        return List.copyOf(parsed);
    }

    private Notifications notifications(List<FieldError> errors, NotificationsJson json) {
        if (json == null) {
            return Notifications.none();
        }
        List<String> onFailure = recipients(errors, "notifications.on_failure", json.onFailure());
        Duration alert = alertWindow(errors, json.alertIfNoSuccessWithin());
        if (alert != null && onFailure.isEmpty()) {
            errors.add(new FieldError(
                    "notifications.alert_if_no_success_within",
                    "needs at least one on_failure recipient: they are the ones the alert tells"));
        }
        return new Notifications(
                recipients(errors, "notifications.on_success", json.onSuccess()),
                onFailure,
                recipients(errors, "notifications.on_retry", json.onRetry()),
                alert,
                bounded(errors, "notifications.auto_pause_after_failures", json.autoPauseAfterFailures(), 0, 0, 1000));
    }

    private static Duration alertWindow(List<FieldError> errors, String text) {
        String trimmed = trimmed(text);
        if (trimmed == null) {
            return null;
        }
        String field = "notifications.alert_if_no_success_within";
        try {
            Duration window = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
            if (window.compareTo(Duration.ofMinutes(1)) < 0 || window.compareTo(Duration.ofDays(365)) > 0) {
                errors.add(new FieldError(field, "must be from 1 minute (PT1M) to 365 days (P365D)"));
                return null;
            }
            return window;
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(field, "must be an ISO-8601 duration such as PT30M, PT26H or P7D"));
            return null;
        }
    }

    private List<String> recipients(List<FieldError> errors, String field, List<String> recipients) {
        if (recipients == null) {
            return List.of();
        }
        if (recipients.size() > MAX_LIST_SIZE) {
            errors.add(new FieldError(field, "must list at most " + MAX_LIST_SIZE + " recipients"));
            return List.of();
        }
        List<String> valid = new ArrayList<>();
        for (int i = 0; i < recipients.size(); i++) {
            String recipient = trimmed(recipients.get(i));
            String item = field + "[" + i + "]";
            if (recipient == null) {
                errors.add(new FieldError(item, "must not be empty"));
            } else if (recipient.startsWith(Notifications.SLACK_PREFIX)) {
                String url = recipient.substring(Notifications.SLACK_PREFIX.length());
                if (!isWebhookUrl(url)) {
                    errors.add(new FieldError(item, "must be slack: followed by an http(s) webhook URL"));
                } else {
                    refusal(url).ifPresent(why -> errors.add(new FieldError(item, why)));
                }
            } else if (recipient.startsWith("http://") || recipient.startsWith("https://")) {
                if (!isWebhookUrl(recipient)) {
                    errors.add(new FieldError(item, "is not a valid http(s) URL"));
                } else {
                    refusal(recipient).ifPresent(why -> errors.add(new FieldError(item, why)));
                }
            } else if (recipient.length() > 254 || !EMAIL.matcher(recipient).matches()) {
                errors.add(new FieldError(
                        item, "must be an e-mail address, an http(s) webhook URL or slack: and a webhook URL"));
            }
            valid.add(recipient);
        }
        return valid;
    }

    /** The SSRF guard's refusal, on save as well as when the notification is sent. */
    private Optional<String> refusal(String url) {
        return Optional.ofNullable(guard.refusalOnSave(url))
                .map(why -> why + " (allow the host with ALMANAC_HTTP_ALLOWED_HOSTS if it is meant)");
    }

    private static boolean isWebhookUrl(String text) {
        if (text.length() > 2000 || !(text.startsWith("http://") || text.startsWith("https://"))) {
            return false;
        }
        try {
            URI uri = new URI(text);
            return uri.getHost() != null && uri.getUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static List<String> tags(List<FieldError> errors, List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        if (tags.size() > MAX_LIST_SIZE) {
            errors.add(new FieldError("tags", "must list at most " + MAX_LIST_SIZE + " tags"));
            return List.of();
        }
        Set<String> valid = new LinkedHashSet<>();
        for (int i = 0; i < tags.size(); i++) {
            String tag = trimmed(tags.get(i));
            if (tag == null || !TAG.matcher(tag).matches()) {
                errors.add(new FieldError(
                        "tags[" + i + "]",
                        "must be 1-64 letters, digits, '_', '.', ':' or '-', starting with a letter or digit"));
            } else {
                valid.add(tag.toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(valid);
    }

    private static int bounded(List<FieldError> errors, String field, Integer value, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            errors.add(new FieldError(field, "must be between " + min + " and " + max));
            return fallback;
        }
        return value;
    }

    private static <E> E choice(
            List<FieldError> errors,
            String field,
            String value,
            E fallback,
            Function<String, Optional<E>> parse,
            E[] values,
            Function<E, String> json) {
        if (value == null) {
            return fallback;
        }
        Optional<E> parsed = parse.apply(value);
        if (parsed.isEmpty()) {
            String allowed = java.util.Arrays.stream(values).map(json).collect(Collectors.joining(", "));
            errors.add(new FieldError(field, "must be one of: " + allowed));
            return fallback;
        }
        return parsed.get();
    }

    private static String trimmed(String text) {
        if (text == null) {
            return null;
        }
        String trimmed = text.strip();
        return trimmed.isEmpty() ? null : trimmed;
    }
}
