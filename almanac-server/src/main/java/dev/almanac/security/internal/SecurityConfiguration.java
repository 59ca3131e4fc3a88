package dev.almanac.security.internal;

import dev.almanac.audit.AuditTrail;
import dev.almanac.common.DatabaseAvailability;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxRequest;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HtmxResponseHeader;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.DefaultAuthenticationEventPublisher;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationManagers;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Deny by default, in two filter chains. The API ({@code /api/**}, {@code /actuator/**}) is stateless: a Bearer
 * token or, unless turned off, HTTP Basic; no session, no CSRF (no cookie authenticates it). The UI is a form
 * login with a session cookie and a CSRF token on every state-changing request. Only the paths named here are
 * reachable.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    static final String API = "/api/admin/scheduler";
    /** Pages a namespace member opens too: what they show and change is checked per namespace. */
    static final String[] UI_PAGES = {
        "/",
        "/jobs/**",
        "/executions/**",
        "/backfills/**",
        "/calendars",
        "/calendars/**",
        "/templates/**",
        "/import",
        "/import/**",
        "/namespaces",
        "/namespaces/**",
        "/scripts",
        "/scripts/**"
    };
    /** Pages for the global roles only. */
    static final String[] GLOBAL_PAGES = {"/tokens", "/tokens/**"};

    static final String[] SUPER_ADMIN_PAGES = {"/audit", "/audit/**", "/users", "/users/**", "/freezes", "/freezes/**"};
    /** Pages about the reader's own account, for every signed-in user. */
    static final String[] ACCOUNT_PAGES = {"/account/**"};

    static final String[] STATIC = {"/css/**", "/js/**", "/img/**", "/webjars/**", "/favicon.ico"};
    static final String[] DOCS = {
        "/docs", "/docs/**", "/swagger-ui/**", "/swagger-ui.html", "/v3/api-docs", "/v3/api-docs/**"
    };
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /**
     * No observation of the security filters, authentications or authorizations while the operator leaves them off
     * ({@code management.observations.enable.spring.security}, false in {@code application.yml}): a timer per filter
     * per request told nothing the request's own {@code http.server.requests} timer does not. The property alone turns
     * the observations into no-ops but leaves every filter of every request wrapped for them (3 % of the API's CPU).
     */
    @Bean
    @ConditionalOnBooleanProperty(name = "management.observations.enable.spring.security", havingValue = false)
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * The strict firewall, checking header names and values without a pattern where they are printable ASCII. A
     * request it refuses (an address with {@code ..}, {@code ;}, {@code //} or a control character) is a 400 problem,
     * as every refusal, not the server's own error answer.
     */
    @Bean
    WebSecurityCustomizer headerFirewall(ProblemResponses problems) {
        return web -> web.httpFirewall(HeaderFirewall.strict())
                // said without the rejected value: a header's (a cookie's) must not come back in a readable body
                .requestRejectedHandler((request, response, rejected) -> problems.badRequest(
                        request,
                        response,
                        "this address or header is not accepted: a path with '..', ';', '//' or an encoded '/',"
                                + " or a character no address or header may hold"));
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        // bcrypt for new hashes; the {id} prefix lets a later default (argon2) take over as users log in
        return new BoundedPasswords(PasswordEncoderFactories.createDelegatingPasswordEncoder());
    }

    @Bean
    AuthenticationManager authenticationManager(
            UserService users, PasswordEncoder passwords, ApplicationEventPublisher events) {
        DaoAuthenticationProvider provider = new DaoAuthenticationProvider(users);
        provider.setPasswordEncoder(passwords);
        provider.setUserDetailsPasswordService(users);
        ProviderManager manager = new ProviderManager(provider);
        manager.setAuthenticationEventPublisher(new DefaultAuthenticationEventPublisher(events));
        return manager;
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiSecurity(
            HttpSecurity http,
            AuthenticationManager authentication,
            SecurityProperties properties,
            ApiTokenService tokens,
            AuditTrail audit,
            ProblemResponses problems,
            LoginAttempts logins,
            Clock clock,
            NamespaceRepository namespaces)
            throws Exception {
        AuthorizationManager<RequestAuthorizationContext> globalRead =
                AuthorityAuthorizationManager.hasAnyRole(Role.SUPER_ADMIN.name(), Role.ADMIN.name());
        // a USER with a role in some namespace, or a token limited to namespaces, reads and acts there; what they may
        // see is checked per object
        AuthorizationManager<RequestAuthorizationContext> member = member(namespaces);
        AuthorizationManager<RequestAuthorizationContext> read = AuthorizationManagers.anyOf(globalRead, member);
        AuthorizationManager<RequestAuthorizationContext> write =
                AuthorizationManagers.allOf(read, AuthorityAuthorizationManager.hasAuthority(Authorities.WRITE));
        AuthorizationManager<RequestAuthorizationContext> superRead =
                AuthorityAuthorizationManager.hasRole(Role.SUPER_ADMIN.name());
        AuthorizationManager<RequestAuthorizationContext> superWrite =
                AuthorizationManagers.allOf(superRead, AuthorityAuthorizationManager.hasAuthority(Authorities.WRITE));
        http.securityMatcher("/api/**", "/actuator/**")
                .authenticationManager(authentication)
                .authorizeHttpRequests(requests -> requests.requestMatchers("/actuator/health", "/actuator/health/**")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/actuator/prometheus")
                        .access(globalRead)
                        // counts and nodes of the whole scheduler: not a namespace's to see
                        .requestMatchers(HttpMethod.GET, API + "/status")
                        .access(globalRead)
                        .requestMatchers(HttpMethod.GET, API + "/audit", API + "/users", API + "/users/**")
                        .access(superRead)
                        .requestMatchers(API + "/audit", API + "/audit/**", API + "/users", API + "/users/**")
                        .access(superWrite)
                        .requestMatchers(HttpMethod.GET, API + "/**")
                        .access(read)
                        .requestMatchers(HttpMethod.HEAD, API + "/**")
                        .access(read)
                        // a preview computes, it changes nothing: read-only tokens may ask for one
                        .requestMatchers(HttpMethod.POST, API + "/schedules/preview")
                        .access(read)
                        .requestMatchers(API + "/**")
                        .access(write)
                        .anyRequest()
                        .denyAll())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .headers(headers -> headers.frameOptions(frame -> frame.deny())
                        .contentSecurityPolicy(
                                csp -> csp.policyDirectives("default-src 'none'; frame-ancestors 'none'"))
                        .referrerPolicy(
                                referrer -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)))
                .addFilterBefore(new ApiTokenFilter(tokens, audit, problems), BasicAuthenticationFilter.class)
                .addFilterAfter(
                        new ApiRateLimitFilter(properties.apiRequestsPerMinute(), problems),
                        BasicAuthenticationFilter.class)
                .exceptionHandling(errors -> errors.authenticationEntryPoint((request, response, e) ->
                                apiUnauthorized(request, response, e, problems, logins, clock))
                        .accessDeniedHandler(denied(audit, problems)));
        if (properties.basicAuthEnabled()) {
            http.httpBasic(basic -> basic.authenticationEntryPoint(
                    (request, response, e) -> apiUnauthorized(request, response, e, problems, logins, clock)));
        } else {
            http.httpBasic(basic -> basic.disable());
        }
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain uiSecurity(
            HttpSecurity http,
            AuthenticationManager authentication,
            AuditTrail audit,
            ProblemResponses problems,
            LoginAttempts logins,
            UserService users,
            NamespaceRepository namespaces)
            throws Exception {
        RequestMatcher pages = pages();
        AuthorizationManager<RequestAuthorizationContext> scheduler = AuthorizationManagers.anyOf(
                AuthorityAuthorizationManager.hasAnyRole(Role.SUPER_ADMIN.name(), Role.ADMIN.name()),
                member(namespaces));
        LoginUrlAuthenticationEntryPoint loginPage = new LoginUrlAuthenticationEntryPoint("/login");
        // only a page a person opened is where signing in lands again, never an htmx fragment or a script's call
        HttpSessionRequestCache pageToReturnTo = new HttpSessionRequestCache();
        pageToReturnTo.setRequestMatcher(request -> opensPage(pages, request) && acceptsHtml(request));
        SavedRequestAwareAuthenticationSuccessHandler landing = new SavedRequestAwareAuthenticationSuccessHandler();
        landing.setDefaultTargetUrl("/");
        landing.setRequestCache(pageToReturnTo);
        http.authenticationManager(authentication)
                .requestCache(cache -> cache.requestCache(pageToReturnTo))
                .authorizeHttpRequests(requests -> requests.requestMatchers("/login", "/error")
                        .permitAll()
                        .requestMatchers(STATIC)
                        .permitAll()
                        .requestMatchers(DOCS)
                        .permitAll()
                        // where a page that was denied is forwarded, to say so as a page (see pageDenied)
                        .requestMatchers(DeniedPage.PATH)
                        .authenticated()
                        .requestMatchers(ACCOUNT_PAGES)
                        .authenticated()
                        .requestMatchers(SUPER_ADMIN_PAGES)
                        .hasRole(Role.SUPER_ADMIN.name())
                        .requestMatchers(GLOBAL_PAGES)
                        .hasAnyRole(Role.SUPER_ADMIN.name(), Role.ADMIN.name())
                        // a USER with a role in some namespace works there; each page keeps to what they may see
                        .requestMatchers(UI_PAGES)
                        .access(scheduler)
                        // nothing else is a page, for any role: the refusal answers a signed-in reader 404 (pageDenied)
                        .anyRequest()
                        .denyAll())
                .formLogin(form -> form.loginPage("/login")
                        .usernameParameter("username")
                        .passwordParameter("password")
                        .successHandler((request, response, auth) -> {
                            logins.interactiveLogin(auth.getName());
                            SessionUsers.stamp(request, users, auth.getName());
                            if (users.hasGeneratedPassword(auth.getName())) {
                                // the password was printed in a log: change it before anything else
                                response.sendRedirect(request.getContextPath() + PasswordPages.PATH);
                                return;
                            }
                            landing.onAuthenticationSuccess(request, response, auth);
                        })
                        .failureHandler(loginFailed()))
                .logout(logout -> logout.logoutUrl("/logout")
                        .logoutSuccessUrl("/login?logout")
                        .deleteCookies("ALMANAC_SESSION")
                        .addLogoutHandler((request, response, auth) -> {
                            if (auth != null) {
                                audit.record(
                                        auth.getName(),
                                        "logout",
                                        AuditTrail.SUCCESS,
                                        AuditTrail.Target.of("user", null, auth.getName()),
                                        null);
                            }
                        }))
                .addFilterAfter(new SessionUsers(users), SecurityContextHolderFilter.class)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED)
                        .sessionFixation(fixation -> fixation.changeSessionId()))
                .headers(headers -> headers.frameOptions(frame -> frame.deny())
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .referrerPolicy(
                                referrer -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)))
                .exceptionHandling(errors -> errors.authenticationEntryPoint((request, response, e) -> {
                            if (HtmxRequest.fromRequest(request).isHtmxRequest()) {
                                htmxToLogin(request, response, problems);
                            } else if (opensPage(pages, request)) {
                                loginPage.commence(request, response, e);
                            } else {
                                problems.unauthorized(request, response, "authentication is required");
                            }
                        })
                        .accessDeniedHandler(pageDenied(audit, problems, pages)));
        return http.build();
    }

    /**
     * Lets in a signed-in user who holds a role in some namespace, and a token limited to namespaces whose owner may
     * still work in one of them: a global admin or super admin, or a user holding a role in one of them (a token of an
     * admin since demoted to a user with no such role is refused, as its owner would be).
     */
    private static AuthorizationManager<RequestAuthorizationContext> member(NamespaceRepository namespaces) {
        return (caller, context) -> {
            Authentication user = caller.get();
            if (!signedIn(user)) {
                return new AuthorizationDecision(false);
            }
            if (user instanceof ApiTokenAuthentication token && token.namespaceLimit() != null) {
                return new AuthorizationDecision(token.ownerRole() == Role.SUPER_ADMIN
                        || token.ownerRole() == Role.ADMIN
                        || namespaces.isMemberOfAny(user.getName(), token.namespaceLimit()));
            }
            return new AuthorizationDecision(namespaces.isMember(user.getName()));
        };
    }

    /** A browser opening a page (not htmx asking for a fragment, not a form post): it is answered with a page. */
    private static boolean opensPage(RequestMatcher pages, HttpServletRequest request) {
        return !HtmxRequest.fromRequest(request).isHtmxRequest()
                && HttpMethod.GET.matches(request.getMethod())
                && pages.matches(request);
    }

    /** A browser's navigation asks for text/html; a request without an Accept header is taken as one too. */
    private static boolean acceptsHtml(HttpServletRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        return accept == null || accept.contains("text/html");
    }

    private static RequestMatcher pages() {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        java.util.List<RequestMatcher> matchers = new java.util.ArrayList<>();
        for (String page : UI_PAGES) {
            matchers.add(paths.matcher(page));
        }
        for (String page : GLOBAL_PAGES) {
            matchers.add(paths.matcher(page));
        }
        for (String page : SUPER_ADMIN_PAGES) {
            matchers.add(paths.matcher(page));
        }
        for (String page : ACCOUNT_PAGES) {
            matchers.add(paths.matcher(page));
        }
        return new OrRequestMatcher(matchers);
    }

    private static AuthenticationFailureHandler loginFailed() {
        return (request, response, e) -> {
            failIfDatabaseAway(e);
            response.sendRedirect(e instanceof LockedException ? "/login?locked" : "/login?error");
        };
    }

    /**
     * A user or token lookup that could not reach the database is not a wrong password: it goes on to the web layer,
     * which answers 503 (DatabaseUnavailableFilter).
     */
    private static void failIfDatabaseAway(AuthenticationException e) {
        if (e != null && DatabaseAvailability.isConnectionFailure(e)) {
            throw new DataAccessResourceFailureException("the database is unavailable", e);
        }
    }

    private static AccessDeniedHandler denied(AuditTrail audit, ProblemResponses problems) {
        return (request, response, e) -> problems.forbidden(request, response, recordDenial(request, e, audit));
    }

    /**
     * A page, a page's form post or an htmx action that the reader's role or a missing CSRF token does not allow is
     * answered where the reader acted (DeniedPage): a page saying so (403) with the navigation and the logout button,
     * or for htmx the alert in the layout's alerts region. Other paths (logout, login) get problem JSON.
     */
    private static AccessDeniedHandler pageDenied(AuditTrail audit, ProblemResponses problems, RequestMatcher pages) {
        return (request, response, e) -> {
            boolean page = pages.matches(request);
            if (!page
                    && !(e instanceof CsrfException)
                    && signedIn(SecurityContextHolder.getContext().getAuthentication())) {
                // no role opens an address outside the page lists: there is nothing there, whoever asks; the error
                // dispatch answers a browser with the error page and a script with problem JSON
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            String reason = recordDenial(request, e, audit);
            if (page && signedIn(SecurityContextHolder.getContext().getAuthentication())) {
                response.setStatus(HttpServletResponse.SC_FORBIDDEN);
                request.setAttribute(DeniedPage.DENIED_PATH, request.getRequestURI());
                if (e instanceof CsrfException) {
                    request.setAttribute(DeniedPage.DENIED_REASON, reason);
                }
                request.getRequestDispatcher(DeniedPage.PATH).forward(request, response);
            } else if (page && fromBrowser(request)) {
                // a CSRF refusal of a session that ended (its token was the old session's): sign in again
                sessionEnded(request, response, problems);
            } else {
                problems.forbidden(request, response, reason);
            }
        };
    }

    /**
     * Whether {@code user} is someone signed in. A refusal reads it from the security context: the CSRF filter
     * refuses before the request's {@code getUserPrincipal()} is wired to it, so that is null for every CSRF refusal.
     */
    private static boolean signedIn(Authentication user) {
        return user != null && user.isAuthenticated() && !(user instanceof AnonymousAuthenticationToken);
    }

    /** An htmx request, or a browser's form post or link (which asks for HTML), rather than a script's call. */
    private static boolean fromBrowser(HttpServletRequest request) {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        return HtmxRequest.fromRequest(request).isHtmxRequest() || accept != null && accept.contains("text/html");
    }

    /** Sends a page's request whose session has ended to the login page; htmx is told to go there itself. */
    private static void sessionEnded(
            HttpServletRequest request, HttpServletResponse response, ProblemResponses problems) throws IOException {
        if (HtmxRequest.fromRequest(request).isHtmxRequest()) {
            htmxToLogin(request, response, problems);
        } else {
            response.sendRedirect(request.getContextPath() + "/login");
        }
    }

    /** htmx swaps answers into the page: it is told to go to the login page instead. */
    private static void htmxToLogin(HttpServletRequest request, HttpServletResponse response, ProblemResponses problems)
            throws IOException {
        response.setHeader(HtmxResponseHeader.HX_REDIRECT.getValue(), "/login");
        problems.unauthorized(request, response, "your session has ended; log in again");
    }

    /** Writes the denial into the audit trail; returns why it was denied. */
    private static String recordDenial(HttpServletRequest request, Exception e, AuditTrail audit) {
        String endpoint = request.getMethod() + " " + request.getRequestURI();
        String reason = e instanceof CsrfException
                ? "the CSRF token is missing or wrong; reload the page and try again"
                : "your role or token scope does not allow " + endpoint;
        audit.record(
                AuditTrail.currentActorName(),
                "access.denied",
                AuditTrail.DENIED,
                AuditTrail.Target.of("endpoint", null, endpoint),
                Map.of("reason", reason));
        return reason;
    }

    private static void apiUnauthorized(
            HttpServletRequest request,
            HttpServletResponse response,
            AuthenticationException e,
            ProblemResponses problems,
            LoginAttempts logins,
            Clock clock)
            throws IOException {
        failIfDatabaseAway(e);
        if (e instanceof LockedException) {
            String username = basicUsername(request);
            Instant until = username == null ? null : logins.lockedUntil(username);
            long seconds = until == null
                    ? 60
                    : Math.max(1, Duration.between(clock.instant(), until).toSeconds() + 1);
            problems.tooMany(
                    request,
                    response,
                    "too many failed logins: the account is locked; retry after " + seconds + " s",
                    seconds);
            return;
        }
        problems.unauthorized(
                request,
                response,
                e == null
                                || e
                                        instanceof
                                        org.springframework.security.authentication.InsufficientAuthenticationException
                        ? "authentication is required: send Authorization: Bearer <token>"
                        : "the user name or password is wrong, or the account is disabled");
    }

    private static String basicUsername(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(
                    java.util.Base64.getDecoder().decode(header.substring(6).strip()),
                    java.nio.charset.StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
