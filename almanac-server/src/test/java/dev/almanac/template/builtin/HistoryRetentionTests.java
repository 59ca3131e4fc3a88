package dev.almanac.template.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.TemplateRuns;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The retention system job deletes the runs that ended before its cut-off and keeps the others. */
abstract class HistoryRetentionTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends HistoryRetentionTests {}

    @WithPostgres
    static class OnPostgres extends HistoryRetentionTests {}

    @Autowired
    TemplateRuns runs;

    @Test
    void deletesRunsThatEndedBeforeTheCutOffAndKeepsTheRest() {
        Execution old = runs.run("heartbeat", Map.of());
        clock.advance(Duration.ofDays(40));
        Execution recent = runs.run("heartbeat", Map.of());

        Execution dryRun = runs.dryRun("history_retention", Map.of("keep_days", 30));
        assertThat(dryRun.result().get("message").toString()).startsWith("Dry run: would delete 1 executions");
        assertThat(exists(old)).as("a dry run deletes nothing").isTrue();

        Execution purge = runs.run("history_retention", Map.of("keep_days", 30));

        assertThat(purge.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(purge.result().get("message").toString()).startsWith("Deleted 1 executions");
        assertThat(exists(old)).isFalse();
        assertThat(exists(recent)).isTrue();
    }

    private boolean exists(Execution execution) {
        return jdbc.sql("SELECT COUNT(*) FROM executions WHERE id = ?")
                        .param(execution.id().value())
                        .query(Long.class)
                        .single()
                > 0;
    }
}
