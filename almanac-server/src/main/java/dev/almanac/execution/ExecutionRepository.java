package dev.almanac.execution;

import static dev.almanac.common.ArrayStatements.column;
import static dev.almanac.common.ArrayStatements.instants;
import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.common.ArrayStatements;
import dev.almanac.common.SqlDialect;
import dev.almanac.job.JobId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code executions} table. Every write that depends on the state it found says so in its WHERE clause, so a
 * write that lost a race changes nothing instead of overwriting. The store never reads the clock.
 */
@Repository
public class ExecutionRepository {

    static final String COLUMNS = """
            id, job_id, job_version, job_name, template_type, status, reason, attempt, retry_of, slot_key,
            scheduled_for, run_after, created_at, started_at, completed_at, duration_ms, dry_run, parameters, result,
            error, triggered_by, execution_host, heartbeat_at, cancel_requested, timeout_seconds
            """;

    /**
     * A scheduled slot that already has an execution is left alone: the unique slot_key is the last guard. (H2 only
     * takes ON CONFLICT without a conflict target; the ids are fresh UUIDs, so slot_key is the only key that can.)
     */
    private static final String INSERT_EXECUTION = """
            INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, reason, attempt,
                                    retry_of, slot_key, scheduled_for, run_after, created_at, started_at,
                                    completed_at, duration_ms, dry_run, parameters, result, error, triggered_by,
                                    execution_host, heartbeat_at, cancel_requested, timeout_seconds)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """;

    /** {@link #INSERT_EXECUTION} for a whole batch, for PostgreSQL: the rows bound as arrays, one per column. */
    private static final String INSERT_EXECUTIONS = """
            INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, reason, attempt,
                                    retry_of, slot_key, scheduled_for, run_after, created_at, started_at,
                                    completed_at, duration_ms, dry_run, parameters, result, error, triggered_by,
                                    execution_host, heartbeat_at, cancel_requested, timeout_seconds)
            SELECT * FROM unnest(
                CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]),
                CAST(? AS text[]), CAST(? AS text[]), CAST(? AS integer[]), CAST(? AS uuid[]), CAST(? AS text[]),
                CAST(? AS timestamptz[]), CAST(? AS timestamptz[]), CAST(? AS timestamptz[]), CAST(? AS timestamptz[]),
                CAST(? AS timestamptz[]), CAST(? AS bigint[]), CAST(? AS boolean[]), CAST(? AS text[]),
                CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[]),
                CAST(? AS boolean[]), CAST(? AS integer[]))
            ON CONFLICT DO NOTHING
            RETURNING id
            """;

    /**
     * Locks the queued executions that are due, earliest first, with the last line each has logged (a run handed back
     * by a stopping node continues its log). An index scan in due order that stops at the limit; the rows are then
     * marked running one by one by primary key ({@link #MARK_RUNNING}). One {@code UPDATE … WHERE id = ANY(…)} did
     * it in one statement, but PostgreSQL planned its outer part from the statistics of a queue that was empty when
     * last analyzed, and read every queued execution (the status index) or every execution (a sequential scan) to
     * find the few it had locked: 4–12 ms a claim with 10 000 queued (issue #4).
     *
     * <p>On PostgreSQL it is planned at every call ({@link ArrayStatements#query}), like the statements that join
     * arrays to the queue. Prepared once, after five calls the driver ran it from a plan kept for the connection, made
     * for tables as they were then: once the tables had been analyzed while empty (a fresh install, autovacuum's first
     * pass), that plan read the whole log table for every run it claimed, and kept doing so as the log grew to tens of
     * thousands of lines: a 20 000-job drain ran at 484 instead of about 3 000 runs/s (almanac-bench, issue #4).
     * Planned for its values it still took the queue for a few rows whenever the statistics said so (analyzed empty,
     * or a history where queued runs are rare) and, with 16 000 queued, read and sorted all of them at every claim (a
     * bitmap scan and a sort spilling to disk, 20 ms); {@link #CLAIM_BY_INDEX} leaves the claim's transaction only
     * index paths, so the claim reads the index in due order and stops at the limit, whatever the estimate.
     */
    private static final String LOCK_QUEUED = """
            SELECT %s,
                   (SELECT MAX(l.seq) FROM execution_logs l WHERE l.execution_id = executions.id) AS last_log_seq
              FROM executions
             WHERE status = 'queued' AND run_after <= ?
             ORDER BY run_after
             LIMIT ?
             FOR UPDATE SKIP LOCKED
            """.formatted(COLUMNS);

