package dev.almanac.web.internal;

import dev.almanac.common.DatabaseAvailability;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 503 at once while the database is known to be away, before security looks up a token or a user in it, and
 * turns a connection failure anywhere further down (a filter, security, a controller) into the same 503 instead of a
 * 500 or a 401. Static resources pass (the unavailable page needs its style sheet). The actuator's endpoints are not
 * answered early (health says itself that the database is down, with no token to look up), but a failure further
 * down is a 503 there too: a Prometheus scrape with a token whose lookup could not reach the database.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
public class DatabaseUnavailableFilter extends OncePerRequestFilter {

    private final Supplier<DatabaseAvailability> availability;
    private final Supplier<DatabaseUnavailable> unavailable;

    /**
     * The providers are empty only in web slice tests, which have no database: then the filter lets all pass. They are
     * asked once, at the first request, not on every one: a bean lookup by type costs more than the rest of the filter.
     */
    DatabaseUnavailableFilter(
            ObjectProvider<DatabaseAvailability> availability, ObjectProvider<DatabaseUnavailable> unavailable) {
        this.availability = SingletonSupplier.of(availability::getIfAvailable);
        this.unavailable = SingletonSupplier.of(unavailable::getIfAvailable);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        if (availability.get() == null || unavailable.get() == null) {
            return true;
        }
        String path = request.getRequestURI();
        return path.startsWith("/css/")
                || path.startsWith("/js/")
                || path.startsWith("/img/")
                || path.startsWith("/webjars/")
                || path.equals("/favicon.ico");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (availability.get().down() && !request.getRequestURI().startsWith("/actuator/")) {
            unavailable.get().write(request, response);
            return;
        }
        try {
            chain.doFilter(request, response);
        } catch (ServletException | RuntimeException e) {
            if (!DatabaseAvailability.isConnectionFailure(e)) {
                throw e;
            }
            unavailable.get().write(request, response, e);
        }
    }
}
