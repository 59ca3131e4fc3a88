package dev.almanac.template;

/**
 * Writes to the execution log of the current run, which operators read in the UI and the API.
 *
 * <p>Formatting variants take SLF4J-style {@code {}} placeholders: {@code log.info("deleted {} rows from {}",
 * count, table)}. Implementations only provide {@link #log(Level, String)}; every other method is defined here
 * so all loggers format alike. Never log secrets: the execution log is visible to every administrator.
 */
public interface JobLogger {

    /** The severity of one log line. */
    enum Level {
        /** Detail useful while diagnosing a template. */
        DEBUG,
        /** Progress an operator wants to see. */
        INFO,
        /** Something unexpected that did not stop the run. */
        WARN,
        /** Something that failed. */
        ERROR
    }

    /**
     * Writes one already formatted line.
     *
     * @param level the severity
     * @param message the finished message
     */
    void log(Level level, String message);

    /**
     * Writes a debug line.
     *
     * @param message the message
     */
    default void debug(String message) {
        log(Level.DEBUG, message);
    }

    /**
     * Writes a debug line with {@code {}} placeholders.
     *
     * @param format the message with placeholders
     * @param args the values for the placeholders, in order
     */
    default void debug(String format, Object... args) {
        log(Level.DEBUG, MessageFormatter.format(format, args));
    }

    /**
     * Writes an info line.
     *
     * @param message the message
     */
    default void info(String message) {
        log(Level.INFO, message);
    }

    /**
     * Writes an info line with {@code {}} placeholders.
     *
     * @param format the message with placeholders
     * @param args the values for the placeholders, in order
     */
    default void info(String format, Object... args) {
        log(Level.INFO, MessageFormatter.format(format, args));
    }

    /**
     * Writes a warning line.
     *
     * @param message the message
     */
    default void warn(String message) {
        log(Level.WARN, message);
    }

    /**
     * Writes a warning line with {@code {}} placeholders.
     *
     * @param format the message with placeholders
     * @param args the values for the placeholders, in order
     */
    default void warn(String format, Object... args) {
        log(Level.WARN, MessageFormatter.format(format, args));
    }

    /**
     * Writes an error line.
     *
     * @param message the message
     */
    default void error(String message) {
        log(Level.ERROR, message);
    }

    /**
     * Writes an error line with {@code {}} placeholders; a trailing {@link Throwable} argument that no
     * placeholder takes is appended to the message.
     *
     * @param format the message with placeholders
     * @param args the values for the placeholders, in order
     */
    default void error(String format, Object... args) {
        log(Level.ERROR, MessageFormatter.format(format, args));
    }
}
