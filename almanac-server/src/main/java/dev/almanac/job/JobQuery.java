package dev.almanac.job;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * A filtered, sorted page of the job list; {@code page} counts from 1; {@code namespaces}, when not null, keeps the
 * jobs of those namespaces.
 */
public record JobQuery(
        String templateType,
        Boolean enabled,
        String search,
        String tag,
        String lastStatus,
        Sort sort,
        int page,
        int limit,
        Boolean invalid,
        Set<String> namespaces,
        PausedAt paused) {

    /**
     * Only the jobs a pause holds at {@code now}: their own (one whose until has passed holds them no more), or
     * their namespace's, one of {@code namespaces}.
     */
    public record PausedAt(java.time.Instant now, Set<String> namespaces) {}

    public JobQuery(
            String templateType,
            Boolean enabled,
            String search,
            String tag,
            String lastStatus,
            Sort sort,
            int page,
            int limit,
            Boolean invalid,
            Set<String> namespaces) {
        this(templateType, enabled, search, tag, lastStatus, sort, page, limit, invalid, namespaces, null);
    }

    /** The same query kept to {@code namespaces} (null: every one; empty: none). */
    public JobQuery in(Set<String> namespaces) {
        return new JobQuery(
                templateType, enabled, search, tag, lastStatus, sort, page, limit, invalid, namespaces, paused);
    }

    /** The same query, only for the jobs a pause holds ({@code null}: any). */
    public JobQuery paused(PausedAt paused) {
        return new JobQuery(
                templateType, enabled, search, tag, lastStatus, sort, page, limit, invalid, namespaces, paused);
    }

    public static final int MAX_LIMIT = 200;

    /** Any validity, every namespace. */
    public JobQuery(
            String templateType,
            Boolean enabled,
            String search,
            String tag,
            String lastStatus,
            Sort sort,
            int page,
            int limit) {
        this(templateType, enabled, search, tag, lastStatus, sort, page, limit, null, null);
    }

    /** The same query, only for jobs whose parameters no longer validate ({@code true}) or do ({@code false}). */
    public JobQuery invalid(Boolean invalid) {
        return new JobQuery(
                templateType, enabled, search, tag, lastStatus, sort, page, limit, invalid, namespaces, paused);
    }

    /** The orders a job list can be read in; {@code -} in front of the API name reverses it. */
    public enum Sort {
        NAME("name", "j.name ASC, j.id ASC"),
        NAME_DESC("-name", "j.name DESC, j.id DESC"),
        NEXT_RUN("next_run_at", "j.next_run_at ASC, j.id ASC"),
        NEXT_RUN_DESC("-next_run_at", "j.next_run_at DESC, j.id DESC"),
        CREATED("created_at", "j.created_at ASC, j.id ASC"),
        CREATED_DESC("-created_at", "j.created_at DESC, j.id DESC"),
        UPDATED("updated_at", "j.updated_at ASC, j.id ASC"),
        UPDATED_DESC("-updated_at", "j.updated_at DESC, j.id DESC"),
        LAST_RUN("last_run_at", "j.last_run_at ASC, j.id ASC"),
        LAST_RUN_DESC("-last_run_at", "j.last_run_at DESC, j.id DESC"),
        LAST_STATUS("last_status", "j.last_status ASC, j.id ASC"),
        LAST_STATUS_DESC("-last_status", "j.last_status DESC, j.id DESC");

        private final String json;
        final String orderBy;

        Sort(String json, String orderBy) {
            this.json = json;
            this.orderBy = orderBy;
        }

        public String json() {
            return json;
        }

        /** The same column in the other direction. */
        public Sort reversed() {
            return fromJson(json.startsWith("-") ? json.substring(1) : "-" + json)
                    .orElseThrow();
        }

        public boolean descending() {
            return json.startsWith("-");
        }

        public static Optional<Sort> fromJson(String text) {
            return Arrays.stream(values()).filter(s -> s.json.equals(text)).findFirst();
        }
    }

    public static JobQuery firstPage(int limit) {
        return new JobQuery(null, null, null, null, null, Sort.NAME, 1, limit);
    }

    long offset() {
        return (long) (page - 1) * limit;
    }
}
