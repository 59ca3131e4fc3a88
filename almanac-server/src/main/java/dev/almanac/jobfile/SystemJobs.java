package dev.almanac.jobfile;

import static dev.almanac.common.JdbcTime.utc;

import dev.almanac.job.JobLookups;
import dev.almanac.job.JobRequest;
import dev.almanac.job.JobService;
import dev.almanac.schedule.ScheduleSpec;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Seeds the system jobs once per installation, as ordinary jobs an operator may edit, disable or delete: execution
 * history retention every night, a heartbeat every five minutes and the daily summary e-mail to super admins. A flag
 * in {@code installation_flags} per group remembers the seeding, so a deleted system job stays deleted, and a group
 * added by a later release is still seeded once on an installation that has the earlier ones; on a cluster the flag's
 * key lets only one node seed.
 */
@Component
class SystemJobs {

    static final String FLAG = "system_jobs_seeded";
    static final String SUMMARY_FLAG = "system_jobs_seeded_daily_summary";
    private static final Logger log = LoggerFactory.getLogger(SystemJobs.class);

    private final JobService jobs;
    private final JdbcClient jdbc;
    private final JobLookups lookups;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final boolean enabled;

    SystemJobs(
            JobService jobs,
            JdbcClient jdbc,
            JobLookups lookups,
            TransactionTemplate transactions,
            Clock clock,
            @Value("${almanac.system-jobs.enabled:true}") boolean enabled) {
        this.jobs = jobs;
        this.jdbc = jdbc;
        this.lookups = lookups;
        this.transactions = transactions;
        this.clock = clock;
        this.enabled = enabled;
    }

    /** The system jobs, by the flag that records their seeding. */
    static Map<String, List<JobRequest>> groups() {
        return Map.of(FLAG, definitions(), SUMMARY_FLAG, List.of(dailySummary()));
    }

    static JobRequest dailySummary() {
        return system(
                "system-daily-summary",
                "E-mails the super admins (the e-mail address of their account) a summary of the last day: runs,"
                        + " failures, slowest jobs, missed runs and open incidents",
                "daily_summary",
                Map.of("include_super_admins", true, "period_hours", 24),
                new ScheduleSpec("cron", "0 7 * * *", null, null, "UTC"),
                300,
                "run_once");
    }

    static List<JobRequest> definitions() {
        return List.of(
                system(
                        "system-history-retention",
                        "Deletes executions that ended more than 30 days ago, with their logs and artifacts",
                        "history_retention",
                        Map.of("keep_days", 30, "batch_size", 500),
                        new ScheduleSpec("cron", "30 3 * * *", null, null, "UTC"),
                        3600,
                        "run_once"),
                system(
                        "system-heartbeat",
                        "Shows in the history that the scheduler runs jobs on time",
                        "heartbeat",
                        Map.of("message", "scheduler is alive"),
                        new ScheduleSpec("interval", null, 300L, null, "UTC"),
                        60,
                        "skip"));
    }

    /** A system job: enabled, never overlapping itself, tagged {@code system}. */
    private static JobRequest system(
            String name,
            String description,
            String template,
            Map<String, Object> parameters,
            ScheduleSpec schedule,
            int timeoutSeconds,
            String misfire) {
        return new JobRequest(
                name,
                description,
                template,
                parameters,
                schedule,
                true,
                null,
                timeoutSeconds,
                null,
                "forbid",
                misfire,
                null,
                null,
                null,
                List.of("system"),
                null,
                null,
                null,
                null,
                null,
                null);
    }

    void seedOnce() {
        if (!enabled) {
            return;
        }
        groups().forEach(this::seedOnce);
    }

    private void seedOnce(String flag, List<JobRequest> group) {
        try {
            boolean seeded = Boolean.TRUE.equals(transactions.execute(status -> {
                // asked first, so that every start after the first leaves no failed insert in the database's log; two
                // nodes starting at once still meet at the key, and one of them stops there
                int set = jdbc.sql("""
                                INSERT INTO installation_flags (name, set_at)
                                SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM installation_flags WHERE name = ?)
                                """).params(flag, utc(clock.instant()), flag).update();
                if (set == 0) {
                    return false;
                }
                for (JobRequest definition : group) {
                    if (!lookups.nameTaken(definition.namespace(), definition.name())) {
                        jobs.create(definition, "system");
                    }
                }
                return true;
            }));
            if (!seeded) {
                return;
            }
            log.info(
                    "Seeded the system jobs {}; edit or delete them like any job",
                    group.stream().map(JobRequest::name).toList());
        } catch (DuplicateKeyException alreadySeeded) {
            // seeded at an earlier start, or by another node just now
        }
    }
}
