package dev.almanac.template.builtin;

import dev.almanac.template.JobContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code {{name}}} placeholders in subjects, bodies and headers: {@code job.name}, {@code job.id},
 * {@code execution.id}, {@code now}, {@code date}, and the job's own {@code variables}. One pass, so a value that
 * itself looks like a placeholder stays text; each value goes through an escaper chosen by where it lands (HTML in
 * an HTML body). Unknown names are left as they are.
 */
final class Variables {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z][A-Za-z0-9_.]{0,63})\\s*\\}\\}");

    private final Map<String, String> values;

    private Variables(Map<String, String> values) {
        this.values = values;
    }

    static Variables of(JobContext context, Map<String, Object> custom) {
        Instant now = context.clock().instant();
        Map<String, String> values = new LinkedHashMap<>();
        custom.forEach((name, value) -> values.put(name, value == null ? "" : String.valueOf(value)));
        values.put("job.name", context.jobName());
        values.put("job.id", context.jobId());
        values.put("execution.id", context.executionId());
        values.put("now", now.toString());
        values.put(
                "date",
                DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(now));
        return new Variables(values);
    }

    String render(String template) {
        return render(template, UnaryOperator.identity());
    }

    String renderHtml(String template) {
        return render(template, Variables::escapeHtml);
    }

    /** For header values and subjects: no line breaks can be smuggled in. */
    String renderLine(String template) {
        return render(template, value -> value.replaceAll("[\\r\\n]+", " "));
    }

    String render(String template, UnaryOperator<String> escape) {
        if (template == null) {
            return null;
        }
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length());
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            matcher.appendReplacement(
                    out, Matcher.quoteReplacement(value == null ? matcher.group() : escape.apply(value)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    static String escapeHtml(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
