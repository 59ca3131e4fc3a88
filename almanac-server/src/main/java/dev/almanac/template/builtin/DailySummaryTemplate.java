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
import java.util.LinkedHashMap;
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
 * only its own ({@link InstallationWide}), and never mails the super admins: its owner would learn their addresses and
 * could mail them on any schedule. Each recipient gets a message of their own, so nobody sees the others' addresses.
 */
@Component
public class DailySummaryTemplate implements JobTemplate, InstallationWide {

    private static final int MAX_RECIPIENTS = 50;

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("daily_summary")
            .name("Daily summary")
            .description("E-mails a summary of the last day to the super admins (the e-mail address of their account)"
                    + " and any other recipients, each a message of their own: runs, failures, the slowest jobs, missed"
                    + " runs and open incidents. In namespace default it covers every namespace (a super admin's job);"
                    + " elsewhere only its own, and it mails only the listed recipients, never the super admins.")
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
                        "include_super_admins": {"type": "boolean", "title": "Send to the super admins", "description": "Every enabled super admin whose account has an e-mail address; only a job in namespace default mails them (elsewhere a run leaves them out and says so)", "default": true},
                        "recipients": {"type": "array", "title": "More recipients", "description": "Further e-mail addresses; each recipient gets a message of their own, and at most 50 in all (super admins first) are mailed", "items": {"type": "string", "maxLength": 254}, "maxItems": 50, "default": []},
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
        return "2";
    }

    @Override
    public List<TemplateChange> changes() {
        return List.of(
                new TemplateChange(
                        "1",
                        "E-mails a summary of the last day: runs, failures, slowest jobs, missed runs and open"
                                + " incidents."),
                new TemplateChange(
                        "2",
                        "Only a job in namespace default mails the super admins (include_super_admins: true elsewhere"
                                + " is left out with a warning by every run); each recipient gets a"
                                + " message of their own; recipients past 50 are reported (recipients_left_out)."));
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
        Recipients recipients = recipients(context, InstallationWide.confinedTo(context));
        List<String> to = recipients.to();
        Preflight preflight = Preflight.of(context);
        if (!to.isEmpty()) {
            preflight.mail();
        }
        if (preflight.failed()) {
            return preflight.failure();
        }
        return recipients
                .addTo(preflight.addTo(JobResult.builder(JobResult.Status.SUCCEEDED)))
                .message("Dry run: would e-mail the summary of the last "
                        + new Params(context.parameters()).integer("period_hours", 24) + " hours to " + to.size()
                        + " recipient" + (to.size() == 1 ? "" : "s") + ", each a message of their own"
                        + recipients.notes() + "; nothing sent")
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
        Recipients recipients = recipients(context, namespace);
        recipients.warn(context);
        List<String> addresses = recipients.to();
        // failed and timed out apart, as the body counts them
        String subject = "Almanac daily summary: " + summary.runs() + " runs, " + summary.count("failed") + " failed, "
                + summary.count("timed_out") + " timed out, " + summary.count("missed") + " missed";
        context.log().info("{} ({} .. {})", subject, from, to);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("runs", summary.runs());
        details.put("succeeded", summary.count("succeeded"));
        details.put("failed", summary.count("failed"));
        details.put("timed_out", summary.count("timed_out"));
        details.put("missed", summary.count("missed"));
        details.put("open_incidents", summary.openIncidents().size());
        if (addresses.isEmpty()) {
            context.log()
                    .warn("nobody to send the summary to: "
                            + (namespace == null
                                    ? "give a super admin's account an e-mail address, or list recipients"
                                    : "list recipients"));
            return recipients
                    .addTo(JobResult.builder(JobResult.Status.SUCCEEDED))
                    .recordsProcessed(summary.runs())
                    .details(details)
                    .message(subject + "; not sent: no recipient has an e-mail address" + recipients.notes())
                    .detail("emailed_to", 0)
                    .build();
        }
        String text = text(summary, context.jobName());
        String html = html(summary);
        // one message each: nobody learns the others' addresses (the super admins' above all)
        int sent = 0;
        Exception firstFailure = null;
        for (int i = 0; i < addresses.size(); i++) {
            context.checkCancelled();
            try {
                context.mailer()
                        .send(new MailMessage(
                                List.of(addresses.get(i)),
                                List.of(),
                                List.of(),
                                subject,
                                text,
                                html,
                                "normal",
                                List.of()));
                sent++;
            } catch (Exception failure) {
                context.log()
                        .warn("could not e-mail recipient {} of {}: {}", i + 1, addresses.size(), failure.getMessage());
                firstFailure = firstFailure == null ? failure : firstFailure;
            }
        }
        if (sent == 0) {
            throw firstFailure;
        }
        context.log().info("e-mailed to {} of {} recipient(s)", sent, addresses.size());
        String outcome = firstFailure == null
                ? "; e-mailed to " + sent + " recipient(s)"
                : "; e-mailed to " + sent + " of " + addresses.size() + " recipients, " + (addresses.size() - sent)
                        + " failed (the first: " + firstFailure.getMessage() + ")";
        return recipients
                .addTo(JobResult.builder(firstFailure == null ? JobResult.Status.SUCCEEDED : JobResult.Status.FAILED))
                .recordsProcessed(summary.runs())
                .recordsAffected(sent)
                .details(details)
                .message(subject + outcome + recipients.notes())
                .detail("emailed_to", sent)
                .build();
    }

    /**
     * Whom a run mails: at most {@link #MAX_RECIPIENTS}, the super admins first; how many more were left out; and
     * whether the job asked for the super admins where it may not have them.
     */
    private record Recipients(List<String> to, int leftOut, boolean superAdminsRefused) {

        String notes() {
            return (superAdminsRefused
                            ? "; the super admins were not e-mailed: only a job in namespace '" + InstallationWide.HOME
                                    + "' may e-mail them (include_super_admins)"
                            : "")
                    + (leftOut > 0
                            ? "; " + leftOut + " recipient" + (leftOut == 1 ? " was" : "s were")
                                    + " left out: a summary goes to at most " + MAX_RECIPIENTS
                            : "");
        }

        void warn(JobContext context) {
            if (superAdminsRefused) {
                context.log()
                        .warn(
                                "include_super_admins is ignored: only a job in namespace '{}' may e-mail the super"
                                        + " admins",
                                InstallationWide.HOME);
            }
            if (leftOut > 0) {
                context.log().warn("{} recipient(s) left out: a summary goes to at most {}", leftOut, MAX_RECIPIENTS);
            }
        }

        /** The details and warnings that say so. */
        JobResult.Builder addTo(JobResult.Builder result) {
            if (superAdminsRefused) {
                result.detail("super_admins_left_out", true)
                        .warning("include_super_admins is ignored: only a job in namespace '" + InstallationWide.HOME
                                + "' may e-mail the super admins");
            }
            if (leftOut > 0) {
                result.detail("recipients_left_out", leftOut)
                        .warning(leftOut + " recipient(s) left out: a summary goes to at most " + MAX_RECIPIENTS);
            }
            return result;
        }
    }

    /** The recipients of a run confined to {@code namespace} (null: the whole installation). */
    private Recipients recipients(JobContext context, String namespace) {
        Params params = new Params(context.parameters());
        Set<String> to = new LinkedHashSet<>();
        boolean superAdminsRefused = false;
        if (namespace == null) {
            if (params.bool("include_super_admins", true)) {
                to.addAll(admins.superAdminEmails());
            }
        } else {
            // left out, as the field says; an explicit true is told (it is refused on save)
            superAdminsRefused = params.bool("include_super_admins", false);
        }
        params.strings("recipients").forEach(address -> to.add(address.toLowerCase(Locale.ROOT)));
        return new Recipients(
                to.stream().limit(MAX_RECIPIENTS).toList(),
                Math.max(0, to.size() - MAX_RECIPIENTS),
                superAdminsRefused);
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
