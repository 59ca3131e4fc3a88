package dev.almanac.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.common.Sealed;
import java.time.Instant;
import java.util.Map;

/** One saved definition of a job: what it was after a create, an update or a delete. */
public record JobVersion(
        long version,
        String change,
        @JsonProperty("changed_by") String changedBy,
        @JsonProperty("changed_at") Instant changedAt,
        Map<String, Object> definition) {

    /** This version with its secrets shown as the mask: what responses and exports carry. */
    public JobVersion masked() {
        return new JobVersion(version, change, changedBy, changedAt, Sealed.maskedMap(definition));
    }
}
