package dev.almanac.engine.internal.store;

import static dev.almanac.common.JdbcTime.instant;
import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.execution.ExecutionRows;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobId;
import dev.almanac.job.JobRows;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.postgresql.PGStatement;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCreator;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine's store on PostgreSQL. A batch is one statement with each column bound as an array
 * ({@code unnest(CAST(? AS uuid[]), …)}), not one statement per row; a batch of one row (a manual run, a single
 * completion) is bound as values ({@code (VALUES (CAST(? AS uuid), …))}), which is cheaper to plan and run. A plan
 * kept from a smaller table can scan all of it later, so a statement is planned at every call ({@link #planned}),
 * except the claim's lock and its claim-and-start: they run where the planner has one path left whatever the
 * statistics say, and are planned once per connection ({@link #prepared}).
 */
class PostgresEngineStore implements EngineStore {

    static final String CLAIM_DUE_JOBS = "SELECT " + JobRows.COLUMNS + """
             FROM jobs j
             WHERE j.enabled = TRUE AND j.next_run_at <= :now
             ORDER BY j.next_run_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED
            """;

    /**
     * The watermark only rises. The advances come from {@link #ADVANCE_JOBS_BATCH} or, for one job,
     * {@link #ADVANCE_JOBS_ONE}.
     */
    private static final String ADVANCE_JOBS = """
            UPDATE jobs SET next_run_at = a.next_run_at,
                            last_enqueued_slot = GREATEST(jobs.last_enqueued_slot, a.last_slot)
              FROM %s AS a(id, next_run_at, last_slot)
             WHERE jobs.id = a.id
            """;

    /** Advances bound as arrays, joined by key ({@link #joinedByKey}). */
    static final String ADVANCE_JOBS_BATCH =
            ADVANCE_JOBS.formatted("unnest(CAST(? AS uuid[]), CAST(? AS timestamptz[]), CAST(? AS timestamptz[]))");

    /** One job's advance bound as values, like {@link #COMPLETE_ONE}. */
    static final String ADVANCE_JOBS_ONE =
            ADVANCE_JOBS.formatted("(VALUES (CAST(? AS uuid), CAST(? AS timestamptz), CAST(? AS timestamptz)))");

    /**
     * A run takes its job's priority. A slot at or before its job's watermark is not written, nor one that already
     * has an execution (the unique slot_key). Planned at every call, as it reads the jobs: their primary key, one run
     * at a time. The runs come from {@link #ENQUEUE_BATCH} or {@link #ENQUEUE_ONE}.
     */
    private static final String ENQUEUE = """
            INSERT INTO executions (id, job_id, job_version, job_name, template_type, status, reason, attempt,
                                    retry_of, slot_key, scheduled_for, run_after, created_at, started_at,
                                    completed_at, duration_ms, dry_run, parameters, result, error, triggered_by,
                                    execution_host, heartbeat_at, cancel_requested, timeout_seconds, priority)
            SELECT n.*, COALESCE((SELECT j.priority FROM jobs j WHERE j.id = n.job_id), 5) FROM %s
                AS n(id, job_id, job_version, job_name, template_type, status, reason, attempt, retry_of, slot_key,
                     scheduled_for, run_after, created_at, started_at, completed_at, duration_ms, dry_run, parameters,
                     result, error, triggered_by, execution_host, heartbeat_at, cancel_requested, timeout_seconds)
             WHERE n.slot_key IS NULL
                OR NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = n.job_id AND j.last_enqueued_slot >= n.scheduled_for)
            ON CONFLICT DO NOTHING
            RETURNING id
            """;

    /** Runs bound column by column, each column an array. */
    static final String ENQUEUE_BATCH = ENQUEUE.formatted("""
            unnest(
                CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]),
                CAST(? AS text[]), CAST(? AS text[]), CAST(? AS integer[]), CAST(? AS uuid[]), CAST(? AS text[]),
                CAST(? AS timestamptz[]), CAST(? AS timestamptz[]), CAST(? AS timestamptz[]), CAST(? AS timestamptz[]),
                CAST(? AS timestamptz[]), CAST(? AS bigint[]), CAST(? AS boolean[]), CAST(? AS text[]),
                CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[]),
                CAST(? AS boolean[]), CAST(? AS integer[]))""");

    /**
     * One run (a manual run, a retry, a single due slot) bound as values: as 25 one-element arrays it cost about twice
     * as much to plan and run (almanac-bench HISTORY, session 29).
     */
    static final String ENQUEUE_ONE = ENQUEUE.formatted("""
            (VALUES (
                CAST(? AS uuid), CAST(? AS uuid), CAST(? AS bigint), CAST(? AS text), CAST(? AS text),
                CAST(? AS text), CAST(? AS text), CAST(? AS integer), CAST(? AS uuid), CAST(? AS text),
                CAST(? AS timestamptz), CAST(? AS timestamptz), CAST(? AS timestamptz), CAST(? AS timestamptz),
                CAST(? AS timestamptz), CAST(? AS bigint), CAST(? AS boolean), CAST(? AS text),
                CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS timestamptz),
                CAST(? AS boolean), CAST(? AS integer)))""");

    /**
     * The active runs of the jobs chosen by the placeholder that a new slot overlaps, as {@code overlapping}: not a
     * backfill's runs, nor their retries, which name the backfill only through their first attempt (retry_of). A retry
     * whose first attempt is gone (triggered_by null) counts. Each step back is a sub-query by primary key: as a join,
     * planned on tables analyzed empty, it read all of {@code executions} (EngineStoreTests).
     */
    private static final String OVERLAPPING = """
            WITH RECURSIVE attempt (id, job_id, triggered_by, retry_of) AS (
                SELECT id, job_id, triggered_by, retry_of FROM executions
                 WHERE %s AND status IN ('queued', 'running')
                UNION ALL
                SELECT a.id, a.job_id,
                       (SELECT e.triggered_by FROM executions e WHERE e.id = a.retry_of),
                       (SELECT e.retry_of FROM executions e WHERE e.id = a.retry_of)
                  FROM attempt a
                 WHERE a.triggered_by = 'retry' AND a.retry_of IS NOT NULL
            ), overlapping (id, job_id) AS (
                SELECT id, job_id FROM attempt
                 WHERE triggered_by IS NULL
                    OR (triggered_by NOT LIKE 'backfill:%%' AND (triggered_by <> 'retry' OR retry_of IS NULL))
            )
            """;

    /**
     * One array, not an IN list of 500 parameters (a generic plan compared them one by one), read through the index of
     * active runs by job (V44) and planned at every call: a plan kept from a call on an empty queue scanned the whole
     * queue once per job asked about.
     */
    static final String OVERLAPPING_JOBS =
            OVERLAPPING.formatted("job_id = ANY(CAST(? AS uuid[]))") + "SELECT DISTINCT job_id FROM overlapping";

    static final String OVERLAPPING_RUNS_OF_JOB = OVERLAPPING.formatted("job_id = :job_id") + "SELECT "
            + ExecutionRows.COLUMNS
            // the job's active runs by their index (V44) first: the id list alone could be planned as a full scan
            + " FROM executions WHERE job_id = :job_id AND status IN ('queued', 'running')"
            + " AND id IN (SELECT id FROM overlapping)";

    private static final String LOCK_JOB = "SELECT id FROM jobs WHERE id = :id FOR UPDATE";

    static final String CANCEL_QUEUED = """
            UPDATE executions
               SET status = 'cancelled', reason = :reason, completed_at = :now, cancel_requested = TRUE
             WHERE id = :id AND status = 'queued'
            """;

    static final String FOLLOW_PRIORITY = """
            UPDATE executions e SET priority = j.priority
              FROM jobs j
             WHERE j.id = :job_id AND e.job_id = :job_id AND e.status = 'queued' AND e.priority <> j.priority
            """;

    static final String CANCEL_QUEUED_OF_JOB = """
            UPDATE executions
               SET status = 'cancelled', reason = :reason, completed_at = :now, cancel_requested = TRUE
             WHERE job_id = :job_id AND status = 'queued'
            """;

    static final String REQUEST_CANCEL =
            "UPDATE executions SET cancel_requested = TRUE, reason = :reason WHERE id = :id AND status = 'running'";

    /**
     * Whether a queued run that no node holds is due. The read stops at the first one due; before it, it passes over
     * the queued runs not yet due (retries waiting out their backoff), at most the queue, never the history.
     */
    static final String QUEUED_DUE = """
            SELECT 1 FROM executions
             WHERE status = 'queued' AND execution_host IS NULL AND run_after <= ?
             LIMIT 1
            """;

    static final String EARLIEST_QUEUED =
            "SELECT MIN(run_after) FROM executions WHERE status = 'queued' AND execution_host IS NULL";

    /** The same, passing over the runs of namespaces at their runs_at_once quota: they wait for a slot, not a time. */
    static final String EARLIEST_QUEUED_OUTSIDE = """
            SELECT MIN(run_after) FROM executions e
             WHERE status = 'queued' AND execution_host IS NULL
               AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = e.job_id AND j.namespace = ANY(CAST(:full AS text[])))
            """;

    /** The namespaces with a runs_at_once quota (issue #20), read for {@link #earliestQueued}. */
    static final String QUOTAS = "SELECT name, quota_runs_at_once FROM namespaces WHERE quota_runs_at_once IS NOT NULL";

    /**
     * The same, locked for the claim's transaction, so two claims count one namespace's runs one after the other and
     * cannot both take its last slot. NO KEY UPDATE: a job saved meanwhile (its foreign key takes KEY SHARE) does not
     * wait. No quota, no row, no wait.
     */
    static final String LOCK_QUOTAS = QUOTAS + " ORDER BY name FOR NO KEY UPDATE";

    /** What holds a namespace's slot: a run running, or claimed ahead by a node (queued with a host). */
    static final String HELD_IN_NAMESPACES = """
            SELECT j.namespace, COUNT(*) FROM executions e JOIN jobs j ON j.id = e.job_id
             WHERE (e.status = 'running' OR e.status = 'queued' AND e.execution_host IS NOT NULL)
               AND j.namespace = ANY(CAST(:namespaces AS text[]))
             GROUP BY j.namespace
            """;

    /**
     * Only index paths and nested loops for the rest of the claim's transaction: the queue is read from its index in
     * due order and stops at the limit, whatever the statistics say (issue #4: a bitmap scan and sort of 16 000
     * queued, 20 ms), and the runs it locks are updated where the lock found them ({@link #CLAIM_AND_START}). With no
     * other path left, one plan serves every call: the lock ({@link #LOCK_QUEUED}) and the claim that starts its runs
     * ({@link #CLAIM_AND_START}) are prepared once per connection and planned once ({@link #prepared}; planning the
     * lock at every call took longer than running it). The other statements of the claim's transaction are planned at
     * every call ({@link #planned}), generically under these settings, on the table as it is then.
     */
    static final String CLAIM_BY_INDEX = """
            SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true),
                   set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true),
                   set_config('enable_mergejoin', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true)
            """;

    /**
     * Only primary-key lookups for the batch updates that join arrays to {@code jobs} or {@code executions}, for that
     * statement ({@link #JOIN_AS_BEFORE} after it): planned on a table of some thousands of rows, each batch hashed the
     * whole table (a 20 000-job drain: 10 ms of a 39 ms advance of 500 jobs went to reading all of {@code jobs}).
     * These statements are planned at every call: a nested loop can still take either side first, and a plan kept
     * from a nearly empty table would read all of it once it had grown. A batch of one row, bound as values, needs
     * none of this: the planner knows it has one row to look up.
     */
    // OFFSET 0 keeps the sub-query a step of its own, so the settings are read before set_config changes them
    static final String JOIN_BY_KEY = """
            SELECT was.hashjoin, was.mergejoin,
                   set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)
              FROM (SELECT current_setting('enable_hashjoin') AS hashjoin,
                           current_setting('enable_mergejoin') AS mergejoin
                    OFFSET 0) AS was
            """;

    /**
     * Back to the settings {@link #JOIN_BY_KEY} found once the batch statement ran, for whatever else the transaction
     * does: an operator's own (a role's, a database's, the server's) stay in force.
     */
    static final String JOIN_AS_BEFORE = """
            SELECT set_config('enable_hashjoin', ?, true), set_config('enable_mergejoin', ?, true)
            """;

    /**
     * A run handed back by a stopping node continues its log, so the claim reads its last line. Runs another node
     * claimed ahead (queued, with a host) are passed over: at most a buffer per node.
     */
    static final String LOCK_QUEUED = """
            SELECT %s,
                   (SELECT MAX(l.seq) FROM execution_logs l WHERE l.execution_id = executions.id) AS last_log_seq
              FROM executions
             WHERE status = 'queued' AND run_after <= ? AND execution_host IS NULL
             ORDER BY priority DESC, run_after
             LIMIT ?
             FOR UPDATE SKIP LOCKED
            """.formatted(ExecutionRows.COLUMNS);

    /**
     * {@link #LOCK_QUEUED} and {@link #MARK_RUNNING} in one statement, for a claim that starts every run it takes (no
     * claim ahead, no runs_at_once quota to keep): the runs locked are marked running on the node, found by the
     * address of the row version the lock took (a TID scan), and returned as written, in no particular order (their
     * priority comes along to sort them). Not by id: this plan is kept with the connection until the table's
     * statistics change, and one made on an empty table found the ids by reading all of {@code ix_executions_created},
     * a read that grew with the history (almanac-bench HISTORY, session 31). A locked row cannot move before the
     * update in the same statement. A row another transaction changed and committed after this statement's snapshot,
     * and that still waits in the queue, is locked in its new version, which this statement does not see: it is not
     * updated, and a claim after this transaction's end takes it.
     */
    static final String CLAIM_AND_START = """
            UPDATE executions
               SET status = 'running', execution_host = ?, started_at = ?, heartbeat_at = ?
             WHERE ctid = ANY(ARRAY(
                       SELECT ctid FROM executions
                        WHERE status = 'queued' AND run_after <= ? AND execution_host IS NULL
                        ORDER BY priority DESC, run_after
                        LIMIT ?
                        FOR UPDATE SKIP LOCKED))
            RETURNING %s, priority AS claim_priority,
                      (SELECT MAX(l.seq) FROM execution_logs l WHERE l.execution_id = executions.id) AS last_log_seq
            """.formatted(ExecutionRows.COLUMNS);

    /**
     * {@link #LOCK_QUEUED} when namespaces have a runs_at_once quota: each run's namespace is read, and the runs of
     * namespaces with no free slot (second parameter) are passed over; the rest is kept within each namespace's
     * slots after the lock ({@link RunsAtOnce#within}). Planned at every call: its jobs are found by id, which a plan
     * kept from a small table could do by reading a whole index ({@link #CLAIM_AND_START}).
     */
    static final String LOCK_QUEUED_WITHIN_QUOTAS = """
            SELECT %s,
                   (SELECT MAX(l.seq) FROM execution_logs l WHERE l.execution_id = executions.id) AS last_log_seq,
                   (SELECT j.namespace FROM jobs j WHERE j.id = executions.job_id) AS namespace
              FROM executions
             WHERE status = 'queued' AND run_after <= ? AND execution_host IS NULL
               AND NOT EXISTS (SELECT 1 FROM jobs j
                                WHERE j.id = executions.job_id AND j.namespace = ANY(CAST(? AS text[])))
             ORDER BY priority DESC, run_after
             LIMIT ?
             FOR UPDATE SKIP LOCKED
            """.formatted(ExecutionRows.COLUMNS);

    /**
     * Status compared as an expression, so only the primary key can serve it (the status index scanned the queue).
     * Planned at every call, like {@link #MARK_CLAIMED}: a plan kept from a small table found the ids by reading a
     * whole index ({@link #CLAIM_AND_START}).
     */
    static final String MARK_RUNNING = """
            UPDATE executions
               SET status = 'running', execution_host = ?, started_at = ?, heartbeat_at = ?
             WHERE id = ANY(CAST(? AS uuid[])) AND status || '' = 'queued'
            RETURNING id
            """;

    /** Claimed ahead: still queued, held by the node since {@code heartbeat_at}. */
    static final String MARK_CLAIMED = """
            UPDATE executions
               SET execution_host = ?, heartbeat_at = ?
             WHERE id = ANY(CAST(? AS uuid[])) AND status || '' = 'queued'
            RETURNING id
            """;

    /** A run claimed ahead starts only while it is still queued on this node (not cancelled, not taken back). */
    static final String START_CLAIMED = """
            UPDATE executions
               SET status = 'running', started_at = ?, heartbeat_at = ?
             WHERE id = ANY(CAST(? AS uuid[])) AND status || '' = 'queued' AND execution_host || '' = ?
            RETURNING id
            """;

    /**
     * Only the node that holds the run may finish it. Status and node compared as expressions, so only the primary
     * key can serve them: the status or node index scanned every running (and just-finished) execution. The
     * completions come from {@link #COMPLETE_BATCH} or {@link #COMPLETE_ONE}.
     */
    private static final String COMPLETE = """
            UPDATE executions
               SET status = c.status, reason = c.reason, completed_at = c.completed_at, duration_ms = c.duration_ms,
                   result = c.result, error = c.error
              FROM %s
                   AS c(id, status, reason, completed_at, duration_ms, result, error, node)
             WHERE executions.id = c.id
               AND executions.status || '' = 'running' AND executions.execution_host || '' = c.node
            RETURNING executions.id
            """;

    /** Completions bound column by column, each column an array, joined by key ({@link #joinedByKey}). */
    static final String COMPLETE_BATCH = COMPLETE.formatted("""
            unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[]),
                   CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))""");

    /**
     * One completion bound as values: one row joins by primary key with no settings to hold the planner to it, and
     * skips the two statements that set and reset them. That holds because it is planned at every call, on the
     * table as it is then; a plan kept from a nearly empty table could scan it.
     */
    static final String COMPLETE_ONE = COMPLETE.formatted("""
            (VALUES (CAST(? AS uuid), CAST(? AS text), CAST(? AS text), CAST(? AS timestamptz),
                     CAST(? AS bigint), CAST(? AS text), CAST(? AS text), CAST(? AS text)))""");

    /**
     * A late completion of an older run does not overwrite the outcome of a newer one. The outcomes come from
     * {@link #RECORD_JOB_OUTCOMES_BATCH} or, for one job, {@link #RECORD_JOB_OUTCOMES_ONE}.
     */
    private static final String RECORD_JOB_OUTCOMES = """
            UPDATE jobs SET last_run_at = o.ran_at, last_status = o.status
              FROM %s AS o(id, ran_at, status)
             WHERE jobs.id = o.id AND (jobs.last_run_at IS NULL OR jobs.last_run_at <= o.ran_at)
            """;

    /** Outcomes bound as arrays, joined by key ({@link #joinedByKey}). */
    static final String RECORD_JOB_OUTCOMES_BATCH =
            RECORD_JOB_OUTCOMES.formatted("unnest(CAST(? AS uuid[]), CAST(? AS timestamptz[]), CAST(? AS text[]))");

    /** One job's outcome bound as values, like {@link #COMPLETE_ONE}. */
    static final String RECORD_JOB_OUTCOMES_ONE =
            RECORD_JOB_OUTCOMES.formatted("(VALUES (CAST(? AS uuid), CAST(? AS timestamptz), CAST(? AS text)))");

    static final String APPEND_LOGS = """
            INSERT INTO execution_logs (execution_id, seq, logged_at, log_level, message)
            SELECT * FROM unnest(CAST(? AS uuid[]), CAST(? AS integer[]), CAST(? AS timestamptz[]), CAST(? AS text[]),
                                 CAST(? AS text[]))
            """;

    static final String APPEND_LINE_AFTER_LAST = """
            INSERT INTO execution_logs (execution_id, seq, logged_at, log_level, message)
            SELECT CAST(:execution AS uuid), COALESCE(MAX(seq), 0) + 1, CAST(:at AS timestamptz), CAST(:level AS text),
                   CAST(:message AS text)
              FROM execution_logs WHERE execution_id = CAST(:execution AS uuid)
            """;

    /** Rows being completed are skipped, not waited for: a heartbeat that waited could deadlock with the batch. */
    static final String LOCK_RUNNING_ON = """
            SELECT id FROM executions
             WHERE execution_host = :node AND status = 'running'
             FOR UPDATE SKIP LOCKED
            """;

    static final String HEARTBEAT_RUNS =
            "UPDATE executions SET heartbeat_at = :now WHERE id IN (:ids) AND status = 'running'";

    static final String CANCEL_REQUESTED_ON = """
            SELECT id, reason FROM executions
             WHERE execution_host = :node AND status = 'running' AND cancel_requested = TRUE
            """;

    /** Two queries joined, so each reads its own partial index (running by host; claimed ahead by host). */
    static final String HELD_BY_CLAIMED_BEFORE = """
            SELECT id FROM executions
             WHERE execution_host = :node AND status = 'running' AND started_at < :before
            UNION ALL
            SELECT id FROM executions
             WHERE execution_host = :node AND status = 'queued' AND execution_host IS NOT NULL
               AND heartbeat_at < :before
            """;

    static final String HAND_BACK = """
            UPDATE executions
               SET status = 'queued', execution_host = NULL, started_at = NULL, heartbeat_at = NULL
             WHERE id IN (:ids) AND status IN ('running', 'queued') AND execution_host = :node
            """;

    /** Rows a live node is starting are skipped: they are its, and it starts them or hands them back itself. */
    static final String RELEASE_CLAIMED_OF_DEAD = """
            UPDATE executions SET execution_host = NULL, heartbeat_at = NULL
             WHERE id IN (SELECT e.id FROM executions e
                           WHERE e.status = 'queued' AND e.execution_host IS NOT NULL
                             AND NOT EXISTS (SELECT 1 FROM nodes n
                                              WHERE n.id = e.execution_host AND n.heartbeat_at >= :dead_before)
                           FOR UPDATE SKIP LOCKED)
               AND status = 'queued'
            """;

    static final String LOCK_STARTED_BEFORE = """
            SELECT %s FROM executions e
             WHERE e.execution_host = :node AND e.status = 'running' AND e.started_at < :before
             ORDER BY e.started_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED
            """.formatted(ExecutionRows.COLUMNS);

    static final String LOCK_LOST = """
            SELECT %s FROM executions e
             WHERE e.status = 'running'
               AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = e.execution_host AND n.heartbeat_at >= :dead_before)
             ORDER BY e.started_at
             LIMIT :limit
             FOR UPDATE SKIP LOCKED
            """.formatted(ExecutionRows.COLUMNS);

    private static final RowMapper<UUID> FIRST_ID = (rs, n) -> rs.getObject(1, UUID.class);

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final JsonMapper json;
    private final QuotaPresence quotaPresence = new QuotaPresence();

    PostgresEngineStore(JdbcClient jdbc, JdbcTemplate batch, JsonMapper json) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.json = json;
    }

    @Override
    public List<Job> claimDueJobs(Instant now, int limit) {
        return jdbc.sql(CLAIM_DUE_JOBS)
                .param("now", utc(now))
                .param("limit", limit)
                .query(JobRows.mapper(json))
                .list();
    }

    @Override
    public void advanceJobs(Collection<JobAdvance> advances) {
        if (advances.isEmpty()) {
            return;
        }
        Object[] columns = {
            column(advances, a -> a.job().value(), UUID[]::new),
            instants(advances, JobAdvance::nextRun),
            instants(advances, JobAdvance::lastSlot)
        };
        byKey(columns, advances.size(), ADVANCE_JOBS_ONE, ADVANCE_JOBS_BATCH, batch::update);
    }

    @Override
    public List<Execution> enqueue(List<Execution> executions) {
        if (executions.isEmpty()) {
            return List.of();
        }
        Object[] columns = {
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
            column(executions, e -> jsonOrNull(e.result()), String[]::new),
            column(executions, Execution::error, String[]::new),
            column(executions, Execution::triggeredBy, String[]::new),
            column(executions, Execution::executionHost, String[]::new),
            instants(executions, Execution::heartbeatAt),
            column(executions, Execution::cancelRequested, Boolean[]::new),
            column(executions, Execution::timeoutSeconds, Integer[]::new)
        };
        List<UUID> ids = batch.query(boundAs(columns, executions.size(), ENQUEUE_ONE, ENQUEUE_BATCH), FIRST_ID);
        Set<UUID> written = new HashSet<>(ids);
        return executions.stream().filter(e -> written.contains(e.id().value())).toList();
    }

    @Override
    public Set<JobId> withOverlappingRuns(Collection<JobId> jobs) {
        if (jobs.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(batch.query(
                planned(OVERLAPPING_JOBS, (Object)
                        jobs.stream().map(JobId::value).toArray(UUID[]::new)),
                (rs, n) -> new JobId(rs.getObject("job_id", UUID.class))));
    }

    @Override
    public List<Execution> overlappingRunsOf(JobId job) {
        return jdbc.sql(OVERLAPPING_RUNS_OF_JOB)
                .param("job_id", job.value())
                .query(ExecutionRows.mapper(json))
                .list();
    }

    @Override
    public void lockJob(JobId job) {
        jdbc.sql(LOCK_JOB).param("id", job.value()).query(Object.class).list();
    }

    @Override
    public boolean cancelQueued(ExecutionId id, String reason, Instant now) {
        return jdbc.sql(CANCEL_QUEUED)
                        .param("id", id.value())
                        .param("reason", reason)
                        .param("now", utc(now))
                        .update()
                > 0;
    }

    @Override
    public int cancelQueuedOfJob(JobId job, String reason, Instant now) {
        return jdbc.sql(CANCEL_QUEUED_OF_JOB)
                .param("job_id", job.value())
                .param("reason", reason)
                .param("now", utc(now))
                .update();
    }

    @Override
    public int followPriority(JobId job) {
        return jdbc.sql(FOLLOW_PRIORITY).param("job_id", job.value()).update();
    }

    @Override
    public boolean requestCancel(ExecutionId id, String reason) {
        return jdbc.sql(REQUEST_CANCEL)
                        .param("id", id.value())
                        .param("reason", reason)
                        .update()
                > 0;
    }

    @Override
    public Optional<Instant> earliestQueued() {
        Set<String> full = runsAtOnce(QUOTAS).full();
        // MIN over no rows is one NULL row, which single() refuses as a value
        return (full.isEmpty()
                        ? jdbc.sql(EARLIEST_QUEUED)
                        : jdbc.sql(EARLIEST_QUEUED_OUTSIDE).param("full", full.toArray(String[]::new)))
                .query((rs, n) -> Optional.ofNullable(instant(rs, 1)))
                .single();
    }

    /**
     * Where the namespaces with a runs_at_once quota stand, read with {@link #QUOTAS} or {@link #LOCK_QUOTAS}; not
     * read while none has one ({@link QuotaPresence}).
     */
    private RunsAtOnce runsAtOnce(String quotasStatement) {
        return quotaPresence.read(() ->
                RunsAtOnce.read(jdbc, quotasStatement, HELD_IN_NAMESPACES, names -> names.toArray(String[]::new)));
    }

    @Override
    public void namespacesChanged() {
        quotaPresence.forget();
    }

    @Override
    public boolean mayStartAsWritten(Instant now) {
        return runsAtOnce(QUOTAS).none()
                && batch.query(planned(QUEUED_DUE, utc(now)), (rs, n) -> Boolean.TRUE)
                        .isEmpty();
    }

    @Override
    public boolean runQuotasInUse() {
        return !quotaPresence.noneSeen();
    }

    @Override
    public List<Claimed> claimRuns(String node, Instant now, int start, int ahead) {
        if (start + ahead <= 0) {
            return List.of();
        }
        RunsAtOnce quotas = runsAtOnce(LOCK_QUOTAS);
        jdbc.sql(CLAIM_BY_INDEX).query().listOfRows();
        // what the database keeps, so the runs handed back are the rows as written
        Instant startedAt = now.truncatedTo(ChronoUnit.MICROS);
        if (quotas.none() && ahead == 0) {
            return claimAndStart(node, now, startedAt, start);
        }
        List<Claimed> locked;
        if (quotas.none()) {
            locked = batch.query(
                    prepared(LOCK_QUEUED, utc(now), start + ahead),
                    (rs, n) -> new Claimed(ExecutionRows.map(rs, json), rs.getInt("last_log_seq")));
        } else {
            List<String> namespaces = new ArrayList<>();
            List<Claimed> due = batch.query(
                    planned(LOCK_QUEUED_WITHIN_QUOTAS, utc(now), quotas.full().toArray(String[]::new), start + ahead),
                    (rs, n) -> {
                        namespaces.add(rs.getString("namespace"));
                        return new Claimed(ExecutionRows.map(rs, json), rs.getInt("last_log_seq"));
                    });
            locked = quotas.within(due, namespaces);
        }
        if (locked.isEmpty()) {
            return List.of();
        }
        List<Claimed> starting = locked.subList(0, Math.min(start, locked.size()));
        List<Claimed> buffered = locked.subList(starting.size(), locked.size());
        Set<UUID> marked = new HashSet<>();
        if (!starting.isEmpty()) {
            marked.addAll(batch.query(
                    planned(
                            MARK_RUNNING,
                            node,
                            utc(startedAt),
                            utc(startedAt),
                            column(starting, c -> c.execution().id().value(), UUID[]::new)),
                    FIRST_ID));
        }
        if (!buffered.isEmpty()) {
            marked.addAll(batch.query(
                    planned(
                            MARK_CLAIMED,
                            node,
                            utc(startedAt),
                            column(buffered, c -> c.execution().id().value(), UUID[]::new)),
                    FIRST_ID));
        }
        List<Claimed> claimed = new ArrayList<>(locked.size());
        for (Claimed lock : starting) {
            if (marked.contains(lock.execution().id().value())) {
                claimed.add(new Claimed(lock.execution().startedOn(node, startedAt), lock.lastLogSeq()));
            }
        }
        for (Claimed lock : buffered) {
            if (marked.contains(lock.execution().id().value())) {
                claimed.add(lock);
            }
        }
        return claimed;
    }

    /** Claims and starts up to {@code limit} runs in one statement ({@link #CLAIM_AND_START}), in claim order. */
    private List<Claimed> claimAndStart(String node, Instant now, Instant startedAt, int limit) {
        record Started(Claimed claimed, int priority) {}
        return batch
                .query(
                        prepared(CLAIM_AND_START, node, utc(startedAt), utc(startedAt), utc(now), limit),
                        (rs, n) -> new Started(
                                new Claimed(ExecutionRows.map(rs, json), rs.getInt("last_log_seq")),
                                rs.getInt("claim_priority")))
                .stream()
                .sorted(Comparator.comparingInt(Started::priority)
                        .reversed()
                        .thenComparing(started -> started.claimed().execution().runAfter()))
                .map(Started::claimed)
                .toList();
    }

    @Override
    public Set<ExecutionId> startClaimed(String node, Collection<ExecutionId> runs, Instant now) {
        if (runs.isEmpty()) {
            return Set.of();
        }
        Instant startedAt = now.truncatedTo(ChronoUnit.MICROS);
        List<UUID> started = batch.query(
                planned(
                        START_CLAIMED,
                        utc(startedAt),
                        utc(startedAt),
                        column(runs, ExecutionId::value, UUID[]::new),
                        node),
                FIRST_ID);
        Set<ExecutionId> ids = new HashSet<>();
        started.forEach(id -> ids.add(new ExecutionId(id)));
        return ids;
    }

    @Override
    public Set<ExecutionId> complete(List<Completion> unordered) {
        if (unordered.isEmpty()) {
            return Set.of();
        }
        // one lock order for every writer of several rows, so two batches cannot deadlock on each other
        List<Completion> completions = unordered.stream()
                .sorted(Comparator.comparing(c -> c.id().value()))
                .toList();
        Object[] columns = {
            column(completions, c -> c.id().value(), UUID[]::new),
            column(completions, c -> ExecutionStatus.RUNNING.moveTo(c.status()).json(), String[]::new),
            column(completions, Completion::reason, String[]::new),
            instants(completions, Completion::completedAt),
            column(completions, Completion::durationMs, Long[]::new),
            column(completions, c -> jsonOrNull(c.result()), String[]::new),
            column(completions, Completion::error, String[]::new),
            column(completions, Completion::node, String[]::new)
        };
        List<UUID> accepted = byKey(
                columns,
                completions.size(),
                COMPLETE_ONE,
                COMPLETE_BATCH,
                statement -> batch.query(statement, FIRST_ID));
        Set<ExecutionId> ids = new HashSet<>();
        accepted.forEach(id -> ids.add(new ExecutionId(id)));
        return ids;
    }

    /** One UPDATE sets a row once: a job with several outcomes in the batch gets its latest run's. */
    @Override
    public void recordJobOutcomes(List<JobOutcome> outcomes) {
        Map<JobId, JobOutcome> latest = new LinkedHashMap<>();
        for (JobOutcome outcome : outcomes) {
            latest.merge(outcome.job(), outcome, (was, now) -> now.ranAt().isBefore(was.ranAt()) ? was : now);
        }
        if (latest.isEmpty()) {
            return;
        }
        // one lock order for every batch, so two nodes writing outcomes of the same jobs cannot deadlock
        List<JobOutcome> rows = latest.values().stream()
                .sorted(Comparator.comparing(o -> o.job().value()))
                .toList();
        Object[] columns = {
            column(rows, o -> o.job().value(), UUID[]::new),
            instants(rows, JobOutcome::ranAt),
            column(rows, JobOutcome::status, String[]::new)
        };
        byKey(columns, rows.size(), RECORD_JOB_OUTCOMES_ONE, RECORD_JOB_OUTCOMES_BATCH, batch::update);
    }

    @Override
    public void appendLogs(List<PendingLine> lines) {
        for (int from = 0; from < lines.size(); from += 1000) {
            List<PendingLine> chunk = lines.subList(from, Math.min(lines.size(), from + 1000));
            batch.update(
                    APPEND_LOGS,
                    column(chunk, l -> l.execution().value(), UUID[]::new),
                    column(chunk, l -> l.line().seq(), Integer[]::new),
                    instants(chunk, l -> l.line().timestamp()),
                    column(chunk, l -> l.line().level(), String[]::new),
                    column(chunk, l -> l.line().message(), String[]::new));
        }
    }

    @Override
    public void appendLine(ExecutionId execution, Instant at, String level, String message) {
        jdbc.sql(APPEND_LINE_AFTER_LAST)
                .param("execution", execution.value())
                .param("at", utc(at))
                .param("level", level)
                .param("message", message)
                .update();
    }

    @Override
    public void heartbeat(String node, Instant now) {
        List<UUID> ids = jdbc.sql(LOCK_RUNNING_ON)
                .param("node", node)
                .query((rs, n) -> rs.getObject("id", UUID.class))
                .list();
        if (!ids.isEmpty()) {
            jdbc.sql(HEARTBEAT_RUNS).param("ids", ids).param("now", utc(now)).update();
        }
    }

    @Override
    public List<CancelRequest> cancelRequestedOn(String node) {
        return jdbc.sql(CANCEL_REQUESTED_ON)
                .param("node", node)
                .query((rs, n) ->
                        new CancelRequest(new ExecutionId(rs.getObject("id", UUID.class)), rs.getString("reason")))
                .list();
    }

    @Override
    public List<ExecutionId> heldBy(String node, Instant claimedBefore) {
        return jdbc.sql(HELD_BY_CLAIMED_BEFORE)
                .param("node", node)
                .param("before", utc(claimedBefore))
                .query((rs, n) -> new ExecutionId(rs.getObject("id", UUID.class)))
                .list();
    }

    @Override
    public int handBack(String node, Collection<ExecutionId> runs) {
        if (runs.isEmpty()) {
            return 0;
        }
        return jdbc.sql(HAND_BACK)
                .param("ids", runs.stream().map(ExecutionId::value).toList())
                .param("node", node)
                .update();
    }

    @Override
    public int releaseClaimedOfDeadNodes(Instant deadBefore) {
        return jdbc.sql(RELEASE_CLAIMED_OF_DEAD)
                .param("dead_before", utc(deadBefore))
                .update();
    }

    @Override
    public List<Execution> lockStartedBefore(String node, Instant startedBefore, int limit) {
        return jdbc.sql(LOCK_STARTED_BEFORE)
                .param("node", node)
                .param("before", utc(startedBefore))
                .param("limit", limit)
                .query(ExecutionRows.mapper(json))
                .list();
    }

    @Override
    public List<Execution> lockLost(Instant deadBefore, int limit) {
        return jdbc.sql(LOCK_LOST)
                .param("dead_before", utc(deadBefore))
                .param("limit", limit)
                .query(ExecutionRows.mapper(json))
                .list();
    }

    /**
     * A batch write that joins its rows to a table by key: one row bound as values ({@code one}), which needs no join
     * settings, more as arrays ({@code many}) run with only primary-key joins ({@link #joinedByKey}).
     */
    private <T> T byKey(
            Object[] columns, int rows, String one, String many, Function<PreparedStatementCreator, T> statement) {
        PreparedStatementCreator bound = boundAs(columns, rows, one, many);
        return rows == 1 ? statement.apply(bound) : joinedByKey(() -> statement.apply(bound));
    }

    /** A batch statement for {@code rows}: one row bound as values ({@code one}), more as arrays ({@code many}). */
    private static PreparedStatementCreator boundAs(Object[] columns, int rows, String one, String many) {
        return rows == 1 ? planned(one, firstOfEach(columns)) : planned(many, columns);
    }

    /** Runs {@code statement} with only primary-key joins ({@link #JOIN_BY_KEY}), then joins as before. */
    private <T> T joinedByKey(java.util.function.Supplier<T> statement) {
        String[] before = jdbc.sql(JOIN_BY_KEY)
                .query((rs, n) -> new String[] {rs.getString("hashjoin"), rs.getString("mergejoin")})
                .single();
        // a failed statement aborts the transaction, which ends the setting with it: reset only after success
        T result = statement.get();
        jdbc.sql(JOIN_AS_BEFORE).params(before[0], before[1]).query().listOfRows();
        return result;
    }

    /**
     * A statement the server plans at every call, prepared unnamed and never kept: for these values, or generically
     * inside the claim's transaction ({@link #CLAIM_BY_INDEX} forces generic plans there), on the table as it is then.
     */
    private static PreparedStatementCreator planned(String sql, Object... args) {
        return withThreshold(sql, 0, args);
    }

    /**
     * A statement of the claim, prepared on the server at its first call and kept with its connection: it runs where
     * the planner has one path left ({@link #CLAIM_BY_INDEX}), so it is planned once, not at every call. Those
     * settings last as long as the transaction; outside one (auto-commit: they ended with the statement that made
     * them) it is planned at every call instead, under a text of its own, so that the driver never runs the kept
     * statement there and PostgreSQL never plans it again without them.
     */
    private static PreparedStatementCreator prepared(String sql, Object... args) {
        return connection -> {
            boolean autoCommit = connection.getAutoCommit();
            return withThreshold(
                            autoCommit ? "/* auto-commit: planned at every call */ " + sql : sql,
                            autoCommit ? 0 : 1,
                            args)
                    .createPreparedStatement(connection);
        };
    }

    private static PreparedStatementCreator withThreshold(String sql, int prepareThreshold, Object... args) {
        return connection -> {
            PreparedStatement statement = connection.prepareStatement(sql);
            try {
                statement.unwrap(PGStatement.class).setPrepareThreshold(prepareThreshold);
                for (int i = 0; i < args.length; i++) {
                    statement.setObject(i + 1, args[i]);
                }
                return statement;
            } catch (SQLException | RuntimeException e) {
                statement.close();
                throw e;
            }
        };
    }

    private String jsonOrNull(Map<String, Object> value) {
        return value == null ? null : json.writeValueAsString(value);
    }

    /** One column of {@code rows} as an array to bind; the driver sends arrays of UUID, String, Long, Integer, Boolean. */
    private static <T, V> V[] column(Collection<T> rows, Function<T, V> value, IntFunction<V[]> array) {
        return rows.stream().map(value).toArray(array);
    }

    /** The first value of each column: a batch of one bound as values ({@link #boundAs}). */
    private static Object[] firstOfEach(Object[] columns) {
        return Arrays.stream(columns).map(c -> ((Object[]) c)[0]).toArray();
    }

    /** Instants as ISO-8601 text in UTC, which PostgreSQL reads into {@code timestamptz[]}. */
    private static <T> String[] instants(Collection<T> rows, Function<T, Instant> instant) {
        return rows.stream()
                .map(instant)
                .map(i -> i == null ? null : i.toString())
                .toArray(String[]::new);
    }
}
