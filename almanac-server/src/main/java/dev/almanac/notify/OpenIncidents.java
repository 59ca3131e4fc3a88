package dev.almanac.notify;

import static dev.almanac.common.JdbcTime.instant;

import dev.almanac.job.JobId;
import dev.almanac.job.JobLookups;
import dev.almanac.notify.internal.Incidents;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The incidents open now, named by their jobs, for the daily summary. */
@Component
public class OpenIncidents {

    /** An open incident: {@code kind} is {@code failure} (with the failures in a row) or {@code missed_run}. */
    public record OpenIncident(String jobName, String kind, Instant openedAt, int failures) {

        public boolean isFailure() {
            return kind.equals(Incidents.FAILURE);
        }
    }

    private record Row(JobId job, String kind, Instant openedAt, int failures) {}

    private static final String SELECT = "SELECT job_id, kind, opened_at, failures FROM notification_incidents";

    private static final String IN_NAMESPACE = SELECT + """
             WHERE CAST(:namespace AS VARCHAR(63)) IS NULL
                OR job_id IN (SELECT id FROM jobs WHERE namespace = :namespace)
            """;

    private final JdbcClient jdbc;
    private final JobLookups jobs;

    OpenIncidents(JdbcClient jdbc, JobLookups jobs) {
        this.jdbc = jdbc;
        this.jobs = jobs;
    }

    /** Oldest first, then by job name. */
    public List<OpenIncident> all() {
        return in(null);
    }

    /** Those of the jobs in {@code namespace} (every job when null), oldest first, then by job name. */
    public List<OpenIncident> in(String namespace) {
        List<Row> rows = jdbc.sql(IN_NAMESPACE)
                .param("namespace", namespace)
                .query((rs, n) -> new Row(
                        new JobId(rs.getObject("job_id", UUID.class)),
                        rs.getString("kind"),
                        instant(rs, "opened_at"),
                        rs.getInt("failures")))
                .list();
        Map<JobId, String> names = jobs.namesOf(rows.stream().map(Row::job).toList());
        return rows.stream()
                .filter(row -> names.containsKey(row.job()))
                .map(row -> new OpenIncident(names.get(row.job()), row.kind(), row.openedAt(), row.failures()))
                .sorted(Comparator.comparing(OpenIncident::openedAt).thenComparing(OpenIncident::jobName))
                .toList();
    }
}
