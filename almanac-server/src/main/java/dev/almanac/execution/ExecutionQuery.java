package dev.almanac.execution;

import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.common.PageCursor;
import dev.almanac.job.JobId;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A page of execution history, newest first. {@code before} continues after the last execution of the previous
 * page, by its {@code created_at} and id (keyset paging: as fast on page 1 000 as on page 1). {@code triggeredBy}
 * without a colon matches a kind ({@code manual} finds {@code manual:alice}). {@code search} finds executions whose
 * job name contains it, in any case. {@code namespaces}, when not null, keeps the executions of those namespaces'
 * jobs.
 */
public record ExecutionQuery(
        JobId jobId,
        ExecutionStatus status,
        String templateType,
        String triggeredBy,
        Instant from,
        Instant to,
        PageCursor before,
        int limit,
        String search,
        Set<String> namespaces) {

    public ExecutionQuery(
            JobId jobId,
            ExecutionStatus status,
            String templateType,
            String triggeredBy,
            Instant from,
            Instant to,
            PageCursor before,
            int limit,
            String search) {
        this(jobId, status, templateType, triggeredBy, from, to, before, limit, search, null);
    }

    /** The same query kept to the jobs of {@code namespaces} (null: every one; empty: none). */
    public ExecutionQuery in(Set<String> namespaces) {
        return new ExecutionQuery(
                jobId, status, templateType, triggeredBy, from, to, before, limit, search, namespaces);
    }

    public ExecutionQuery(
            JobId jobId,
            ExecutionStatus status,
            String templateType,
            String triggeredBy,
            Instant from,
            Instant to,
            PageCursor before,
            int limit) {
        this(jobId, status, templateType, triggeredBy, from, to, before, limit, null);
    }

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    public static ExecutionQuery ofJob(JobId job, int limit) {
        return new ExecutionQuery(job, null, null, null, null, null, null, limit);
    }

    /**
     * The same query asking one row more than its limit: a page shows {@link #limit} rows and offers the next only
     * when that row came, never an empty last page.
     */
    public ExecutionQuery oneMore() {
        return new ExecutionQuery(
                jobId, status, templateType, triggeredBy, from, to, before, limit + 1, search, namespaces);
    }

    ExecutionQuery withoutCursor() {
        return new ExecutionQuery(jobId, status, templateType, triggeredBy, from, to, null, limit, search, namespaces);
    }

    void appendWhere(StringBuilder sql, Map<String, Object> params) {
        if (jobId != null) {
            sql.append(" AND job_id = :job_id");
            params.put("job_id", jobId.value());
        }
        if (namespaces != null) {
            if (namespaces.isEmpty()) {
                sql.append(" AND 1 = 0");
            } else {
                // an execution belongs to its job's namespace; one whose job was deleted, to none
                sql.append(" AND job_id IN (SELECT id FROM jobs WHERE namespace IN (:namespaces))");
                params.put("namespaces", namespaces);
            }
        }
        if (status != null) {
            sql.append(" AND status = :status");
            params.put("status", status.json());
        }
        if (templateType != null) {
            sql.append(" AND template_type = :template_type");
            params.put("template_type", templateType);
        }
        if (triggeredBy != null) {
            if (triggeredBy.contains(":")) {
                sql.append(" AND triggered_by = :triggered_by");
                params.put("triggered_by", triggeredBy);
            } else {
                sql.append(" AND (triggered_by = :triggered_by OR triggered_by LIKE :triggered_by_kind)");
                params.put("triggered_by", triggeredBy);
                params.put("triggered_by_kind", triggeredBy.replace("%", "").replace("_", "") + ":%");
            }
        }
        if (search != null && !search.isBlank()) {
            sql.append(" AND LOWER(job_name) LIKE :search ESCAPE '\\'");
            params.put(
                    "search",
                    "%"
                            + search.strip()
                                    .toLowerCase(java.util.Locale.ROOT)
                                    .replace("\\", "\\\\")
                                    .replace("%", "\\%")
                                    .replace("_", "\\_")
                            + "%");
        }
        if (from != null) {
            sql.append(" AND created_at >= :from");
            params.put("from", utc(from));
        }
        if (to != null) {
            sql.append(" AND created_at < :to");
            params.put("to", utc(to));
        }
        if (before != null) {
            sql.append(" AND (created_at < :before_at OR (created_at = :before_at AND id < :before_id))");
            params.put("before_at", utc(before.at()));
            params.put("before_id", before.id());
        }
    }
}
