package dev.almanac.engine.internal;

import dev.almanac.execution.Execution;
import dev.almanac.execution.ExecutionId;
import dev.almanac.job.Job;
import dev.almanac.job.JobService;
import dev.almanac.job.Notifications;
import dev.almanac.notify.EmailRecipients;
import dev.almanac.outbound.OutboundMail;
import dev.almanac.template.JobResult;
import dev.almanac.template.PreflightCheck;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The part of a dry run's pre-flight no template can see: a job that notifies by e-mail needs an SMTP server. Without
 * one the dry run fails, as the template's own failed checks do; the job's work itself may be fine, and the message
 * says so.
 */
@Component
class NotificationPreflight {

    /** Looked up when used: the job service needs the template registry, which needs the engine's services. */
    private final ObjectProvider<JobService> jobs;

    private final OutboundMail mail;
    /**
     * The notifications of wizard drafts, which no stored job holds, by the id of their dry run; taken when the dry run
     * runs. A draft dry run claimed by another node of a cluster is checked without them.
     */
    private final Map<ExecutionId, Notifications> drafts = new ConcurrentHashMap<>();

    NotificationPreflight(ObjectProvider<JobService> jobs, OutboundMail mail) {
        this.jobs = jobs;
        this.mail = mail;
    }

    /** Before a wizard draft's dry run is queued: the draft's notifications, which {@link #check} cannot look up. */
    void expectDraft(ExecutionId execution, Notifications notifications) {
        if (drafts.size() < 1000) {
            drafts.put(execution, notifications);
        }
    }

    /** The template's dry-run outcome, with the notification check added when the job notifies by e-mail. */
    JobResult check(Execution execution, JobResult outcome) {
        Notifications draft = drafts.remove(execution.id());
        List<String> recipients = draft != null
                ? EmailRecipients.of(draft)
                : jobs.getObject()
                        .find(execution.jobId())
                        .map(Job::definition)
                        .map(definition -> EmailRecipients.of(definition.notifications()))
                        .orElse(List.of());
        if (recipients.isEmpty()) {
            return outcome;
        }
        boolean configured = mail.configured();
        PreflightCheck check = configured
                ? PreflightCheck.passed("notifications", "an SMTP server is configured for the e-mail notifications")
                : PreflightCheck.failed(
                        "notifications",
                        "no SMTP server configured, so the e-mail notifications to " + recipients.size()
                                + " address(es) cannot be sent: set spring.mail.host (SPRING_MAIL_HOST)");
        JobResult.Status status = configured ? outcome.status() : JobResult.Status.FAILED;
        String message = configured || outcome.status() == JobResult.Status.FAILED
                ? outcome.message()
                : "Pre-flight failed, a real run would not notify anyone: " + check.message() + ". "
                        + outcome.message();
        JobResult.Builder result = JobResult.builder(status)
                .message(message)
                .details(outcome.details())
                .recordsProcessed(outcome.recordsProcessed())
                .recordsAffected(outcome.recordsAffected())
                .check(check);
        outcome.warnings().forEach(result::warning);
        return result.build();
    }
}
