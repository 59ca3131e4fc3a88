package dev.almanac.notify;

import static dev.almanac.common.JdbcTime.utc;
import static dev.almanac.testing.JobRequests.anIntervalJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.notify.OpenIncidents.OpenIncident;
import dev.almanac.testing.AlmanacIntegrationTest;
import dev.almanac.testing.WithH2;
import dev.almanac.testing.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The open incidents the daily summary lists: named by their jobs, oldest first, then by job name. */
abstract class OpenIncidentsTests extends AlmanacIntegrationTest {

    @WithH2
    static class OnH2 extends OpenIncidentsTests {}

    @WithPostgres
    static class OnPostgres extends OpenIncidentsTests {}

    @Autowired
    JobService jobs;

    @Autowired
    OpenIncidents incidents;

    @Test
    void listsOpenIncidentsOldestFirstThenByJobName() {
        Instant earlier = START.minus(Duration.ofHours(1));
        open(jobs.create(anIntervalJob("beta", 3600).build(), "test"), "failure", START, 3);
        open(jobs.create(anIntervalJob("alpha", 3600).build(), "test"), "missed_run", START, 0);
        open(jobs.create(anIntervalJob("gamma", 3600).build(), "test"), "failure", earlier, 1);

        assertThat(incidents.all())
                .containsExactly(
                        new OpenIncident("gamma", "failure", earlier, 1),
                        new OpenIncident("alpha", "missed_run", START, 0),
                        new OpenIncident("beta", "failure", START, 3));
    }

    @Test
    void theIncidentsOfADeletedJobGoWithIt() {
        Job gone = jobs.create(anIntervalJob("gone", 3600).build(), "test");
        open(gone, "failure", START, 1);
        jobs.delete(gone.id(), "test");

        assertThat(incidents.all()).isEmpty();
    }

    private void open(Job job, String kind, Instant at, int failures) {
        jdbc.sql("INSERT INTO notification_incidents (job_id, kind, opened_at, failures, last_at)"
                        + " VALUES (?, ?, ?, ?, ?)")
                .params(job.id().value(), kind, utc(at), failures, utc(at))
                .update();
    }
}
