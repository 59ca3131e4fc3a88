package dev.almanac.engine.internal;

import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.common.JdbcTime;
import dev.almanac.engine.internal.store.EngineStore;
import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionQuery;
import dev.almanac.execution.ExecutionService;
import dev.almanac.execution.ExecutionStatus;
import dev.almanac.job.Job;
import dev.almanac.job.JobScheduling;
import dev.almanac.job.JobService;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A scheduled slot runs once, ever: the database refuses a second run of it while its history is there (the unique
 * slot key) and after the history was purged (the job's slot watermark), however the job came to offer it again.
 */
abstract class SlotOnceTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends SlotOnceTests {}

    @WithPostgres
    static class OnPostgres extends SlotOnceTests {}

    @Autowired
    Engine engine;

    @Autowired
    EngineStore store;

    @Autowired
    JobService jobs;

    @Autowired
    JobScheduling scheduling;

    @Autowired
    ExecutionService executions;

    @Autowired
    TransactionTemplate transactions;

    @Test
    void aSecondRunOfASlotIsRefusedAfterTheFirstFinishedAndAfterItsHistoryWasPurged() {
        Job job = jobs.create(anIntervalJob("once", 60).build(), "test");
        clock.advance(Duration.ofSeconds(60));
        assertThat(engine.runDueOnce()).isEqualTo(1);
        Execution first = only(history(job));
        assertThat(first.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        Instant slot = first.scheduledFor();

        // the job offers the same slot again, as a stale write of its next run would
        offerAgain(job, slot);
        assertThat(engine.runDueOnce()).isZero();
        assertThat(enqueue(job, slot)).isEmpty();
        assertThat(only(history(job)).id()).isEqualTo(first.id());

        // the history of the slot is purged, as the retention job does
        jdbc.sql("DELETE FROM executions WHERE job_id = :job")
                .param("job", job.id().value())
                .update();
        offerAgain(job, slot);
        assertThat(engine.runDueOnce()).isZero();
        assertThat(enqueue(job, slot)).isEmpty();
        assertThat(history(job)).isEmpty();

        // the next slot still runs
        clock.advance(Duration.ofSeconds(60));
        assertThat(engine.runDueOnce()).isEqualTo(1);
        assertThat(only(history(job)).scheduledFor()).isAfter(slot);
    }

    private void offerAgain(Job job, Instant slot) {
        jdbc.sql("UPDATE jobs SET next_run_at = :slot WHERE id = :job")
                .param("slot", JdbcTime.utc(slot))
                .param("job", job.id().value())
                .update();
    }

    /** Straight to the store, past the trigger pass's own reading of the schedule. */
    private List<Execution> enqueue(Job job, Instant slot) {
        Job current = scheduling.find(job.id()).orElseThrow();
        return transactions.execute(
                s -> store.enqueue(List.of(NewExecutions.scheduled(current, slot, clock.instant()))));
    }

    private List<Execution> history(Job job) {
        return executions.list(ExecutionQuery.ofJob(job.id(), 500));
    }

    private static Execution only(List<Execution> executions) {
        assertThat(executions).hasSize(1);
        return executions.get(0);
    }
}
