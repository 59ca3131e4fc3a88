package dev.almanac.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.FieldError;
import dev.almanac.schedule.ScheduleSpec;
import dev.almanac.schedule.Schedules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The wizard's schedule presets, and how its fields travel between steps. */
class JobFormTest {

    @ParameterizedTest(name = "{0} becomes {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "every_minutes | every_minutes=5                     | */5 * * * *",
                "hourly        | hourly_minute=20                    | 20 * * * *",
                "daily         | daily_time=02:30                    | 30 2 * * *",
                "weekly        | weekly_days=MON,weekly_days=THU,weekly_time=18:05 | 5 18 * * MON,THU",
                "monthly       | monthly_day=15,monthly_time=00:00   | 0 0 15 * *",
                "cron          | cron_expression=0 4 1-7 * SUN       | 0 4 1-7 * SUN",
            })
    void presetsBecomeCronExpressionsAndBack(String kind, String fields, String expression) {
        JobForm form = JobForm.of(Map.of());
        form.set("schedule_kind", kind);
        Map<String, List<String>> values = form.values();
        for (String field : fields.split(",")) {
            String[] pair = field.split("=", 2);
            values.computeIfAbsent(pair[0].strip(), k -> new ArrayList<>()).add(pair[1].strip());
        }
        List<FieldError> errors = new ArrayList<>();
        ScheduleSpec spec = form.scheduleSpec(errors);
        assertThat(errors).isEmpty();
        assertThat(spec.expression()).isEqualTo(expression);

        JobDefinition definition = new JobDefinition(
                "n",
                null,
                "heartbeat",
                Map.of(),
                Schedules.parse(spec),
                true,
                5,
                60,
                RetryPolicy.none(),
                ConcurrencyPolicy.FORBID,
                MisfirePolicy.RUN_ONCE,
                60,
                List.of(),
                Notifications.none(),
                List.of());
        assertThat(JobForm.of(definition, null).get("schedule_kind")).isEqualTo(kind);
    }

    @Test
    void aPresetWithoutItsTimeNamesTheField() {
        JobForm form = JobForm.of(Map.of("schedule_kind", List.of("daily"), "daily_time", List.of("25:00")));
        List<FieldError> errors = new ArrayList<>();
        assertThat(form.scheduleSpec(errors).expression()).isNull();
        assertThat(errors).containsExactly(new FieldError("daily_time", "must be a time such as 02:30"));
    }

    @Test
    void intervalsAndOneTimeRunsKeepTheirUnits() {
        JobForm form = JobForm.of(Map.of(
                "schedule_kind",
                List.of("interval"),
                "interval_value",
                List.of("90"),
                "interval_unit",
                List.of("minutes")));
        assertThat(form.scheduleSpec(new ArrayList<>()).intervalSeconds()).isEqualTo(5400L);
        form.set("schedule_kind", "once");
        form.set("once_at", "2026-12-01T09:00");
        form.set("timezone", "Europe/Berlin");
        assertThat(Schedules.parse(form.scheduleSpec(new ArrayList<>())).nextAfter(java.time.Instant.EPOCH))
                .contains(java.time.Instant.parse("2026-12-01T08:00:00Z"));
    }

    @Test
    void eachStepCarriesTheOtherStepsInHiddenFields() {
        Map<String, List<String>> values = new LinkedHashMap<>();
        values.put("template_type", List.of("heartbeat"));
        values.put("name", List.of("n"));
        values.put("p.message", List.of("hi"));
        values.put("daily_time", List.of("02:00"));
        values.put("timeout_seconds", List.of("60"));
        values.put("_csrf", List.of("token"));
        values.put("step", List.of("2"));
        JobForm form = JobForm.of(values);
        assertThat(form.hiddenExcept(JobForm.PARAMETERS))
                .extracting(Map.Entry::getKey)
                .containsExactly("template_type", "daily_time", "timeout_seconds");
        assertThat(form.hiddenExcept(JobForm.REVIEW))
                .extracting(Map.Entry::getKey)
                .containsExactly("template_type", "name", "p.message", "daily_time", "timeout_seconds");
    }

    @Test
    void serverFieldNamesMapToTheFieldsThatShowThem() {
        JobForm form = JobForm.of(Map.of("schedule_kind", List.of("cron")));
        assertThat(form.formNameOf("parameters.conditions[0].op")).isEqualTo("p.conditions[0].op");
        assertThat(form.formNameOf("schedule.expression")).isEqualTo("cron_expression");
        assertThat(form.formNameOf("retry_policy.max_retries")).isEqualTo("max_retries");
        assertThat(form.formNameOf("notifications.on_failure[1]")).isEqualTo("notify_failure");
        assertThat(form.formNameOf("depends_on[0]")).isEqualTo("depends_on");
        assertThat(JobForm.stepOfError("schedule.timezone")).isEqualTo(JobForm.SCHEDULE);
        assertThat(JobForm.stepOfError("parameters.table")).isEqualTo(JobForm.PARAMETERS);
        assertThat(JobForm.stepOfError("timeout_seconds")).isEqualTo(JobForm.OPTIONS);
    }

    @Test
    void notificationSettingsTravelThroughTheWizardAndErrorsFindTheirFields() {
        JobDefinition definition = new JobDefinition(
                "watched",
                null,
                "heartbeat",
                Map.of(),
                Schedules.parse(new ScheduleSpec("interval", null, 60L, null, "UTC")),
                true,
                5,
                60,
                RetryPolicy.none(),
                ConcurrencyPolicy.FORBID,
                MisfirePolicy.RUN_ONCE,
                60,
                List.of(),
                new Notifications(
                        List.of("team@example.com"),
                        List.of("ops@example.com", "slack:https://hooks.slack.com/services/T/B/x"),
                        List.of("https://hooks.example.com/retry"),
                        java.time.Duration.ofHours(26),
                        5),
                List.of());

        JobForm form = JobForm.of(definition, null);
        assertThat(form.get("notify_failure"))
                .isEqualTo("ops@example.com\nslack:https://hooks.slack.com/services/T/B/x");
        assertThat(form.get("notify_retry")).isEqualTo("https://hooks.example.com/retry");
        assertThat(form.get("alert_within")).isEqualTo("PT26H");
        assertThat(form.get("auto_pause_after")).isEqualTo("5");

        JobForm.Built built = form.toRequest(null);
        assertThat(built.errors()).isEmpty();
        assertThat(built.request().notifications().stored()).isEqualTo(definition.notifications());

        assertThat(form.formNameOf("notifications.on_retry[0]")).isEqualTo("notify_retry");
        assertThat(form.formNameOf("notifications.alert_if_no_success_within")).isEqualTo("alert_within");
        assertThat(form.formNameOf("notifications.auto_pause_after_failures")).isEqualTo("auto_pause_after");
        form.set("auto_pause_after", "many");
        assertThat(form.toRequest(null).errors()).extracting(FieldError::field).containsExactly("auto_pause_after");
    }

    @Test
    void expectedDurationAndRetentionTravelThroughTheWizardAndErrorsFindTheirFields() {
        JobDefinition definition = new JobDefinition(
                        "kept",
                        null,
                        "heartbeat",
                        Map.of(),
                        Schedules.parse(new ScheduleSpec("interval", null, 60L, null, "UTC")),
                        true,
                        5,
                        60,
                        RetryPolicy.none(),
                        ConcurrencyPolicy.FORBID,
                        MisfirePolicy.RUN_ONCE,
                        60,
                        List.of(),
                        new Notifications(List.of(), List.of(), List.of(), null, 0),
                        List.of())
                .withUpkeep(java.time.Duration.ofMinutes(10), new Retention(100, null));

        JobForm form = JobForm.of(definition, null);
        assertThat(form.get("expected_duration")).isEqualTo("PT10M");
        assertThat(form.get("keep_runs")).isEqualTo("100");
        assertThat(form.get("keep_days")).isEmpty();
        assertThat(JobForm.stepOfError("expected_duration")).isEqualTo(JobForm.OPTIONS);
        assertThat(JobForm.stepOfError("keep_days")).isEqualTo(JobForm.OPTIONS);

        form.set("expected_duration", "90m");
        JobForm.Built built = form.toRequest(null);
        assertThat(built.errors()).isEmpty();
        assertThat(java.time.Duration.parse(built.request().expectedDuration())).hasMinutes(90);
        assertThat(built.request().retention()).isEqualTo(new JobRequest.RetentionJson(100, null));

        assertThat(form.formNameOf("retention.keep_runs")).isEqualTo("keep_runs");
        form.set("keep_days", "forever");
        assertThat(form.toRequest(null).errors()).extracting(FieldError::field).containsExactly("keep_days");
    }

    @Test
    void aCommaSeparatesRecipientsOnlyBeforeAnAddressOrAUrl() {
        JobForm form = JobForm.of(Map.of());
        form.set(
                "notify_failure",
                "https://hooks.example.com/in?tags=a,b,c\nops@example.com, dev@example.com,"
                        + "slack:https://hooks.slack.com/services/T/B/x,https://hooks.example.com/two");
        assertThat(form.toRequest(null).request().notifications().stored().onFailure())
                .containsExactly(
                        "https://hooks.example.com/in?tags=a,b,c",
                        "ops@example.com",
                        "dev@example.com",
                        "slack:https://hooks.slack.com/services/T/B/x",
                        "https://hooks.example.com/two");
    }
}
