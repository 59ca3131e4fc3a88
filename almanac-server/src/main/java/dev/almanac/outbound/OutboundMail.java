package dev.almanac.outbound;

import dev.almanac.common.Durations;
import dev.almanac.common.RunControl;
import dev.almanac.template.MailMessage;
import dev.almanac.template.Mailer;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.mail.MailException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
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
        JavaMailSender mail = shared();
        MimeMessage mime = compose(mail, message);
        try {
            mail.send(mime);
        } catch (MailSendException e) {
            throw readable(e, mail);
        }
        return mime.getMessageID();
    }

    /**
     * A mailer bound to one run: its socket time-outs are capped at the run's remaining time, and its connection is
     * closed the moment the run is cancelled or passes its deadline, so a mail server that answers slowly, a byte at a
     * time, holds the run no longer than the run may last.
     */
    public Mailer forRun(RunControl run) {
        return new Mailer() {
            @Override
            public boolean configured() {
                return OutboundMail.this.configured();
            }

            @Override
            public String send(MailMessage message) throws Exception {
                return sendWithin(run, message);
            }
        };
    }

    private String sendWithin(RunControl run, MailMessage message) throws Exception {
        JavaMailSender shared = shared();
        run.checkStop();
        if (!(shared instanceof JavaMailSenderImpl configured)) {
            // a sender an operator defined as a bean of their own: its sockets are out of reach, its time-outs apply
            return send(message);
        }
        ClosableSockets sockets = new ClosableSockets();
        JavaMailSenderImpl bound = boundCopy(configured, run.remaining(), sockets);
        MimeMessage mime = compose(bound, message);
        try (RunControl.Registration abort = run.onStop(sockets::closeAll)) {
            bound.send(mime);
        } catch (MailException e) {
            // a connection closed because the run stopped is reported as the stop, not as a mail server's fault
            run.checkStop();
            throw e instanceof MailSendException failed ? readable(failed, bound) : e;
        }
        return mime.getMessageID();
    }

    /** The configured sender's settings, with time-outs no longer than {@code remaining} and sockets we can close. */
    private static JavaMailSenderImpl boundCopy(
            JavaMailSenderImpl configured, Optional<Duration> remaining, ClosableSockets sockets) {
        String protocol = Optional.ofNullable(configured.getProtocol()).orElse("smtp");
        String prefix = "mail." + protocol;
        Properties properties = new Properties();
        properties.putAll(configured.getSession().getProperties());
        if (remaining.isPresent()) {
            long cap = Math.max(1, remaining.get().toMillis());
            for (String timeout : List.of(".connectiontimeout", ".timeout", ".writetimeout")) {
                long configuredMillis = parseMillis(properties.getProperty(prefix + timeout));
                long millis = configuredMillis <= 0 ? cap : Math.min(configuredMillis, cap);
                properties.setProperty(prefix + timeout, Long.toString(Math.min(millis, Integer.MAX_VALUE)));
            }
        }
        // an instance, not a class name (Jakarta Mail's documented form); a factory the operator set is kept
        properties.putIfAbsent(prefix + ".socketFactory", sockets);
        JavaMailSenderImpl bound = new JavaMailSenderImpl();
        bound.setJavaMailProperties(properties);
        bound.setProtocol(protocol);
        bound.setHost(configured.getHost());
        bound.setPort(configured.getPort());
        bound.setUsername(configured.getUsername());
        bound.setPassword(configured.getPassword());
        bound.setDefaultEncoding(configured.getDefaultEncoding());
        return bound;
    }

    /**
     * A failed send said for a person, in place of Jakarta Mail's exception chain ("Mail server connection failed.
     * Failed messages: jakarta.mail.MessagingException: Exception reading response; nested exception is: ..."): the
     * mail server did not answer in time, could not be connected to, or refused, with what it answered. The original
     * is kept as the cause (and its failed messages stay reachable through it).
     */
    /** Angus Mail's exceptions that carry the SMTP server's own answer (550 5.1.1 no such user). */
    private static final java.util.Set<String> SERVER_REFUSALS =
            java.util.Set.of("SMTPAddressFailedException", "SMTPSendFailedException");

    static MailSendException readable(MailSendException failed, JavaMailSender mail) {
        String server = "the mail server";
        long timeout = 0;
        if (mail instanceof JavaMailSenderImpl configured) {
            String protocol = Optional.ofNullable(configured.getProtocol()).orElse("smtp");
            int port = configured.getPort() > 0 ? configured.getPort() : protocol.equals("smtps") ? 465 : 25;
            server = configured.getHost() + ":" + port;
            timeout = parseMillis(configured.getJavaMailProperties().getProperty("mail." + protocol + ".timeout"));
            if (timeout <= 0) {
                timeout = parseMillis(configured.getSession().getProperty("mail." + protocol + ".timeout"));
            }
        }
        return new MailSendException(describe(failed, server, timeout), failed);
    }

    private static String describe(MailSendException failed, String server, long timeoutMillis) {
        java.util.Deque<Throwable> pending = new java.util.ArrayDeque<>();
        pending.add(failed);
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Throwable answered = null;
        while (!pending.isEmpty()) {
            Throwable t = pending.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (t instanceof java.net.SocketTimeoutException) {
                boolean connecting =
                        String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("connect");
                String within =
                        timeoutMillis > 0 ? " within " + Durations.spoken(Duration.ofMillis(timeoutMillis)) : "";
                return connecting
                        ? "could not connect to the mail server " + server + within
                        : "the mail server " + server + " did not answer" + within;
            }
            if (t instanceof java.net.ConnectException
                    || t instanceof java.net.UnknownHostException
                    || t instanceof java.net.NoRouteToHostException) {
                return "could not connect to the mail server " + server + ": " + firstLine(t);
            }
            if (t instanceof javax.net.ssl.SSLException) {
                return "TLS with the mail server " + server + " failed: " + firstLine(t);
            }
            if (answered == null && SERVER_REFUSALS.contains(t.getClass().getSimpleName())) {
                answered = t;
            }
            if (t instanceof MailSendException send) {
                pending.addAll(send.getFailedMessages().values());
            }
            if (t instanceof jakarta.mail.MessagingException messaging && messaging.getNextException() != null) {
                pending.add(messaging.getNextException());
            }
            if (t.getCause() != null) {
                pending.add(t.getCause());
            }
        }
        if (answered != null) {
            return "the mail server " + server + " refused it: " + firstLine(answered);
        }
        return firstLine(failed);
    }

    private static String firstLine(Throwable t) {
        String message = t.getMessage() == null
                ? t.getClass().getSimpleName()
                : t.getMessage().strip();
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }

    private static long parseMillis(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value.trim());
        } catch (NumberFormatException unreadable) {
            return 0;
        }
    }

    private JavaMailSender shared() {
        return Optional.ofNullable(sender.getIfAvailable())
                .orElseThrow(() -> new IllegalStateException(
                        "no SMTP server is configured: set spring.mail.host (SPRING_MAIL_HOST) and its port"));
    }

    private MimeMessage compose(JavaMailSender mail, MailMessage message) throws Exception {
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
        return mime;
    }

    /**
     * Plain sockets for one send, remembered so a stopped run can close them: closing the socket ends a blocked read
     * at once, where {@code Transport.close()} would wait for the send holding its lock. Jakarta Mail layers TLS
     * (SMTPS, STARTTLS) over the socket this returns.
     */
    static final class ClosableSockets extends SocketFactory {

        private final List<Socket> opened = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        @Override
        public Socket createSocket() throws IOException {
            return remember(new Socket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return remember(new Socket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            return remember(new Socket(host, port, local, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return remember(new Socket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
            return remember(new Socket(host, port, local, localPort));
        }

        private Socket remember(Socket socket) throws IOException {
            opened.add(socket);
            if (closed) {
                socket.close();
            }
            return socket;
        }

        void closeAll() {
            closed = true;
            for (Socket socket : opened) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing is all we wanted; the send fails on it
                }
            }
        }
    }
}
