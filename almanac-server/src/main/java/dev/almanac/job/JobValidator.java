package dev.almanac.job;

import dev.almanac.calendar.CalendarRefs;
import dev.almanac.calendar.Calendars;
import dev.almanac.common.Durations;
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
import dev.almanac.security.SecretParameters;
import dev.almanac.template.TemplateRegistry;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
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

    static final Duration MIN_TRIGGER_WINDOW = Duration.ofMinutes(1);
    static final Duration MAX_TRIGGER_WINDOW = Duration.ofDays(30);
    static final Duration MAX_EXPECTED_DURATION = Duration.ofDays(7);
    static final int MAX_KEEP_RUNS = 10_000_000;
    static final int MAX_KEEP_DAYS = 36_500;

    private final TemplateRegistry templates;
    private final AddressGuard guard;
    private final TriggerConditions conditions;
    private final SecretParameters secrets;
    private final Calendars calendars;
    private final NamespaceAccess namespaces;

    /**
     * How deep a job's parameters may nest, the parameters object itself the first level. An export puts them three
     * levels under its root (the file, its list of jobs, the job) and an import reads at most {@code
     * almanac.api.max-json-depth} levels (32 by default): a job saved can always be exported and imported back.
     */
    static final int MAX_PARAMETER_DEPTH = 24;

    /**
     * How large a job's parameters may be, as JSON: a quarter of {@code almanac.api.max-body-bytes}' default (1 MiB),
     * so that a job saved through the wizard, whose forms are bounded by the servlet container alone, can always be
     * read back through the API and imported from an export, alone or with other jobs.
     */
    static final int MAX_PARAMETER_BYTES = 262_144;

    JobValidator(
            TemplateRegistry templates,
            GuardedHttpClient http,
            TriggerConditions conditions,
            SecretParameters secrets,
            Calendars calendars,
            NamespaceAccess namespaces) {
        this.namespaces = namespaces;
        this.templates = templates;
        this.guard = http.guard();
        this.conditions = conditions;
        this.secrets = secrets;
        this.calendars = calendars;
    }

    /** A stored job another one names as its upstream. */
    record Upstream(JobId id, String name, String templateType) {}

    /** Where the job being validated stands: what exists already, and what changed. */
    interface Context {
        /**
         * The cycle that making {@code upstream} an upstream of the job being validated would close, as job names in
         * the order runs would flow ({@code a → b → a}); empty when there is none.
         */
        Optional<List<String>> cycleThrough(JobId upstream);

        /** A stored job by its id or its name. */
        Optional<Upstream> upstream(String idOrName);

        /** The job being updated, or empty when a job is being created. */
        Optional<JobId> self();

        /** The namespace the stored job leaves when this definition moves it to another; empty otherwise. */
        default Optional<String> movedFrom() {
            return Optional.empty();
        }

        /**
         * Whether a one-time run_at must still lie ahead: when the schedule is new or changed, unless the save keeps a
         * past one ({@link JobService.PastRunAt#SAVED_WITHOUT_NEXT_RUN}).
         */
        boolean refusesPastRunAt(Schedule schedule);

        /**
         * How deep the stored job's parameters nest; 0 when a job is being created. A job stored deeper than
         * {@link #MAX_PARAMETER_DEPTH} before that limit may be saved as deep again (disabled, renamed), not deeper.
         */
        int storedParameterDepth();

        /**
         * How large the stored job's parameters are as JSON ({@link #jsonSizeOf}); 0 when a job is being created. A
         * job stored larger than {@link #MAX_PARAMETER_BYTES} before that limit may be saved as large again (disabled,
         * renamed, rolled back), not larger.
         */
        long storedParameterBytes();

        /**
         * The entries of a request's {@code depends_on} and triggers that keep a stored upstream the user may not see
         * ({@link HiddenUpstreams}); none when a job is being created.
         */
        HiddenUpstreams.Kept hiddenKept(List<String> dependsOn, List<JobRequest.TriggerJson> triggers);

        /**
         * The stored job's parameters (secrets sealed) when it is of {@code templateType}; empty when a job is being
         * created or its template changes (a field of another template may use the same text otherwise).
         */
        Map<String, Object> storedParameters(String templateType);
    }

    /**
     * The request as a definition, or {@link InvalidInputException} naming every field in error. Its URLs' host names
     * are looked up within one second in all ({@link AddressGuard#withinOneLookupBudget}): a save validates inside its
     * transaction.
     */
    JobDefinition validate(JobRequest request, Instant now, Context context) {
        return AddressGuard.withinOneLookupBudget(() -> validateWithinBudget(request, now, context));
    }

    private JobDefinition validateWithinBudget(JobRequest request, Instant now, Context context) {
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
        // the namespace first: the targets and internal hosts its jobs may use depend on it
        String namespace = trimmed(request.namespace());
        if (namespace == null) {
            namespace = JobDefinition.DEFAULT_NAMESPACE;
        } else if (!namespaces.exists(namespace)) {
            errors.add(new FieldError("namespace", "no namespace named '" + namespace + "'"));
        }
        if (templateType == null) {
            errors.add(new FieldError("template_type", "is required"));
        } else if (templates.find(templateType).isEmpty()) {
            errors.add(new FieldError(
                    "template_type", "unknown template '" + templateType + "'; known: " + knownTemplates()));
        } else if (depthOf(parameters) > Math.max(MAX_PARAMETER_DEPTH, context.storedParameterDepth())) {
            errors.add(new FieldError("parameters", "are nested more than " + MAX_PARAMETER_DEPTH + " levels deep"));
        } else if (jsonSizeOf(parameters) > Math.max(MAX_PARAMETER_BYTES, context.storedParameterBytes())) {
            errors.add(new FieldError(
                    "parameters",
                    "are " + jsonSizeOf(parameters) + " bytes as JSON, more than the " + MAX_PARAMETER_BYTES
                            + " a job may carry: keep large content (a body, a query) in a file or a target"));
        } else {
            templates.validateParameters(templateType, parameters, namespace).stream()
                    .map(e -> e.prefixed("parameters"))
                    .forEach(errors::add);
        }

        Schedule schedule = null;
        if (request.schedule() == null) {
            errors.add(new FieldError("schedule", "is required"));
        } else {
            try {
                schedule = Schedules.parse(request.schedule(), name);
                if (schedule.type() == ScheduleType.ONCE
                        && context.refusesPastRunAt(schedule)
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
        HiddenUpstreams.Kept kept = context.hiddenKept(request.dependsOn(), request.triggers());
        List<JobId> dependsOn = dependencies(errors, request.dependsOn(), kept, context);
        Notifications notifications = notifications(errors, request.notifications(), namespace);
        List<String> tags = tags(errors, request.tags());
        List<Trigger> triggers = triggers(errors, request.triggers(), kept, context);
        Trigger.Mode triggerMode = choice(
                errors,
                "trigger_mode",
                request.triggerMode(),
                Trigger.Mode.ANY,
                Trigger.Mode::fromJson,
                Trigger.Mode.values(),
                Trigger.Mode::json);
        if (triggerMode == Trigger.Mode.ALL
                && (request.triggers() == null || request.triggers().isEmpty())) {
            errors.add(new FieldError("trigger_mode", "all needs triggers: the jobs this one waits for"));
        }
        Duration triggerWindow = null;
        if (triggerMode == Trigger.Mode.ALL) {
            triggerWindow = triggerWindow(errors, request.triggerWindow());
        } else if (trimmed(request.triggerWindow()) != null
                && (request.triggerMode() == null
                        || Trigger.Mode.fromJson(request.triggerMode()).isPresent())) {
            // stored, it would be dropped without a word: with "any" each matching run starts one at once
            errors.add(new FieldError(
                    "trigger_window",
                    "is only for trigger_mode all (a fan-in, which waits for every trigger within the window);"
                            + " with trigger_mode any each matching upstream run starts a run at once"));
        }
        cycles(errors, dependsOn, triggers, context);
        if (templateType != null) {
            upstreamResults(errors, templateType, parameters, dependsOn, triggers, kept, context);
        }
        CalendarRefs calendarRefs = calendarRefs(errors, request.calendars(), namespace, context.movedFrom());
        Duration expectedDuration = expectedDuration(errors, request.expectedDuration());
        Retention retention = retention(errors, request.retention());

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
                triggers,
                triggerMode,
                triggerWindow,
                calendarRefs,
                namespace,
                expectedDuration,
                retention);
    }

    private static Duration expectedDuration(List<FieldError> errors, String text) {
        String trimmed = trimmed(text);
        if (trimmed == null) {
            return null;
        }
        Optional<Duration> duration = Durations.parse(trimmed, ChronoUnit.SECONDS);
        if (duration.isEmpty()) {
            errors.add(new FieldError("expected_duration", "must be a duration " + Durations.ACCEPTED));
            return null;
        }
        if (duration.get().compareTo(Duration.ofSeconds(1)) < 0
                || duration.get().compareTo(MAX_EXPECTED_DURATION) > 0) {
            errors.add(new FieldError("expected_duration", "must be from 1 second (PT1S) to 7 days (P7D)"));
            return null;
        }
        return duration.get();
    }

    private static Retention retention(List<FieldError> errors, JobRequest.RetentionJson json) {
        if (json == null) {
            return Retention.DEFAULT;
        }
        Integer keepRuns = json.keepRuns() == null
                ? null
                : bounded(errors, "retention.keep_runs", json.keepRuns(), 0, 1, MAX_KEEP_RUNS);
        Integer keepDays = json.keepDays() == null
                ? null
                : bounded(errors, "retention.keep_days", json.keepDays(), 0, 1, MAX_KEEP_DAYS);
        return new Retention(keepRuns, keepDays);
    }

    private List<Trigger> triggers(
            List<FieldError> errors, List<JobRequest.TriggerJson> list, HiddenUpstreams.Kept kept, Context context) {
        if (list == null || list.isEmpty()) {
            return List.of();
        }
        if (list.size() > MAX_LIST_SIZE) {
            errors.add(new FieldError("triggers", "must list at most " + MAX_LIST_SIZE + " triggers"));
            return List.of();
        }
        List<Trigger> triggers = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String field = "triggers[" + i + "]";
            JobRequest.TriggerJson json = list.get(i);
            if (json == null) {
                errors.add(new FieldError(field, "must be an object with job, on and condition"));
                continue;
            }
            Trigger stored = kept.triggers().get(i);
            if (stored != null) {
                // kept as stored: its condition was checked when saved, and a check now would name the template
                triggers.add(stored);
                continue;
            }
            Trigger.On on = choice(
                    errors,
                    field + ".on",
                    trimmed(json.on()),
                    Trigger.On.SUCCEEDED,
                    Trigger.On::fromJson,
                    Trigger.On.values(),
                    Trigger.On::json);
            String job = trimmed(json.job());
            if (job == null) {
                errors.add(new FieldError(field + ".job", "is required: the name or id of the upstream job"));
                continue;
            }
            Optional<Upstream> upstream = context.upstream(job);
            if (upstream.isEmpty()) {
                errors.add(new FieldError(field + ".job", "no job named or with id '" + job + "'"));
                continue;
            }
            if (context.self().equals(Optional.of(upstream.get().id()))) {
                errors.add(new FieldError(field + ".job", "a job cannot trigger itself"));
                continue;
            }
            String condition = trimmed(json.condition());
            if (condition != null) {
                conditions
                        .check(upstream.get().templateType(), condition)
                        .ifPresent(why -> errors.add(new FieldError(field + ".condition", why)));
            }
            triggers.add(new Trigger(upstream.get().id(), upstream.get().name(), on, condition));
        }
        return triggers;
    }

    private static Duration triggerWindow(List<FieldError> errors, String text) {
        String trimmed = trimmed(text);
        if (trimmed == null) {
            return JobDefinition.DEFAULT_TRIGGER_WINDOW;
        }
        try {
            Duration window = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
            if (window.compareTo(MIN_TRIGGER_WINDOW) < 0 || window.compareTo(MAX_TRIGGER_WINDOW) > 0) {
                errors.add(new FieldError("trigger_window", "must be from 1 minute (PT1M) to 30 days (P30D)"));
                return null;
            }
            return window;
        } catch (DateTimeParseException e) {
            errors.add(new FieldError("trigger_window", "must be an ISO-8601 duration such as PT30M, PT6H or P1D"));
            return null;
        }
    }

    /** A job must not wait, through depends_on and triggers, for itself: the error names the loop. */
    private static void cycles(
            List<FieldError> errors, List<JobId> dependsOn, List<Trigger> triggers, Context context) {
        if (context.self().isEmpty()) {
            return; // nothing can wait for a job that does not exist yet
        }
        Set<JobId> checked = new java.util.HashSet<>();
        for (int i = 0; i < dependsOn.size(); i++) {
            cycle(errors, "depends_on[" + i + "]", dependsOn.get(i), checked, context);
        }
        for (int i = 0; i < triggers.size(); i++) {
            cycle(errors, "triggers[" + i + "].job", triggers.get(i).job(), checked, context);
        }
    }

    private static void cycle(
            List<FieldError> errors, String field, JobId upstream, Set<JobId> checked, Context context) {
        if (!checked.add(upstream)) {
            return;
        }
        context.cycleThrough(upstream)
                .ifPresent(path ->
                        errors.add(new FieldError(field, "would create a cycle: " + String.join(" \u2192 ", path))));
    }

    private static final Pattern UPSTREAM_RESULT = UpstreamPlaceholders.PLACEHOLDER;
    static final Set<String> RESULT_ROOTS =
            Set.of("status", "message", "records_processed", "records_affected", "warnings", "details");

    /**
     * Every {@code {{upstream.<name>.result.<path>}}} in the parameters names one of the job's upstreams and a part
     * of a result, and none is in a secret parameter: secrets never flow from one job to another.
     */
    private void upstreamResults(
            List<FieldError> errors,
            String templateType,
            Map<String, Object> parameters,
            List<JobId> dependsOn,
            List<Trigger> triggers,
            HiddenUpstreams.Kept kept,
            Context context) {
        Map<String, String> found = new java.util.LinkedHashMap<>();
        collectPlaceholders("parameters", parameters, found);
        if (found.isEmpty()) {
            return;
        }
        Set<String> secretFields = new java.util.HashSet<>(secrets.secretFields(templateType, parameters));
        Set<String> upstreamNames = new java.util.HashSet<>();
        triggers.stream().filter(t -> !kept.triggers().containsValue(t)).forEach(t -> upstreamNames.add(t.jobName()));
        dependsOn.forEach(id -> context.upstream(id.toString()).ifPresent(u -> upstreamNames.add(u.name())));
        // an upstream the user may not see is named only where the stored job already names it, unchanged: a new
        // placeholder would hand its results to them, and its acceptance would tell them its name
        Map<String, String> stored = new java.util.LinkedHashMap<>();
        if (!kept.isEmpty()) {
            collectPlaceholders("parameters", context.storedParameters(templateType), stored);
        }
        found.forEach((field, text) -> {
            if (secretFields.contains(field)) {
                errors.add(
                        new FieldError(field, "is a secret: upstream results are never filled into secret parameters"));
                return;
            }
            java.util.regex.Matcher m = UPSTREAM_RESULT.matcher(text);
            while (m.find()) {
                String name = m.group(1).strip();
                String root = m.group(2).substring(1).split("\\.")[0];
                boolean keptAsStored = kept.names().contains(name) && text.equals(stored.get(field));
                if (!upstreamNames.contains(name) && !keptAsStored) {
                    errors.add(new FieldError(
                            field,
                            "{{upstream." + name + ".result...}} names no upstream of this job: list '" + name
                                    + "' in triggers or depends_on"));
                } else if (!RESULT_ROOTS.contains(root)) {
                    errors.add(new FieldError(
                            field,
                            "result." + root + " is not part of a result; use one of "
                                    + String.join(
                                            ", ", RESULT_ROOTS.stream().sorted().toList())));
                }
            }
        });
    }

    /** The strings holding {@code {{upstream.}}, by field path as secret fields are named. */
    private static void collectPlaceholders(String path, Object value, Map<String, String> found) {
        if (value instanceof String text) {
            if (text.contains("{{") && UPSTREAM_RESULT.matcher(text).find()) {
                found.put(path, text);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collectPlaceholders(path + "." + k, v, found));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collectPlaceholders(path + "[" + i + "]", list.get(i), found);
            }
        }
    }

    /**
     * Every calendar named must be one a job of {@code namespace} may list, a global one or one of its namespace; the
     * field names the list and the calendar that is not there. Another namespace's calendar is unknown here, as if it
     * did not exist, so a move to another namespace is refused while the job lists one the target cannot use.
     */
    private CalendarRefs calendarRefs(
            List<FieldError> errors, CalendarRefs refs, String namespace, Optional<String> movedFrom) {
        if (refs == null || refs.isEmpty()) {
            return CalendarRefs.NONE;
        }
        Map<String, List<String>> lists = Map.of("blackout", refs.blackout(), "only", refs.only());
        for (String list : List.of("blackout", "only")) {
            List<String> names = lists.get(list);
            if (names.size() > MAX_LIST_SIZE) {
                errors.add(new FieldError("calendars." + list, "at most " + MAX_LIST_SIZE + " calendars"));
                continue;
            }
            if (names.stream().anyMatch(n -> n == null || n.isBlank())) {
                errors.add(new FieldError("calendars." + list, "names must not be empty"));
                continue;
            }
            Set<String> unknown = calendars.unknown(namespace, names);
            if (!unknown.isEmpty()) {
                errors.add(new FieldError(
                        "calendars." + list,
                        "unknown calendar "
                                + unknown.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "))
                                + " for a job of namespace '" + namespace
                                + "': it may list global calendars and its namespace's; create it first (POST"
                                + " /calendars)"));
                continue;
            }
            // a move is refused while the job lists a calendar of the namespace it leaves, even when the target has
            // one of the same name: the job would be blacked out (or let run) by another calendar without a word
            if (movedFrom.isPresent()) {
                Set<String> left = calendars.ownedBy(
                        movedFrom.get(), names.stream().map(String::strip).toList());
                for (int i = 0; i < names.size(); i++) {
                    if (left.contains(names.get(i).strip())) {
                        errors.add(new FieldError(
                                "calendars." + list + "[" + i + "]",
                                "'" + names.get(i).strip() + "' is a calendar of namespace '" + movedFrom.get()
                                        + "', which the job leaves: take it off the job (or list a global or '"
                                        + namespace + "' calendar under another name) to move it"));
                    }
                }
            }
        }
        return new CalendarRefs(
                refs.blackout().stream().map(String::strip).distinct().toList(),
                refs.only().stream().map(String::strip).distinct().toList());
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

    /**
     * Each entry names an upstream job by id or, as triggers do, by name ({@code namespace/name} for another
     * namespace's job): an export names them, so it applies where the ids differ. One the user may not see is answered
     * as one that does not exist, unless the entry keeps it as stored ({@link HiddenUpstreams}).
     */
    private static List<JobId> dependencies(
            List<FieldError> errors, List<String> entries, HiddenUpstreams.Kept kept, Context context) {
        if (entries == null || entries.isEmpty()) {
            return List.of();
        }
        if (entries.size() > MAX_LIST_SIZE) {
            errors.add(new FieldError("depends_on", "must list at most " + MAX_LIST_SIZE + " jobs"));
            return List.of();
        }
        Set<JobId> parsed = new LinkedHashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String field = "depends_on[" + i + "]";
            String entry = trimmed(entries.get(i));
            if (entry == null) {
                errors.add(new FieldError(field, "must be the name or id of a job"));
                continue;
            }
            JobId stored = kept.dependencies().get(i);
            Optional<JobId> id = stored != null
                    ? Optional.of(stored)
                    : context.upstream(entry).map(Upstream::id);
            if (id.isEmpty()) {
                // an id keeps the message it always had; a name is answered as a trigger's is
                errors.add(new FieldError(
                        field,
                        JobId.parse(entry)
                                .map(unknown -> "no job with id " + unknown)
                                .orElse("no job named or with id '" + entry + "'")));
            } else if (context.self().equals(id)) {
                errors.add(new FieldError(field, "a job cannot depend on itself"));
            } else if (!parsed.add(id.get())) {
                errors.add(new FieldError(field, "is listed twice"));
            }
        }
        return List.copyOf(parsed);
    }

    private Notifications notifications(List<FieldError> errors, NotificationsJson json, String namespace) {
        if (json == null) {
            return Notifications.none();
        }
        List<String> onFailure = recipients(errors, "notifications.on_failure", json.onFailure(), namespace);
        Duration alert = alertWindow(errors, json.alertIfNoSuccessWithin());
        if (alert != null && onFailure.isEmpty()) {
            errors.add(new FieldError(
                    "notifications.alert_if_no_success_within",
                    "needs at least one on_failure recipient: they are the ones the alert tells"));
        }
        return new Notifications(
                recipients(errors, "notifications.on_success", json.onSuccess(), namespace),
                onFailure,
                recipients(errors, "notifications.on_retry", json.onRetry(), namespace),
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

    private List<String> recipients(List<FieldError> errors, String field, List<String> recipients, String namespace) {
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
                // not kept: the notifications cannot hold an empty recipient, and the error refuses the job anyway
                errors.add(new FieldError(item, "must not be empty"));
                continue;
            } else if (recipient.startsWith(Notifications.SLACK_PREFIX)) {
                String url = recipient.substring(Notifications.SLACK_PREFIX.length());
                if (!isWebhookUrl(url)) {
                    errors.add(new FieldError(item, "must be slack: followed by an http(s) webhook URL"));
                } else {
                    refusal(url, namespace).ifPresent(why -> errors.add(new FieldError(item, why)));
                }
            } else if (recipient.startsWith("http://") || recipient.startsWith("https://")) {
                if (!isWebhookUrl(recipient)) {
                    errors.add(new FieldError(item, "is not a valid http(s) URL"));
                } else {
                    refusal(recipient, namespace).ifPresent(why -> errors.add(new FieldError(item, why)));
                }
            } else if (recipient.length() > 254 || !EMAIL.matcher(recipient).matches()) {
                errors.add(new FieldError(
                        item, "must be an e-mail address, an http(s) webhook URL or slack: and a webhook URL"));
            } else if (!isOneMailbox(recipient)) {
                errors.add(new FieldError(
                        item,
                        "must be one plain e-mail address (name@example.com): no list, display name or characters"
                                + " such as , ; < > ( ) \\ \" that the mail server reads as syntax"));
            }
            valid.add(recipient);
        }
        return valid;
    }

    /**
     * The SSRF guard's refusal, on save as well as when the notification is sent; an allowed internal host kept to
     * other namespaces ({@code almanac.http.host-namespaces}) is refused to a job of {@code namespace}.
     */
    private Optional<String> refusal(String url, String namespace) {
        return Optional.ofNullable(guard.in(namespace).refusalOnSave(url))
                .map(why -> why + " (allow the host with ALMANAC_HTTP_ALLOWED_HOSTS if it is meant)");
    }

    /**
     * Whether the mail sender reads the text as exactly this one address (RFC 822, strictly): "x,evil@example.com"
     * passes the pattern above but is two addresses to Jakarta Mail, and would fail or reach someone else when sent.
     */
    private static boolean isOneMailbox(String text) {
        try {
            InternetAddress address = new InternetAddress(text, true);
            address.validate();
            return !address.isGroup() && address.getPersonal() == null && text.equals(address.getAddress());
        } catch (AddressException e) {
            return false;
        }
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

    /**
     * The size of {@code value} written as compact JSON, counting a string's characters as UTF-8 without the escapes
     * JSON may add: a lower bound, enough for a limit far above any form's ordinary content.
     */
    static long jsonSizeOf(Object value) {
        if (value instanceof Map<?, ?> map) {
            long size = 2 + Math.max(0, map.size() - 1);
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                size += jsonSizeOf(String.valueOf(entry.getKey())) + 1 + jsonSizeOf(entry.getValue());
            }
            return size;
        }
        if (value instanceof List<?> list) {
            return 2
                    + Math.max(0, list.size() - 1)
                    + list.stream().mapToLong(JobValidator::jsonSizeOf).sum();
        }
        if (value instanceof String text) {
            return 2 + text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        return String.valueOf(value).length();
    }

    /** Levels of maps and lists, a scalar none. */
    static int depthOf(Object value) {
        if (value instanceof Map<?, ?> map) {
            return 1
                    + map.values().stream()
                            .mapToInt(JobValidator::depthOf)
                            .max()
                            .orElse(0);
        }
        if (value instanceof List<?> list) {
            return 1 + list.stream().mapToInt(JobValidator::depthOf).max().orElse(0);
        }
        return 0;
    }
}
