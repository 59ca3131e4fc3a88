package dev.almanac.security.internal;

import dev.almanac.audit.AuditTrail;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code Authorization: Bearer <token>}: a valid token authenticates the request as its owner, with the owner's
 * current role (a token limited to namespaces: only what that role allows there); an unknown, expired or revoked token, or one whose user is disabled, is a 401 at once.
 */
public final class ApiTokenFilter extends OncePerRequestFilter {

    private static final String BEARER = "Bearer ";
    private static final int VIA_LENGTH = 120;

    private final ApiTokenService tokens;
    private final AuditTrail audit;
    private final ProblemResponses problems;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    ApiTokenFilter(ApiTokenService tokens, AuditTrail audit, ProblemResponses problems) {
        this.tokens = tokens;
        this.audit = audit;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            chain.doFilter(request, response);
            return;
        }
        String secret = header.substring(BEARER.length()).strip();
        boolean read = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
        Optional<ApiTokenRepository.Owned> owned = tokens.authenticate(secret, read);
        if (owned.isEmpty()) {
            Optional<ApiTokenService.Refusal> refusal = tokens.refusal(secret);
            if (refusal.isPresent()) {
                ApiToken refused = refusal.get().token();
                audit.record(
                        "anonymous",
                        "login.failed",
                        AuditTrail.FAILURE,
                        ApiTokenService.target(refused),
                        Map.of(
                                "method", "token",
                                "reason", refusal.get().reason(),
                                "prefix", refused.prefix(),
                                "owner", refusal.get().owner()));
            } else {
                audit.record(
                        "anonymous",
                        "login.failed",
                        AuditTrail.FAILURE,
                        null,
                        Map.of("method", "token", "reason", "unknown, expired or revoked token"));
            }
            problems.unauthorized(request, response, "the API token is unknown, expired or revoked");
            return;
        }
        ApiToken token = owned.get().token();
        User user = owned.get().user();
        SecurityContext context = contexts.createEmptyContext();
        // a limited token holds no global role: what it may do comes from NamespaceAccess, in its namespaces only
        Role carried = token.limited() ? Role.USER : user.role();
        context.setAuthentication(new ApiTokenAuthentication(
                user.username(), token, user.role(), Authorities.of(carried, !token.readOnly())));
        contexts.setContext(context);
        request.setAttribute(AuditTrail.VIA_ATTRIBUTE, via(token));
        try {
            chain.doFilter(request, response);
        } finally {
            contexts.clearContext();
        }
    }

    /**
     * How the audit names a token: its name and, as the token list and a refused token's event show it, its prefix,
     * so two tokens of one name are told apart ({@code token:ci (alm_ab12cd34…)}). A name too long for the column
     * (120 characters) is shortened; the prefix is kept whole.
     */
    static String via(ApiToken token) {
        String prefix = " (" + token.prefix() + "…)";
        String name = token.name();
        int room = VIA_LENGTH - "token:".length() - prefix.length();
        if (name.length() > room) {
            name = name.substring(0, room - 1) + "…";
        }
        return "token:" + name + prefix;
    }
}
