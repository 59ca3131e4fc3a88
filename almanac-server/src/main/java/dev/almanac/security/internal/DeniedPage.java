package dev.almanac.security.internal;

import dev.almanac.security.CurrentNamespace;
import dev.almanac.web.AdminPage;
import dev.almanac.web.Refusals;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Arrays;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.PathContainer;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The page a signed-in reader sees instead of a page their role does not allow: the security chain forwards here
 * (see {@code SecurityConfiguration.pageDenied}), after writing the denial into the audit trail.
 */
@AdminPage
public class DeniedPage {

    static final String PATH = "/denied";

    /** The request attribute with the path that was denied. */
    static final String DENIED_PATH = "almanac.denied-path";

    /** The request attribute with a reason other than the role (a missing CSRF token). */
    static final String DENIED_REASON = "almanac.denied-reason";

    /** Any method: a denied form post or htmx action is forwarded here as it came. */
    private final CurrentNamespace namespaces;

    DeniedPage(CurrentNamespace namespaces) {
        this.namespaces = namespaces;
    }

    @RequestMapping(PATH)
    String denied(HttpServletRequest request, HttpServletResponse response, Model model) {
        Object path = request.getAttribute(DENIED_PATH);
        String role = request.isUserInRole(Role.SUPER_ADMIN.name())
                ? "super admin"
                : request.isUserInRole(Role.ADMIN.name()) ? "admin" : "user";
        // the user role without a role in any namespace can open no page of the scheduler: no links to them
        boolean member = namespaces.opensScheduler();
        model.addAttribute("noScheduler", "user".equals(role) && !member);
        String message = request.getAttribute(DENIED_REASON) instanceof String reason
                ? reason
                : (path == null ? "This page" : path)
                        + " is not open to your role (" + role + "). "
                        + ruleOf(path instanceof String p ? p : "");
        return Refusals.page(request, response, model, HttpStatus.FORBIDDEN, message);
    }

    /** Who may open the page at {@code path}: the rule of the list in {@link SecurityConfiguration} it is on. */
    static String ruleOf(String path) {
        if (on(SecurityConfiguration.SUPER_ADMIN_PAGES, path)) {
            return "Only super admins may open it.";
        }
        if (on(SecurityConfiguration.GLOBAL_PAGES, path)) {
            return "Only super admins and admins may open it; a role in a namespace does not open it.";
        }
        if (on(SecurityConfiguration.UI_PAGES, path)) {
            return "The user role has no access to the scheduler; a super admin can give you the admin role, or an"
                    + " owner of a namespace a role in it.";
        }
        return "No role may open it.";
    }

    private static boolean on(String[] patterns, String path) {
        PathContainer container = PathContainer.parsePath(path);
        return Arrays.stream(patterns)
                .anyMatch(pattern ->
                        PathPatternParser.defaultInstance.parse(pattern).matches(container));
    }
}
