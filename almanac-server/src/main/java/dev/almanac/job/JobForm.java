package dev.almanac.job;

import dev.almanac.calendar.CalendarRefs;
import dev.almanac.common.Durations;
import dev.almanac.common.FieldError;
import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.job.JobRequest.RetryPolicyJson;
import dev.almanac.schedule.CronSchedule;
import dev.almanac.schedule.IntervalSchedule;
import dev.almanac.schedule.OnceSchedule;
import dev.almanac.schedule.Schedule;
import dev.almanac.schedule.ScheduleSpec;
import dev.almanac.template.ParameterForm;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job wizard's state: every field of the five steps as the browser sent it, carried from step to step in the
 * form itself (no server session), and the way from those fields to a {@link JobRequest}. Schedule presets
 * (every N minutes, hourly, daily, weekly, monthly) become cron expressions here.
 */
public final class JobForm {

    public static final int TEMPLATE = 1;
    public static final int PARAMETERS = 2;
    public static final int SCHEDULE = 3;
    public static final int OPTIONS = 4;
    public static final int REVIEW = 5;

    /** The form names each step shows; everything else is carried in hidden fields. */
    private static final Map<Integer, Set<String>> STEP_FIELDS = Map.of(
            TEMPLATE, Set.of("namespace", "template_type"),
            PARAMETERS, Set.of("name", "description", "tags"),
            SCHEDULE,
                    Set.of(
                            "schedule_kind",
                            "every_minutes",
                            "hourly_minute",
                            "daily_time",
                            "weekly_days",
                            "weekly_time",
                            "monthly_day",
                            "monthly_time",
                            "cron_expression",
                            "interval_value",
                            "interval_unit",
                            "once_at",
                            "timezone",
                            "blackout_calendars",
                            "only_calendars"),
            OPTIONS,
                    Set.of(
                            "priority",
                            "timeout_seconds",
                            "max_retries",
                            "retry_delay_seconds",
                            "backoff_multiplier",
                            "concurrency_policy",
                            "misfire_policy",
                            "catch_up_window_seconds",
                            "depends_on",
                            "trigger_job",
                            "trigger_on",
                            "trigger_condition",
                            "trigger_mode",
                            "trigger_window",
                            "notify_success",
                            "notify_failure",
                            "notify_retry",
                            "alert_within",
                            "auto_pause_after",
                            "expected_duration",
                            "keep_runs",
                            "keep_days",
                            "enabled"));

    /** Fields that say where the wizard is, not what the job is. */
    private static final Set<String> CONTROL = Set.of("step", "_action", "_csrf", "mode", "job_id", "version");

    /** What the pages and the API say about a clone. */
    public static final String CLONE_DISABLED = "This copy is disabled until you enable it.";

    /** The form field that marks a clone; carried through every step, no part of the job. */
    public static final String CLONED_FROM = "cloned_from";

    /**
     * What a clone left out and must be typed again (its secrets, its webhook URLs), one line each, as the clone's
     * notice says it; carried through every step like {@link #CLONED_FROM}, no part of the job.
     */
    public static final String CLONE_RETYPE = "clone_retype";

    /** The form fields a clone left something out of, which the wizard marks; carried like {@link #CLONE_RETYPE}. */
    public static final String CLONE_RETYPE_FIELDS = "clone_retype_field";

    public static final List<String> DAYS = List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");

    private static final Pattern TIME = Pattern.compile("([01]?\\d|2[0-3]):([0-5]\\d)");
    private static final Pattern DAILY = Pattern.compile("(\\d{1,2}) (\\d{1,2}) \\* \\* \\*");
    private static final Pattern WEEKLY = Pattern.compile("(\\d{1,2}) (\\d{1,2}) \\* \\* ([A-Z,]+)");
    private static final Pattern MONTHLY = Pattern.compile("(\\d{1,2}) (\\d{1,2}) (\\d{1,2}) \\* \\*");
    private static final Pattern HOURLY = Pattern.compile("(\\d{1,2}) \\* \\* \\* \\*");
    private static final Pattern EVERY_MINUTES = Pattern.compile("\\*/(\\d{1,2}) \\* \\* \\* \\*");
    private static final Pattern TRIGGER_FIELD = Pattern.compile("triggers\\[(\\d+)](?:\\.(job|on|condition))?");
    private static final Pattern RECIPIENT_FIELD =
            Pattern.compile("notifications\\.on_(success|failure|retry)\\[(\\d{1,4})]");
    private static final Pattern RECIPIENT_SEPARATOR =
            Pattern.compile("[\\r\\n]+|,(?=\\s*(?:slack:|https?://|[^\\s,@/:?#]+@))");
    private static final DateTimeFormatter LOCAL_MINUTES = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");

