package dev.almanac.job;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * A job's schedule health problems, one per reason while it lasts ({@code job_health}), and what the health check reads
 * of jobs. Each statement commits on its own: the insert that opens a problem and the delete that ends it decide,
 * across a cluster, which node tells about it.
 */
@Repository
public class JobHealth {

    /** Why a job is unhealthy. */
    public static final String LATE = "late";

    public static final String MISSED = "missed";
    public static final String NEVER_FIRED = "never_fired";
    public static final String SLOW = "slow";
    public static final String FAILING = "failing";

    /** Every reason, in the order pages list them. */
    public static final List<String> REASONS = List.of(NEVER_FIRED, MISSED, LATE, SLOW, FAILING);

    /** A problem of a job, with the job's name and namespace. */
    public record Problem(JobId job, String jobName, String namespace, String reason, String detail, Instant since) {

        /** The reason in words, for pages. */
        public String reasonText() {
            return reason.replace('_', ' ');
        }
    }

    private static final String PROBLEM_COLUMNS = "h.job_id, j.name, j.namespace, h.reason, h.detail, h.since";

    private static final String OPEN = "INSERT INTO job_health (job_id, reason, detail, since) VALUES (?, ?, ?, ?)";

    private static final String CLOSE = "DELETE FROM job_health WHERE job_id = ? AND reason = ?";

    private static final String RECENT = "SELECT " + PROBLEM_COLUMNS
            + " FROM job_health h JOIN jobs j ON j.id = h.job_id ORDER BY h.since DESC, j.name LIMIT ?";

    private static final String RECENT_IN_NAMESPACES = "SELECT " + PROBLEM_COLUMNS
            + " FROM job_health h JOIN jobs j ON j.id = h.job_id WHERE j.namespace IN (:namespaces)"
            + " ORDER BY h.since DESC, j.name LIMIT :limit";

    private static final String OF_JOBS = "SELECT " + PROBLEM_COLUMNS
            + " FROM job_health h JOIN jobs j ON j.id = h.job_id WHERE h.job_id IN (:ids) ORDER BY h.since";

    private static final String OPEN_OF_REASON = "SELECT job_id FROM job_health WHERE reason = ?";

    private static final String UNHEALTHY_JOBS = "SELECT DISTINCT job_id FROM job_health";

    private static final String COUNT_BY_REASON = "SELECT reason, COUNT(*) FROM job_health GROUP BY reason";

    /** Due slots nobody fired: the engine advances {@code next_run_at} when it fires one (ix_jobs_due). */
    private static final String OVERDUE = """
            SELECT id, next_run_at, last_run_at FROM jobs
             WHERE enabled = TRUE AND next_run_at < ? AND paused_at IS NULL
             ORDER BY next_run_at
             LIMIT ?
            """;

    private static final String EXPECTED = "SELECT id, expected_duration_seconds FROM jobs"
            + " WHERE id IN (:ids) AND expected_duration_seconds IS NOT NULL";

    /** A job whose due slot passed unfired: when it was due, and when it last ran ({@code null}: never). */
    public record Overdue(JobId job, Instant dueAt, Instant lastRunAt) {}

    private final JdbcClient jdbc;

    JobHealth(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Opens the job's problem of this reason; false when it is open already (or the job is gone). */
    public boolean open(JobId job, String reason, String detail, Instant now) {
        try {
            return jdbc.sql(OPEN)
                            .params(job.value(), reason, cut(detail), utc(now))
                            .update()
                    == 1;
        } catch (DataIntegrityViolationException alreadyOpenOrJobGone) {
            // a duplicate key (open already), or the job was deleted meanwhile (its foreign key)
            return false;
        }
    }

    /** Ends the job's problem of this reason; false when none was open (or another node ended it first). */
    public boolean close(JobId job, String reason) {
        return jdbc.sql(CLOSE).params(job.value(), reason).update() == 1;
    }

    /**
     * The newest problems first, at most {@code limit}, of jobs in {@code namespaces} (null: every namespace). The
     * namespaces are picked before the limit, so another team's many problems never crowd out one's own.
     */
    public List<Problem> recent(Set<String> namespaces, int limit) {
        if (namespaces == null) {
            return jdbc.sql(RECENT).param(limit).query((rs, n) -> problem(rs)).list();
        }
        if (namespaces.isEmpty()) {
            return List.of();
        }
        return jdbc.sql(RECENT_IN_NAMESPACES)
                .param("namespaces", List.copyOf(namespaces))
                .param("limit", limit)
                .query((rs, n) -> problem(rs))
                .list();
    }

    /** The problems of these jobs, by job; healthy jobs are left out. */
    public Map<JobId, List<Problem>> of(Collection<JobId> jobs) {
        if (jobs.isEmpty()) {
            return Map.of();
        }
        Map<JobId, List<Problem>> problems = new HashMap<>();
        jdbc.sql(OF_JOBS)
                .param("ids", jobs.stream().map(JobId::value).toList())
                .query((rs, n) -> problem(rs))
                .list()
                .forEach(p -> problems.computeIfAbsent(p.job(), k -> new ArrayList<>())
                        .add(p));
        return problems;
    }

    /** The jobs with a problem of this reason open. */
    public Set<JobId> openOf(String reason) {
        return jdbc.sql(OPEN_OF_REASON).param(reason).query(UUID.class).list().stream()
                .map(JobId::new)
                .collect(Collectors.toSet());
    }

    /** The jobs with any problem open. */
    public Set<JobId> unhealthyJobs() {
        return jdbc.sql(UNHEALTHY_JOBS).query(UUID.class).list().stream()
                .map(JobId::new)
                .collect(Collectors.toSet());
    }

    /** How many jobs have each reason open; every reason is listed, with 0 when none. */
    public Map<String, Long> countsByReason() {
        Map<String, Long> counts = new LinkedHashMap<>();
        REASONS.forEach(reason -> counts.put(reason, 0L));
        jdbc.sql(COUNT_BY_REASON)
                .query((rs, n) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .list()
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    /** Enabled, unpaused jobs whose next slot was due before {@code before}, the oldest first. */
    public List<Overdue> overdue(Instant before, int limit) {
        return jdbc.sql(OVERDUE)
                .params(utc(before), limit)
                .query((rs, n) -> new Overdue(
                        new JobId(rs.getObject("id", UUID.class)),
                        instant(rs, "next_run_at"),
                        instant(rs, "last_run_at")))
                .list();
    }

    /** The expected durations of those of these jobs that state one. */
    public Map<JobId, Duration> expectedDurations(Collection<JobId> jobs) {
        if (jobs.isEmpty()) {
            return Map.of();
        }
        Map<JobId, Duration> expected = new HashMap<>();
        jdbc.sql(EXPECTED)
                .param("ids", jobs.stream().map(JobId::value).distinct().toList())
                .query((rs, n) -> Map.entry(
                        new JobId(rs.getObject("id", UUID.class)),
                        Duration.ofSeconds(rs.getLong("expected_duration_seconds"))))
                .list()
                .forEach(e -> expected.put(e.getKey(), e.getValue()));
        return expected;
    }

    private static Problem problem(ResultSet rs) throws SQLException {
        return new Problem(
                new JobId(rs.getObject("job_id", UUID.class)),
                rs.getString("name"),
                rs.getString("namespace"),
                rs.getString("reason"),
                rs.getString("detail"),
                instant(rs, "since"));
    }

    private static String cut(String text) {
        return text.length() <= 500 ? text : text.substring(0, 499) + "…";
    }
}
