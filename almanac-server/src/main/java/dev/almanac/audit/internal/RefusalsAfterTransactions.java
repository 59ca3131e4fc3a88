package dev.almanac.audit.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Writes the refusals a request met inside a transaction once the request's work is done, before its answer is
 * complete. Such a refusal cannot join the transaction (the exception that answers it rolls it back), and writing it
 * in a transaction of its own at once would take a second connection while the first is held: a burst of refused
 * requests, more than the pool has connections, would hold them all and wait on each other until the pool's time-out.
 * Here the transaction has ended and its connection is back in the pool; each event commits on its own.
 *
 * <p>Inside the database filter, so a database that went away meanwhile is answered as such; a refusal that could not
 * be written is still in the log, where {@code AuditTrail} wrote its line when it happened.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 6)
public class RefusalsAfterTransactions extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(RefusalsAfterTransactions.class);

    private static final String PENDING = RefusalsAfterTransactions.class.getName() + ".pending";

    private final Supplier<AuditRepository> events;

    /** The repository is missing only in web slice tests, which have no database: then the filter lets all pass. */
    RefusalsAfterTransactions(ObjectProvider<AuditRepository> events) {
        this.events = SingletonSupplier.of(events::getIfAvailable);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return events.get() == null;
    }

    /**
     * Keeps {@code event} to be written when the current request's work is done; false when there is no request this
     * filter saw (a background task, a test without filters), and the caller writes it itself.
     */
    public static boolean defer(AuditEvent event) {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        if (request != null
                && request.getAttribute(PENDING, RequestAttributes.SCOPE_REQUEST) instanceof List<?> pending) {
            @SuppressWarnings("unchecked")
            List<AuditEvent> events = (List<AuditEvent>) pending;
            events.add(event);
            return true;
        }
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        List<AuditEvent> pending = new ArrayList<>(1);
        request.setAttribute(PENDING, pending);
        try {
            chain.doFilter(request, response);
        } finally {
            request.removeAttribute(PENDING);
            for (AuditEvent event : pending) {
                try {
                    events.get().insert(event);
                } catch (RuntimeException failed) {
                    log.warn(
                            "The refusal {} {} could not be written to the audit trail",
                            event.actor(),
                            event.id(),
                            failed);
                }
            }
        }
    }
}