    private final Map<String, List<String>> values;

    private JobForm(Map<String, List<String>> values) {
        this.values = values;
    }

    /** The form as the browser submitted it. */
    public static JobForm of(Map<String, List<String>> submitted) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        submitted.forEach((key, list) -> values.put(key, new ArrayList<>(list)));
        return new JobForm(values);
    }

    /** A new job's form with the defaults an administrator would pick. */
    public static JobForm blank() {
        JobForm form = new JobForm(new LinkedHashMap<>());
        form.set("schedule_kind", "daily");
        form.set("daily_time", "02:00");
        form.set("weekly_time", "02:00");
        form.set("weekly_days", "MON");
        form.set("monthly_day", "1");
        form.set("monthly_time", "02:00");
        form.set("every_minutes", "15");
        form.set("hourly_minute", "0");
        form.set("interval_value", "1");
        form.set("interval_unit", "hours");
        form.set("timezone", "UTC");
        form.set("priority", String.valueOf(JobValidator.DEFAULT_PRIORITY));
        form.set("timeout_seconds", String.valueOf(JobValidator.DEFAULT_TIMEOUT_SECONDS));
        RetryPolicy none = RetryPolicy.none();
        form.set("max_retries", String.valueOf(none.maxRetries()));
        form.set("retry_delay_seconds", String.valueOf(none.retryDelaySeconds()));
        form.set("backoff_multiplier", "2");
        form.set("concurrency_policy", ConcurrencyPolicy.FORBID.json());
        form.set("misfire_policy", MisfirePolicy.RUN_ONCE.json());
        form.set("catch_up_window_seconds", String.valueOf(JobValidator.DEFAULT_CATCH_UP_WINDOW_SECONDS));
        form.set("enabled", "true");
        return form;
    }

    /** The form that shows a stored definition, for editing or cloning it. */
    public static JobForm of(JobDefinition definition, ParameterForm parameters) {
        JobForm form = blank();
        form.set("namespace", definition.namespace());
        form.set("template_type", definition.templateType());
        form.set("name", definition.name());
        form.set("description", definition.description() == null ? "" : definition.description());
        form.set("tags", String.join(", ", definition.tags()));
        form.set("blackout_calendars", String.join(", ", definition.calendars().blackout()));
        form.set("only_calendars", String.join(", ", definition.calendars().only()));
        if (parameters != null) {
            parameters.toForm(definition.parameters()).forEach(form.values::put);
        }
        form.schedule(definition.schedule());
        form.set("priority", String.valueOf(definition.priority()));
        form.set("timeout_seconds", String.valueOf(definition.timeoutSeconds()));
        RetryPolicy retry = definition.retryPolicy();
        form.set("max_retries", String.valueOf(retry.maxRetries()));
        form.set("retry_delay_seconds", String.valueOf(retry.retryDelaySeconds()));
        form.set("backoff_multiplier", plain(retry.backoffMultiplier()));
        form.set("concurrency_policy", definition.concurrencyPolicy().json());
        form.set("misfire_policy", definition.misfirePolicy().json());
        form.set("catch_up_window_seconds", String.valueOf(definition.catchUpWindowSeconds()));
        form.values.put(
                "depends_on",
                definition.dependsOn().stream().map(JobId::toString).toList());
        form.values.put(
                "trigger_job",
                definition.triggers().stream().map(t -> t.job().toString()).toList());
        form.values.put(
                "trigger_on",
                definition.triggers().stream().map(t -> t.on().json()).toList());
        form.values.put(
                "trigger_condition",
                definition.triggers().stream()
                        .map(t -> t.condition() == null ? "" : t.condition())
                        .toList());
        form.set("trigger_mode", definition.triggerMode().json());
        form.set(
                "trigger_window",
                definition.triggerWindow() == null
                        ? ""
                        : definition.triggerWindow().toString());
        // webhook URLs as their scheme and host: saved back unchanged, they keep the stored URL
        Notifications notifications = definition.notifications().shown();
        form.set("notify_success", String.join("\n", notifications.onSuccess()));
        form.set("notify_failure", String.join("\n", notifications.onFailure()));
        form.set("notify_retry", String.join("\n", notifications.onRetry()));
        form.set(
                "alert_within",
                notifications.alertIfNoSuccessWithin() == null
                        ? ""
                        : notifications.alertIfNoSuccessWithin().toString());
        form.set(
                "auto_pause_after",
                notifications.autoPauseAfterFailures() == 0
                        ? ""
                        : String.valueOf(notifications.autoPauseAfterFailures()));
        form.set(
                "expected_duration",
                definition.expectedDuration() == null
                        ? ""
                        : definition.expectedDuration().toString());
        Retention retention = definition.retention();
        form.set("keep_runs", retention.keepRuns() == null ? "" : String.valueOf(retention.keepRuns()));
        form.set("keep_days", retention.keepDays() == null ? "" : String.valueOf(retention.keepDays()));
        form.set("enabled", String.valueOf(definition.enabled()));
        return form;
    }

    private void schedule(Schedule schedule) {
        set("timezone", schedule.zone().getId());
        if (schedule instanceof IntervalSchedule interval) {
            long seconds = interval.interval().getSeconds();
            set("schedule_kind", "interval");
            String unit = seconds % 86_400 == 0
                    ? "days"
                    : seconds % 3600 == 0 ? "hours" : seconds % 60 == 0 ? "minutes" : "seconds";
            set("interval_unit", unit);
            set("interval_value", String.valueOf(seconds / unitSeconds(unit)));
        } else if (schedule instanceof OnceSchedule once) {
            set("schedule_kind", "once");
            // to the millisecond a datetime-local field holds at most (a client may store micro- or nanoseconds)
            LocalDateTime at = once.runAt()
                    .truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                    .atZone(schedule.zone())
                    .toLocalDateTime();
            // to the second (and below) as stored, so an unchanged save keeps run_at, even one that has passed
            set(
                    "once_at",
                    at.getSecond() == 0 && at.getNano() == 0
                            ? at.format(LOCAL_MINUTES)
                            : at.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        } else {
            // as stored, so an unchanged save changes nothing; the friendly kinds below match its own spelling only
            String expression = ((CronSchedule) schedule).expression();
            set("cron_expression", expression);
            set("schedule_kind", "cron");
            Matcher m;
            if ((m = EVERY_MINUTES.matcher(expression)).matches()) {
                set("schedule_kind", "every_minutes");
                set("every_minutes", m.group(1));
            } else if ((m = HOURLY.matcher(expression)).matches()) {
                set("schedule_kind", "hourly");
                set("hourly_minute", m.group(1));
            } else if ((m = DAILY.matcher(expression)).matches() && time(m.group(2), m.group(1)) != null) {
                set("schedule_kind", "daily");
                set("daily_time", time(m.group(2), m.group(1)));
            } else if ((m = WEEKLY.matcher(expression)).matches()
                    && time(m.group(2), m.group(1)) != null
                    && DAYS.containsAll(Arrays.asList(m.group(3).split(",")))) {
                set("schedule_kind", "weekly");
                set("weekly_time", time(m.group(2), m.group(1)));
                values.put("weekly_days", Arrays.asList(m.group(3).split(",")));
            } else if ((m = MONTHLY.matcher(expression)).matches() && time(m.group(2), m.group(1)) != null) {
                set("schedule_kind", "monthly");
                set("monthly_time", time(m.group(2), m.group(1)));
                set("monthly_day", m.group(3));
            }
            if (!get("schedule_kind").equals("cron")
                    && !expression.equals(presetExpression(get("schedule_kind"), new ArrayList<>()))) {
                // a preset would spell it otherwise ("00 09 * * *"): shown as the expression it is
                set("schedule_kind", "cron");
            }
        }
    }

    private static String time(String hour, String minute) {
        int h = Integer.parseInt(hour);
        int m = Integer.parseInt(minute);
        return h < 24 && m < 60 ? String.format(Locale.ROOT, "%02d:%02d", h, m) : null;
    }

    /** A field's first value, or the empty string. */
    public String get(String name) {
        List<String> list = values.get(name);
        return list == null || list.isEmpty() || list.get(0) == null ? "" : list.get(0);
    }

    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public boolean has(String name, String value) {
        return all(name).contains(value);
    }

    public void set(String name, String value) {
        values.put(name, new ArrayList<>(List.of(value)));
    }

    public void remove(String name) {
        values.remove(name);
    }

    public Map<String, List<String>> values() {
        return values;
    }

    /** The parameter fields only ({@code p.*} and their checkbox markers). */
    public Map<String, List<String>> parameterValues() {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        values.forEach((key, list) -> {
            if (isParameter(key)) {
                parameters.put(key, list);
            }
        });
        return parameters;
    }

    /** Replaces every parameter field with these. */
    public void replaceParameters(Map<String, List<String>> parameters) {
        values.keySet().removeIf(JobForm::isParameter);
        parameters.forEach((key, list) -> values.put(key, new ArrayList<>(list)));
    }

    /** Adds an empty item to the array field {@code name}. */
    public void addItem(String name) {
        int next = 0;
        String prefix = name + "[";
        for (String key : values.keySet()) {
            String bare = key.startsWith(ParameterForm.CHECKBOX_MARKER) ? key.substring(1) : key;
            if (bare.startsWith(prefix)) {
                int close = bare.indexOf(']', prefix.length());
                try {
                    next = Math.max(next, Integer.parseInt(bare.substring(prefix.length(), close)) + 1);
                } catch (RuntimeException ignored) {
                    // not an index
                }
            }
        }
        set(name + "[" + next + "]", "");
    }

    /** Removes the array item {@code name} (e.g. {@code p.recipients[1]}) with everything under it. */
    public void removeItem(String name) {
        values.keySet().removeIf(key -> {
            String bare = key.startsWith(ParameterForm.CHECKBOX_MARKER) ? key.substring(1) : key;
            return bare.equals(name) || bare.startsWith(name + ".") || bare.startsWith(name + "[");
        });
    }

    /** The hidden fields that carry every step but {@code step} through a page of the wizard. */
    public List<Map.Entry<String, String>> hiddenExcept(int step) {
        List<Map.Entry<String, String>> hidden = new ArrayList<>();
        values.forEach((key, list) -> {
            if (CONTROL.contains(key) || stepOf(key) == step) {
                return;
            }
            for (String value : list) {
                hidden.add(Map.entry(key, value == null ? "" : value));
            }
        });
        return hidden;
    }

    /** The step that shows the form field {@code key}; 0 for the wizard's own fields. */
    public static int stepOf(String key) {
        if (key.equals("template_type")) {
            return TEMPLATE;
        }
        if (isParameter(key)) {
            return PARAMETERS;
        }
        for (Map.Entry<Integer, Set<String>> step : STEP_FIELDS.entrySet()) {
            if (step.getValue().contains(key)) {
                return step.getKey();
            }
        }
        return 0;
    }

    private static boolean isParameter(String key) {
        return key.startsWith(ParameterForm.PREFIX + ".")
                || key.startsWith(ParameterForm.CHECKBOX_MARKER + ParameterForm.PREFIX + ".");
    }

    /** The step where the field an error names is shown. */
    public static int stepOfError(String field) {
        if (field == null || field.isEmpty()) {
            return REVIEW;
        }
        if (field.equals("template_type") || field.equals("namespace")) {
            return TEMPLATE;
        }
        if (field.startsWith("parameters")
                || field.equals("name")
                || field.equals("description")
                || field.startsWith("tags")) {
            return PARAMETERS;
        }
        if (field.startsWith("schedule") || field.startsWith("calendars")) {
            return SCHEDULE;
        }
        return OPTIONS;
    }

    /** The form name that shows an error the job service reported for {@code field}, a map's entry by its path. */
    public String formNameOf(String field) {
        return formNameOf(field, null);
    }

    /**
     * The form name that shows an error the job service reported for {@code field}; a parameter's through {@code
     * parameters}, the template's form (a map's entry is a row there), when there is one.
     */
    public String formNameOf(String field, ParameterForm parameters) {
        return formNameOf(field, parameters, null);
    }

    /**
     * The same for an error with this {@code message}: a map entry's error about its name ("is not a valid header
     * name") goes under the row's name, any other under its value.
     */
    public String formNameOf(String field, ParameterForm parameters, String message) {
        if (field == null || field.isEmpty()) {
            return "";
        }
        if (field.equals("parameters")) {
            return "parameters";
        }
        if (field.startsWith("parameters.")) {
            String name = ParameterForm.PREFIX + field.substring("parameters".length());
            return parameters == null ? name : parameters.formNameOf(name, values, message);
        }
        Matcher trigger = TRIGGER_FIELD.matcher(field);
        if (trigger.matches()) {
            // the rows shown are the chosen triggers in order, so the request's index is the row's
            return "trigger_" + (trigger.group(2) == null ? "job" : trigger.group(2)) + "[" + trigger.group(1) + "]";
        }
        if (field.startsWith("schedule")) {
            String kind = get("schedule_kind");
            return switch (field) {
                case "schedule.timezone" -> "timezone";
                case "schedule.interval_seconds" -> "interval_value";
                case "schedule.run_at" -> "once_at";
                case "schedule.expression" -> kind.equals("cron") ? "cron_expression" : "schedule_kind";
                default -> "schedule_kind";
            };
        }
        String bare = field.replaceAll("\\[\\d+]$", "");
        return switch (bare) {
            case "retry_policy.max_retries" -> "max_retries";
            case "retry_policy.retry_delay_seconds" -> "retry_delay_seconds";
            case "retry_policy.backoff_multiplier" -> "backoff_multiplier";
            case "notifications.on_success" -> "notify_success";
            case "notifications.on_failure" -> "notify_failure";
            case "notifications.on_retry" -> "notify_retry";
            case "notifications.alert_if_no_success_within" -> "alert_within";
            case "notifications.auto_pause_after_failures" -> "auto_pause_after";
            case "calendars.blackout" -> "blackout_calendars";
            case "calendars.only" -> "only_calendars";
            case "retention.keep_runs" -> "keep_runs";
            case "retention.keep_days" -> "keep_days";
            default -> bare;
        };
    }

    /** Form-level errors (a number that is not one, a preset without its time) found while building the request. */
    public record Built(JobRequest request, List<FieldError> errors) {}

    /**
     * The job request these fields describe. Errors name form fields; the request is still built (with the unreadable
     * fields left out) so the job service can report everything else at once.
     */
    public Built toRequest(ParameterForm parameterForm) {
        List<FieldError> errors = new ArrayList<>();
        Map<String, Object> parameters = Map.of();
        if (parameterForm != null) {
            ParameterForm.Parsed parsed = parameterForm.parse(values);
            parameters = parsed.parameters();
            errors.addAll(parsed.errors());
        }
        ScheduleSpec schedule = scheduleSpec(errors);
        Integer timeout = seconds("timeout_seconds", errors);
        RetryPolicyJson retry = new RetryPolicyJson(
                integer("max_retries", errors),
                seconds("retry_delay_seconds", errors),
                decimal("backoff_multiplier", errors));
        JobRequest request = new JobRequest(
                blankToNull(get("name")),
                blankToNull(get("description")),
                blankToNull(get("template_type")),
                parameters,
                schedule,
                !get("enabled").equals("false"),
                integer("priority", errors),
                timeout,
                retry,
                blankToNull(get("concurrency_policy")),
                blankToNull(get("misfire_policy")),
                seconds("catch_up_window_seconds", errors),
                all("depends_on").stream()
                        .filter(s -> s != null && !s.isBlank())
                        .toList(),
                new NotificationsJson(
                        lines(get("notify_success")),
                        lines(get("notify_failure")),
                        lines(get("notify_retry")),
                        Durations.toIso(get("alert_within")).orElse(blankToNull(get("alert_within"))),
                        integer("auto_pause_after", errors)),
                words(get("tags")),
                null,
                triggers(),
                blankToNull(get("trigger_mode")),
                get("trigger_mode").equals("all")
                        ? Durations.toIso(get("trigger_window")).orElse(blankToNull(get("trigger_window")))
                        : null,
                calendars(),
                blankToNull(get("namespace")),
                Durations.toIso(get("expected_duration")).orElse(blankToNull(get("expected_duration"))),
                retention(errors));
        return new Built(request, errors);
    }

    private JobRequest.RetentionJson retention(List<FieldError> errors) {
        Integer keepRuns = integer("keep_runs", errors);
        Integer keepDays = integer("keep_days", errors);
        return keepRuns == null && keepDays == null ? null : new JobRequest.RetentionJson(keepRuns, keepDays);
    }

    /**
     * The triggers the options step lists, one per row filled in, in the order shown (an empty row is no trigger).
     * Each row sends its three fields, so the lists line up.
     */
    public List<JobRequest.TriggerJson> triggers() {
        List<JobRequest.TriggerJson> triggers = new ArrayList<>();
        for (TriggerRow row : triggerRows()) {
            triggers.add(new JobRequest.TriggerJson(blankToNull(row.job()), row.on(), blankToNull(row.condition())));
        }
        return triggers;
    }

    /** One row of the triggers table as the browser sent it. */
    public record TriggerRow(String job, String on, String condition) {}

    /**
     * The rows the options step shows: the chosen triggers, in order, then one empty row to add another (the form
     * needs no script for that; "Add a trigger" shows the step again with a new empty row).
     */
    public List<TriggerRow> triggerRows() {
        List<String> jobs = all("trigger_job");
        List<String> ons = all("trigger_on");
        List<String> conditions = all("trigger_condition");
        List<TriggerRow> rows = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            String job = jobs.get(i) == null ? "" : jobs.get(i).strip();
            String on = i < ons.size() && ons.get(i) != null && !ons.get(i).isBlank() ? ons.get(i) : "succeeded";
            String condition = i < conditions.size() && conditions.get(i) != null ? conditions.get(i) : "";
            // a row with a condition but no job is kept, so the service says the job is missing
            if (!job.isEmpty() || !condition.isBlank()) {
                rows.add(new TriggerRow(job, on, condition));
            }
        }
        return rows;
    }

    /** The schedule the step-3 fields describe; presets become cron expressions. */
    public ScheduleSpec scheduleSpec(List<FieldError> errors) {
        String zone = blankToNull(get("timezone"));
        String kind = get("schedule_kind");
        switch (kind) {
            case "interval" -> {
                Integer value = integer("interval_value", errors);
                String unit = get("interval_unit");
                return new ScheduleSpec(
                        "interval", null, value == null ? null : (long) value * unitSeconds(unit), null, zone);
            }
            case "once" -> {
                return new ScheduleSpec("once", null, null, blankToNull(get("once_at")), zone);
            }
            case "cron" -> {
                return new ScheduleSpec("cron", blankToNull(get("cron_expression")), null, null, zone);
            }
            default -> {
                return new ScheduleSpec("cron", presetExpression(kind, errors), null, null, zone);
            }
        }
    }

    /** The cron expression of a preset, or null with an error naming the preset's field. */
    private String presetExpression(String kind, List<FieldError> errors) {
        switch (kind) {
            case "every_minutes" -> {
                Integer n = bounded("every_minutes", 1, 59, errors);
                if (n == null && errors.stream().anyMatch(e -> e.field().equals("every_minutes"))) {
                    errors.replaceAll(e -> e.field().equals("every_minutes")
                                    && e.message().startsWith("must be from")
                            ? new FieldError(
                                    e.field(),
                                    e.message() + "; for a longer gap (every 75 minutes) choose \"Fixed interval\"")
                            : e);
                }
                return n == null ? null : "*/" + n + " * * * *";
            }
            case "hourly" -> {
                Integer minute = bounded("hourly_minute", 0, 59, errors);
                return minute == null ? null : minute + " * * * *";
            }
            case "daily" -> {
                int[] time = time("daily_time", errors);
                return time == null ? null : time[1] + " " + time[0] + " * * *";
            }
            case "weekly" -> {
                int[] time = time("weekly_time", errors);
                List<String> days =
                        all("weekly_days").stream().filter(DAYS::contains).toList();
                if (days.isEmpty()) {
                    errors.add(new FieldError("weekly_days", "pick at least one day"));
                }
                return time == null || days.isEmpty()
                        ? null
                        : time[1] + " " + time[0] + " * * " + String.join(",", days);
            }
            case "monthly" -> {
                int[] time = time("monthly_time", errors);
                Integer day = bounded("monthly_day", 1, 31, errors);
                return time == null || day == null ? null : time[1] + " " + time[0] + " " + day + " * *";
            }
            default -> {
                errors.add(new FieldError("schedule_kind", "choose how the job is scheduled"));
                return null;
            }
        }
    }

    private int[] time(String field, List<FieldError> errors) {
        Matcher m = TIME.matcher(get(field).strip());
        if (!m.matches()) {
            errors.add(new FieldError(field, "must be a time such as 02:30"));
            return null;
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private Integer bounded(String field, int min, int max, List<FieldError> errors) {
        Integer value = integer(field, errors);
        if (value != null && (value < min || value > max)) {
            errors.add(new FieldError(field, "must be from " + min + " to " + max));
            return null;
        }
        if (value == null && get(field).isBlank()) {
            errors.add(new FieldError(field, "is required"));
        }
        return value;
    }

    private Integer integer(String field, List<FieldError> errors) {
        String text = get(field).strip();
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            errors.add(new FieldError(field, "must be a whole number"));
            return null;
        }
    }

    /** A duration field in seconds: a bare number is seconds; 90m, 2h, PT1H and the like read as {@link Durations} does. */
    private Integer seconds(String field, List<FieldError> errors) {
        String text = get(field).strip();
        if (text.isEmpty()) {
            return null;
        }
        Optional<Duration> duration = Durations.parse(text, ChronoUnit.SECONDS);
        if (duration.isEmpty() || duration.get().isNegative() || duration.get().toSeconds() > Integer.MAX_VALUE) {
            errors.add(new FieldError(field, "must be a number of seconds or a duration " + Durations.ACCEPTED));
            return null;
        }
        return (int) duration.get().toSeconds();
    }

    private Double decimal(String field, List<FieldError> errors) {
        String text = get(field).strip();
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            errors.add(new FieldError(field, "must be a number"));
            return null;
        }
    }

    private static long unitSeconds(String unit) {
        return switch (unit) {
            case "days" -> 86_400;
            case "hours" -> 3600;
            case "minutes" -> 60;
            default -> 1;
        };
    }

    /**
     * The recipients one a line; a comma separates two only before an address or a URL, so a webhook URL may hold one
     * ({@code ?tags=a,b}) while "a@example.com, b@example.com" still reads as two.
     */
    /**
     * The recipient an error of a notification list names by index ({@code notifications.on_failure[1]}), as a person
     * may see it (a webhook URL cut to its host), or null for another field.
     */
    public String recipientOf(String field) {
        Matcher item = RECIPIENT_FIELD.matcher(field == null ? "" : field);
        if (!item.matches()) {
            return null;
        }
        List<String> recipients = lines(get("notify_" + item.group(1)));
        int index = Integer.parseInt(item.group(2));
        return index < recipients.size() ? Notifications.shown(recipients.get(index)) : null;
    }

    private static List<String> lines(String text) {
        return Arrays.stream(RECIPIENT_SEPARATOR.split(text))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** The calendars the schedule step names; null when it names none. */
    public CalendarRefs calendars() {
        CalendarRefs refs = new CalendarRefs(words(get("blackout_calendars")), words(get("only_calendars")));
        return refs.isEmpty() ? null : refs;
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.split("[\\s,]+"))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
