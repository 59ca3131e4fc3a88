package dev.almanac.web;

import dev.almanac.common.ConflictException;
import dev.almanac.common.DatabaseAvailability;
import dev.almanac.common.ForbiddenException;
import dev.almanac.common.InvalidInputException;
import dev.almanac.common.NotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * What every admin page shares: the path and the reader's role for the navigation, whether htmx asked for a
 * fragment, and errors shown as a page with what to do next. Ordered before the API's handler, which answers problem JSON.
 */
@ControllerAdvice(annotations = AdminPage.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class PageAdvice {

    private static final Logger log = LoggerFactory.getLogger(PageAdvice.class);

    /** Absent only in web slice tests, which have no database. */
    private final ObjectProvider<DatabaseAvailability> availability;

    PageAdvice(ObjectProvider<DatabaseAvailability> availability) {
        this.availability = availability;
    }

    @ModelAttribute
    void shared(HttpServletRequest request, Model model) {
        model.addAttribute("path", request.getRequestURI());
        String query = request.getQueryString();
        model.addAttribute("currentUrl", request.getRequestURI() + (query == null ? "" : "?" + query));
        model.addAttribute("htmx", request.getHeader("HX-Request") != null);
        // the navigation offers only the pages the security chain lets this reader open
        model.addAttribute("superAdmin", request.isUserInRole("SUPER_ADMIN"));
        model.addAttribute("scheduler", request.isUserInRole("SUPER_ADMIN") || request.isUserInRole("ADMIN"));
        model.addAttribute("username", request.getRemoteUser());
        if (request.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken csrf) {
            // htmx sends this header with every request it makes, so its POSTs pass the CSRF check as forms do.
            model.addAttribute("csrfHeaders", "{\"" + csrf.getHeaderName() + "\": \"" + csrf.getToken() + "\"}");
        }
    }

    @ExceptionHandler(NotFoundException.class)
    String notFound(NotFoundException e, HttpServletResponse response, Model model) {
        return error(response, model, HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler(ForbiddenException.class)
    String forbidden(ForbiddenException e, HttpServletResponse response, Model model) {
        return error(response, model, HttpStatus.FORBIDDEN, e.getMessage());
    }

    @ExceptionHandler(ConflictException.class)
    String conflict(ConflictException e, HttpServletResponse response, Model model) {
        return error(response, model, HttpStatus.CONFLICT, e.getMessage());
    }

    @ExceptionHandler(InvalidInputException.class)
    String invalid(InvalidInputException e, HttpServletResponse response, Model model) {
        return error(response, model, HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    String unexpected(Exception e, HttpServletRequest request, HttpServletResponse response, Model model) {
        if (DatabaseAvailability.isConnectionFailure(e)) {
            // said once per outage, not with a stack trace per page
            availability.ifAvailable(database -> database.unreachable(e));
            response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(DatabaseUnavailable.RETRY_AFTER_SECONDS));
            return DatabaseUnavailable.VIEW;
        }
        log.error("Unexpected error rendering {}", request.getRequestURI(), e);
        return error(
                response,
                model,
                HttpStatus.INTERNAL_SERVER_ERROR,
                "Something went wrong on the server; the server log has the details.");
    }

    private static String error(HttpServletResponse response, Model model, HttpStatus status, String message) {
        response.setStatus(status.value());
        model.addAttribute("status", status.value());
        model.addAttribute("error", status.getReasonPhrase());
        model.addAttribute("message", message);
        return "error";
    }
}