    /**
     * For the rest of the claim's transaction, only plain index scans: no bitmap scan (it reads every matching row
     * before the first) and no sort (of every queued run, to keep the earliest few), so the queue is read from its
     * index in due order and the claimed runs are found by their primary key; no sequential scan, which the planner
     * takes for a table it believes holds a page of rows.
     */
    private static final String CLAIM_BY_INDEX = """
            SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true),
                   set_config('enable_seqscan', 'off', true)
            """;

    /** The status is compared as an expression so that only the primary key can serve the update (see COMPLETE). */
    private static final String MARK_RUNNING = """
            UPDATE executions
               SET status = 'running', execution_host = ?, started_at = ?, heartbeat_at = ?
             WHERE id = ? AND status || '' = 'queued'
            """;

    /**
     * {@link #MARK_RUNNING} for every row a claim locked, for PostgreSQL ({@link ArrayStatements}). The lock stays a
     * statement of its own: planned for its values, it was planned from statistics taken while the queue was nearly
     * empty, and sorted every queued execution to take the first few instead of reading the claim index in due order.
     * The ids are looked up in the primary key as one array ({@code = ANY}), not joined: a join with the executions
     * taken for a row or two read the whole primary key and compared each entry with every id.
     */
    private static final String MARK_ALL_RUNNING = """
            UPDATE executions
               SET status = 'running', execution_host = ?, started_at = ?, heartbeat_at = ?
             WHERE id = ANY(CAST(? AS uuid[])) AND status || '' = 'queued'
            RETURNING id
            """;

    /**
     * Only the node that holds the run may finish it; after recovery took it over, this changes nothing. Status and
     * node are compared as expressions so that no index can serve them: PostgreSQL otherwise picked the status (or
     * node) index over the primary key, as both promise one row, and each completion scanned every running execution,
     * and during a drain the entries of thousands that had just finished (dead, not yet vacuumed) too (issue #4).
     */
    private static final String COMPLETE = """
            UPDATE executions
               SET status = ?, reason = ?, completed_at = ?, duration_ms = ?, result = ?, error = ?
             WHERE id = ? AND status || '' = 'running' AND execution_host || '' = ?
            """;

    /** {@link #COMPLETE} for a whole batch, for PostgreSQL: one statement, the outcomes bound as arrays. */
    private static final String COMPLETE_ALL = """
            UPDATE executions
               SET status = c.status, reason = c.reason, completed_at = c.completed_at, duration_ms = c.duration_ms,
                   result = c.result, error = c.error
              FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[]),
                          CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))
                   AS c(id, status, reason, completed_at, duration_ms, result, error, node)
             WHERE executions.id = c.id
               AND executions.status || '' = 'running' AND executions.execution_host || '' = c.node
            RETURNING executions.id
            """;

    /**
     * Rows another transaction holds (an outcome being written) are skipped, not waited for: a heartbeat that waited
     * could deadlock with a batch of completions locking the same rows in another order.
     */
    static final String LOCK_RUNNING_ON = """
            SELECT id FROM executions
             WHERE execution_host = :node AND status = 'running'
             FOR UPDATE SKIP LOCKED
            """;

    private static final String HEARTBEAT_RUNNING =
            "UPDATE executions SET heartbeat_at = :now WHERE id IN (:ids) AND status = 'running'";

    static final String CANCEL_REQUESTED_ON = """
            SELECT id FROM executions
             WHERE execution_host = :node AND status = 'running' AND cancel_requested = TRUE
            """;

    private static final String RUNNING_ON_STARTED_BEFORE = """
            SELECT id FROM executions
             WHERE execution_host = :node AND status = 'running' AND started_at < :before
            """;

    private static final String REQUEST_CANCEL =
            "UPDATE executions SET cancel_requested = TRUE WHERE id = :id AND status = 'running'";

    private static final String CANCEL_QUEUED = """
            UPDATE executions
               SET status = 'cancelled', reason = :reason, completed_at = :now, cancel_requested = TRUE
             WHERE id = :id AND status = 'queued'
            """;

    private static final String CANCEL_QUEUED_OF_JOB = """
            UPDATE executions
               SET status = 'cancelled', reason = :reason, completed_at = :now, cancel_requested = TRUE
             WHERE job_id = :job_id AND status = 'queued'
            """;

    private static final String ORPHANED = """
            SELECT e.id FROM executions e
             WHERE e.status = 'running'
               AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = e.execution_host AND n.heartbeat_at >= :dead_before)
             ORDER BY e.started_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED
            """;

