package dev.almanac.notify.internal;

import dev.almanac.common.Durations;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionFinished;
import dev.almanac.execution.ExecutionId;
import dev.almanac.job.JobId;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One message, ready for every channel: a subject and a plain text for e-mail and Slack, and a JSON payload for
 * generic webhooks.
 */
public record Notice(
        Event event,
        JobId jobId,
        String jobName,
        ExecutionId executionId,
        String subject,
        String text,
        Map<String, Object> payload) {

    private static final int MAX_ERROR = 2000;

    /** About how a run ended: success, failure for good, or a failed attempt that is retried. */
    static Notice of(Event event, ExecutionFinished finished, NotifyProperties properties, Instant now) {
        Execution run = finished.execution();
        String status = finished.status().json().replace('_', ' ');
        String subject = switch (event) {
            case SUCCESS -> "Succeeded: " + run.jobName();
            case RETRY -> "Retrying: " + run.jobName() + " (attempt " + run.attempt() + " " + status + ")";
            default -> "Failed: " + run.jobName() + " (" + status + ")";
        };
        StringBuilder text = header(run.jobName(), run.templateType());
        text.append("Status: ").append(status).append('\n');
        text.append("Attempt: ").append(run.attempt()).append('\n');
        text.append("Triggered by: ").append(run.triggeredBy()).append('\n');
        if (run.scheduledFor() != null) {
            text.append("Scheduled for: ").append(run.scheduledFor()).append('\n');
        }
        if (run.startedAt() != null) {
            text.append("Started: ").append(run.startedAt()).append('\n');
        }
        text.append("Took: ")
                .append(Durations.spoken(Duration.ofMillis(finished.durationMs())))
                .append('\n');
        if (run.executionHost() != null) {
            text.append("Node: ").append(run.executionHost()).append('\n');
        }
        String error = excerpt(finished.error());
        if (error != null) {
            text.append("Error: ").append(error).append('\n');
        }
        if (event == Event.RETRY) {
            text.append(
                    "A retry is queued per the job's retry policy; only its final outcome is reported as a failure.\n");
        }
        String link = properties.executionLink(run.id());
        text.append("Execution: ")
                .append(link == null ? run.id().toString() : link)
                .append('\n');

        Map<String, Object> execution = new LinkedHashMap<>();
        execution.put("id", run.id().toString());
        execution.put("status", finished.status().json());
        execution.put("attempt", run.attempt());
        execution.put("triggered_by", run.triggeredBy());
        execution.put("scheduled_for", text(run.scheduledFor()));
        execution.put("started_at", text(run.startedAt()));
        execution.put("completed_at", text(finished.completedAt()));
        execution.put("duration_ms", finished.durationMs());
        execution.put("node", run.executionHost());
        execution.put("error", error);
        execution.put("url", link);
        Map<String, Object> payload = payload(event, subject, run.jobId(), run.jobName(), run.templateType(), now);
        payload.put("execution", execution);
        return new Notice(event, run.jobId(), run.jobName(), run.id(), subject, text.toString(), payload);
    }

    /** The job succeeded again after an incident. */
    static Notice recovered(
            ExecutionFinished finished, Incidents.Closed closed, NotifyProperties properties, Instant now) {
        Execution run = finished.execution();
        String subject = "Recovered: " + run.jobName();
        StringBuilder text = header(run.jobName(), run.templateType());
        text.append("It succeeded again at ")
                .append(finished.completedAt())
                .append('.')
                .append('\n');
        if (closed.failures() > 0) {
            text.append("Failures in a row before: ").append(closed.failures()).append('\n');
        }
        text.append("Incident opened: ").append(closed.openedAt()).append('\n');
        String link = properties.executionLink(run.id());
        text.append("Execution: ")
                .append(link == null ? run.id().toString() : link)
                .append('\n');
        Map<String, Object> payload =
                payload(Event.RECOVERED, subject, run.jobId(), run.jobName(), run.templateType(), now);
        payload.put(
                "execution",
                Map.of("id", run.id().toString(), "status", finished.status().json()));
        payload.put("incident", Map.of("opened_at", closed.openedAt().toString(), "failures", closed.failures()));
        return new Notice(Event.RECOVERED, run.jobId(), run.jobName(), run.id(), subject, text.toString(), payload);
    }

    /** The job has not succeeded within its window. */
    static Notice missedRun(
            JobId job,
            String name,
            String template,
            Duration window,
            Instant lastSuccess,
            NotifyProperties properties,
            Instant now) {
        String subject = "Missed: " + name + " has not succeeded within " + words(window);
        StringBuilder text = header(name, template);
        text.append("Last success: ")
                .append(lastSuccess == null ? "never" : lastSuccess.toString())
                .append('\n');
        text.append("Alert window: ")
                .append(words(window))
                .append(" (alert_if_no_success_within: ")
                .append(window)
                .append(")\n");
        text.append("Whatever the reason (disabled, skipped slots, failures, no node running), it has not succeeded"
                + " in that time. You hear again when it succeeds.\n");
        String link = properties.jobLink(job);
        text.append("Open the job: ")
                .append(link == null ? job.toString() : link)
                .append('\n');
        Map<String, Object> payload = payload(Event.MISSED_RUN, subject, job, name, template, now);
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("window", window.toString());
        alert.put("last_success", text(lastSuccess));
        payload.put("alert", alert);
        return new Notice(Event.MISSED_RUN, job, name, null, subject, text.toString(), payload);
    }

    /** The job was disabled after too many failures in a row. */
    static Notice autoPaused(ExecutionFinished finished, int failures, NotifyProperties properties, Instant now) {
        Execution run = finished.execution();
        String subject = "Auto-paused: " + run.jobName() + " after " + plural(failures, "failure") + " in a row";
        String link = properties.jobLink(run.jobId());
        String text = header(run.jobName(), run.templateType())
                + "It failed " + (failures == 1 ? "once" : failures + " times") + " in a row and was disabled"
                + " (auto_pause_after_failures).\n"
                + "Last error: " + excerpt(finished.error()) + "\n"
                + "Fix the cause, then enable the job again: "
                + (link == null ? run.jobId().toString() : link)
                + "\n";
        Map<String, Object> payload =
                payload(Event.AUTO_PAUSED, subject, run.jobId(), run.jobName(), run.templateType(), now);
        payload.put(
                "execution",
                Map.of("id", run.id().toString(), "status", finished.status().json()));
        payload.put("consecutive_failures", failures);
        return new Notice(Event.AUTO_PAUSED, run.jobId(), run.jobName(), run.id(), subject, text, payload);
    }

    /** A schedule health problem opened. */
    static Notice unhealthy(
            JobId job,
            String name,
            String template,
            String reason,
            String detail,
            NotifyProperties properties,
            Instant now) {
        String words = reason.replace('_', ' ');
        String subject = "Unhealthy: " + name + " (" + words + ")";
        String link = properties.jobLink(job);
        String text = header(name, template)
                + "Schedule health: " + words + "\n"
                + "Why: " + detail + "\n"
                + "You hear again when it is healthy.\n"
                + "Open the job: " + (link == null ? job.toString() : link) + "\n";
        Map<String, Object> payload = payload(Event.UNHEALTHY, subject, job, name, template, now);
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("reason", reason);
        health.put("detail", detail);
        payload.put("health", health);
        return new Notice(Event.UNHEALTHY, job, name, null, subject, text, payload);
    }

    /** A schedule health problem ended. */
    static Notice healthy(
            JobId job, String name, String template, String reason, NotifyProperties properties, Instant now) {
        String words = reason.replace('_', ' ');
        String subject = "Recovered: " + name + " (" + words + ")";
        String link = properties.jobLink(job);
        String text = header(name, template)
                + "Schedule health: no longer " + words + ".\n"
                + "Open the job: " + (link == null ? job.toString() : link) + "\n";
        Map<String, Object> payload = payload(Event.RECOVERED, subject, job, name, template, now);
        payload.put("health", Map.of("reason", reason));
        return new Notice(Event.RECOVERED, job, name, null, subject, text, payload);
    }

    /** The first line of every message: the job and its template. */
    private static StringBuilder header(String job, String template) {
        return new StringBuilder("Job: ")
                .append(job)
                .append(" (")
                .append(template)
                .append(")\n");
    }

    private static Map<String, Object> payload(
            Event event, String summary, JobId job, String name, String template, Instant now) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("event", event.json());
        payload.put("summary", summary);
        payload.put("occurred_at", now.toString());
        payload.put("job", Map.of("id", job.toString(), "name", name, "template_type", template));
        return payload;
    }

    private static String words(Duration window) {
        long minutes = window.toMinutes();
        if (minutes % (24 * 60) == 0) {
            return plural(minutes / (24 * 60), "day");
        }
        if (minutes % 60 == 0) {
            return plural(minutes / 60, "hour");
        }
        return plural(Math.max(1, minutes), "minute");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    private static String excerpt(String error) {
        if (error == null || error.isBlank()) {
            return null;
        }
        return error.length() <= MAX_ERROR ? error : error.substring(0, MAX_ERROR) + "…";
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
