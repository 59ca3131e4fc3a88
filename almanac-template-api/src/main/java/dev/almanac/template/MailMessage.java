package dev.almanac.template;

import java.util.List;
import java.util.Objects;

/**
 * One e-mail a run sends through {@link Mailer}.
 *
 * @param to recipients; at least one of {@code to}, {@code cc}, {@code bcc} is not empty
 * @param cc copy recipients
 * @param bcc blind-copy recipients
 * @param subject the subject line
 * @param text the plain-text body, may be {@code null} when {@code html} is set
 * @param html the HTML body, may be {@code null} when {@code text} is set
 * @param priority {@code high}, {@code normal} or {@code low}
 * @param attachments files to attach
 */
public record MailMessage(
        List<String> to,
        List<String> cc,
        List<String> bcc,
        String subject,
        String text,
        String html,
        String priority,
        List<Attachment> attachments) {

    /**
     * A file attached to a message.
     *
     * @param name the file name
     * @param contentType the media type
     * @param content the bytes
     */
    public record Attachment(String name, String contentType, byte[] content) {}

    public MailMessage {
        to = to == null ? List.of() : List.copyOf(to);
        cc = cc == null ? List.of() : List.copyOf(cc);
        bcc = bcc == null ? List.of() : List.copyOf(bcc);
        Objects.requireNonNull(subject, "subject");
        if (text == null && html == null) {
            throw new IllegalArgumentException("a message needs a text or an HTML body");
        }
        if (to.isEmpty() && cc.isEmpty() && bcc.isEmpty()) {
            throw new IllegalArgumentException("a message needs at least one recipient");
        }
        priority = priority == null ? "normal" : priority;
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
    }
}
