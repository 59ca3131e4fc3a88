package dev.almanac.audit.internal;

import dev.almanac.common.PageCursor;
import java.time.Instant;
import java.util.Set;

/**
 * A filter over the audit trail. Every part may be null. {@code action} matches exactly, or every action under a
 * prefix ({@code job} matches {@code job.created}, {@code job.run}, ...); {@code target} matches a target's id or
 * name; {@code namespaces}, when not null, keeps the events about jobs and executions of those namespaces.
 */
public record AuditQuery(
        String actor,
        String action,
        String target,
        Instant from,
        Instant to,
        PageCursor before,
        int limit,
        Set<String> namespaces) {

    AuditQuery(String actor, String action, String target, Instant from, Instant to, PageCursor before, int limit) {
        this(actor, action, target, from, to, before, limit, null);
    }

    /** The same query asking one row more than its limit, to know whether a next page has any. */
    AuditQuery oneMore() {
        return new AuditQuery(actor, action, target, from, to, before, limit + 1, namespaces);
    }

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
}
