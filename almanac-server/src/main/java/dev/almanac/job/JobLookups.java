package dev.almanac.job;

import dev.almanac.common.JdbcTime;
import dev.almanac.job.JobRequest.NotificationsJson;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Read-only look-ups of jobs, for the features that find jobs without owning them: by namespace and name (jobs files,
 * seeds), and
 * the notification settings that notify acts on.
 */
@Component
public class JobLookups {

    private static final String ID_BY_NAME = "SELECT id FROM jobs WHERE namespace = ? AND name = ?";

    // the namespace breaks a tie, so an export of jobs of one name in several namespaces is the same text each time
    private static final String IDS_IN_NAME_ORDER = "SELECT id FROM jobs ORDER BY name, namespace";

    private static final String NAMES_OF = "SELECT id, name FROM jobs WHERE id IN (:ids)";

    private static final String SETTINGS_COLUMNS = "j.id, j.name, j.template_type, j.enabled, j.notifications";

    // a job without settings stores exactly the text of Notifications.none(); any setting makes it longer, and LENGTH
    // works on a CLOB where a comparison does not (H2)
    private static final String WITH_NOTIFICATIONS =
            "SELECT " + SETTINGS_COLUMNS + " FROM jobs j WHERE j.id IN (:ids) AND LENGTH(j.notifications) > :none";

    private static final String WITH_MISSED_RUN_ALERT =
            "SELECT " + SETTINGS_COLUMNS + ", j.created_at FROM jobs j WHERE j.alert_after_seconds IS NOT NULL";

    /** A job's notification settings, with what a message needs of the job. */
    public record NotificationSettings(
            JobId id, String name, String templateType, boolean enabled, Notifications notifications) {}

    /** A job that asks to be alerted when it does not succeed in time, and since when it exists. */
    public record AlertSettings(NotificationSettings job, Instant createdAt) {}

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final int noSettingsLength;

    JobLookups(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
        this.noSettingsLength = json.writeValueAsString(NotificationsJson.of(Notifications.none()))
                .length();
    }

    /** The job of this name in {@code namespace} (null: the default one); names are unique per namespace. */
    public Optional<JobId> idByName(String namespace, String name) {
        return jdbc.sql(ID_BY_NAME)
                .param(namespace == null ? JobDefinition.DEFAULT_NAMESPACE : namespace)
                .param(name)
                .query(UUID.class)
                .optional()
                .map(JobId::new);
    }

    public boolean nameTaken(String namespace, String name) {
        return idByName(namespace, name).isPresent();
    }

    /** Every job's id, in the order of their names. */
    public List<JobId> allInNameOrder() {
        return jdbc.sql(IDS_IN_NAME_ORDER).query(UUID.class).list().stream()
                .map(JobId::new)
                .toList();
    }

    /** The names of those of these jobs that still exist. */
    public Map<JobId, String> namesOf(Collection<JobId> ids) {
        Map<JobId, String> names = new HashMap<>();
        List<UUID> all = ids.stream().map(JobId::value).distinct().toList();
        for (int from = 0; from < all.size(); from += 500) {
            jdbc.sql(NAMES_OF)
                    .param("ids", all.subList(from, Math.min(all.size(), from + 500)))
                    .query(rs -> {
                        names.put(new JobId(rs.getObject("id", UUID.class)), rs.getString("name"));
                    });
        }
        return names;
    }

    /** The settings of those of these jobs that have any (most have none, and are left out). */
    public Map<JobId, NotificationSettings> notificationSettingsOf(Collection<JobId> ids) {
        Map<JobId, NotificationSettings> settings = new HashMap<>();
        List<UUID> all = ids.stream().map(JobId::value).distinct().toList();
        for (int from = 0; from < all.size(); from += 500) {
            jdbc.sql(WITH_NOTIFICATIONS)
                    .param("ids", all.subList(from, Math.min(all.size(), from + 500)))
                    .param("none", noSettingsLength)
                    .query((rs, n) -> settings(rs))
                    .list()
                    .forEach(s -> settings.put(s.id(), s));
        }
        return settings;
    }

    /** Every job with a missed-run alert. */
    public List<AlertSettings> withMissedRunAlert() {
        return jdbc.sql(WITH_MISSED_RUN_ALERT)
                .query((rs, n) -> new AlertSettings(settings(rs), JdbcTime.instant(rs, "created_at")))
                .list();
    }

    private NotificationSettings settings(ResultSet rs) throws SQLException {
        return new NotificationSettings(
                new JobId(rs.getObject("id", UUID.class)),
                rs.getString("name"),
                rs.getString("template_type"),
                rs.getBoolean("enabled"),
                json.readValue(rs.getString("notifications"), NotificationsJson.class)
                        .stored());
    }
}
