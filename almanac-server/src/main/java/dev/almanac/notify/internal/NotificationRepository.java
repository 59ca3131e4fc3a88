package dev.almanac.notify.internal;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.execution.ExecutionId;
import dev.almanac.job.JobId;
import dev.almanac.job.JobRequest.NotificationsJson;
import dev.almanac.job.Notifications;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** Reads what jobs ask to be told, and keeps every attempt to tell someone. */
@Repository
public class NotificationRepository {

    /** A job's notification settings, with what a message needs of the job. */
    record Settings(JobId id, String name, String templateType, boolean enabled, Notifications notifications) {}

    /** A job with a missed-run alert that is not raised yet, with when it last succeeded. */
    record AlertCandidate(Settings job, Instant createdAt, Instant lastSuccess) {}

    private static final String SETTINGS_COLUMNS = "j.id, j.name, j.template_type, j.enabled, j.notifications";

    private static final String ALERT_CANDIDATES = "SELECT " + SETTINGS_COLUMNS + """
            , j.created_at,
                   (SELECT MAX(e.completed_at) FROM executions e
                     WHERE e.job_id = j.id AND e.status = 'succeeded' AND e.dry_run = FALSE) AS last_success
              FROM jobs j
             WHERE j.alert_after_seconds IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM notification_incidents i WHERE i.job_id = j.id AND i.kind = 'missed_run')
            """;

    private static final String ATTEMPT_COLUMNS =
            "id, job_id, execution_id, event, channel, recipient, outcome, detail, attempted_at";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final int noSettingsLength;

    NotificationRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
        // a job without settings stores exactly this text; any setting makes it longer, and LENGTH works on a CLOB
        // where a comparison does not (H2)
        this.noSettingsLength = json.writeValueAsString(NotificationsJson.of(Notifications.none()))
                .length();
    }

    /** The settings of those of these jobs that have any (most have none, and are left out). */
    Map<JobId, Settings> settingsOf(Collection<JobId> ids) {
        Map<JobId, Settings> settings = new HashMap<>();
        List<UUID> all = ids.stream().map(JobId::value).distinct().toList();
        for (int from = 0; from < all.size(); from += 500) {
            jdbc.sql("SELECT " + SETTINGS_COLUMNS
                            + " FROM jobs j WHERE j.id IN (:ids) AND LENGTH(j.notifications) > :none")
                    .param("ids", all.subList(from, Math.min(all.size(), from + 500)))
                    .param("none", noSettingsLength)
                    .query((rs, n) -> settings(rs))
                    .list()
                    .forEach(s -> settings.put(s.id(), s));
        }
        return settings;
    }

    List<AlertCandidate> alertCandidates() {
        return jdbc.sql(ALERT_CANDIDATES)
                .query((rs, n) ->
                        new AlertCandidate(settings(rs), instant(rs, "created_at"), instant(rs, "last_success")))
                .list();
    }

    void record(NotificationAttempt attempt) {
        jdbc.sql("INSERT INTO notification_attempts (" + ATTEMPT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
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
                        utc(attempt.attemptedAt()))
                .update();
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

    private Settings settings(ResultSet rs) throws SQLException {
        return new Settings(
                new JobId(rs.getObject("id", UUID.class)),
                rs.getString("name"),
                rs.getString("template_type"),
                rs.getBoolean("enabled"),
                json.readValue(rs.getString("notifications"), NotificationsJson.class)
                        .stored());
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
