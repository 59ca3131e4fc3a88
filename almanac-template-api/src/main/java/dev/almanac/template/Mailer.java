package dev.almanac.template;

/** Sends e-mail through the SMTP server the operator configured, handed out by {@link JobContext#mailer()}. */
public interface Mailer {

    /**
     * Sends one message.
     *
     * @param message the message
     * @return the Message-ID the server was given
     * @throws Exception when the message cannot be handed to the server
     */
    String send(MailMessage message) throws Exception;
}
