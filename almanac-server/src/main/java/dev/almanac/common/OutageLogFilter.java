package dev.almanac.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.springframework.stereotype.Component;

/**
 * Keeps an outage of the database to the two lines {@link DatabaseAvailability} writes (one when it goes, one when it
 * is back), as the operations guide promises, instead of a stack trace from each library that met it:
 *
 * <ul>
 *   <li>Spring's ERROR "Application (or Commit) exception overridden by rollback exception", when the exception it
 *       overrides is itself a lost connection: the rollback could not reach the database either, and the exception
 *       thrown keeps the overridden one, which the engine reports as the outage. Any other overridden exception is
 *       logged as Spring logs it.
 *   <li>Hikari's WARNs for a connection that broke (with a stack trace) or failed its validation (with advice about
 *       {@code maxLifetime} that does not apply to an outage): one line of ours, without the trace, when the database
 *       is not known to be away (a single connection that broke is worth a line), none while it is.
 * </ul>
 *
 * <p>It stays in the logging system when the application stops, so that what fails while it stops (a pool closing on
 * a database that is away) is said as while it ran; the next application started in this JVM replaces it.
 */
@Component
public class OutageLogFilter extends TurboFilter {

    private static final Logger log = LoggerFactory.getLogger(OutageLogFilter.class);
    private static final String NAME = "almanac-outage-log-filter";

    private final DatabaseAvailability database;

    OutageLogFilter(DatabaseAvailability database) {
        this.database = database;
        setName(NAME);
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            // one per context: tests start several applications in one JVM, each with its own availability
            context.getTurboFilterList().removeIf(f -> NAME.equals(f.getName()));
            context.addTurboFilter(this);
            start();
        }
    }

    @Override
    public FilterReply decide(
            Marker marker,
            ch.qos.logback.classic.Logger logger,
            Level level,
            String format,
            Object[] params,
            Throwable t) {
        if (format == null || level == null) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        if (level == Level.ERROR
                && name.startsWith("org.springframework.transaction")
                && format.contains("overridden by rollback exception")
                && t != null
                && DatabaseAvailability.isConnectionFailure(t)) {
            return FilterReply.DENY;
        }
        if (level == Level.WARN && name.startsWith("com.zaxxer.hikari")) {
            Throwable failure = t != null ? t : lastThrowable(params);
            boolean broke = failure != null && DatabaseAvailability.isConnectionFailure(failure);
            // "Failed to validate connection … Possibly consider using a shorter maxLifetime value": a connection the
            // database closed, said without its exception
            boolean failedCheck = format.contains("Failed to validate connection");
            if (broke || failedCheck) {
                if (database.downSince() == null) {
                    log.warn(
                            "A database connection of the pool broke or failed its check: {}",
                            broke ? failure.getMessage() : lastText(params));
                }
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }

    private static String lastText(Object[] params) {
        return params != null && params.length > 0 ? String.valueOf(params[params.length - 1]) : "";
    }

    private static Throwable lastThrowable(Object[] params) {
        return params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last ? last : null;
    }
}
