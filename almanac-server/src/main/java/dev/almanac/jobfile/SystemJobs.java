package dev.almanac.jobfile;

import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.job.JobRequest;
import dev.almanac.job.JobService;
import dev.almanac.schedule.ScheduleSpec;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Seeds the system jobs once per installation, as ordinary jobs an operator may edit, disable or delete: execution
 * history retention every night and a heartbeat every five minutes. A flag in {@code installation_flags} remembers the
 * seeding, so a deleted system job stays deleted; on a cluster the flag's key lets only one node seed.
 */
@Component
class SystemJobs {

    static final String FLAG = "system_jobs_seeded";
    private static final Logger log = LoggerFactory.getLogger(SystemJobs.class);

    private final JobService jobs;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final boolean enabled;

    SystemJobs(
            JobService jobs,
            JdbcClient jdbc,
            TransactionTemplate transactions,
            Clock clock,
            @Value("${almanac.system-jobs.enabled:true}") boolean enabled) {
        this.jobs = jobs;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
        this.enabled = enabled;
    }

    static List<JobRequest> definitions() {
        return List.of(
                new JobRequest(
                        "system-history-retention",
                        "Deletes executions that ended more than 30 days ago, with their logs and artifacts",
                        "history_retention",
                        Map.of("keep_days", 30, "batch_size", 500),
                        new ScheduleSpec("cron", "30 3 * * *", null, null, "UTC"),
                        true,
                        3600,
                        null,
                        "forbid",
                        "run_once",
                        null,
                        null,
                        null,
                        List.of("system"),
                        null),
                new JobRequest(
                        "system-heartbeat",
                        "Shows in the history that the scheduler runs jobs on time",
                        "heartbeat",
                        Map.of("message", "scheduler is alive"),
                        new ScheduleSpec("interval", null, 300L, null, "UTC"),
                        true,
                        60,
                        null,
                        "forbid",
                        "skip",
                        null,
                        null,
                        null,
                        List.of("system"),
                        null));
    }

    @EventListener(ApplicationReadyEvent.class)
    @Order(0)
    void seedOnce() {
        if (!enabled) {
            return;
        }
        try {
            transactions.executeWithoutResult(status -> {
                jdbc.sql("INSERT INTO installation_flags (name, set_at) VALUES (?, ?)")
                        .params(FLAG, utc(clock.instant()))
                        .update();
                for (JobRequest definition : definitions()) {
                    Long taken = jdbc.sql("SELECT COUNT(*) FROM jobs WHERE name = ?")
                            .param(definition.name())
                            .query(Long.class)
                            .single();
                    if (taken == 0) {
                        jobs.create(definition, "system");
                    }
                }
            });
            log.info("Seeded the system jobs (history retention, heartbeat); edit or delete them like any job");
        } catch (DuplicateKeyException alreadySeeded) {
            // seeded at an earlier start, or by another node just now
        }
    }
}
