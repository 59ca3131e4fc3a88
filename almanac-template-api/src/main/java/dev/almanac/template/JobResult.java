package dev.almanac.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one run (or dry run) of a template, stored with the execution and shown to operators.
 *
 * <p>Build simple results with {@link #succeeded(String)} and {@link #failed(String)}, richer ones with
 * {@link #builder(Status)}:
 *
 * <pre>{@code
 * return JobResult.builder(JobResult.Status.SUCCEEDED)
 *         .message("deleted 42 rows")
 *         .recordsProcessed(42)
 *         .recordsAffected(42)
 *         .detail("table", "audit_log")
 *         .build();
 * }</pre>
 *
 * <p>A template may also report failure by throwing; returning {@link Status#FAILED} is for failures it
 * understands and can explain. The collections are copied on construction, so a result never changes.
 *
 * <p>A dry run reports what it checked the real run will need with {@link Builder#check(PreflightCheck)}; the checks
 * are kept in the details under {@value #PREFLIGHT} and read back with {@link #preflight()}.
 *
 * @param status whether the run did what it should
 * @param message a one-line human-readable summary, never {@code null}
 * @param details JSON-like facts about the run (Map/List/String/Number/Boolean/null values), in insertion
 *     order; unmodifiable, never {@code null}
 * @param recordsProcessed how many records the run read or examined; zero or more
 * @param recordsAffected how many records the run changed, sent or wrote; zero or more
 * @param warnings things an operator should look at although the run finished; unmodifiable, never {@code null}
 */
public record JobResult(
        Status status,
        String message,
        Map<String, Object> details,
        long recordsProcessed,
        long recordsAffected,
        List<String> warnings) {

    /** The details key under which {@linkplain #preflight() pre-flight checks} are kept. */
    public static final String PREFLIGHT = "preflight";

    /** Whether a run did what it should. */
    public enum Status {
        /** The run did what it should. */
        SUCCEEDED,
        /** The run did not do what it should. */
        FAILED
    }

    public JobResult {
        Objects.requireNonNull(status, "status");
        message = message == null ? "" : message;
        details = details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        if (recordsProcessed < 0) {
            throw new IllegalArgumentException("recordsProcessed must not be negative: " + recordsProcessed);
        }
        if (recordsAffected < 0) {
            throw new IllegalArgumentException("recordsAffected must not be negative: " + recordsAffected);
        }
    }

    /**
     * The pre-flight checks a dry run reported, in the order it made them.
     *
     * @return the checks, empty when the run reported none
     */
    public List<PreflightCheck> preflight() {
        if (!(details.get(PREFLIGHT) instanceof List<?> stored)) {
            return List.of();
        }
        return stored.stream()
                .filter(Map.class::isInstance)
                .map(check -> PreflightCheck.fromMap((Map<?, ?>) check))
                .toList();
    }

    /**
     * A successful result with only a message.
     *
     * @param message the summary
     * @return the result
     */
    public static JobResult succeeded(String message) {
        return builder(Status.SUCCEEDED).message(message).build();
    }

    /**
     * A failed result with only a message.
     *
     * @param message what went wrong
     * @return the result
     */
    public static JobResult failed(String message) {
        return builder(Status.FAILED).message(message).build();
    }

    /**
     * Starts a result with the given status.
     *
     * @param status whether the run did what it should
     * @return a builder
     */
    public static Builder builder(Status status) {
        return new Builder(status);
    }

    /** Collects the parts of a {@link JobResult}; not thread-safe. */
    public static final class Builder {

        private final Status status;
        private String message = "";
        private final Map<String, Object> details = new LinkedHashMap<>();
        private long recordsProcessed;
        private long recordsAffected;
        private final List<String> warnings = new ArrayList<>();

        private Builder(Status status) {
            this.status = Objects.requireNonNull(status, "status");
        }

        /**
         * Sets the one-line summary.
         *
         * @param message the summary
         * @return this builder
         */
        public Builder message(String message) {
            this.message = message;
            return this;
        }

        /**
         * Adds one detail; a later detail with the same key replaces the earlier one.
         *
         * @param key the detail's name, snake_case
         * @param value a JSON-like value
         * @return this builder
         */
        public Builder detail(String key, Object value) {
            details.put(Objects.requireNonNull(key, "key"), value);
            return this;
        }

        /**
         * Adds several details.
         *
         * @param details JSON-like values by name
         * @return this builder
         */
        public Builder details(Map<String, ?> details) {
            details.forEach(this::detail);
            return this;
        }

        /**
         * Sets how many records the run read or examined.
         *
         * @param count zero or more
         * @return this builder
         */
        public Builder recordsProcessed(long count) {
            this.recordsProcessed = count;
            return this;
        }

        /**
         * Sets how many records the run changed, sent or wrote.
         *
         * @param count zero or more
         * @return this builder
         */
        public Builder recordsAffected(long count) {
            this.recordsAffected = count;
            return this;
        }

        /**
         * Adds a warning for the operator.
         *
         * @param warning one sentence
         * @return this builder
         */
        public Builder warning(String warning) {
            warnings.add(Objects.requireNonNull(warning, "warning"));
            return this;
        }

        /**
         * Adds a pre-flight check: something the real run will need, and whether it is there.
         *
         * @param check the check
         * @return this builder
         */
        public Builder check(PreflightCheck check) {
            List<Object> checks = new ArrayList<>();
            if (details.get(PREFLIGHT) instanceof List<?> earlier) {
                checks.addAll(earlier);
            }
            checks.add(Objects.requireNonNull(check, "check").toMap());
            details.put(PREFLIGHT, List.copyOf(checks));
            return this;
        }

        /**
         * Builds the result.
         *
         * @return the result
         * @throws IllegalArgumentException when a count is negative
         */
        public JobResult build() {
            return new JobResult(status, message, details, recordsProcessed, recordsAffected, warnings);
        }
    }
}
