package dev.almanac.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts the requests on this node that may have changed something (every method but GET, HEAD, OPTIONS and
 * TRACE), once each has been answered, so a view kept for a moment can tell that it may be out of date: a snapshot
 * notes {@link #generation()} before it reads and is stale as soon as the number moved.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class LocalWrites extends OncePerRequestFilter {

    private final AtomicLong generation = new AtomicLong();

    /** Moves on with every answered request that may have written. */
    public long generation() {
        return generation.get();
    }

    /** Something changed behind the requests' back (a test's fixture, say): every snapshot taken so far is stale. */
    public void changed() {
        generation.incrementAndGet();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } finally {
            if (mayWrite(request.getMethod())) {
                changed();
            }
        }
    }

    private static boolean mayWrite(String method) {
        return !switch (method) {
            case "GET", "HEAD", "OPTIONS", "TRACE" -> true;
            default -> false;
        };
    }
}
