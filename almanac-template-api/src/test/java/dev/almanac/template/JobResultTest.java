package dev.almanac.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobResultTest {

    @Test
    void succeededCarriesOnlyItsMessage() {
        JobResult result = JobResult.succeeded("done");

        assertThat(result.status()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(result.message()).isEqualTo("done");
        assertThat(result.details()).isEmpty();
        assertThat(result.warnings()).isEmpty();
        assertThat(result.recordsProcessed()).isZero();
        assertThat(result.recordsAffected()).isZero();
    }

    @Test
    void failedCarriesOnlyItsMessage() {
        JobResult result = JobResult.failed("target unreachable");

        assertThat(result.status()).isEqualTo(JobResult.Status.FAILED);
        assertThat(result.message()).isEqualTo("target unreachable");
    }

    @Test
    void builderCollectsCountsDetailsInOrderAndWarnings() {
        JobResult result = JobResult.builder(JobResult.Status.SUCCEEDED)
                .message("deleted 3 rows")
                .recordsProcessed(10)
                .recordsAffected(3)
                .detail("table", "audit_log")
                .detail("cutoff", null)
                .details(Map.of("batches", 1))
                .warning("table has no index on created_at")
                .build();

        assertThat(result.details())
                .containsExactly(
                        Map.entry("table", "audit_log"),
                        new java.util.AbstractMap.SimpleEntry<>("cutoff", null),
                        Map.entry("batches", 1));
        assertThat(result.recordsProcessed()).isEqualTo(10);
        assertThat(result.recordsAffected()).isEqualTo(3);
        assertThat(result.warnings()).containsExactly("table has no index on created_at");
    }

    @Test
    void copiesCollectionsSoLaterChangesDoNotLeakIn() {
        Map<String, Object> details = new HashMap<>(Map.of("a", 1));
        List<String> warnings = new ArrayList<>(List.of("w"));
        JobResult result = new JobResult(JobResult.Status.SUCCEEDED, "m", details, 0, 0, warnings);

        details.put("b", 2);
        warnings.add("x");

        assertThat(result.details()).containsOnlyKeys("a");
        assertThat(result.warnings()).containsExactly("w");
        assertThatThrownBy(() -> result.details().put("c", 3)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> result.warnings().add("y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void replacesMissingCollectionsAndMessageWithEmptyOnes() {
        JobResult result = new JobResult(JobResult.Status.FAILED, null, null, 0, 0, null);

        assertThat(result.message()).isEmpty();
        assertThat(result.details()).isEmpty();
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void rejectsNegativeCounts() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> JobResult.builder(JobResult.Status.SUCCEEDED)
                        .recordsAffected(-1)
                        .build())
                .withMessageContaining("recordsAffected");
    }
}
