package dev.almanac.template;

/** Sends e-mail through the SMTP server the operator configured, handed out by {@link JobContext#mailer()}. */
public interface Mailer {

    /**
     * Whether an SMTP server is configured, so a dry run can say so before a real run fails on it.
     *
     * @return {@code false} when {@link #send(MailMessage)} would fail for want of a server
     */
    default boolean configured() {
        return true;
    }

    /**
     * Sends one message.
     *
     * @param message the message
     * @return the Message-ID the server was given
     * @throws Exception when the message cannot be handed to the server
     */
    String send(MailMessage message) throws Exception;
}
