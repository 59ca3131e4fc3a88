package dev.almanac.audit.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.audit.AuditTrail;
import java.time.Instant;
import java.util.Map;

/**
 * One entry of the audit trail.
 *
 * @param actor the user name, or the name tried at a failed login, or {@code anonymous}
 * @param action what happened, e.g. {@code job.updated}, {@code login.failed} (see {@link AuditTrail})
 * @param outcome {@code success}, {@code failure} or {@code denied}
 * @param via how the actor authenticated: {@code password}, {@code session} or {@code token:<name>}
 * @param details what changed: for an update, {@code changes} maps each changed field to its before and after
 * @param namespace the namespace of the job or execution acted on, when it has one
 */
public record AuditEvent(
        String id,
        @JsonProperty("occurred_at") Instant occurredAt,
        String actor,
        String action,
        String outcome,
        @JsonProperty("target_type") String targetType,
        @JsonProperty("target_id") String targetId,
        @JsonProperty("target_name") String targetName,
        @JsonProperty("source_address") String sourceAddress,
        String via,
        Map<String, Object> details,
        String namespace) {}
