package dev.almanac.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.almanac.common.Sealed;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One saved definition of a job: what it was after a create, an update or a delete. {@code triggerJobs} are the ids of
 * its triggers' upstreams in the order of its {@code triggers}, which name them as they were named then (empty for a
 * version saved before ids were kept): a rollback finds a renamed upstream by its id.
 */
public record JobVersion(
        long version,
        String change,
        @JsonProperty("changed_by") String changedBy,
        @JsonProperty("changed_at") Instant changedAt,
        Map<String, Object> definition,
        @JsonIgnore List<JobId> triggerJobs) {

    public JobVersion {
        triggerJobs = triggerJobs == null ? List.of() : List.copyOf(triggerJobs);
    }

    /** The id of the upstream of the version's {@code index}th trigger, when the version kept it. */
    public Optional<JobId> triggerJob(int index) {
        return index < triggerJobs.size() ? Optional.of(triggerJobs.get(index)) : Optional.empty();
    }

    /** This version with its secrets shown as the mask: what responses and exports carry. */
    public JobVersion masked() {
        return new JobVersion(version, change, changedBy, changedAt, Sealed.maskedMap(definition), triggerJobs);
    }
}