    private static final String HAND_BACK = """
            UPDATE executions
               SET status = 'queued', execution_host = NULL, started_at = NULL, heartbeat_at = NULL
             WHERE id IN (:ids) AND status = 'running' AND execution_host = :node
            """;

    private static final String ACTIVE_JOBS =
            "SELECT DISTINCT job_id FROM executions WHERE job_id IN (:job_ids) AND status IN ('queued', 'running')";

    /**
     * {@link #ACTIVE_JOBS} for PostgreSQL, with the job ids as one array joined by hash: its generic plan for an
     * {@code IN} list of 500 parameters compared every active execution with each of them in turn (150–200 ms a
     * trigger pass with 10 000 executions queued, issue #4).
     */
    private static final String ACTIVE_JOBS_ARRAY = """
            SELECT DISTINCT job_id FROM executions
             WHERE job_id IN (SELECT unnest(CAST(:job_ids AS uuid[]))) AND status IN ('queued', 'running')
            """;

    private static final String ACTIVE_OF_JOB =
            "SELECT " + COLUMNS + " FROM executions WHERE job_id = :job_id AND status IN ('queued', 'running')";

    private static final String EARLIEST_QUEUED = "SELECT MIN(run_after) FROM executions WHERE status = 'queued'";

    private static final String FIND = "SELECT " + COLUMNS + " FROM executions WHERE id = :id";

