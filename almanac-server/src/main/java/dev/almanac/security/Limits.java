package dev.almanac.security;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.TooManyRequestsException;
import dev.almanac.security.internal.SecurityProperties;
import dev.almanac.security.internal.UserRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.IntToLongFunction;
import org.springframework.stereotype.Component;

/**
 * Per-user limits the controllers check before acting: manual runs and dry runs per hour (counted from the audit trail, so
 * the limit holds across a cluster and a restart) and the job quota.
 */
@Component
public class Limits {

    static final Duration RUN_WINDOW = Duration.ofHours(1);

    private final AuditTrail audit;
    private final SecurityProperties properties;
    private final Clock clock;
    private final UserRepository users;

    Limits(AuditTrail audit, SecurityProperties properties, Clock clock, UserRepository users) {
        this.users = users;
        this.audit = audit;
        this.properties = properties;
        this.clock = clock;
    }

    /** The audit action of a manual run, which its limit counts. */
    public static final String RUN = "job.run";

    /**
     * The audit action of a started backfill: it counts as one manual run against the per-user limit and the
     * namespace's manual-run quota, however many slots it runs.
     */
    public static final String BACKFILL = "job.backfill";

    /** The audit action of a manual dry run, counted by a limit of its own: trying a job out spends no real run. */
    public static final String DRY_RUN = "job.dry_run";

    /**
     * Refuses a manual run with 429 when {@code actor} started the most allowed in the last hour; a started backfill
     * counts as one.
     */
    public void requireManualRunAllowed(String actor) {
        require(actor, RUN, properties.manualRunsPerHour(), "manual runs");
    }

    /** Refuses a dry run with 429 when {@code actor} started the most allowed in the last hour. */
    public void requireDryRunAllowed(String actor) {
        require(actor, DRY_RUN, properties.dryRunsPerHour(), "dry runs");
    }

    /** How many more manual runs {@code actor} may start this hour; empty when there is no limit. */
    public OptionalLong manualRunsLeft(String actor) {
        int max = properties.manualRunsPerHour();
        if (max <= 0) {
            return OptionalLong.empty();
        }
        long recent = count(actor, RUN, clock.instant().minus(RUN_WINDOW)).count();
        return OptionalLong.of(Math.max(0, max - recent));
    }

    private void require(String actor, String action, int max, String what) {
        if (max <= 0) {
            return;
        }
        Instant now = clock.instant();
        AuditTrail.Count recent = count(actor, action, now.minus(RUN_WINDOW));
        if (recent.count() >= max) {
            Duration wait = Duration.between(now, recent.oldest().plus(RUN_WINDOW));
            throw new TooManyRequestsException(
                    "at most " + max + " " + what + " an hour per user",
                    wait.isNegative() ? Duration.ofSeconds(1) : wait);
        }
    }

    /** What a limit counts: manual runs with the backfills started, or dry runs alone. */
    private AuditTrail.Count count(String actor, String action, Instant since) {
        AuditTrail.Count counted = audit.count(actor, action, since);
        return RUN.equals(action) ? sum(counted, audit.count(actor, BACKFILL, since)) : counted;
    }

    /** Two counts as one: their sum, and the older of their oldest events. */
    public static AuditTrail.Count sum(AuditTrail.Count a, AuditTrail.Count b) {
        Instant oldest = a.oldest() == null
                ? b.oldest()
                : b.oldest() == null || a.oldest().isBefore(b.oldest()) ? a.oldest() : b.oldest();
        return new AuditTrail.Count(a.count() + b.count(), oldest);
    }

    /**
     * Refuses a new job with 403 when {@code actor} has created as many as the quota allows. {@code jobsOfActor}
     * counts them up to the bound it is given; it is not called when there is no quota.
     */
    public void requireJobQuota(String actor, IntToLongFunction jobsOfActor) {
        JobQuota quota = jobQuota(actor, jobsOfActor);
        if (quota.room() < 1) {
            throw refused(quota, 1);
        }
    }

    /**
     * The 403 for creating {@code creating} jobs when the {@code quota} has room for fewer, recorded in the audit trail
     * as {@code access.denied} like every other refusal.
     */
    public ForbiddenException refused(JobQuota quota, long creating) {
        ForbiddenException refusal = quota.refusal(creating);
        audit.record(
                quota.actor(),
                "access.denied",
                AuditTrail.DENIED,
                AuditTrail.Target.of("job", null, null),
                Map.of(
                        "action",
                        "create " + creating + (creating == 1 ? " job" : " jobs"),
                        "reason",
                        refusal.getMessage()));
        return refusal;
    }

    /** Where {@code actor} stands against the job quota, for a path that creates several jobs at once. */
    public JobQuota jobQuota(String actor, IntToLongFunction jobsOfActor) {
        int quota = properties.jobQuota();
        if (quota <= 0) {
            return JobQuota.NONE;
        }
        // in the transaction that adds the jobs, the actor's requests count in turn: two at once could both see room
        users.lock(actor);
        long jobs = jobsOfActor.applyAsLong(quota);
        if (jobs >= quota) {
            // a refusal names the true count, also for someone over the quota from before it held on every path
            jobs = jobsOfActor.applyAsLong(Integer.MAX_VALUE);
        }
        return new JobQuota(actor, quota, jobs);
    }

    /**
     * How many jobs {@code actor} has against the quota (counted in full only when it is reached); {@link #NONE} when there is no
     * quota, as for the actor {@code system} applying the jobs file at start.
     */
    public record JobQuota(String actor, int quota, long jobs) {

        public static final JobQuota NONE = new JobQuota("system", 0, 0);

        /** How many more jobs may be created. */
        public long room() {
            return quota <= 0 ? Long.MAX_VALUE : Math.max(0, quota - jobs);
        }

        ForbiddenException refusal(long creating) {
            if (creating <= 1) {
                return new ForbiddenException("job quota reached: '" + actor + "' has " + jobs
                        + " jobs and the quota is " + quota + "; delete jobs, or raise ALMANAC_SECURITY_JOB_QUOTA");
            }
            return new ForbiddenException("job quota reached: this would create " + creating + " jobs, '" + actor
                    + "' has " + jobs + " jobs and the quota is " + quota + " (room for " + room()
                    + "); nothing was stored; delete jobs, or raise ALMANAC_SECURITY_JOB_QUOTA");
        }
    }
}
