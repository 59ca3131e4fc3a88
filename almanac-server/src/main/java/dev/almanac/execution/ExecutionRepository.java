package dev.almanac.execution;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code executions} table as the history pages, the API and the status endpoint read it, and the API's cancel
 * and delete. The engine's own reads and writes are its store's ({@code engine.store}). The store never reads the clock.
 */
@Repository
public class ExecutionRepository {

    static final String COLUMNS = ExecutionRows.COLUMNS;

    // someone's cancel: a reason a replacement asked for before is cleared, so the run ends as cancelled by them
    private static final String REQUEST_CANCEL =
            "UPDATE executions SET cancel_requested = TRUE, reason = NULL WHERE id = :id AND status = 'running'";

    private static final String CANCEL_QUEUED = """
            UPDATE executions
               SET status = 'cancelled', reason = :reason, completed_at = :now, cancel_requested = TRUE
             WHERE id = :id AND status = 'queued'
            """;

    private static final String FIND = "SELECT " + COLUMNS + " FROM executions WHERE id = :id";

    private static final String ACTIVE_COUNTS =
            "SELECT status, COUNT(*) FROM executions WHERE status IN ('queued', 'running') GROUP BY status";

    private static final String ACTIVE_COUNTS_IN = """
            SELECT status, COUNT(*) FROM executions
             WHERE status IN ('queued', 'running')
               AND job_id IN (SELECT id FROM jobs WHERE namespace IN (:namespaces))
             GROUP BY status
            """;

    /** {@code %s}: nothing or an upper bound. */
    static final String FINISHED_PER_BUCKET = """
            SELECT FLOOR(EXTRACT(EPOCH FROM completed_at) / :bucket_seconds) AS bucket, status, COUNT(*) AS n
              FROM executions
             WHERE completed_at >= :since%s
               AND status IN ('succeeded', 'failed', 'timed_out', 'cancelled', 'skipped')
             GROUP BY 1, 2
            """;

    /** Due to started, for runs that started since: scheduled slots from their slot, the rest from run_after. */
    static final String STARTS_SINCE = """
            SELECT slot_key, scheduled_for, run_after, started_at FROM executions
             WHERE started_at >= :since
             ORDER BY started_at DESC
             LIMIT :limit
            """;

    /** A namespace's runs that hold a slot of its runs_at_once quota: running, or claimed ahead by a node. */
    private static final String HELD_IN_NAMESPACE = """
            SELECT COUNT(*) FROM executions
             WHERE (status = 'running' OR status = 'queued' AND execution_host IS NOT NULL)
               AND job_id IN (SELECT id FROM jobs WHERE namespace = :namespace)
            """;

    private static final String DELETE_FINISHED = "DELETE FROM executions WHERE id = :id AND status <> 'running'";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ExecutionRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Asks the node running an execution to stop it; false when it is not running. */
    public boolean requestCancel(ExecutionId id) {
        return jdbc.sql(REQUEST_CANCEL).param("id", id.value()).update() > 0;
    }

    /** Cancels an execution that has not started; false when it is no longer queued. */
    public boolean cancelQueued(ExecutionId id, String reason, Instant now) {
        return jdbc.sql(CANCEL_QUEUED)
                        .param("id", id.value())
                        .param("reason", reason)
                        .param("now", utc(now))
                        .update()
                > 0;
    }

    /** How many executions are in each status, queued and running only. */
    public Map<ExecutionStatus, Long> activeCounts() {
        return statusCounts(jdbc.sql(ACTIVE_COUNTS));
    }

    /** How many executions of the jobs in {@code namespaces} (not empty) are in each status, queued and running only. */
    public Map<ExecutionStatus, Long> activeCounts(java.util.Set<String> namespaces) {
        return statusCounts(jdbc.sql(ACTIVE_COUNTS_IN).param("namespaces", namespaces));
    }

    /** How many executions ended in one status during one time bucket; {@code bucket} counts from the epoch. */
    public record BucketCount(long bucket, ExecutionStatus status, long count) {}