    private static final String ACTIVE_COUNTS =
            "SELECT status, COUNT(*) FROM executions WHERE status IN ('queued', 'running') GROUP BY status";

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
            SELECT scheduled_for, run_after, started_at, attempt FROM executions
             WHERE started_at >= :since
             ORDER BY started_at DESC
             LIMIT :limit
            """;

    private static final String DELETE_FINISHED = "DELETE FROM executions WHERE id = :id AND status <> 'running'";

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {};

    /** The id a write with {@code RETURNING id} gives back. */
    private static final RowMapper<UUID> FIRST_ID = (rs, n) -> rs.getObject(1, UUID.class);

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final JsonMapper json;
    private final SqlDialect dialect;

    ExecutionRepository(JdbcClient jdbc, JdbcTemplate batch, JsonMapper json, SqlDialect dialect) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.json = json;
        this.dialect = dialect;
    }

    /** Inserts executions in one batch; returns those written (a slot already taken is not). */
    public List<Execution> insertAll(List<Execution> executions) {
        if (executions.isEmpty()) {
            return List.of();
        }
        if (dialect.arrayParameters()) {
            return insertAsArrays(executions);
        }
        int[][] counts = batch.batchUpdate(INSERT_EXECUTION, executions, 500, (ps, e) -> {
            ps.setObject(1, e.id().value());
            ps.setObject(2, e.jobId().value());
            ps.setLong(3, e.jobVersion());
            ps.setString(4, e.jobName());
            ps.setString(5, e.templateType());
            ps.setString(6, e.status().json());
            ps.setString(7, e.reason());
            ps.setInt(8, e.attempt());
            ps.setObject(9, e.retryOf() == null ? null : e.retryOf().value());
            ps.setString(10, e.slotKey());
            ps.setObject(11, utc(e.scheduledFor()));
            ps.setObject(12, utc(e.runAfter()));
            ps.setObject(13, utc(e.createdAt()));
            ps.setObject(14, utc(e.startedAt()));
            ps.setObject(15, utc(e.completedAt()));
            if (e.durationMs() == null) {
                ps.setNull(16, Types.BIGINT);
            } else {
                ps.setLong(16, e.durationMs());
            }
            ps.setBoolean(17, e.dryRun());
            ps.setString(18, json.writeValueAsString(e.parameters()));
            ps.setString(19, resultJson(e.result()));
            ps.setString(20, e.error());
            ps.setString(21, e.triggeredBy());
            ps.setString(22, e.executionHost());
            ps.setObject(23, utc(e.heartbeatAt()));
            ps.setBoolean(24, e.cancelRequested());
            if (e.timeoutSeconds() == null) {
                ps.setNull(25, Types.INTEGER);
            } else {
                ps.setInt(25, e.timeoutSeconds());
            }
        });
        List<Execution> written = new ArrayList<>(executions.size());
        int i = 0;
        for (int[] chunk : counts) {
            for (int count : chunk) {
                // a driver may answer SUCCESS_NO_INFO (-2) for a row it wrote
                if (count != 0) {
                    written.add(executions.get(i));
                }
                i++;
            }
        }
        return written;
    }

    private List<Execution> insertAsArrays(List<Execution> executions) {
        List<UUID> ids = ArrayStatements.insertReturning(
                batch,
                INSERT_EXECUTIONS,
                FIRST_ID,
                column(executions, e -> e.id().value(), UUID[]::new),
                column(executions, e -> e.jobId().value(), UUID[]::new),
                column(executions, Execution::jobVersion, Long[]::new),
                column(executions, Execution::jobName, String[]::new),
                column(executions, Execution::templateType, String[]::new),
                column(executions, e -> e.status().json(), String[]::new),
                column(executions, Execution::reason, String[]::new),
                column(executions, Execution::attempt, Integer[]::new),
                column(executions, e -> e.retryOf() == null ? null : e.retryOf().value(), UUID[]::new),
                column(executions, Execution::slotKey, String[]::new),
                instants(executions, Execution::scheduledFor),
                instants(executions, Execution::runAfter),
                instants(executions, Execution::createdAt),
                instants(executions, Execution::startedAt),
                instants(executions, Execution::completedAt),
                column(executions, Execution::durationMs, Long[]::new),
                column(executions, Execution::dryRun, Boolean[]::new),
                column(executions, e -> json.writeValueAsString(e.parameters()), String[]::new),
                column(executions, e -> resultJson(e.result()), String[]::new),
                column(executions, Execution::error, String[]::new),
                column(executions, Execution::triggeredBy, String[]::new),
                column(executions, Execution::executionHost, String[]::new),
                instants(executions, Execution::heartbeatAt),
                column(executions, Execution::cancelRequested, Boolean[]::new),
                column(executions, Execution::timeoutSeconds, Integer[]::new));
        Set<UUID> written = new HashSet<>(ids);
        return executions.stream().filter(e -> written.contains(e.id().value())).toList();
    }

    /** A run claimed for a node, with the last line its log already has (0 when none). */
    public record Claimed(Execution execution, int lastLogSeq) {}

    /**
     * Claims up to {@code limit} queued executions due by {@code now} for {@code node} and marks them running, earliest
     * due first. Call it inside a transaction.
     */
    public List<Claimed> claimQueued(Instant now, int limit, String node) {
        RowMapper<Claimed> claim = (rs, n) -> new Claimed(map(rs, n), rs.getInt("last_log_seq"));
        List<Claimed> locked;
        if (dialect.arrayParameters()) {
            jdbc.sql(CLAIM_BY_INDEX).query().listOfRows();
            locked = ArrayStatements.query(batch, LOCK_QUEUED, claim, utc(now), limit);
        } else {
            locked = jdbc.sql(LOCK_QUEUED).params(utc(now), limit).query(claim).list();
        }
        if (locked.isEmpty()) {
            return List.of();
        }
        // what the database keeps, so the runs handed back below are the rows as written
        Instant startedAt = now.truncatedTo(ChronoUnit.MICROS);
        Set<UUID> marked = dialect.arrayParameters()
                ? markRunningAsArrays(locked, node, startedAt)
                : markRunning(locked, node, startedAt);
        List<Claimed> claimed = new ArrayList<>(locked.size());
        for (Claimed lock : locked) {
            if (marked.contains(lock.execution().id().value())) {
                claimed.add(new Claimed(lock.execution().startedOn(node, startedAt), lock.lastLogSeq()));
            }
        }
        return claimed;
    }

    private Set<UUID> markRunning(List<Claimed> locked, String node, Instant startedAt) {
        int[][] counts = batch.batchUpdate(MARK_RUNNING, locked, locked.size(), (ps, c) -> {
            ps.setString(1, node);
            ps.setObject(2, utc(startedAt));
            ps.setObject(3, utc(startedAt));
            ps.setObject(4, c.execution().id().value());
        });
        Set<UUID> marked = new HashSet<>();
        for (int i = 0; i < locked.size(); i++) {
            if (counts[0][i] != 0) { // one chunk: the batch size is the whole list
                marked.add(locked.get(i).execution().id().value());
            }
        }
        return marked;
    }

    private Set<UUID> markRunningAsArrays(List<Claimed> locked, String node, Instant startedAt) {
        return new HashSet<>(ArrayStatements.query(
                batch,
                MARK_ALL_RUNNING,
                FIRST_ID,
                node,
                utc(startedAt),
                utc(startedAt),
                column(locked, c -> c.execution().id().value(), UUID[]::new)));
    }

    /** An outcome a node writes for a run it holds. */
    public record Completion(
            ExecutionId id,
            String node,
            ExecutionStatus status,
            String reason,
            Instant completedAt,
            long durationMs,
            Map<String, Object> result,
            String error) {}

    /** Writes outcomes in one batch; returns the ids whose outcome was accepted (the node still held the run). */
    public Set<ExecutionId> completeAll(List<Completion> unordered) {
        if (unordered.isEmpty()) {
            return Set.of();
        }
        // one lock order for every writer of several rows, so two batches cannot deadlock on each other
        List<Completion> completions = unordered.stream()
                .sorted(Comparator.comparing(c -> c.id().value()))
                .toList();
        if (dialect.arrayParameters()) {
            return completeAsArrays(completions);
        }
        int[][] counts = batch.batchUpdate(COMPLETE, completions, 500, (ps, c) -> {
            ps.setString(1, ExecutionStatus.RUNNING.moveTo(c.status()).json());
            ps.setString(2, c.reason());
            ps.setObject(3, utc(c.completedAt()));
            ps.setLong(4, c.durationMs());
            ps.setString(5, resultJson(c.result()));
            ps.setString(6, c.error());
            ps.setObject(7, c.id().value());
            ps.setString(8, c.node());
        });
        Set<ExecutionId> accepted = new HashSet<>();
        int i = 0;
        for (int[] chunk : counts) {
            for (int count : chunk) {
                if (count != 0) {
                    accepted.add(completions.get(i).id());
                }
                i++;
            }
        }
        return accepted;
    }

    private Set<ExecutionId> completeAsArrays(List<Completion> completions) {
        List<UUID> accepted = ArrayStatements.query(
                batch,
                COMPLETE_ALL,
                FIRST_ID,
                column(completions, c -> c.id().value(), UUID[]::new),
                column(
                        completions,
                        c -> ExecutionStatus.RUNNING.moveTo(c.status()).json(),
                        String[]::new),
                column(completions, Completion::reason, String[]::new),
                instants(completions, Completion::completedAt),
                column(completions, Completion::durationMs, Long[]::new),
                column(completions, c -> resultJson(c.result()), String[]::new),
                column(completions, Completion::error, String[]::new),
                column(completions, Completion::node, String[]::new));
        Set<ExecutionId> ids = new HashSet<>();
        accepted.forEach(id -> ids.add(new ExecutionId(id)));
        return ids;
    }

    /** Marks the runs of {@code node} as alive at {@code now}; call it inside a transaction. */
    public void heartbeatRunning(String node, Instant now) {
        List<UUID> ids = jdbc.sql(LOCK_RUNNING_ON)
                .param("node", node)
                .query((rs, n) -> rs.getObject("id", UUID.class))
                .list();
        if (!ids.isEmpty()) {
            jdbc.sql(HEARTBEAT_RUNNING).param("ids", ids).param("now", utc(now)).update();
        }
    }

    public List<ExecutionId> cancelRequestedOn(String node) {
        return jdbc.sql(CANCEL_REQUESTED_ON)
                .param("node", node)
                .query((rs, n) -> new ExecutionId(rs.getObject("id", UUID.class)))
                .list();
    }

    /** The executions the database says {@code node} runs, claimed before {@code before}. */
    public List<ExecutionId> runningOn(String node, Instant before) {
        return jdbc.sql(RUNNING_ON_STARTED_BEFORE)
                .param("node", node)
                .param("before", utc(before))
                .query((rs, n) -> new ExecutionId(rs.getObject("id", UUID.class)))
                .list();
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

    public int cancelQueuedOfJob(JobId job, String reason, Instant now) {
        return jdbc.sql(CANCEL_QUEUED_OF_JOB)
                .param("job_id", job.value())
                .param("reason", reason)
                .param("now", utc(now))
                .update();
    }

    /** Locks running executions whose node stopped heartbeating before {@code deadBefore}. */
    public List<Execution> lockOrphaned(Instant deadBefore, int limit) {
        List<UUID> ids = jdbc.sql(ORPHANED)
                .param("dead_before", utc(deadBefore))
                .param("limit", limit)
                .query((rs, n) -> rs.getObject("id", UUID.class))
                .list();
        return findAll(ids);
    }

    /** Puts runs this node holds back in the queue, for another node to take at once. */
    public int handBack(Collection<ExecutionId> ids, String node) {
        if (ids.isEmpty()) {
            return 0;
        }
        return jdbc.sql(HAND_BACK)
                .param("ids", ids.stream().map(ExecutionId::value).toList())
                .param("node", node)
                .update();
    }

    /** The jobs among {@code jobs} with a queued or running execution. */
    public Set<JobId> withActiveExecutions(Collection<JobId> jobs) {
        if (jobs.isEmpty()) {
            return Set.of();
        }
        List<UUID> ids = jobs.stream().map(JobId::value).toList();
        var statement = dialect.arrayParameters()
                ? jdbc.sql(ACTIVE_JOBS_ARRAY).param("job_ids", ids.toArray(UUID[]::new))
                : jdbc.sql(ACTIVE_JOBS).param("job_ids", ids);
        return new HashSet<>(statement
                .query((rs, n) -> new JobId(rs.getObject("job_id", UUID.class)))
                .list());
    }

    public List<Execution> activeOf(JobId job) {
        return jdbc.sql(ACTIVE_OF_JOB)
                .param("job_id", job.value())
                .query(this::map)
                .list();
    }

    public Optional<Instant> earliestQueued() {
        // MIN over no rows is one NULL row, which single() refuses as a value
        return jdbc.sql(EARLIEST_QUEUED)
                .query((rs, n) -> Optional.ofNullable(instant(rs, 1)))
                .single();
    }

    /** How many executions are in each status, queued and running only. */
    public Map<ExecutionStatus, Long> activeCounts() {
        return statusCounts(jdbc.sql(ACTIVE_COUNTS));
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

    private static Map<ExecutionStatus, Long> statusCounts(JdbcClient.StatementSpec statement) {
        Map<ExecutionStatus, Long> counts = new java.util.EnumMap<>(ExecutionStatus.class);
        statement.query(rs -> {
            counts.put(ExecutionStatus.fromJson(rs.getString(1)).orElseThrow(), rs.getLong(2));
        });
        return counts;
    }

    /** Lateness (due to started) in milliseconds of up to {@code limit} runs started since {@code since}. */
    public List<Long> latenessSince(Instant since, int limit) {
        return jdbc.sql(STARTS_SINCE)
                .param("since", utc(since))
                .param("limit", limit)
                .query((rs, n) -> {
                    Instant slot = instant(rs, "scheduled_for");
                    Instant due = slot != null && rs.getInt("attempt") == 1 ? slot : instant(rs, "run_after");
                    return Math.max(
                            0,
                            java.time.Duration.between(due, instant(rs, "started_at"))
                                    .toMillis());
                })
                .list();
    }

    public Optional<Execution> find(ExecutionId id) {
        return jdbc.sql(FIND).param("id", id.value()).query(this::map).optional();
    }

    public List<Execution> findAll(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<UUID, Execution> byId = new HashMap<>();
        jdbc.sql("SELECT " + COLUMNS + " FROM executions WHERE id IN (:ids)")
                .param("ids", List.copyOf(ids))
                .query(this::map)
                .list()
                .forEach(e -> byId.put(e.id().value(), e));
        List<Execution> ordered = new ArrayList<>(ids.size());
        for (UUID id : ids) {
            Execution e = byId.get(id);
            if (e != null) {
                ordered.add(e);
            }
        }
        return ordered;
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

    private String resultJson(Map<String, Object> result) {
        return result == null ? null : json.writeValueAsString(result);
    }

    Execution map(ResultSet rs, int rowNum) throws SQLException {
        UUID retryOf = rs.getObject("retry_of", UUID.class);
        String result = rs.getString("result");
        return new Execution(
                new ExecutionId(rs.getObject("id", UUID.class)),
                new JobId(rs.getObject("job_id", UUID.class)),
                rs.getLong("job_version"),
                rs.getString("job_name"),
                rs.getString("template_type"),
                ExecutionStatus.fromJson(rs.getString("status")).orElseThrow(),
                rs.getString("reason"),
                rs.getInt("attempt"),
                retryOf == null ? null : new ExecutionId(retryOf),
                rs.getString("slot_key"),
                instant(rs, "scheduled_for"),
                instant(rs, "run_after"),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "completed_at"),
                rs.getObject("duration_ms", Long.class),
                rs.getBoolean("dry_run"),
                json.readValue(rs.getString("parameters"), JSON_OBJECT),
                result == null ? null : json.readValue(result, JSON_OBJECT),
                rs.getString("error"),
                rs.getString("triggered_by"),
                rs.getString("execution_host"),
                instant(rs, "heartbeat_at"),
                rs.getBoolean("cancel_requested"),
                rs.getObject("timeout_seconds", Integer.class));
    }
}
