package dev.almanac.notify.internal;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionReports;
import dev.almanac.job.JobId;
import dev.almanac.job.JobLookups;
import dev.almanac.job.Notifications;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Reads what jobs ask to be told, and keeps every attempt to tell someone. */
@Repository
public class NotificationRepository {

    /** A job's notification settings, with what a message needs of the job. */
    record Settings(JobId id, String name, String templateType, boolean enabled, Notifications notifications) {}

    /** A job with a missed-run alert that is not raised yet, with when it last succeeded. */
    record AlertCandidate(Settings job, Instant createdAt, Instant lastSuccess) {}

    private static final String RAISED_MISSED_RUN_ALERTS =
            "SELECT job_id FROM notification_incidents WHERE kind = '" + Incidents.MISSED_RUN + "'";

    private static final String ATTEMPT_COLUMNS =
            "id, job_id, execution_id, event, channel, recipient, outcome, detail, attempted_at";

    private final JdbcClient jdbc;
    private final JobLookups jobs;
    private final ExecutionReports executions;

    NotificationRepository(JdbcClient jdbc, JobLookups jobs, ExecutionReports executions) {
        this.jdbc = jdbc;
        this.jobs = jobs;
        this.executions = executions;
    }

    /** The settings of those of these jobs that have any (most have none, and are left out). */
    Map<JobId, Settings> settingsOf(Collection<JobId> ids) {
        Map<JobId, Settings> settings = new HashMap<>();
        jobs.notificationSettingsOf(ids).forEach((id, job) -> settings.put(id, settings(job)));
        return settings;
    }

    /** The jobs with a missed-run alert that is not raised yet, with when each last succeeded. */
    List<AlertCandidate> alertCandidates() {
        Set<UUID> raised = new HashSet<>(
                jdbc.sql(RAISED_MISSED_RUN_ALERTS).query(UUID.class).list());
        List<JobLookups.AlertSettings> waiting = jobs.withMissedRunAlert().stream()
                .filter(alert -> !raised.contains(alert.job().id().value()))
                .toList();
        Map<JobId, Instant> lastSuccess = executions.lastSuccessOf(
                waiting.stream().map(alert -> alert.job().id()).toList());
        return waiting.stream()
                .map(alert -> new AlertCandidate(
                        settings(alert.job()),
                        alert.createdAt(),
                        lastSuccess.get(alert.job().id())))
                .toList();
    }

    /** Keeps an attempt; {@code recipientKey} tells its recipient apart from others shown alike ({@link #told}). */
    void record(NotificationAttempt attempt, String recipientKey) {
        jdbc.sql("INSERT INTO notification_attempts (" + ATTEMPT_COLUMNS
                        + ", recipient_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(
                        attempt.id(),
                        attempt.jobId().value(),
                        attempt.executionId() == null
                                ? null
                                : attempt.executionId().value(),
                        attempt.event(),
                        attempt.channel(),
                        cut(attempt.recipient(), 300),
                        attempt.outcome(),
                        cut(attempt.detail(), 1000),
                        utc(attempt.attemptedAt()),
                        recipientKey)
                .update();
    }

    /**
     * Who was told about {@code event} of a job since {@code since} (a sent attempt each): by recipient key, and by
     * shown form for attempts recorded before keys were.
     */
    Told toldSince(JobId job, String event, Instant since) {
        Set<String> keys = new HashSet<>();
        Set<String> shown = new HashSet<>();
        jdbc.sql("SELECT DISTINCT recipient, recipient_key FROM notification_attempts"
                        + " WHERE job_id = ? AND event = ? AND outcome = 'sent' AND attempted_at >= ?")
                .params(job.value(), event, utc(since))
                .query((rs, n) -> {
                    String key = rs.getString("recipient_key");
                    if (key == null) {
                        shown.add(rs.getString("recipient"));
                    } else {
                        keys.add(key);
                    }
                    return key;
                })
                .list();
        return new Told(keys, shown);
    }

    /** Recipients told already: by key, and by shown form where no key was recorded. */
    record Told(Set<String> keys, Set<String> shownWithoutKey) {

        boolean contains(String key, String shown) {
            return keys.contains(key) || shownWithoutKey.contains(shown);
        }
    }

    List<NotificationAttempt> ofExecution(ExecutionId id) {
        return jdbc.sql("SELECT " + ATTEMPT_COLUMNS
                        + " FROM notification_attempts WHERE execution_id = ? ORDER BY attempted_at, id")
                .param(id.value())
                .query((rs, n) -> attempt(rs))
                .list();
    }

    List<NotificationAttempt> ofJob(JobId id, int limit) {
        return jdbc.sql("SELECT " + ATTEMPT_COLUMNS
                        + " FROM notification_attempts WHERE job_id = ? ORDER BY attempted_at DESC, id DESC LIMIT ?")
                .params(id.value(), limit)
                .query((rs, n) -> attempt(rs))
                .list();
    }

    private static Settings settings(JobLookups.NotificationSettings job) {
        return new Settings(job.id(), job.name(), job.templateType(), job.enabled(), job.notifications());
    }

    private static NotificationAttempt attempt(ResultSet rs) throws SQLException {
        UUID execution = rs.getObject("execution_id", UUID.class);
        return new NotificationAttempt(
                rs.getObject("id", UUID.class),
                new JobId(rs.getObject("job_id", UUID.class)),
                execution == null ? null : new ExecutionId(execution),
                rs.getString("event"),
                rs.getString("channel"),
                rs.getString("recipient"),
                rs.getString("outcome"),
                rs.getString("detail"),
                instant(rs, "attempted_at"));
    }

    private static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
