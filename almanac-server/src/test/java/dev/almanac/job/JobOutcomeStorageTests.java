package dev.almanac.job;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the engine writes into the job registry, in batches: next runs, and the latest outcome of each job however
 * its runs' outcomes arrive (on PostgreSQL one statement for the batch, on H2 one per row).
 */
abstract class JobOutcomeStorageTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends JobOutcomeStorageTests {}

    @WithPostgres
    static class OnPostgres extends JobOutcomeStorageTests {}

    @Autowired
    JobService service;

    @Autowired
    JobScheduling scheduling;

    @Autowired
    TransactionTemplate transactions;

    private static final Instant EARLY = Instant.parse("2026-06-01T10:00:00Z");
    private static final Instant LATE = Instant.parse("2026-06-01T10:05:00Z");

    @Test
    void theLatestRunOfABatchGivesTheJobItsStatusWhateverTheOrder() {
        Job a = service.create(anIntervalJob("a", 60).build(), "test");
        Job b = service.create(anIntervalJob("b", 60).build(), "test");

        record(List.of(
                new JobScheduling.Outcome(a.id(), LATE, "failed"),
                new JobScheduling.Outcome(a.id(), EARLY, "succeeded"),
                new JobScheduling.Outcome(b.id(), EARLY, "failed"),
                new JobScheduling.Outcome(b.id(), LATE, "succeeded")));

        assertThat(scheduling.find(a.id()).orElseThrow().lastStatus()).isEqualTo("failed");
        assertThat(scheduling.find(a.id()).orElseThrow().lastRunAt()).isEqualTo(LATE);
        assertThat(scheduling.find(b.id()).orElseThrow().lastStatus()).isEqualTo("succeeded");
    }

    @Test
    void anOlderOutcomeArrivingLaterLeavesTheNewerOne() {
        Job a = service.create(anIntervalJob("a", 60).build(), "test");

        record(List.of(new JobScheduling.Outcome(a.id(), LATE, "succeeded")));
        record(List.of(new JobScheduling.Outcome(a.id(), EARLY, "failed")));

        assertThat(scheduling.find(a.id()).orElseThrow().lastStatus()).isEqualTo("succeeded");
    }

    @Test
    void aPassAdvancesEveryJobItNames() {
        Job a = service.create(anIntervalJob("a", 60).build(), "test");
        Job b = service.create(anIntervalJob("b", 60).build(), "test");
        Map<JobId, Instant> next = new LinkedHashMap<>();
        next.put(a.id(), LATE);
        next.put(b.id(), null);

        transactions.executeWithoutResult(s -> scheduling.advance(next));

        assertThat(scheduling.find(a.id()).orElseThrow().nextRunAt()).isEqualTo(LATE);
        assertThat(scheduling.find(b.id()).orElseThrow().nextRunAt()).isNull();
    }

    private void record(List<JobScheduling.Outcome> outcomes) {
        transactions.executeWithoutResult(s -> scheduling.recordOutcomes(outcomes));
    }
}