    /**
     * Executions that ended from {@code since} until before {@code until} (null: no end), counted per status and per
     * bucket of {@code bucketSeconds}. {@link FinishedPerHour} keeps the hours that will not change.
     */
    List<BucketCount> finishedPerBucket(Instant since, Instant until, long bucketSeconds) {
        JdbcClient.StatementSpec statement = jdbc.sql(
                        FINISHED_PER_BUCKET.formatted(until == null ? "" : " AND completed_at < :until"))
                .param("bucket_seconds", bucketSeconds)
                .param("since", utc(since));
        if (until != null) {
            statement.param("until", utc(until));
        }
        return statement
                .query((rs, n) -> new BucketCount(
                        rs.getLong("bucket"),
                        ExecutionStatus.fromJson(rs.getString("status")).orElseThrow(),
                        rs.getLong("n")))
                .list();
    }

    /** The same as {@link #finishedPerBucket}, for the jobs of {@code namespaces} (not empty) only. */
    List<BucketCount> finishedPerBucket(Instant since, long bucketSeconds, java.util.Set<String> namespaces) {
        return jdbc.sql(FINISHED_PER_BUCKET.formatted(
                        " AND job_id IN (SELECT id FROM jobs WHERE namespace IN (:namespaces))"))
                .param("bucket_seconds", bucketSeconds)
                .param("since", utc(since))
                .param("namespaces", namespaces)
                .query((rs, n) -> new BucketCount(
                        rs.getLong("bucket"),
                        ExecutionStatus.fromJson(rs.getString("status")).orElseThrow(),
                        rs.getLong("n")))
                .list();
    }

    private static Map<ExecutionStatus, Long> statusCounts(JdbcClient.StatementSpec statement) {
        Map<ExecutionStatus, Long> counts = new java.util.EnumMap<>(ExecutionStatus.class);
        statement.query(rs -> {
            counts.put(ExecutionStatus.fromJson(rs.getString(1)).orElseThrow(), rs.getLong(2));
        });
        return counts;
    }

    /**
     * Lateness (due to started, {@link Execution#dueAt}) in milliseconds of up to {@code limit} runs started since
     * {@code since}.
     */
    public List<Long> latenessSince(Instant since, int limit) {
        return jdbc.sql(STARTS_SINCE)
                .param("since", utc(since))
                .param("limit", limit)
                .query((rs, n) -> {
                    Instant due = Execution.dueAt(
                            rs.getString("slot_key"), instant(rs, "scheduled_for"), instant(rs, "run_after"));
                    return Math.max(
                            0,
                            java.time.Duration.between(due, instant(rs, "started_at"))
                                    .toMillis());
                })
                .list();
    }

    /** How many of {@code namespace}'s runs hold a slot of its runs_at_once quota (running, or claimed ahead). */
    long heldInNamespace(String namespace) {
        return jdbc.sql(HELD_IN_NAMESPACE)
                .param("namespace", namespace)
                .query(Long.class)
                .single();
    }

    public Optional<Execution> find(ExecutionId id) {
        return jdbc.sql(FIND).param("id", id.value()).query(this::map).optional();
    }

    /** Deletes an execution that is not running, with its logs and artifacts; false when it is running or gone. */
    public boolean deleteUnlessRunning(ExecutionId id) {
        return jdbc.sql(DELETE_FINISHED).param("id", id.value()).update() > 0;
    }

    /** Reads what {@code query} selects: a page of history, newest first, continuing before a cursor. */
    public List<Execution> list(ExecutionQuery query) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM executions WHERE 1 = 1");
        Map<String, Object> params = new HashMap<>();
        query.appendWhere(sql, params);
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit");
        params.put("limit", query.limit());
        return jdbc.sql(sql.toString()).params(params).query(this::map).list();
    }

    /** How many executions match {@code query}, ignoring its cursor. */
    public long count(ExecutionQuery query) {
        StringBuilder sql = new StringBuilder("SELECT COUNT(*) FROM executions WHERE 1 = 1");
        Map<String, Object> params = new HashMap<>();
        query.withoutCursor().appendWhere(sql, params);
        return jdbc.sql(sql.toString()).params(params).query(Long.class).single();
    }

    Execution map(ResultSet rs, int rowNum) throws SQLException {
        return ExecutionRows.map(rs, json);
    }
}
