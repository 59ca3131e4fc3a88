package dev.almanac.security.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.HashSet;
import java.util.Optional;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Keeps a signed-in browser session in step with its user as stored, on every node: each request of a session reads
 * the user again. A role change takes effect on the next request; a user deleted, disabled or given a new password (by
 * an admin, or by themselves in another session) is signed out, and the request goes on as anyone's who is not signed
 * in (the login page, or 401). The session that changed its own password keeps going ({@link #stamp}).
 */
final class SessionUsers extends OncePerRequestFilter {

    /** The session attribute holding the {@link UserService#passwordStamp} of the password it signed in with. */
    static final String PASSWORD_STAMP = SessionUsers.class.getName() + ".password";

    private final UserService users;
    private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
    /** The static files the security chain lets anyone fetch ({@link SecurityConfiguration#STATIC}). */
    private final RequestMatcher staticFiles =
            new OrRequestMatcher(java.util.Arrays.stream(SecurityConfiguration.STATIC)
                    .map(PathPatternRequestMatcher.withDefaults()::matcher)
                    .map(RequestMatcher.class::cast)
                    .toList());

    SessionUsers(UserService users) {
        this.users = users;
    }

    /** Marks {@code request}'s session as signed in with {@code username}'s password as stored now. */
    static void stamp(HttpServletRequest request, UserService users, String username) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            users.find(username)
                    .ifPresent(user -> session.setAttribute(PASSWORD_STAMP, UserService.passwordStamp(user)));
        }
    }

    /** Static resources read nothing of the user (and must load while the database is away: its page uses them). */
    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return staticFiles.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        HttpSession session = request.getSession(false);
        Object signedInWith = session == null ? null : session.getAttribute(PASSWORD_STAMP);
        Authentication signedIn = SecurityContextHolder.getContext().getAuthentication();
        if (signedInWith == null
                || !(signedIn instanceof UsernamePasswordAuthenticationToken)
                || !signedIn.isAuthenticated()) {
            // not a session the login form opened (sessions live in memory: a restart ends every one)
            chain.doFilter(request, response);
            return;
        }
        Optional<User> stored = users.find(signedIn.getName());
        if (stored.isEmpty()
                || !stored.get().enabled()
                || !signedInWith.equals(UserService.passwordStamp(stored.get()))) {
            session.invalidate();
            SecurityContextHolder.clearContext();
            chain.doFilter(request, response);
            return;
        }
        UserDetails user = users.sessionDetails(stored.get());
        if (!new HashSet<GrantedAuthority>(signedIn.getAuthorities()).equals(new HashSet<>(user.getAuthorities()))) {
            UsernamePasswordAuthenticationToken refreshed =
                    UsernamePasswordAuthenticationToken.authenticated(user, null, user.getAuthorities());
            refreshed.setDetails(signedIn.getDetails());
            SecurityContext context = SecurityContextHolder.createEmptyContext();
            context.setAuthentication(refreshed);
            SecurityContextHolder.setContext(context);
            contexts.saveContext(context, request, response);
        }
        chain.doFilter(request, response);
    }
}
