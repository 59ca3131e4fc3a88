package dev.almanac.calendar;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.UUID;

/** A global freeze: from {@code from} until {@code to}, slots of all jobs, or of destructive templates only, are skipped. */
public record Freeze(
        UUID id,
        Instant from,
        Instant to,
        String scope,
        String reason,
        @JsonProperty("created_by") String createdBy,
        @JsonProperty("created_at") Instant createdAt) {

    public static final String ALL = "all";
    public static final String DESTRUCTIVE = "destructive";

    public boolean covers(Instant at) {
        return !at.isBefore(from) && at.isBefore(to);
    }

    public boolean applies(boolean destructiveTemplate) {
        return ALL.equals(scope) || destructiveTemplate;
    }
}
