package dev.almanac.template.builtin;

import dev.almanac.execution.HistoryPurge;
import dev.almanac.job.JobId;
import dev.almanac.job.JobRetentions;
import dev.almanac.notify.NotificationHistory;
import dev.almanac.security.Namespace;
import dev.almanac.security.NamespaceQuotas;
import dev.almanac.template.ArtifactDeletion;
import dev.almanac.template.InstallationWide;
import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The system job that keeps execution history bounded: executions that ended more than {@code keep_days} ago (and,
 * with {@code keep_runs}, those after a job's newest {@code keep_runs}) are deleted with their logs and artifacts
 * (files included), in batches of their own transactions. A job's own {@code retention} replaces these defaults for
 * it, and its namespace's {@code history_days} and {@code runs_per_job} quotas cap what it keeps. A job in namespace
 * {@code default} purges every namespace; one elsewhere only its own ({@link InstallationWide}).
 */
@Component
public class HistoryRetentionTemplate implements JobTemplate, InstallationWide {

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("history_retention")
            .name("Execution history retention")
            .description("Deletes executions that ended more than keep_days ago (and beyond a job's last keep_runs),"
                    + " with their logs and artifacts, in batches. A job's own retention replaces these defaults and"
                    + " its namespace's history quota caps them. Running and queued executions are never touched. In"
                    + " namespace default it purges every namespace (a super admin's job); elsewhere only its own.")
            .category("system")
            .icon("broom")
            .riskLevel(RiskLevel.MEDIUM)
            .destructive(true)
            .estimatedDuration(Duration.ofMinutes(1))
            .resourceUsage(ResourceUsage.MEDIUM)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "keep_days": {"type": "integer", "title": "Keep days", "description": "Executions that ended longer ago than this are deleted, unless the job keeps its own", "minimum": 1, "maximum": 36500, "default": 30},
                        "keep_runs": {"type": "integer", "title": "Keep runs per job", "description": "Optional: each job keeps only its last this many ended runs, unless it sets its own", "minimum": 1, "maximum": 10000000},
                        "batch_size": {"type": "integer", "title": "Batch size", "description": "Executions deleted per transaction", "minimum": 1, "maximum": 10000, "default": 500},
                        "max_batches": {"type": "integer", "title": "Maximum batches", "description": "The most batches one run deletes; the rest waits for the next run", "minimum": 1, "maximum": 100000, "default": 1000}
                      },
                      "additionalProperties": false
                    }
                    """)
            .exampleParameters("""
                    {"keep_days": 30, "batch_size": 500}
                    """)
            .build();

    private final HistoryPurge history;
    private final ArtifactDeletion artifacts;
    private final TransactionTemplate transactions;
    private final JobRetentions retentions;
    private final NamespaceQuotas quotas;
    private final NotificationHistory alerts;

    HistoryRetentionTemplate(
            HistoryPurge history,
            ArtifactDeletion artifacts,
            TransactionTemplate transactions,
            JobRetentions retentions,
            NamespaceQuotas quotas,
            NotificationHistory alerts) {
        this.alerts = alerts;
        this.retentions = retentions;
        this.quotas = quotas;
        this.history = history;
        this.artifacts = artifacts;
        this.transactions = transactions;
    }

    @Override
    public TemplateDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public String version() {
        return "1";
    }

    @Override
    public List<TemplateChange> changes() {
        return List.of(new TemplateChange("1", "Deletes old executions with their logs and artifacts in batches."));
    }

    /** Where one job's history ends: runs that ended before {@code cutoff}, or beyond its newest {@code keepRuns}. */
    private record Limit(JobId job, Instant cutoff, Integer keepRuns, boolean keepsLonger, boolean own) {}

    /**
     * The retention defaults and the jobs that need a limit of their own: another age (their own retention, or their
     * namespace's cap) or a number of runs to keep, which only a per-job limit applies. Confined to {@code namespace}
     * when it is not null.
     */
    private record Plan(Instant cutoff, String namespace, List<Limit> jobs) {

        List<JobId> keptLonger() {
            return jobs.stream().filter(Limit::keepsLonger).map(Limit::job).toList();
        }

        /** The jobs whose limit is not the defaults': their own retention, or their namespace's cap. */
        long ownRetention() {
            return jobs.stream().filter(Limit::own).count();
        }
    }

    private Plan plan(JobContext context) {
        Params params = new Params(context.parameters());
        Instant now = context.clock().instant();
        int keepDays = params.integer("keep_days", 30);
        Integer keepRuns = context.parameters().get("keep_runs") instanceof Number n ? n.intValue() : null;
        String namespace = InstallationWide.confinedTo(context);
        Map<String, Namespace.Quotas> caps = quotas.historyQuotas();
        List<Limit> limits = new ArrayList<>();
        for (JobRetentions.Rule rule : retentions.rules(keepRuns != null, caps.keySet())) {
            if (namespace != null && !namespace.equals(rule.namespace())) {
                continue;
            }
            Namespace.Quotas cap = caps.get(rule.namespace());
            int days = min(
                    rule.retention().keepDays() == null
                            ? keepDays
                            : rule.retention().keepDays(),
                    cap == null ? null : cap.historyDays());
            Integer runs = min(
                    rule.retention().keepRuns() == null
                            ? keepRuns
                            : rule.retention().keepRuns(),
                    cap == null ? null : cap.runsPerJob());
            // keep_runs, the default's or the job's own, is applied only per job
            if (days != keepDays || runs != null) {
                limits.add(new Limit(
                        rule.job(),
                        now.minus(Duration.ofDays(days)),
                        runs,
                        days > keepDays,
                        days != keepDays || !java.util.Objects.equals(runs, keepRuns)));
            }
        }
        return new Plan(now.minus(Duration.ofDays(keepDays)), namespace, limits);
    }

    private static Integer min(Integer a, Integer b) {
        return a == null ? b : b == null ? a : Integer.valueOf(Math.min(a, b));
    }

    /**
     * What a run would delete, phase by phase in the order it deletes: the runs past the default cut-off, then each
     * job's beyond its own limit (less those the first phase deletes).
     */
    private List<Long> matching(Plan plan) {
        List<Long> phases = new ArrayList<>();
        phases.add(history.countEndedBefore(plan.cutoff(), plan.keptLonger(), plan.namespace()));
        for (Limit limit : plan.jobs()) {
            long beyond = history.countOfJobBeyond(limit.job(), limit.cutoff(), limit.keepRuns());
            if (!limit.keepsLonger()) {
                // counted in the first phase already
                beyond -= history.countOfJobBeyond(limit.job(), plan.cutoff(), null);
            }
            phases.add(beyond);
        }
        return phases;
    }

    /**
     * How many of {@code phases} a run deletes within {@code maxBatches}: every phase takes its own batches (its last
     * one short), and the run stops when the batches are used up.
     */
    static long withinBatches(List<Long> phases, int batchSize, int maxBatches) {
        long deleted = 0;
        long left = maxBatches;
        for (long count : phases) {
            long needed = (count + batchSize - 1) / batchSize;
            if (needed <= left) {
                deleted += count;
                left -= needed;
            } else {
                deleted += left * batchSize;
                break;
            }
        }
        return deleted;
    }

    @Override
    public JobResult dryRun(JobContext context) {
        Params params = new Params(context.parameters());
        Plan plan = plan(context);
        List<Long> phases = matching(plan);
        long old = phases.stream().mapToLong(Long::longValue).sum();
        int maxBatches = params.integer("max_batches", 1000);
        long wouldDelete = withinBatches(phases, params.integer("batch_size", 500), maxBatches);
        JobResult.Builder result = JobResult.builder(JobResult.Status.SUCCEEDED)
                .message("Dry run: would delete " + wouldDelete + (wouldDelete < old ? " of " + old : "")
                        + " executions that ended before "
                        + plan.cutoff() + " or lie beyond their job's retention, with their logs and artifacts")
                .recordsProcessed(old)
                .detail("changes_nothing", true)
                .detail("cutoff", plan.cutoff().toString())
                .detail("jobs_with_own_retention", plan.ownRetention())
                .detail("matching", old)
                .detail("would_delete", wouldDelete);
        if (wouldDelete < old) {
            result.warning("Stops at max_batches (" + maxBatches + "); " + (old - wouldDelete)
                    + " executions are left for the next run");
        }
        return result.build();
    }

    @Override
    public JobResult execute(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        Plan plan = plan(context);
        int batchSize = params.integer("batch_size", 500);
        Batches batches = new Batches(context, batchSize, params.integer("max_batches", 1000));
        List<JobId> keptLonger = plan.keptLonger();
        while (batches.delete(() -> history.endedBefore(plan.cutoff(), keptLonger, plan.namespace(), batchSize))) {
            // the next batch
        }
        for (Limit limit : plan.jobs()) {
            while (batches.delete(
                    () -> history.ofJobBeyond(limit.job(), limit.cutoff(), limit.keepRuns(), batchSize))) {
                // the next batch of this job
            }
        }
        // the notification alerts no run carries (missed runs, schedule health) age out with the history
        // at most max_batches of them too; the rest waits for the next run, as runs do
        int maxBatches = params.integer("max_batches", 1000);
        int alertsDeleted = deleteInBatches(
                context,
                batchSize,
                maxBatches,
                () -> alerts.deleteAlertsBefore(plan.cutoff(), keptLonger, plan.namespace(), batchSize));
        for (Limit limit : plan.jobs()) {
            if (limit.cutoff() != null) {
                alertsDeleted += deleteInBatches(
                        context,
                        batchSize,
                        maxBatches,
                        () -> alerts.deleteAlertsOfJobBefore(limit.job(), limit.cutoff(), batchSize));
            }
        }
        JobResult.Builder result = JobResult.builder(JobResult.Status.SUCCEEDED)
                .message("Deleted " + batches.executions + " executions that ended before " + plan.cutoff()
                        + " or lay beyond their job's retention, and " + batches.files + " artifacts")
                .detail("alerts_deleted", alertsDeleted)
                .recordsAffected(batches.executions)
                .detail("cutoff", plan.cutoff().toString())
                .detail("jobs_with_own_retention", plan.ownRetention())
                .detail("executions_deleted", batches.executions)
                .detail("artifacts_deleted", batches.files)
                .detail("batches", batches.done);
        if (batches.done >= params.integer("max_batches", 1000)) {
            long left = matching(plan).stream().mapToLong(Long::longValue).sum();
            if (left > 0) {
                result.warning("Stopped at max_batches (" + params.integer("max_batches", 1000) + "); " + left
                        + " executions are left for the next run");
            }
        }
        return result.build();
    }

    /** Calls {@code batch} until it deletes fewer than a batch, at most {@code maxBatches} times; how many in all. */
    private static int deleteInBatches(
            JobContext context, int batchSize, int maxBatches, java.util.function.IntSupplier batch) {
        int deleted = 0;
        int last;
        int calls = 0;
        do {
            context.checkCancelled();
            last = batch.getAsInt();
            deleted += last;
        } while (last >= batchSize && ++calls < maxBatches);
        return deleted;
    }

    /** Deletes in batches of their own transactions, up to {@code max_batches} in all. */
    private final class Batches {

        private final JobContext context;
        private final int size;
        private final int max;
        long executions;
        long files;
        int done;

        Batches(JobContext context, int size, int max) {
            this.context = context;
            this.size = size;
            this.max = max;
        }

        /** Deletes the next batch; false when there was none (or a short one: the last), or no batch is left. */
        boolean delete(Supplier<List<UUID>> next) throws Exception {
            if (done >= max) {
                return false;
            }
            context.checkCancelled();
            List<UUID> ids = next.get().stream()
                    .filter(id -> !id.toString().equals(context.executionId()))
                    .toList();
            if (ids.isEmpty()) {
                return false;
            }
            files += artifacts.deleteOfExecutions(ids);
            Integer deleted = transactions.execute(status -> history.delete(ids));
            executions += deleted == null ? 0 : deleted;
            done++;
            context.log().info("batch {}: deleted {} executions ({} so far)", done, deleted, executions);
            return ids.size() >= size;
        }
    }
}
