package dev.almanac.template.builtin;

import dev.almanac.execution.HistoryPurge;
import dev.almanac.template.ArtifactDeletion;
import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The system job that keeps execution history bounded: executions that ended more than {@code keep_days} ago are
 * deleted with their logs and artifacts (files included), in batches of their own transactions.
 */
@Component
public class HistoryRetentionTemplate implements JobTemplate {

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("history_retention")
            .name("Execution history retention")
            .description("Deletes executions that ended more than keep_days ago, with their logs and artifacts, in"
                    + " batches. Running and queued executions are never touched.")
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
                        "keep_days": {"type": "integer", "title": "Keep days", "description": "Executions that ended longer ago than this are deleted", "minimum": 1, "maximum": 3650, "default": 30},
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

    HistoryRetentionTemplate(HistoryPurge history, ArtifactDeletion artifacts, TransactionTemplate transactions) {
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

    private static Instant cutoff(JobContext context) {
        return context.clock()
                .instant()
                .minus(Duration.ofDays(new Params(context.parameters()).integer("keep_days", 30)));
    }

    @Override
    public JobResult dryRun(JobContext context) {
        Instant cutoff = cutoff(context);
        long old = history.countEndedBefore(cutoff);
        return JobResult.builder(JobResult.Status.SUCCEEDED)
                .message("Dry run: would delete " + old + " executions that ended before " + cutoff
                        + ", with their logs and artifacts")
                .recordsProcessed(old)
                .detail("changes_nothing", true)
                .detail("cutoff", cutoff.toString())
                .detail("would_delete", old)
                .build();
    }

    @Override
    public JobResult execute(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        Instant cutoff = cutoff(context);
        int batchSize = params.integer("batch_size", 500);
        int maxBatches = params.integer("max_batches", 1000);
        long executions = 0;
        long files = 0;
        int batches = 0;
        while (batches < maxBatches) {
            context.checkCancelled();
            List<UUID> ids = history.endedBefore(cutoff, batchSize).stream()
                    .filter(id -> !id.toString().equals(context.executionId()))
                    .toList();
            if (ids.isEmpty()) {
                break;
            }
            files += artifacts.deleteOfExecutions(ids);
            Integer deleted = transactions.execute(status -> history.delete(ids));
            executions += deleted == null ? 0 : deleted;
            batches++;
            context.log().info("batch {}: deleted {} executions ({} so far)", batches, deleted, executions);
            if (ids.size() < batchSize) {
                break;
            }
        }
        return JobResult.builder(JobResult.Status.SUCCEEDED)
                .message("Deleted " + executions + " executions that ended before " + cutoff + " and " + files
                        + " artifacts")
                .recordsAffected(executions)
                .detail("cutoff", cutoff.toString())
                .detail("executions_deleted", executions)
                .detail("artifacts_deleted", files)
                .detail("batches", batches)
                .build();
    }
}
