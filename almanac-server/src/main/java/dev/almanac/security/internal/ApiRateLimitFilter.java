package dev.almanac.security.internal;

import dev.almanac.audit.AuditTrail;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The API request rate limit: {@code almanac.security.api-requests-per-minute} per token (or per user, for HTTP
 * Basic), refilled continuously; over it, 429 with {@code Retry-After}. Buckets live on each node: behind a load
 * balancer over n nodes, a caller gets at most n times the limit.
 */
public final class ApiRateLimitFilter extends OncePerRequestFilter {

    private final int perMinute;
    private final ProblemResponses problems;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    ApiRateLimitFilter(int perMinute, ProblemResponses problems) {
        this.perMinute = perMinute;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null
                || authentication instanceof AnonymousAuthenticationToken
                || !authentication.isAuthenticated()) {
            chain.doFilter(request, response);
            return;
        }
        String key;
        if (authentication instanceof ApiTokenAuthentication token) {
            key = "token:" + token.token().id();
        } else {
            key = "user:" + authentication.getName();
            if (request.getAttribute(AuditTrail.VIA_ATTRIBUTE) == null) {
                request.setAttribute(AuditTrail.VIA_ATTRIBUTE, "password");
            }
        }
        if (perMinute > 0) {
            ConsumptionProbe probe =
                    buckets.computeIfAbsent(key, k -> newBucket()).tryConsumeAndReturnRemaining(1);
            response.setHeader("X-RateLimit-Limit", Integer.toString(perMinute));
            response.setHeader("X-RateLimit-Remaining", Long.toString(probe.getRemainingTokens()));
            if (!probe.isConsumed()) {
                long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
                problems.tooMany(
                        request,
                        response,
                        "more than " + perMinute + " API requests a minute; retry after " + seconds + " s",
                        seconds);
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(perMinute)
                        .refillGreedy(perMinute, Duration.ofMinutes(1))
                        .build())
                .build();
    }
}
