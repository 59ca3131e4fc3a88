package dev.almanac.template.builtin;

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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Sends one e-mail through the configured SMTP server, with variables filled in (HTML-escaped in the HTML body).
 */
public class EmailNotificationTemplate implements JobTemplate {

    static final int MAX_RECIPIENTS = 50;

    /** A deliberately plain address: local part and domain with a dot, no display names, no comments, no quotes. */
    static final Pattern ADDRESS = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    private static final TemplateDescriptor DESCRIPTOR = TemplateDescriptor.builder("email_notification")
            .name("E-mail")
            .description("Sends an e-mail with a text and/or HTML body to up to 50 recipients through the configured"
                    + " SMTP server; {{job.name}}, {{execution.id}}, {{now}}, {{date}} and your own variables are filled"
                    + " in.")
            .category("notification")
            .icon("mail")
            .riskLevel(RiskLevel.MEDIUM)
            .destructive(false)
            .estimatedDuration(Duration.ofSeconds(2))
            .resourceUsage(ResourceUsage.LOW)
            .parametersSchema("""
                    {
                      "$schema": "https://json-schema.org/draft/2020-12/schema",
                      "type": "object",
                      "properties": {
                        "recipients": {"type": "array", "title": "To", "description": "E-mail addresses", "items": {"type": "string", "maxLength": 254}, "maxItems": 50, "uniqueItems": true, "default": []},
                        "cc": {"type": "array", "title": "Cc", "items": {"type": "string", "maxLength": 254}, "maxItems": 50, "uniqueItems": true, "default": []},
                        "bcc": {"type": "array", "title": "Bcc", "items": {"type": "string", "maxLength": 254}, "maxItems": 50, "uniqueItems": true, "default": []},
                        "subject": {"type": "string", "title": "Subject", "description": "One line; variables allowed", "minLength": 1, "maxLength": 500},
                        "body_text": {"type": "string", "title": "Text body", "description": "Plain text; variables allowed", "maxLength": 100000},
                        "body_html": {"type": "string", "title": "HTML body", "description": "HTML; variables are HTML-escaped", "maxLength": 200000},
                        "priority": {"type": "string", "title": "Priority", "enum": ["high", "normal", "low"], "default": "normal"},
                        "variables": {"type": "object", "title": "Variables", "description": "Your own values for {{name}} placeholders", "maxProperties": 50, "additionalProperties": {"type": ["string", "number", "boolean"]}, "default": {}}
                      },
                      "required": ["subject"],
                      "additionalProperties": false
                    }
                    """)
            .exampleParameters("""
                    {"recipients": ["ops@example.com"], "subject": "{{job.name}} ran at {{now}}",
                     "body_text": "Execution {{execution.id}} of {{job.name}} on {{date}}.", "priority": "normal"}
                    """)
            .build();

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
        return List.of(new TemplateChange("1", "Sends an e-mail through the configured SMTP server."));
    }

    @Override
    public List<ParameterError> validate(Map<String, Object> parameters) {
        Params params = new Params(parameters);
        List<ParameterError> errors = new ArrayList<>();
        int total = 0;
        Set<String> seen = new HashSet<>();
        for (String field : List.of("recipients", "cc", "bcc")) {
            List<String> addresses = params.strings(field);
            total += addresses.size();
            for (int i = 0; i < addresses.size(); i++) {
                String address = addresses.get(i);
                if (!ADDRESS.matcher(address).matches()) {
                    errors.add(new ParameterError(field + "[" + i + "]", "is not an e-mail address"));
                } else if (!seen.add(address.toLowerCase(Locale.ROOT))) {
                    errors.add(new ParameterError(field + "[" + i + "]", "is already a recipient"));
                }
            }
        }
        if (total == 0) {
            errors.add(new ParameterError("recipients", "name at least one recipient (to, cc or bcc)"));
        } else if (total > MAX_RECIPIENTS) {
            errors.add(new ParameterError("recipients", "at most " + MAX_RECIPIENTS + " recipients in all"));
        }
        if (!params.has("body_text") && !params.has("body_html")) {
            errors.add(new ParameterError("body_text", "give a text body, an HTML body, or both"));
        }
        if (params.string("subject", "").matches("(?s).*[\\r\\n].*")) {
            errors.add(new ParameterError("subject", "must be one line"));
        }
        return errors;
    }

    private static MailMessage message(JobContext context) {
        Params params = new Params(context.parameters());
        Variables variables = Variables.of(context, params.map("variables"));
        return new MailMessage(
                params.strings("recipients"),
                params.strings("cc"),
                params.strings("bcc"),
                variables.renderLine(params.string("subject")),
                variables.render(params.string("body_text")),
                variables.renderHtml(params.string("body_html")),
                params.string("priority", "normal"),
                List.of());
    }

    @Override
    public JobResult dryRun(JobContext context) {
        Preflight preflight = Preflight.of(context).mail();
        if (preflight.failed()) {
            return preflight.failure();
        }
        MailMessage message = message(context);
        int recipients =
                message.to().size() + message.cc().size() + message.bcc().size();
        return preflight
                .addTo(JobResult.builder(JobResult.Status.SUCCEEDED))
                .message("Dry run: would send \"" + message.subject() + "\" to " + recipients + " recipient"
                        + (recipients == 1 ? "" : "s") + "; nothing sent")
                .detail("changes_nothing", true)
                .detail("subject", message.subject())
                .detail("to", message.to())
                .detail("cc", message.cc())
                .detail("bcc_count", message.bcc().size())
                .detail("has_text", message.text() != null)
                .detail("has_html", message.html() != null)
                .build();
    }

    @Override
    public JobResult execute(JobContext context) throws Exception {
        MailMessage message = message(context);
        int recipients =
                message.to().size() + message.cc().size() + message.bcc().size();
        context.log().info("sending \"{}\" to {} recipient(s)", message.subject(), recipients);
        String messageId = context.mailer().send(message);
        context.log().info("handed to the SMTP server as {}", messageId);
        return JobResult.builder(JobResult.Status.SUCCEEDED)
                .message("Sent \"" + message.subject() + "\" to " + recipients + " recipient"
                        + (recipients == 1 ? "" : "s"))
                .recordsProcessed(recipients)
                .recordsAffected(recipients)
                .detail("message_id", messageId)
                .detail("subject", message.subject())
                .detail("recipients", recipients)
                .build();
    }
}
