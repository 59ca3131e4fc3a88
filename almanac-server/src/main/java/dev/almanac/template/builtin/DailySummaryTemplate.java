package dev.almanac.template.builtin;

import dev.almanac.execution.ExecutionReports;
import dev.almanac.notify.OpenIncidents;
import dev.almanac.security.AdminContacts;
import dev.almanac.template.InstallationWide;
import dev.almanac.template.JobContext;
import dev.almanac.template.JobResult;
import dev.almanac.template.JobTemplate;
import dev.almanac.template.MailMessage;
import dev.almanac.template.ParameterError;
import dev.almanac.template.ResourceUsage;
import dev.almanac.template.RiskLevel;
import dev.almanac.template.TemplateChange;
import dev.almanac.template.TemplateDescriptor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The system job that e-mails super admins a summary of the last day: runs and outcomes, the jobs that failed, the
 * slowest jobs, missed runs, and the incidents still open. Super admins are reached at the e-mail address of their
 * account; more recipients can be listed. A job in namespace {@code default} summarizes every namespace; one elsewhere
 * only its own ({@link InstallationWide}).
 */
@Component
public class DailySummaryTemplate implements JobTemplate, InstallationWide {

    private static final int MAX_RECIPIENTS = 50;

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("daily_summary")
            .name("Daily summary")
            .description("E-mails a summary of the last day to the super admins (the e-mail address of their account)"
                    + " and any other recipients: runs, failures, the slowest jobs, missed runs and open incidents. In"
                    + " namespace default it covers every namespace (a super admin's job); elsewhere only its own.")
            .category("system")
            .icon("mail")
            .riskLevel(RiskLevel.LOW)
            .destructive(false)
            .estimatedDuration(Duration.ofSeconds(5))
            .resourceUsage(ResourceUsage.LOW)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "include_super_admins": {"type": "boolean", "title": "Send to the super admins", "description": "Every enabled super admin whose account has an e-mail address", "default": true},
                        "recipients": {"type": "array", "title": "More recipients", "description": "Further e-mail addresses", "items": {"type": "string", "maxLength": 254}, "maxItems": 50, "default": []},
                        "period_hours": {"type": "integer", "title": "Period (hours)", "description": "How far back the summary looks", "minimum": 1, "maximum": 168, "default": 24},
                        "top": {"type": "integer", "title": "Jobs per list", "description": "How many jobs the failure, slowest and missed lists name", "minimum": 1, "maximum": 50, "default": 5}
                      },
                      "additionalProperties": false
                    }
                    """)
            .exampleParameters("""
                    {"include_super_admins": true, "recipients": ["ops@example.com"], "period_hours": 24}
                    """)
            .build();

    private final ExecutionReports executions;
    private final OpenIncidents openIncidents;
    private final AdminContacts admins;

    DailySummaryTemplate(ExecutionReports executions, OpenIncidents openIncidents, AdminContacts admins) {
        this.executions = executions;
        this.openIncidents = openIncidents;
        this.admins = admins;
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
        return List.of(new TemplateChange(
                "1",
                "E-mails a summary of the last day: runs, failures, slowest jobs, missed runs and open incidents."));
    }

    @Override
    public List<ParameterError> validate(Map<String, Object> parameters) {
        List<ParameterError> errors = new ArrayList<>();
        List<String> recipients = new Params(parameters).strings("recipients");
        for (int i = 0; i < recipients.size(); i++) {
            if (!EmailNotificationTemplate.ADDRESS.matcher(recipients.get(i)).matches()) {
                errors.add(new ParameterError("recipients[" + i + "]", "is not an e-mail address"));
            }
        }
        return errors;
    }

    /** What the summary says. */
    record Summary(
            Instant from,
            Instant to,
            Map<String, Long> byStatus,
            List<List<Object>> failing,
            List<List<Object>> slowest,
            List<List<Object>> missed,
            List<List<Object>> openIncidents) {

        long count(String status) {
            return byStatus.getOrDefault(status, 0L);
        }

        long runs() {
            return count("succeeded") + count("failed") + count("timed_out") + count("cancelled");
        }
    }

    @Override
    public JobResult dryRun(JobContext context) {
        List<String> to = recipients(context);
        Preflight preflight = Preflight.of(context);
        if (!to.isEmpty()) {
            preflight.mail();
        }
        if (preflight.failed()) {
            return preflight.failure();
        }
        return preflight
                .addTo(JobResult.builder(JobResult.Status.SUCCEEDED))
                .message("Dry run: would e-mail the summary of the last "
                        + new Params(context.parameters()).integer("period_hours", 24) + " hours to " + to.size()
                        + " recipient" + (to.size() == 1 ? "" : "s") + "; nothing sent")
                .detail("changes_nothing", true)
                .detail("recipients", to.size())
                .build();
    }

    @Override
    public JobResult execute(JobContext context) throws Exception {
        Params params = new Params(context.parameters());
        Instant to = context.clock().instant();
        Instant from = to.minus(Duration.ofHours(params.integer("period_hours", 24)));
        String namespace = InstallationWide.confinedTo(context);
        Summary summary = summarize(from, to, params.integer("top", 5), namespace);
        context.checkCancelled();
        List<String> recipients = recipients(context);
        // failed and timed out apart, as the body counts them
        String subject = "Almanac daily summary: " + summary.runs() + " runs, " + summary.count("failed") + " failed, "
                + summary.count("timed_out") + " timed out, " + summary.count("missed") + " missed";
        context.log().info("{} ({} .. {})", subject, from, to);
        JobResult.Builder result = JobResult.builder(JobResult.Status.SUCCEEDED)
                .recordsProcessed(summary.runs())
                .detail("runs", summary.runs())
                .detail("succeeded", summary.count("succeeded"))
                .detail("failed", summary.count("failed"))
                .detail("timed_out", summary.count("timed_out"))
                .detail("missed", summary.count("missed"))
                .detail("open_incidents", summary.openIncidents().size());
        if (recipients.isEmpty()) {
            context.log()
                    .warn("nobody to send the summary to: give a super admin's account an e-mail address, or list"
                            + " recipients");
            return result.message(subject + "; not sent: no recipient has an e-mail address")
                    .detail("emailed_to", 0)
                    .build();
        }
        context.mailer()
                .send(new MailMessage(
                        recipients,
                        List.of(),
                        List.of(),
                        subject,
                        text(summary, context.jobName()),
                        html(summary),
                        "normal",
                        List.of()));
        context.log().info("e-mailed to {} recipient(s)", recipients.size());
        return result.message(subject + "; e-mailed to " + recipients.size() + " recipient(s)")
                .detail("emailed_to", recipients.size())
                .build();
    }

    private List<String> recipients(JobContext context) {
        Params params = new Params(context.parameters());
        Set<String> to = new LinkedHashSet<>();
        if (params.bool("include_super_admins", true)) {
            to.addAll(admins.superAdminEmails());
        }
        params.strings("recipients").forEach(address -> to.add(address.toLowerCase(Locale.ROOT)));
        return to.stream().limit(MAX_RECIPIENTS).toList();
    }

    /** The summary of the runs of the jobs in {@code namespace}, or of every job when it is null. */
    Summary summarize(Instant from, Instant to, int top, String namespace) {
        Map<String, Long> byStatus = executions.outcomesBetween(from, to, namespace);
        List<List<Object>> failing = executions.mostFailingJobs(from, to, top, namespace).stream()
                .map(job -> List.<Object>of(job.jobName(), job.count()))
                .toList();
        List<List<Object>> slowest = executions.slowestJobs(from, to, top, namespace).stream()
                .map(job -> List.<Object>of(job.jobName(), job.runs(), job.longestMs(), Math.round(job.meanMs())))
                .toList();
        List<List<Object>> missed = executions.mostMissedJobs(from, to, top, namespace).stream()
                .map(job -> List.<Object>of(job.jobName(), job.count()))
                .toList();
        List<List<Object>> incidents = openIncidents.in(namespace).stream()
                .map(incident -> List.<Object>of(
                        incident.jobName(),
                        incident.isFailure()
                                ? "failing since " + incident.openedAt() + " (" + incident.failures() + " in a row)"
                                : "no success within its alert window since " + incident.openedAt()))
                .toList();
        return new Summary(from, to, byStatus, failing, slowest, missed, incidents);
    }

    private static String text(Summary s, String jobName) {
        StringBuilder text = new StringBuilder();
        text.append("Almanac, ").append(s.from()).append(" to ").append(s.to()).append("\n\n");
        text.append("Runs: ").append(s.runs()).append(" (succeeded ").append(s.count("succeeded"));
        text.append(", failed ")
                .append(s.count("failed"))
                .append(", timed out ")
                .append(s.count("timed_out"));
        text.append(", cancelled ").append(s.count("cancelled")).append(")\n");
        text.append("Skipped: missed ")
                .append(s.count("missed"))
                .append(", overlap ")
                .append(s.count("overlap"));
        text.append(", disabled ").append(s.count("disabled")).append("\n");
        section(text, "Jobs that failed (failures)", s.failing());
        section(text, "Slowest jobs (runs, longest ms, mean ms)", s.slowest());
        section(text, "Missed runs", s.missed());
        section(text, "Open incidents", s.openIncidents());
        text.append("\nSent by the job '").append(jobName).append("'; edit or disable it like any job.\n");
        return text.toString();
    }

    private static void section(StringBuilder text, String title, List<List<Object>> rows) {
        text.append('\n').append(title).append(":\n");
        if (rows.isEmpty()) {
            text.append("  none\n");
        }
        for (List<Object> row : rows) {
            text.append("  ").append(row.get(0));
            for (Object value : row.subList(1, row.size())) {
                text.append(", ").append(value);
            }
            text.append('\n');
        }
    }

    private static String html(Summary s) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
        html.append("<h1>Almanac daily summary</h1><p>")
                .append(s.from())
                .append(" to ")
                .append(s.to())
                .append("</p>");
        html.append("<p><strong>")
                .append(s.runs())
                .append("</strong> runs: ")
                .append(s.count("succeeded"))
                .append(" succeeded, ")
                .append(s.count("failed"))
                .append(" failed, ")
                .append(s.count("timed_out"))
                .append(" timed out, ")
                .append(s.count("cancelled"))
                .append(" cancelled; ")
                .append(s.count("missed"))
                .append(" missed runs.</p>");
        table(html, "Jobs that failed", List.of("job", "failures"), s.failing());
        table(html, "Slowest jobs", List.of("job", "runs", "longest ms", "mean ms"), s.slowest());
        table(html, "Missed runs", List.of("job", "missed"), s.missed());
        table(html, "Open incidents", List.of("job", "state"), s.openIncidents());
        return html.append("</body></html>").toString();
    }

    private static void table(StringBuilder html, String title, List<String> columns, List<List<Object>> rows) {
        html.append("<h2>").append(Variables.escapeHtml(title)).append("</h2>");
        if (rows.isEmpty()) {
            html.append("<p>none</p>");
            return;
        }
        html.append("<table style=\"border-collapse:collapse\"><tr>");
        columns.forEach(c -> html.append("<th style=\"text-align:left;padding:2px 8px\">")
                .append(Variables.escapeHtml(c))
                .append("</th>"));
        html.append("</tr>");
        for (List<Object> row : rows) {
            html.append("<tr>");
            row.forEach(v -> html.append("<td style=\"padding:2px 8px\">")
                    .append(Variables.escapeHtml(String.valueOf(v)))
                    .append("</td>"));
            html.append("</tr>");
        }
        html.append("</table>");
    }
}
