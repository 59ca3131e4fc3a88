package dev.almanac.outbound;

import dev.almanac.template.MailMessage;
import dev.almanac.template.Mailer;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Locale;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Component;

/** Sends e-mail through the SMTP server configured with {@code spring.mail.*}, for templates and notifications. */
@Component
public class OutboundMail implements Mailer {

    private final ObjectProvider<JavaMailSender> sender;
    private final String from;

    OutboundMail(ObjectProvider<JavaMailSender> sender, @Value("${almanac.mail.from:almanac@localhost}") String from) {
        this.sender = sender;
        this.from = from;
    }

    /** Whether an SMTP server is configured ({@code spring.mail.host}). */
    @Override
    public boolean configured() {
        return sender.getIfAvailable() != null;
    }

    @Override
    public String send(MailMessage message) throws Exception {
        JavaMailSender mail = Optional.ofNullable(sender.getIfAvailable())
                .orElseThrow(() -> new IllegalStateException(
                        "no SMTP server is configured: set spring.mail.host (SPRING_MAIL_HOST) and its port"));
        MimeMessage mime = mail.createMimeMessage();
        boolean multipart = (message.text() != null && message.html() != null)
                || !message.attachments().isEmpty();
        MimeMessageHelper helper = new MimeMessageHelper(mime, multipart, "UTF-8");
        helper.setFrom(new InternetAddress(from));
        helper.setTo(message.to().toArray(String[]::new));
        helper.setCc(message.cc().toArray(String[]::new));
        helper.setBcc(message.bcc().toArray(String[]::new));
        helper.setSubject(message.subject());
        if (message.text() != null && message.html() != null) {
            helper.setText(message.text(), message.html());
        } else if (message.html() != null) {
            helper.setText(message.html(), true);
        } else {
            helper.setText(message.text(), false);
        }
        switch (message.priority().toLowerCase(Locale.ROOT)) {
            case "high" -> {
                helper.setPriority(1);
                mime.setHeader("Importance", "High");
            }
            case "low" -> {
                helper.setPriority(5);
                mime.setHeader("Importance", "Low");
            }
            default -> {}
        }
        for (MailMessage.Attachment attachment : message.attachments()) {
            helper.addAttachment(
                    attachment.name(), new ByteArrayResource(attachment.content()), attachment.contentType());
        }
        mail.send(mime);
        return mime.getMessageID();
    }
}
